package io.github.keepaliveagent.bootstrap;

import java.util.function.ObjIntConsumer;

/**
 * The only agent class that instrumented JDK code calls. The agent copies it into the bootstrap
 * class loader, so that code inside {@code java.base} can see it; it depends on JDK types only.
 *
 * <p>It must never throw into the caller: a missing hook is a no-op and every failure of the hook
 * is swallowed here, so a broken agent degrades to "no keepalive", never to a broken program.
 */
public final class KeepAliveDispatcher {

    /** A new connection or client socket: a SocketImpl, an accepted Socket, or a NetworkChannel. */
    public static final int SOCKET = 0;
    /** A new listening socket: a server SocketImpl or a server channel. */
    public static final int LISTENER = 1;

    /** Receives each new TCP socket and its kind; null until installed. */
    public static volatile ObjIntConsumer<Object> hook;

    /** force=true: the program cannot switch SO_KEEPALIVE off through Socket.setKeepAlive(false). */
    public static volatile boolean forceKeepAlive;

    private KeepAliveDispatcher() {
    }

    /** Called by the instrumented JDK classes once for each socket that comes into being. */
    public static void socketCreated(Object socket) {
        dispatch(socket, SOCKET);
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

    /** Called by the instrumented JDK classes once for each listening socket that comes into being. */
    public static void listenerCreated(Object listener) {
        dispatch(listener, LISTENER);
    }

    /** Called on entry to Socket.setKeepAlive: the value it goes on with. */
    public static boolean keepAliveRequested(boolean on) {
        return on || forceKeepAlive;
    }

    private static void dispatch(Object socket, int kind) {
        ObjIntConsumer<Object> current = hook;
        if (current == null || socket == null) {
            return;
        }
        try {
            current.accept(socket, kind);
        } catch (Throwable ignored) {
            // The host program comes first: the hook logs its own failures.
        }
    }
}
