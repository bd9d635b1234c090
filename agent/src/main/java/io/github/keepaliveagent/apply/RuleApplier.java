package io.github.keepaliveagent.apply;

import java.io.FileDescriptor;
import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;

import io.github.keepaliveagent.config.Option;
import io.github.keepaliveagent.config.Option.Kernel;
import io.github.keepaliveagent.config.Rules;
import io.github.keepaliveagent.config.Settings;
import io.github.keepaliveagent.config.Values;
import io.github.keepaliveagent.log.Log;

/**
 * The connection rules ({@link Rules}) at the places where a connection's peer becomes known; it exists
 * only when some rule is set, so that without rules nothing here runs. Every socket first gets the
 * global values when it is created (as without rules); then:
 *
 * <ul>
 * <li><b>connect</b> (before the SYN: {@code Socket.connect}, {@code SocketChannel.connect} in every style,
 * {@code AsynchronousSocketChannel.connect}, Netty's native connect): the first rule matching the
 * destination switches the socket to its values, or undoes what the agent did ({@code keepalive=off});
 * no rule, or one with the global values: not a single system call;
 * <li><b>bind</b> of a listening socket: the rule for its local port, so that the connections it accepts
 * inherit it from the kernel (no system call per accepted connection);
 * <li><b>accept</b>, only when a rule names the remote address of inbound connections: that rule;
 * <li>the <b>filter</b> of the program's own values: a program's "keepalive off" passes on a socket that a
 * rule left alone; with {@code force=all} the values the agent gave this very socket win.
 * </ul>
 *
 * Under {@code force=keepalive} and {@code force=off} a value the program set itself before the switch
 * stays: a value is switched only where the socket still has what the agent gave it (one getsockopt).
 * Linux only (the native path).
 */
final class RuleApplier implements BiConsumer<Object, Object>, IntConsumer {

    private final Applier applier;
    private final Rules rules;
    private final Values globals;
    private final Settings.Force force;
    private final Addresses addresses;
    /** idle, interval, count as the kernel has them for a socket that never set them (-1: unknown), user_timeout 0. */
    private final int[] kernelDefaults = new int[4];
    /**
     * Sockets whose program asked for keepalive itself before connecting, while some {@code keepalive=off} rule
     * may match where they connect: that rule then leaves their keepalive on, as the program wanted. Weak: a
     * socket that never connects is forgotten with it. Used only in that case. The value refers back to its key: an
     * entry counts only for that very object (Netty's sockets are equal by descriptor number, which a closed one
     * hands on to the next).
     */
    private final Map<Object, WeakReference<Object>> askedForKeepalive =
            Collections.synchronizedMap(new WeakHashMap<>());
    /** Set once something was put there: until then a connect does not even take the map's lock. */
    private volatile boolean anyAsked;

    RuleApplier(Applier applier, Settings settings, Addresses addresses) {
        this.applier = applier;
        this.rules = settings.rules();
        this.globals = settings.values();
        this.force = settings.force();
        this.addresses = addresses;
        for (int i = 0; i < 3; i++) {
            String kernel = Option.SOCKET_OPTIONS.get(i).kernelDefault();
            int value;
            try {
                value = kernel == null ? -1 : Integer.parseInt(kernel);
            } catch (NumberFormatException e) {
                value = -1;
            }
            kernelDefaults[i] = value;
        }
        kernelDefaults[3] = 0;
    }

    /**
     * What the dispatcher is handed: connect events (null when no rule can match an outbound connection: the
     * connect hooks then return at once) and Netty's accepted descriptors (null unless a rule names the remote
     * address of inbound connections).
     */
    Object[] hooks() {
        return new Object[] {rules.outbound() ? this : null, rules.inboundByAddress() ? this : null};
    }

    Rules rules() {
        return rules;
    }

    // ------------------------------------------------------------------------------------------ connect

    /** The dispatcher: {@code socket} (a JDK socket or channel, or an Integer descriptor) connects to {@code remote}. */
    @Override
    public void accept(Object socket, Object remote) {
        try {
            connecting(socket, remote);
        } catch (Throwable t) {
            if (!Log.warnOnce("rules", "could not apply a connection rule ({}); later failures are logged at debug"
                    + " level only", t)) {
                Log.debug(t, "could not apply a connection rule to {}", Log.name(socket));
            }
        }
    }

    private void connecting(Object socket, Object remote) throws Exception {
        if (!(remote instanceof InetSocketAddress)) {
            return; // a UNIX-domain address, or nothing
        }
        InetSocketAddress destination = (InetSocketAddress) remote;
        InetAddress address = destination.getAddress();
        boolean asked = anyAsked && askedBefore(socket);
        if (address == null) {
            return; // unresolved: the JDK fails the connect itself
        }
        Values to = rules.match(Rules.OUTBOUND, address, destination.getPort());
        if (to == null || to.sameAs(globals)) {
            return;
        }
        FileDescriptor fd = descriptor(socket);
        // A JDK channel that connects to an InetSocketAddress is TCP; a Netty descriptor may be a datagram
        // socket (its connect is the same method), a java.net.Socket a datagram one (JDK 8-21).
        boolean tcp = socket instanceof SocketChannel || socket instanceof AsynchronousSocketChannel;
        if (fd == null || !(tcp || OwnSockets.isTcp(applier.natives(), fd))) {
            return;
        }
        switchValues(fd, globals, to, asked);
        if (Log.debugEnabled()) {
            Log.debug("{} connects to {}: {} (a rule)", Log.name(socket), destination, to);
        }
    }

    // ------------------------------------------------------------------------------------------ listeners, accept

    /** A JDK listening socket was bound: the rule for its local port, inherited by what it accepts. */
    void listenerBound(Object listener) throws Exception {
        if (!rules.inboundByPort()) {
            return;
        }
        int port = -1;
        FileDescriptor fd = applier.descriptorOf(listener);
        if (listener.getClass().getClassLoader() != null) {
            // A program's own ServerSocket subclass: its methods are not ours to call; the kernel knows the port.
            port = fd == null || addresses == null ? -1 : addresses.local(fd).getPort();
        } else if (listener instanceof ServerSocket) {
            port = ((ServerSocket) listener).getLocalPort();
        } else if (listener instanceof NetworkChannel) {
            SocketAddress local = ((NetworkChannel) listener).getLocalAddress();
            port = local instanceof InetSocketAddress ? ((InetSocketAddress) local).getPort() : -1;
        }
        if (port > 0) {
            listening(fd, port, listener);
        }
    }

    /** A Netty listening socket (its descriptor) listens. */
    void nativeListening(int number) throws Exception {
        if (!rules.inboundByPort()) {
            return;
        }
        FileDescriptor fd = applier.natives().wrap(number);
        if (OwnSockets.isTcp(applier.natives(), fd) && addresses != null) {
            listening(fd, addresses.local(fd).getPort(), number);
        }
    }

    private void listening(FileDescriptor fd, int port, Object listener) throws Exception {
        Values rule = rules.listener(port);
        if (fd == null || rule == null || rule.sameAs(globals)) {
            return;
        }
        switchValues(fd, globals, rule, false);
        if (Log.debugEnabled()) {
            Log.debug("listening socket {} on port {}: {} (a rule; the connections it accepts inherit)",
                    Log.name(listener), port, rule);
        }
    }

    /**
     * A JDK socket a listening socket accepted, looked at only when a rule names the remote address of inbound
     * connections (else it inherited the listener's rule, and nothing is done). {@code inherited}: whether the
     * listener was configured by the agent.
     */
    void accepted(Object socket, FileDescriptor fd, boolean inherited) throws Exception {
        if (inherited && !rules.inboundByAddress()) {
            return;
        }
        InetAddress peer = null;
        int localPort = -1;
        if (socket.getClass().getClassLoader() != null) {
            // A program's own Socket subclass (a ServerSocket subclass accepts into it): asked through the kernel.
            if (addresses == null) {
                return;
            }
            peer = addresses.remote(fd).getAddress();
            localPort = addresses.local(fd).getPort();
        } else if (socket instanceof Socket) {
            peer = ((Socket) socket).getInetAddress();
            localPort = ((Socket) socket).getLocalPort();
        } else if (socket instanceof SocketChannel || socket instanceof AsynchronousSocketChannel) {
            SocketAddress remote = socket instanceof SocketChannel ? ((SocketChannel) socket).getRemoteAddress()
                    : ((AsynchronousSocketChannel) socket).getRemoteAddress();
            SocketAddress local = ((NetworkChannel) socket).getLocalAddress();
            peer = remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getAddress() : null;
            localPort = local instanceof InetSocketAddress ? ((InetSocketAddress) local).getPort() : -1;
        }
        acceptedFrom(fd, peer, localPort, inherited, socket);
    }

    /** The dispatcher: a connection Netty accepted (its descriptor), when a rule names inbound remote addresses. */
    @Override
    public void accept(int number) {
        try {
            if (addresses == null) {
                return;
            }
            FileDescriptor fd = applier.natives().wrap(number);
            InetSocketAddress remote = addresses.remote(fd);
            acceptedFrom(fd, remote.getAddress(), addresses.local(fd).getPort(), true, number);
        } catch (Throwable t) {
            Log.debug(t, "could not apply a connection rule to accepted fd {}", number);
        }
    }

    private void acceptedFrom(FileDescriptor fd, InetAddress peer, int localPort, boolean inherited, Object socket)
            throws Exception {
        if (fd == null || localPort <= 0) {
            return;
        }
        Values rule = rules.match(Rules.INBOUND, peer, localPort);
        Values listener = rules.listener(localPort);
        if (inherited) {
            if (rule == listener) {
                return;
            }
            switchValues(fd, listener == null ? globals : listener, rule == null ? globals : rule, false);
        } else {
            // Its listening socket predates the agent: nothing was inherited.
            Values values = rule == null ? globals : rule;
            if (values.off() || !applier.configure(fd, values)) {
                return;
            }
        }
        if (Log.debugEnabled()) {
            Log.debug("accepted {} from {}: {}", Log.name(socket), peer, rule == null ? "the global values (no rule)"
                    : rule + " (a rule)");
        }
    }

    // ------------------------------------------------------------------------------------------ the switch

    /**
     * Takes a socket that has what the agent gave it ({@code from}) to {@code to}. Under force=keepalive and
     * force=off an option the program changed meanwhile is left as the program set it (it no longer has the
     * agent's value); with force=all it is replaced too. {@code keepalive=off} undoes what the agent did:
     * SO_KEEPALIVE off (unless the program asked for it: {@code programKeepalive}) and the agent's values back
     * to the kernel's.
     */
    void switchValues(FileDescriptor fd, Values from, Values to, boolean programKeepalive) throws Exception {
        io.github.keepaliveagent.jdk.NativeCalls natives = applier.natives();
        if (to.off()) {
            if (from.off()) {
                return;
            }
            if (!programKeepalive) {
                natives.setInt(fd, Kernel.SOL_SOCKET, Kernel.SO_KEEPALIVE, 0);
            }
            for (int i = 0; i < 4; i++) {
                Option option = Option.SOCKET_OPTIONS.get(i);
                int given = from.get(i);
                if (given != Values.UNSET && kernelDefaults[i] >= 0
                        && natives.getInt(fd, option.kernel.level, option.kernel.option) == given) {
                    set(fd, option, kernelDefaults[i]);
                }
            }
            return;
        }
        if (from.off()) {
            applier.configure(fd, to); // it had nothing from the agent (an excluded listener's connection)
            return;
        }
        for (int i = 0; i < 4; i++) {
            Option option = Option.SOCKET_OPTIONS.get(i);
            int target = to.get(i) != Values.UNSET ? to.get(i) : kernelDefaults[i];
            int expected = from.get(i) != Values.UNSET ? from.get(i) : kernelDefaults[i];
            if (to.get(i) == from.get(i) || target < 0) {
                continue;
            }
            if (force != Settings.Force.ALL
                    && (expected < 0 || natives.getInt(fd, option.kernel.level, option.kernel.option) != expected)) {
                continue; // the program set its own value: it wins
            }
            set(fd, option, target);
        }
    }

    private void set(FileDescriptor fd, Option option, int value) throws Exception {
        try {
            applier.natives().setInt(fd, option.kernel.level, option.kernel.option, value);
        } catch (Exception e) {
            applier.refused(option, value, e);
        }
    }

    // ------------------------------------------------------------------------------------------ the filter

    /**
     * The filter with rules (the applier asks): the value the program's call goes on with. As without rules, except that a program's "keepalive off" passes on a
     * connected socket whose keepalive is off in the kernel (a rule left it alone, or no hook configured it
     * yet: then the scan gives it its rule's values), and that force=all keeps the values this socket was given.
     */
    Object valueFor(Object socket, String option, Object value) {
        try {
            return filter(socket, option, value);
        } catch (Throwable t) {
            Log.debug(t, "the rules' filter failed for {}: the agent's rule without them applies", Log.name(socket));
            return applier.valueFor(option, value);
        }
    }

    private Object filter(Object socket, String option, Object value) throws Exception {
        FileDescriptor fd = descriptor(socket); // once: for Netty a reflective call and a new FileDescriptor
        if ("SO_KEEPALIVE".equals(option)) {
            if (rules.offOutbound() && value instanceof Boolean && !connected(socket, fd)) {
                if (Boolean.TRUE.equals(value)) {
                    askedForKeepalive.put(socket, new WeakReference<>(socket));
                    anyAsked = true;
                } else {
                    askedForKeepalive.remove(socket);
                }
            }
            if (force == Settings.Force.OFF || !Boolean.FALSE.equals(value)) {
                return value;
            }
            if (rules.anyOff() && connected(socket, fd)) {
                if (fd != null && !keepaliveOn(fd)) {
                    return value; // the agent holds no keepalive on this socket
                }
            }
            return Boolean.TRUE;
        }
        Option socketOption = socketOption(option);
        if (force != Settings.Force.ALL || socketOption == null || !(value instanceof Integer)
                || !socketOption.kernel.accepts((Integer) value)) {
            return value;
        }
        int global = globals.get(socketOption);
        if (global == Values.UNSET && !rules.sets(socketOption)) {
            return value;
        }
        if (!connected(socket, fd)) {
            return global == Values.UNSET ? value : Integer.valueOf(global); // connect sets the rule's value anyway
        }
        if (fd == null) {
            return global == Values.UNSET ? value : Integer.valueOf(global);
        }
        if (!keepaliveOn(fd)) {
            return value; // a rule left it alone
        }
        int current = applier.natives().getInt(fd, socketOption.kernel.level, socketOption.kernel.option);
        int index = Option.SOCKET_OPTIONS.indexOf(socketOption);
        return current == kernelDefaults[index] && global == Values.UNSET ? value : Integer.valueOf(current);
    }

    private static Option socketOption(String name) {
        for (Option option : Option.SOCKET_OPTIONS) {
            if (option.kernel.name.equals(name)) {
                return option;
            }
        }
        return null;
    }

    private boolean keepaliveOn(FileDescriptor fd) throws Exception {
        return applier.natives().getInt(fd, Kernel.SOL_SOCKET, Kernel.SO_KEEPALIVE) != 0;
    }

    /** Whether this very socket's program asked for keepalive before it connects (forgotten now). */
    private boolean askedBefore(Object socket) {
        WeakReference<Object> asked = askedForKeepalive.remove(socket);
        return asked != null && asked.get() == socket;
    }

    /** Whether the socket has a peer; false when it cannot tell. */
    private boolean connected(Object socket, FileDescriptor fd) throws Exception {
        boolean jdk = socket.getClass().getClassLoader() == null; // else the program's class: ask the kernel
        if (jdk && socket instanceof Socket) {
            return ((Socket) socket).isConnected();
        }
        if (jdk && socket instanceof SocketChannel) {
            return ((SocketChannel) socket).isConnected();
        }
        if (jdk && socket instanceof AsynchronousSocketChannel) {
            return ((AsynchronousSocketChannel) socket).getRemoteAddress() != null;
        }
        if (fd == null || addresses == null) {
            return false;
        }
        try {
            addresses.remote(fd);
            return true;
        } catch (java.io.IOException notConnected) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------ descriptors

    /** A JDK socket's descriptor, a Netty socket's (its {@code intValue()}), or an Integer descriptor's. */
    FileDescriptor descriptor(Object socket) throws Exception {
        if (socket instanceof Integer) {
            return applier.natives().wrap((Integer) socket);
        }
        Method intValue = NETTY_FD.get(socket.getClass());
        if (intValue != null) {
            return applier.natives().wrap((Integer) intValue.invoke(socket));
        }
        if (socket.getClass().getClassLoader() == null
                && (socket instanceof java.nio.channels.Channel && !((java.nio.channels.Channel) socket).isOpen()
                || socket instanceof Socket && ((Socket) socket).isClosed())) {
            // A closed JDK channel keeps its descriptor's number, which may name another socket by now (at a
            // connect's entry the JDK has not checked yet): nothing to do.
            return null;
        }
        return applier.descriptorOf(socket);
    }

    /** Netty's {@code unix.FileDescriptor.intValue()} (any relocation), for the classes Netty's filter hooks are in. */
    private static final ClassValue<Method> NETTY_FD = new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (c.getName().endsWith(".channel.unix.FileDescriptor") && c.getClassLoader() != null) {
                    try {
                        return c.getMethod("intValue");
                    } catch (NoSuchMethodException | RuntimeException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    };

    // ------------------------------------------------------------------------------------------ scan, retrofit

    /**
     * What a socket found among the process's descriptors gets: the listener's rule by its local port; a
     * connection, inbound when its local port is one a listening socket of the process has ({@code listening}),
     * by its peer. Null: the global values.
     */
    Values forSocket(OwnSockets.TcpSocket socket, Set<Integer> listening) throws Exception {
        if (addresses == null) {
            return null;
        }
        int localPort = addresses.local(socket.fd).getPort();
        if (socket.listening) {
            return rules.listener(localPort);
        }
        InetSocketAddress remote;
        try {
            remote = addresses.remote(socket.fd);
        } catch (java.io.IOException notConnected) {
            return null; // not connected yet: its connect decides
        }
        return listening.contains(localPort) ? rules.match(Rules.INBOUND, remote.getAddress(), localPort)
                : rules.match(Rules.OUTBOUND, remote.getAddress(), remote.getPort());
    }

    /** The local ports of the process's listening sockets, for {@link #forSocket}. */
    Set<Integer> listeningPorts() throws Exception {
        Set<Integer> ports = new java.util.HashSet<>();
        if (addresses == null) {
            return ports;
        }
        OwnSockets.forEach(applier.natives(), socket -> {
            if (socket.listening) {
                ports.add(addresses.local(socket.fd).getPort());
            }
        });
        return ports;
    }
}
