package example;

import java.lang.reflect.Method;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;

/** Reads a socket's keepalive options back, on JDK 8 to 25 (JDK 9+ APIs through reflection). */
final class SocketOptionsReader {

    private SocketOptionsReader() {
    }

    static String describe(Object socket) {
        return "keepalive=" + read(socket, StandardSocketOptions.SO_KEEPALIVE)
                + " idle=" + read(socket, extended("TCP_KEEPIDLE"))
                + " interval=" + read(socket, extended("TCP_KEEPINTERVAL"))
                + " count=" + read(socket, extended("TCP_KEEPCOUNT"));
    }

    static Object read(Object socket, SocketOption<?> option) {
        if (option == null) {
            return "unsupported";
        }
        try {
            if (socket instanceof NetworkChannel) {
                return ((NetworkChannel) socket).getOption(option);
            }
            try {
                Method getOption = Socket.class.getMethod("getOption", SocketOption.class);
                return getOption.invoke(socket, option);
            } catch (NoSuchMethodException jdk8) {
                Method getOption = Class.forName("jdk.net.Sockets").getMethod("getOption", Socket.class,
                        SocketOption.class);
                return getOption.invoke(null, socket, option);
            }
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return "error(" + cause.getClass().getSimpleName() + ")";
        }
    }

    static SocketOption<?> extended(String name) {
        try {
            return (SocketOption<?>) Class.forName("jdk.net.ExtendedSocketOptions").getField(name).get(null);
        } catch (Exception e) {
            return null;
        }
    }
}
