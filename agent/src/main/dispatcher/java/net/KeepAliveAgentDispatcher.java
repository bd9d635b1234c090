package java.net;

import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;

/**
 * The only agent class that instrumented code calls: the JDK's socket classes and Netty's native
 * sockets, in any class loader. keepalive-agent defines it at start-up inside {@code java.base}, in
 * package {@code java.net}: exported, so that code in every module and class loader can call its
 * public methods, and not open, so that no code but the agent (to which the agent opens java.net,
 * and to nothing else) can read or replace its private state. Calling a public method gives nothing
 * that the caller could not do itself: it asks the agent to configure a socket the caller holds.
 *
 * <p>It depends on JDK types only and never throws into the caller: with no hook installed every
 * method is a no-op, and every failure of the hook is swallowed here, so a broken agent degrades
 * to "no keepalive", never to a broken program.
 */
public final class KeepAliveAgentDispatcher {

    /** A new connection or client socket: a SocketImpl, an accepted Socket, a channel. */
    public static final int SOCKET = 0;
    /** A new listening socket: a server SocketImpl or a server channel. */
    public static final int LISTENER = 1;
    /** A TCP stream socket created in native code (Netty's epoll, io_uring, kqueue), as an Integer descriptor. */
    public static final int NATIVE_SOCKET = 2;
    /** A listening socket was bound (a JDK one) or listens (Netty's, an Integer descriptor): for connection rules. */
    public static final int LISTENER_BOUND = 4;
    public static final int NATIVE_LISTENING = 5;

    /**
     * Receives each new socket and its kind; null until the agent sets it, through the access to java.net
     * that the agent's module alone has (the agent sets {@link #options} first).
     */
    private static volatile ObjIntConsumer<Object> sockets;
    /** {socket, option name, the program's value} -> the value that applies: the filter of a program's own values. */
    private static volatile Function<Object[], Object> options;

    /*
     * Connection rules: set only when the agent has some, null otherwise, and then the connect and accept
     * hooks below return at once (a bound listener goes to the socket hook, which returns at once too).
     */
    /** (socket or Integer descriptor, remote SocketAddress), before a connection is established. */
    private static volatile BiConsumer<Object, Object> connects;
    /** A connection Netty accepted, as its descriptor: only when a rule names inbound remote addresses. */
    private static volatile IntConsumer nativeAccepts;

    private KeepAliveAgentDispatcher() {
    }

    /** A socket or channel, once, when it comes into being. */
    public static void socketCreated(Object socket) {
        dispatch(socket, SOCKET);
    }

    /** A listening socket or server channel, once, when it comes into being. */
    public static void listenerCreated(Object listener) {
        dispatch(listener, LISTENER);
    }

    /** java.net.Socket, right after its SocketImpl created the native socket: TCP only when {@code stream}. */
    public static void socketImplCreated(Object impl, boolean stream) {
        if (stream) {
            dispatch(impl, SOCKET);
        }
    }

    /** java.net.ServerSocket, right after its SocketImpl created the listening socket. */
    public static void listenerImplCreated(Object impl, boolean stream) {
        if (stream) {
            dispatch(impl, LISTENER);
        }
    }

    /** The descriptor of a TCP stream socket that a library created in native code (Netty's). */
    public static void nativeSocketCreated(int fd) {
        if (fd >= 0) {
            dispatch(Integer.valueOf(fd), NATIVE_SOCKET);
        }
    }

    /** Before a JDK socket or channel connects to {@code remote} (a SocketAddress): where connection rules apply. */
    public static void connecting(Object socket, Object remote) {
        BiConsumer<Object, Object> current = connects;
        if (current == null || socket == null) {
            return;
        }
        try {
            current.accept(socket, remote);
        } catch (Throwable ignored) {
            // the host program comes first
        }
    }

    /** Before a TCP socket created in native code (Netty's, its descriptor) connects to {@code remote}. */
    public static void nativeConnecting(int fd, Object remote) {
        BiConsumer<Object, Object> current = connects;
        if (current == null || fd < 0) {
            return;
        }
        try {
            current.accept(Integer.valueOf(fd), remote);
        } catch (Throwable ignored) {
            // the host program comes first
        }
    }

    /** After a JDK listening socket or server channel was bound: a rule may name its local port. */
    public static void listenerBound(Object listener) {
        dispatch(listener, LISTENER_BOUND);
    }

    /** After a socket created in native code (Netty's, its descriptor) started listening. */
    public static void nativeListening(int fd) {
        if (fd >= 0) {
            dispatch(Integer.valueOf(fd), NATIVE_LISTENING);
        }
    }

    /** A connection accepted in native code (Netty's, its descriptor; negative: none was waiting). */
    public static void nativeAccepted(int fd) {
        IntConsumer current = nativeAccepts;
        if (current == null || fd < 0) {
            return;
        }
        try {
            current.accept(fd);
        } catch (Throwable ignored) {
            // the host program comes first
        }
    }

    /** On entry to a setKeepAlive(boolean): the value the method goes on with. */
    public static boolean keepAliveRequested(Object socket, boolean on) {
        return Boolean.TRUE.equals(filter(socket, "SO_KEEPALIVE", Boolean.valueOf(on)));
    }

    /** On entry to a setOption(SocketOption, Object): the value the method goes on with. */
    public static Object optionRequested(Object socket, Object option, Object value) {
        if (!(option instanceof SocketOption)) {
            return value;
        }
        return filter(socket, ((SocketOption<?>) option).name(), value);
    }

    /** On entry to a native library's int setter (Netty's setTcpKeepIdle...): the value it goes on with. */
    public static int valueRequested(Object socket, String option, int value) {
        Object result = filter(socket, option, Integer.valueOf(value));
        return result instanceof Integer ? ((Integer) result).intValue() : value;
    }

    /** On entry to a native library's raw setsockopt (Netty's setIntOpt(level, option, value)). */
    public static int intOptionRequested(Object socket, int level, int option, int value) {
        if (level == 1 && option == 9) { // SOL_SOCKET, SO_KEEPALIVE (Linux)
            return Boolean.TRUE.equals(filter(socket, "SO_KEEPALIVE", Boolean.valueOf(value != 0))) ? 1 : value;
        }
        if (level != 6) { // IPPROTO_TCP
            return value;
        }
        switch (option) {
            case 4: return valueRequested(socket, "TCP_KEEPIDLE", value);
            case 5: return valueRequested(socket, "TCP_KEEPINTERVAL", value);
            case 6: return valueRequested(socket, "TCP_KEEPCOUNT", value);
            case 18: return valueRequested(socket, "TCP_USER_TIMEOUT", value);
            default: return value;
        }
    }

    private static Object filter(Object socket, String option, Object value) {
        Function<Object[], Object> current = options;
        if (current == null || option == null) {
            return value;
        }
        try {
            Object result = current.apply(new Object[] {socket, option, value});
            return result == null ? value : result;
        } catch (Throwable ignored) {
            return value; // the host program comes first
        }
    }

    private static void dispatch(Object socket, int kind) {
        ObjIntConsumer<Object> current = sockets;
        if (current == null || socket == null) {
            return;
        }
        try {
            current.accept(socket, kind);
        } catch (Throwable ignored) {
            // The host program comes first: the hook reports its own failures.
        }
    }
}
