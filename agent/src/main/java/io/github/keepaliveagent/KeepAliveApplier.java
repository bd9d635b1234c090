package io.github.keepaliveagent;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.function.ObjIntConsumer;

/**
 * The one place that decides what a new socket gets: SO_KEEPALIVE and each configured option, set
 * at the moment the dispatcher hands the socket over. Whatever the program sets afterwards wins.
 * Never throws: a socket that can't take an option is left as it is.
 *
 * <p>On Linux the options are set with setsockopt on the socket's descriptor ({@link NativeSockets}),
 * which also reaches TCP_USER_TIMEOUT, and is cheaper than the JDK's API at start-up; elsewhere
 * through the JDK's API ({@link JavaSocketOptions}). On Linux a connection accepted by a listening
 * socket inherits that socket's SO_KEEPALIVE and TCP_KEEP* values, so listening sockets are configured
 * and an accepted connection costs one getsockopt: it is configured itself only when it did not
 * inherit keepalive (a listener opened before attach, a connection accepted before the retrofit).
 */
final class KeepAliveApplier implements ObjIntConsumer<Object> {

    /** The dispatcher's kinds (KeepAliveDispatcher.SOCKET / LISTENER; JDK types only cross that boundary). */
    static final int SOCKET = 0;
    static final int LISTENER = 1;

    private final Settings settings;
    private final String description;
    /** Linux: the native path; null elsewhere. */
    private final NativeSockets natives;
    /** Elsewhere: the JDK's API; null on Linux. */
    private final JavaSocketOptions javaOptions;
    private final ThreadLocal<Boolean> applying = new ThreadLocal<>();

    private KeepAliveApplier(Settings settings, NativeSockets natives, JavaSocketOptions javaOptions) {
        this.settings = settings;
        this.description = settings.describe();
        this.natives = natives;
        this.javaOptions = javaOptions;
    }

    /**
     * @param natives the native path, or null where it is not available
     * @param missing receives what this JDK/OS cannot apply, for one warning
     */
    static KeepAliveApplier create(Settings settings, List<String> missing, NativeSockets natives) {
        JavaSocketOptions javaOptions = null;
        if (natives == null) {
            javaOptions = JavaSocketOptions.resolve(settings, missing);
            if (settings.userTimeout() != null) {
                missing.add("TCP_USER_TIMEOUT (Linux, native setsockopt)");
            }
        }
        return new KeepAliveApplier(settings, natives, javaOptions);
    }

    @Override
    public void accept(Object socket, int kind) {
        if (applying.get() != null) {
            return; // a socket created while applying options (a JDK probe) is not ours to change
        }
        applying.set(Boolean.TRUE);
        try {
            if (kind == LISTENER) {
                if (natives != null) {
                    configureListener(socket);
                }
            } else if (natives != null && isAccepted(socket) && inheritedKeepalive(socket)) {
                if (Log.debugEnabled()) {
                    Log.debug("accepted {}: inherits its listening socket's settings", socket);
                }
            } else if (natives != null ? configureNatively(socket) : javaOptions.apply(socket)) {
                if (Log.debugEnabled()) {
                    Log.debug("configured {} {}: {}", kind(socket), socket, description);
                }
            }
        } catch (Throwable t) {
            Log.debug(t, "could not configure {}", socket);
        } finally {
            applying.remove();
        }
    }

    /** Only ServerSocket.implAccept hands over a Socket; channels are connected at construction when accepted. */
    private static boolean isAccepted(Object socket) throws IOException {
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
    private boolean inheritedKeepalive(Object socket) throws Exception {
        FileDescriptor fd = natives.of(socket);
        return fd != null && natives.getInt(fd, NativeSockets.SOL_SOCKET, NativeSockets.SO_KEEPALIVE) != 0;
    }

    private boolean configureNatively(Object socket) throws Exception {
        if (socket instanceof NetworkChannel
                && !((NetworkChannel) socket).supportedOptions().contains(StandardSocketOptions.SO_KEEPALIVE)) {
            return false; // a UNIX-domain channel: not TCP, left alone
        }
        FileDescriptor fd = natives.of(socket);
        if (fd == null) {
            return false;
        }
        natives.configure(fd, settings);
        return true;
    }

    /** The settings on a listening socket, inherited by what it accepts. */
    private void configureListener(Object listener) throws Exception {
        if (listener instanceof NetworkChannel
                && !((NetworkChannel) listener).supportedOptions().contains(StandardSocketOptions.SO_REUSEADDR)) {
            return; // a UNIX-domain server channel: not TCP, left alone
        }
        FileDescriptor fd = natives.of(listener);
        if (fd == null) {
            return; // its accepted connections, not having inherited keepalive, are configured one by one
        }
        natives.configure(fd, settings);
        if (Log.debugEnabled()) {
            Log.debug("configured listening socket {} (its connections inherit): {}", listener, description);
        }
    }

    private static String kind(Object socket) {
        if (socket instanceof AsynchronousSocketChannel) {
            return "AsynchronousSocketChannel";
        }
        return socket instanceof NetworkChannel ? "SocketChannel" : "Socket";
    }
}
