package io.github.keepaliveagent;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.Socket;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ObjIntConsumer;


/**
 * The one place that applies the options: SO_KEEPALIVE, then each configured TCP_KEEP* option, to
 * a socket handed over by the dispatcher at the moment it comes into being. Whatever the program
 * sets afterwards wins. Never throws: a socket that can't take an option is left as it is.
 *
 * <p>On Linux a connection accepted by a listening socket inherits that socket's SO_KEEPALIVE and
 * TCP_KEEP* values, so listening sockets are configured (natively: the JDK refuses SO_KEEPALIVE on a
 * server socket) and accepted connections cost nothing, as with libkeepalive. Elsewhere, or when the
 * native path is missing, each accepted connection is configured itself.
 */
final class KeepAliveApplier implements ObjIntConsumer<Object> {

    /** The dispatcher's kinds (KeepAliveDispatcher.SOCKET / LISTENER; JDK types only cross that boundary). */
    static final int SOCKET = 0;
    static final int LISTENER = 1;

    /** A TCP_KEEP* option to set and its value. */
    private static final class TcpOption {
        final SocketOption<Object> option;
        final Integer value;

        TcpOption(SocketOption<Object> option, Integer value) {
            this.option = option;
            this.value = value;
        }
    }

    private final List<TcpOption> tcpOptions;
    private final String description;
    private final Method implSetOption;
    private final Method socketSetOption;
    private final boolean socketSetOptionIsStatic;
    /** Classes that refused a TCP_KEEP* option: warned about once, then given SO_KEEPALIVE only. */
    private final Set<Class<?>> refusing = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Boolean> applying = new ThreadLocal<>();
    /** TCP_USER_TIMEOUT in ms through the native path, or null; volatile: switched off after a failure. */
    private volatile Integer userTimeout;
    private final NativeSockets natives;
    /** Listening sockets are configured and accepted connections inherit (Linux with the native path). */
    private volatile boolean inheritFromListener;
    private final Settings settings;

    private KeepAliveApplier(Settings settings, List<TcpOption> tcpOptions, String description, Method implSetOption,
            Method socketSetOption, Integer userTimeout, NativeSockets natives, boolean inheritFromListener) {
        this.settings = settings;
        this.tcpOptions = tcpOptions;
        this.userTimeout = userTimeout;
        this.natives = natives;
        this.inheritFromListener = inheritFromListener;
        this.description = description;
        this.implSetOption = implSetOption;
        this.socketSetOption = socketSetOption;
        this.socketSetOptionIsStatic = socketSetOption != null
                && java.lang.reflect.Modifier.isStatic(socketSetOption.getModifiers());
    }

    /**
     * Resolves, once, the JDK's TCP_KEEP* options and the methods that set them. Options the JDK
     * lacks (JDK 8 before 8u272) are named in {@code missing}; SO_KEEPALIVE is always applied.
     */
    static KeepAliveApplier create(Settings settings, List<String> missing, NativeSockets natives,
            boolean inheritFromListener) {
        List<TcpOption> options = new ArrayList<>();
        addOption(settings, Option.IDLE, "TCP_KEEPIDLE", options, missing);
        addOption(settings, Option.INTERVAL, "TCP_KEEPINTERVAL", options, missing);
        addOption(settings, Option.COUNT, "TCP_KEEPCOUNT", options, missing);
        Method implSetOption = null;
        Method socketSetOption = null;
        if (!options.isEmpty()) {
            implSetOption = findImplSetOption(missing);
            socketSetOption = findSocketSetOption(missing);
        }
        Integer userTimeout = settings.userTimeout();
        if (userTimeout != null && natives == null) {
            missing.add("TCP_USER_TIMEOUT (Linux only, through the JDK's native setsockopt)");
            userTimeout = null;
        }
        return new KeepAliveApplier(settings, options, settings.describe(), implSetOption, socketSetOption,
                userTimeout, natives, inheritFromListener && natives != null);
    }

    @SuppressWarnings("unchecked")
    private static void addOption(Settings settings, Option option, String field, List<TcpOption> options,
            List<String> missing) {
        Integer value = settings.seconds(option);
        if (value == null) {
            return;
        }
        try {
            Object constant = Class.forName("jdk.net.ExtendedSocketOptions").getField(field).get(null);
            options.add(new TcpOption((SocketOption<Object>) constant, value));
        } catch (ReflectiveOperationException | LinkageError e) {
            missing.add(field);
        }
    }

    /** SocketImpl's protected setOption(SocketOption, Object): JDK 8 and later; java.net is opened to us. */
    private static Method findImplSetOption(List<String> missing) {
        try {
            Method method = SocketImpl.class.getDeclaredMethod("setOption", SocketOption.class, Object.class);
            method.setAccessible(true);
            return method;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debug(e, "SocketImpl.setOption is not accessible");
            missing.add("TCP_KEEP* on java.net.Socket clients");
            return null;
        }
    }

    /** Socket.setOption (JDK 9+), or jdk.net.Sockets.setOption(Socket, ...) on JDK 8. */
    private static Method findSocketSetOption(List<String> missing) {
        try {
            return Socket.class.getMethod("setOption", SocketOption.class, Object.class);
        } catch (NoSuchMethodException e) {
            try {
                return Class.forName("jdk.net.Sockets")
                        .getMethod("setOption", Socket.class, SocketOption.class, Object.class);
            } catch (ReflectiveOperationException | LinkageError e2) {
                missing.add("TCP_KEEP* on accepted java.net.Sockets");
                return null;
            }
        }
    }

    @Override
    public void accept(Object socket, int kind) {
        if (applying.get() != null) {
            return; // a socket created while applying options (a JDK probe) is not ours to change
        }
        applying.set(Boolean.TRUE);
        try {
            if (kind == LISTENER) {
                if (inheritFromListener) {
                    applyToListener(socket);
                }
            } else if (inheritFromListener && isAccepted(socket)) {
                if (Log.debugEnabled()) {
                    Log.debug("accepted {}: inherits its listening socket's settings", socket);
                }
            } else if (socket instanceof NetworkChannel) {
                applyToChannel((NetworkChannel) socket);
            } else if (socket instanceof SocketImpl) {
                applyToImpl((SocketImpl) socket);
            } else if (socket instanceof Socket) {
                applyToSocket((Socket) socket);
            }
        } catch (Throwable t) {
            Log.debug(t, "could not configure {}", socket);
        } finally {
            applying.remove();
        }
    }

    /** Only ServerSocket.implAccept hands over a Socket; channels are connected at construction when accepted. */
    private static boolean isAccepted(Object socket) throws java.io.IOException {
        if (socket instanceof Socket) {
            return true;
        }
        if (socket instanceof java.nio.channels.SocketChannel) {
            return ((java.nio.channels.SocketChannel) socket).isConnected();
        }
        return socket instanceof AsynchronousSocketChannel
                && ((AsynchronousSocketChannel) socket).getRemoteAddress() != null;
    }

    /** SO_KEEPALIVE, TCP_KEEP* and TCP_USER_TIMEOUT on a listening socket, inherited by what it accepts. */
    private void applyToListener(Object listener) throws Exception {
        if (listener instanceof NetworkChannel
                && !((NetworkChannel) listener).supportedOptions().contains(StandardSocketOptions.SO_REUSEADDR)) {
            return; // a UNIX-domain server channel: not TCP, left alone
        }
        java.io.FileDescriptor fd = natives.of(listener);
        if (fd == null) {
            return;
        }
        try {
            Retrofit.apply(fd, true, settings, natives);
        } catch (Exception e) {
            inheritFromListener = false; // from now on each accepted connection is configured itself
            Log.warn(e, "could not configure the listening socket {}: each accepted connection is configured"
                    + " instead", listener);
            return;
        }
        logConfigured("listening socket (its connections inherit)", listener);
    }

    private void applyToChannel(NetworkChannel channel) throws Exception {
        Set<SocketOption<?>> supported = channel.supportedOptions();
        if (!supported.contains(StandardSocketOptions.SO_KEEPALIVE)) {
            return; // a UNIX-domain channel: not TCP, left alone
        }
        channel.setOption(StandardSocketOptions.SO_KEEPALIVE, Boolean.TRUE);
        for (TcpOption tcp : tcpOptions) {
            if (supported.contains(tcp.option)) {
                channel.setOption(tcp.option, tcp.value);
            } else {
                refused(channel.getClass(), tcp.option, null);
            }
        }
        setUserTimeout(channel);
        logConfigured(channel instanceof AsynchronousSocketChannel ? "AsynchronousSocketChannel" : "SocketChannel",
                channel);
    }

    private void applyToImpl(SocketImpl impl) throws Exception {
        ((SocketOptions) impl).setOption(SocketOptions.SO_KEEPALIVE, Boolean.TRUE);
        setTcpOptions(impl, implSetOption, false, impl.getClass());
        setUserTimeout(impl);
        logConfigured("Socket", impl);
    }

    private void applyToSocket(Socket socket) throws Exception {
        socket.setKeepAlive(true);
        setTcpOptions(socket, socketSetOption, socketSetOptionIsStatic, socket.getClass());
        setUserTimeout(socket);
        logConfigured("accepted Socket", socket);
    }

    private void setTcpOptions(Object target, Method setter, boolean isStatic, Class<?> kind) throws Exception {
        if (setter == null || refusing.contains(kind)) {
            return;
        }
        for (TcpOption tcp : tcpOptions) {
            try {
                if (isStatic) {
                    setter.invoke(null, target, tcp.option, tcp.value);
                } else {
                    setter.invoke(target, tcp.option, tcp.value);
                }
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof UnsupportedOperationException) {
                    refused(kind, tcp.option, e.getCause());
                    return;
                }
                throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
            }
        }
    }

    private void setUserTimeout(Object socket) {
        Integer timeout = userTimeout;
        if (timeout == null) {
            return;
        }
        try {
            java.io.FileDescriptor fd = natives.of(socket);
            if (fd != null) {
                natives.setInt(fd, NativeSockets.IPPROTO_TCP, NativeSockets.TCP_USER_TIMEOUT, timeout);
            }
        } catch (java.net.SocketException closed) {
            Log.debug(closed, "could not set TCP_USER_TIMEOUT on {}", socket);
        } catch (Exception e) {
            userTimeout = null;
            Log.warn(e, "could not set TCP_USER_TIMEOUT on {}: it is not applied from now on", socket.getClass());
        }
    }

    private void refused(Class<?> kind, SocketOption<?> option, Throwable cause) {
        if (refusing.add(kind)) {
            Log.warn("{} does not support {} on this JDK/OS ({}): its sockets get SO_KEEPALIVE with the"
                    + " kernel's idle/interval/count", kind.getName(), option.name(),
                    cause == null ? "not in supportedOptions()" : cause.getMessage());
        }
    }

    private void logConfigured(String kind, Object socket) {
        if (Log.debugEnabled()) {
            Log.debug("configured {} {}: {}", kind, socket, description);
        }
    }
}
