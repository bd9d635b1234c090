package io.github.keepaliveagent.apply;

import java.io.FileDescriptor;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.security.PrivilegedExceptionAction;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;

import io.github.keepaliveagent.config.Option;
import io.github.keepaliveagent.config.Option.Kernel;
import io.github.keepaliveagent.config.Settings;
import io.github.keepaliveagent.config.Values;
import io.github.keepaliveagent.jdk.Dispatcher;
import io.github.keepaliveagent.jdk.NativeCalls;
import io.github.keepaliveagent.jdk.Privileged;
import io.github.keepaliveagent.log.Log;

/**
 * The one place that decides what a socket gets. The dispatcher hands it each new socket (as an
 * {@link ObjIntConsumer}) and asks it, as a filter ({@link Function}), what becomes of a value the
 * program sets itself. Never throws: a socket that can't take an option is left as it is.
 *
 * <p>On Linux the options are set with setsockopt on the socket's descriptor (the JDK's own native),
 * which also reaches TCP_USER_TIMEOUT and Netty's native sockets; elsewhere through the JDK's API
 * ({@link JavaSocketOptions}). On Linux a connection accepted by a listening socket inherits that
 * socket's SO_KEEPALIVE and TCP_KEEP* values, so listening sockets are configured and an accepted
 * connection costs one getsockopt: it is configured itself only when it did not inherit keepalive (a
 * listener opened before attach).
 */
public final class Applier implements ObjIntConsumer<Object>, Function<Object[], Object> {

    private final Settings settings;
    private final String description;
    /** Linux: the native path; null elsewhere. */
    private final NativeCalls natives;
    private final Descriptors descriptors;
    /** Elsewhere: the JDK's API; null on Linux. */
    private final JavaSocketOptions javaOptions;
    private final ThreadLocal<Boolean> applying = new ThreadLocal<>();
    /** Set while the agent's own thread checks on sockets of its own: configured, but not logged as the program's. */
    public static final ThreadLocal<Boolean> SELF_CHECK = new ThreadLocal<>();
    /** Options the kernel refused once: warned about once. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    /**
     * Every listening socket got the settings (the agent was there when it was created, or a retrofit
     * configured it), so an accepted connection inherited them and costs no system call at all. A
     * listener that predates the agent (one an attach with retrofit=false left alone, or one a JVM
     * component opened before premain) is found by the scan, which then configures it.
     */
    private volatile boolean listenersConfigured;

    /** What this JDK/OS cannot apply, as warned at install; null when nothing is missing. */
    private volatile String missing;
    private volatile Throwable firstFailure;
    /** The connection rules where a connection's peer becomes known; null without rules (nothing of it runs). */
    private final RuleApplier rules;

    private Applier(Settings settings, NativeCalls natives, JavaSocketOptions javaOptions) {
        this.settings = settings;
        this.description = settings.describe();
        this.natives = natives;
        this.descriptors = natives == null ? null : new Descriptors(natives);
        this.javaOptions = javaOptions;
        this.rules = natives == null || !settings.hasRules() ? null
                : new RuleApplier(this, settings, Addresses.resolve());
    }

    /**
     * @param natives the native path, or null where it is not available
     * @param missing receives what this JDK/OS cannot apply, for one warning
     */
    public static Applier create(Settings settings, List<String> missing, NativeCalls natives) {
        JavaSocketOptions javaOptions = null;
        if (natives == null) {
            javaOptions = JavaSocketOptions.resolve(settings, missing);
            if (settings.value(Option.USER_TIMEOUT) != null) {
                missing.add("TCP_USER_TIMEOUT (Linux, native setsockopt)");
            }
            missing.add("sockets created in native code (Netty's epoll, io_uring, kqueue: Linux only)");
            if (settings.hasRules()) {
                missing.add("connection rules (Linux, native setsockopt): every connection gets the global values");
            }
        }
        return new Applier(settings, natives, javaOptions);
    }

    /**
     * The dispatcher's hooks for connection rules, read once when it is installed: connect events, the
     * per-socket filter, Netty's accepted descriptors (see {@link RuleApplier#hooks}); null without rules,
     * and then every rule hook in the dispatcher returns at once.
     */
    public Object[] ruleHooks() {
        return rules == null ? null : rules.hooks();
    }

    /** The connection rules at work here, or null. */
    RuleApplier rules() {
        return rules;
    }

    public Settings settings() {
        return settings;
    }

    private volatile Scanner scanner;

    /** The scan for sockets no hook configured, with these settings. */
    public Scanner scanner() {
        if (scanner == null) {
            scanner = new Scanner(this);
        }
        return scanner;
    }

    /** Set once every listening socket is known to carry the settings; see {@link #listenersConfigured}. */
    public void listenersConfigured() {
        listenersConfigured = true;
    }

    public String missing() {
        return missing;
    }

    public void setMissing(String missing) {
        this.missing = missing;
    }

    public NativeCalls natives() {
        return natives;
    }

    /** The settings, as the start-up line says them: a second copy of the agent compares them. */
    @Override
    public String toString() {
        return description;
    }

    @Override
    public void accept(Object socket, int kind) {
        // The JDK-API path may create a socket while it applies options (a JDK probe): not ours to change.
        // The native path creates none, and skips the thread-local on every socket.
        boolean guard = javaOptions != null;
        if (guard && applying.get() != null) {
            return;
        }
        if (guard) {
            applying.set(Boolean.TRUE);
        }
        try {
            if (System.getSecurityManager() == null) {
                created(socket, kind);
            } else {
                // The program's frames are on the stack: the agent works with its own permissions.
                Privileged.call(new PrivilegedExceptionAction<Void>() {
                    @Override
                    public Void run() throws Exception {
                        created(socket, kind);
                        return null;
                    }
                });
            }
        } catch (Throwable cause) {
            if (firstFailure == null) {
                firstFailure = cause;
            }
            if (kind == Dispatcher.LISTENER) {
                listenersConfigured = false; // its connections inherit nothing: each is configured itself
            }
            if (Log.warnOnce("apply", "could not configure a {} ({}); later failures are logged at debug level only",
                    kind(socket), cause)) {
                return;
            }
            if (Log.debugEnabled()) {
                Log.debug(cause, "could not configure {}", Log.name(socket));
            }
        } finally {
            if (guard) {
                applying.remove();
            }
        }
    }

    /** The first socket the agent could not configure: why (the self-check says it), or null. */
    public Throwable firstFailure() {
        return firstFailure;
    }

    /** A socket came into being (or, for connection rules, a listener was bound): what it gets. */
    private void created(Object socket, int kind) throws Exception {
        switch (kind) {
            case Dispatcher.LISTENER:
                if (natives != null && isTcp(socket) && configure(descriptors.of(socket))) {
                    debug("listening socket", socket, " (the connections it accepts inherit)");
                }
                return;
            case Dispatcher.NATIVE_SOCKET:
                if (natives != null) {
                    FileDescriptor fd = natives.wrap((Integer) socket);
                    if (OwnSockets.isTcp(natives, fd) && configure(fd)) {
                        debug("TCP socket created in native code (Netty),", socket, "");
                    }
                }
                return;
            case Dispatcher.LISTENER_BOUND:
                if (rules != null && isTcp(socket)) {
                    rules.listenerBound(socket);
                }
                return;
            case Dispatcher.NATIVE_LISTENING:
                if (rules != null) {
                    rules.nativeListening((Integer) socket);
                }
                return;
            default:
                if (natives == null) {
                    if (javaOptions.apply(socket)) {
                        debug("", socket, "");
                    }
                } else if (isTcp(socket)) {
                    FileDescriptor fd = descriptors.of(socket);
                    boolean accepted = isAccepted(socket);
                    if (rules != null && accepted) {
                        rules.accepted(socket, fd, listenersConfigured || inheritedKeepalive(fd));
                    } else if (accepted && (listenersConfigured || inheritedKeepalive(fd))) {
                        if (Log.debugEnabled()) {
                            Log.debug("accepted {}: inherits its listening socket's settings", Log.name(socket));
                        }
                    } else if (configure(fd)) {
                        debug("", socket, "");
                    }
                }
        }
    }

    /** "configured [what ]NAME[ note]: settings", once per socket, at debug level. */
    private void debug(String what, Object socket, String note) {
        if (Log.debugEnabled() && SELF_CHECK.get() == null) { // the name only then: it may load channel classes
            String name = socket instanceof java.net.SocketImpl && what.startsWith("listening")
                    ? "of a new ServerSocket" : Log.name(socket);
            Log.debug("configured {}{}{}: {}", what.isEmpty() ? "" : what + " ", name, note, description);
        }
    }

    /**
     * The dispatcher's filter: {@code {socket, option name, the program's value}} -> the value the program's
     * call goes on with (per socket when there are connection rules); says so at debug level when it differs.
     */
    @Override
    public Object apply(Object[] call) {
        Object socket = call[0];
        Object value = call[2];
        Object result = rules != null ? rules.valueFor(socket, (String) call[1], value) : valueFor((String) call[1], value);
        // Identity first: the filter returns the very value when it changes nothing, and equals may be the
        // program's own method (a SocketOption's value can be any object).
        if (result != value && Log.debugEnabled() && result != null && !result.equals(value)) {
            Log.debug("{}: the program switched keepalive off or set its own value; the agent's stays (force={})",
                    Log.name(socket), settings.force().name().toLowerCase(java.util.Locale.ROOT));
        }
        return result;
    }

    /** What becomes of a value the program sets itself ("SO_KEEPALIVE", false), without connection rules. */
    Object valueFor(String option, Object value) {
        Settings.Force force = settings.force();
        if (force == Settings.Force.OFF) {
            return value;
        }
        if ("SO_KEEPALIVE".equals(option)) {
            return Boolean.FALSE.equals(value) ? Boolean.TRUE : value;
        }
        if (force == Settings.Force.ALL && value instanceof Integer) {
            for (Option socketOption : Option.SOCKET_OPTIONS) {
                // An invalid value of the program's own is left to fail as it would without the agent.
                if (socketOption.kernel.name.equals(option) && settings.value(socketOption) != null
                        && socketOption.kernel.accepts((Integer) value)) {
                    return settings.value(socketOption);
                }
            }
        }
        return value;
    }

    /**
     * UNIX-domain channels are not TCP: left alone. Nor is a closed channel: its FileDescriptor keeps the
     * number it had (JDK 17, 25), which may name another socket of the program's by now.
     */
    private static boolean isTcp(Object socket) {
        // java.net's own types first: a program of Sockets alone never loads the channel classes for this.
        if (socket instanceof java.net.SocketImpl) {
            return true; // handed over right after it created its TCP socket
        }
        if (socket instanceof Socket) {
            return socket.getClass().getClassLoader() != null || !((Socket) socket).isClosed();
        }
        if (socket instanceof java.net.ServerSocket) { // bound, for a connection rule on its local port
            return socket.getClass().getClassLoader() != null || !((java.net.ServerSocket) socket).isClosed();
        }
        if (socket.getClass().getClassLoader() != null) {
            return false; // not the JDK's own channel: the dispatcher is public, and its callers are not ours to call
        }
        if (socket instanceof java.nio.channels.Channel && !((java.nio.channels.Channel) socket).isOpen()) {
            return false;
        }
        if (socket instanceof NetworkChannel) {
            return ((NetworkChannel) socket).supportedOptions().contains(StandardSocketOptions.SO_KEEPALIVE)
                    || ((NetworkChannel) socket).supportedOptions().contains(StandardSocketOptions.SO_REUSEADDR);
        }
        return false; // no socket at all: the dispatcher is public
    }

    /** Only ServerSocket.implAccept hands over a Socket; channels are connected at construction when accepted. */
    private static boolean isAccepted(Object socket) throws Exception {
        if (socket instanceof java.net.SocketImpl) {
            return false;
        }
        if (socket instanceof Socket) {
            return true;
        }
        if (socket instanceof SocketChannel) {
            return ((SocketChannel) socket).isConnected();
        }
        return socket instanceof AsynchronousSocketChannel
                && ((AsynchronousSocketChannel) socket).getRemoteAddress() != null;
    }

    /** Whether an accepted connection got keepalive from its listening socket: one getsockopt. */
    private boolean inheritedKeepalive(FileDescriptor fd) throws Exception {
        return fd != null && natives.getInt(fd, Kernel.SOL_SOCKET, Kernel.SO_KEEPALIVE) != 0;
    }

    /**
     * The settings on one socket by its descriptor: a connection, or a listening socket whose connections
     * inherit them. Options left unset keep the kernel's values. False when there is no descriptor.
     */
    boolean configure(FileDescriptor fd) throws Exception {
        return configure(fd, settings.values(), refused);
    }

    /** {@link #configure(FileDescriptor)} with the values of a rule. */
    boolean configure(FileDescriptor fd, Values values) throws Exception {
        return configure(fd, values, refused);
    }

    /** The descriptor of a JDK socket or channel the dispatcher handed over, or null. */
    FileDescriptor descriptorOf(Object socket) throws Exception {
        return descriptors == null ? null : descriptors.of(socket);
    }

    /** An option the kernel refused on a hooked socket: warned about once. */
    void refused(Option option, int value, Exception e) {
        if (refused.add(option.kernel.name)) {
            Log.warn("the kernel refused {}={} ({}): sockets keep its default for it", option.kernel.name, value,
                    e.getMessage());
        }
    }

    /**
     * @param refusedOptions options the kernel refused: a new one is warned about once when it is the
     *        hooks' own set; a retrofit collects its refusals apart, so that a descriptor reused meanwhile
     *        (a UDP socket refusing TCP_KEEPCNT) cannot silence the warnings of later sockets
     */
    boolean configure(FileDescriptor fd, Values values, Set<String> refusedOptions) throws Exception {
        if (fd == null) {
            return false;
        }
        natives.setInt(fd, Kernel.SOL_SOCKET, Kernel.SO_KEEPALIVE, 1); // a closed socket fails here
        for (int i = 0; i < Option.SOCKET_OPTIONS.size(); i++) {
            int value = values.get(i);
            if (value == Values.UNSET) {
                continue;
            }
            Option option = Option.SOCKET_OPTIONS.get(i);
            try {
                natives.setInt(fd, option.kernel.level, option.kernel.option, value);
            } catch (Exception e) {
                // Each option on its own: one the kernel refuses (a sandbox, an old kernel) is warned about once.
                if (refusedOptions == refused) {
                    refused(option, value, e);
                } else {
                    refusedOptions.add(option.kernel.name);
                }
            }
        }
        return true;
    }

    private static String kind(Object socket) {
        if (socket instanceof AsynchronousSocketChannel) {
            return "AsynchronousSocketChannel";
        }
        if (socket instanceof NetworkChannel) {
            return "SocketChannel";
        }
        return socket instanceof Socket || socket instanceof java.net.SocketImpl ? "Socket" : "socket";
    }
}
