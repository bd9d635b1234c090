package io.github.keepaliveagent.bootstrap;

import java.util.function.Consumer;

/**
 * The only agent class that instrumented JDK code calls. The agent copies it into the bootstrap
 * class loader, so that code inside {@code java.base} can see it; it depends on JDK types only.
 *
 * <p>It must never throw into the caller: a missing hook is a no-op and every failure of the hook
 * is swallowed here, so a broken agent degrades to "no keepalive", never to a broken program.
 */
public final class KeepAliveDispatcher {

    /** Receives each new TCP socket (a SocketImpl, Socket or NetworkChannel); null until installed. */
    public static volatile Consumer<Object> hook;

    private KeepAliveDispatcher() {
    }

    /** Called by the instrumented JDK classes once for each socket that comes into being. */
    public static void socketCreated(Object socket) {
        Consumer<Object> current = hook;
        if (current == null || socket == null) {
            return;
        }
        try {
            current.accept(socket);
        } catch (Throwable ignored) {
            // The host program comes first: the hook logs its own failures.
        }
    }
}
