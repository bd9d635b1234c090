package io.github.keepaliveagent.apply;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketImpl;
import java.nio.channels.SocketChannel;

import io.github.keepaliveagent.jdk.JdkAccess;
import io.github.keepaliveagent.jdk.NativeCalls;

/**
 * What the applier tests take from the JDK's socket classes, as the hooks hand it to the agent (the surefire
 * configuration opens java.net and sun.nio.ch to the tests).
 */
final class JdkSockets {

    /** The JDK's native setsockopt/getsockopt, as the agent uses them. */
    static final NativeCalls NATIVES = natives();

    private JdkSockets() {
    }

    private static NativeCalls natives() {
        try {
            return JdkAccess.current().nativeCalls();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** A channel's descriptor number (what Netty's hooks hand over). */
    static int fdNumber(SocketChannel channel) throws Exception {
        Field fdVal = channel.getClass().getDeclaredField("fdVal");
        fdVal.setAccessible(true);
        return fdVal.getInt(channel);
    }

    /** A Socket's impl: what the hook after SocketImpl.create hands over. */
    static SocketImpl impl(Socket socket) throws Exception {
        return impl(Socket.class, socket);
    }

    static SocketImpl impl(ServerSocket socket) throws Exception {
        return impl(ServerSocket.class, socket);
    }

    private static SocketImpl impl(Class<?> type, Object socket) throws Exception {
        Method getImpl = type.getDeclaredMethod("getImpl");
        getImpl.setAccessible(true);
        return (SocketImpl) getImpl.invoke(socket);
    }
}
