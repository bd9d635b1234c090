package io.github.keepaliveagent.apply;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.Socket;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.keepaliveagent.config.Option;
import io.github.keepaliveagent.config.Settings;
import io.github.keepaliveagent.log.Log;

/**
 * Sets the options through the JDK's socket option API: the portable path, used where the native
 * one (setsockopt on the descriptor, Linux) is not available. TCP_KEEP* come from jdk.net.ExtendedSocketOptions
 * (JDK 11+, 8u272+); where the JDK or OS lacks them, SO_KEEPALIVE is still set and one warning says so.
 */
final class JavaSocketOptions {

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
    private final Method implSetOption;
    private final Method socketSetOption;
    private final boolean socketSetOptionIsStatic;
    /** Classes that refused a TCP_KEEP* option: warned about once, then given SO_KEEPALIVE only. */
    private final Set<Class<?>> refusing = ConcurrentHashMap.newKeySet();

    private JavaSocketOptions(List<TcpOption> tcpOptions, Method implSetOption, Method socketSetOption) {
        this.tcpOptions = tcpOptions;
        this.implSetOption = implSetOption;
        this.socketSetOption = socketSetOption;
        this.socketSetOptionIsStatic = socketSetOption != null
                && java.lang.reflect.Modifier.isStatic(socketSetOption.getModifiers());
    }

    /**
     * Resolves, once, the JDK's TCP_KEEP* options and the methods that set them. Options the JDK
     * lacks (JDK 8 before 8u272) are named in {@code missing}; SO_KEEPALIVE is always applied.
     */
    static JavaSocketOptions resolve(Settings settings, List<String> missing) {
        List<TcpOption> options = new ArrayList<>();
        for (Option option : new Option[] {Option.IDLE, Option.INTERVAL, Option.COUNT}) {
            addOption(settings, option, options, missing);
        }
        Method implSetOption = null;
        Method socketSetOption = null;
        if (!options.isEmpty()) {
            implSetOption = findImplSetOption(missing);
            socketSetOption = findSocketSetOption(missing);
        }
        return new JavaSocketOptions(options, implSetOption, socketSetOption);
    }

    @SuppressWarnings("unchecked")
    private static void addOption(Settings settings, Option option, List<TcpOption> options, List<String> missing) {
        String field = option.kernel.name; // jdk.net.ExtendedSocketOptions names them the same
        Integer value = settings.value(option);
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

    /** SocketImpl's protected setOption(SocketOption, Object), where the JDK has it; java.net is opened to us. */
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

    /** Applies the options to a TCP socket; false for a channel that is not TCP (UNIX domain). */
    boolean apply(Object socket) throws Exception {
        if (socket instanceof NetworkChannel) {
            return applyToChannel((NetworkChannel) socket);
        }
        if (socket instanceof SocketImpl) {
            ((SocketOptions) socket).setOption(SocketOptions.SO_KEEPALIVE, Boolean.TRUE);
            setTcpOptions(socket, implSetOption, false, socket.getClass());
            return true;
        }
        if (socket instanceof Socket) {
            ((Socket) socket).setKeepAlive(true);
            setTcpOptions(socket, socketSetOption, socketSetOptionIsStatic, socket.getClass());
            return true;
        }
        return false;
    }

    private boolean applyToChannel(NetworkChannel channel) throws Exception {
        Set<SocketOption<?>> supported = channel.supportedOptions();
        if (!supported.contains(StandardSocketOptions.SO_KEEPALIVE)) {
            return false;
        }
        channel.setOption(StandardSocketOptions.SO_KEEPALIVE, Boolean.TRUE);
        for (TcpOption tcp : tcpOptions) {
            if (supported.contains(tcp.option)) {
                channel.setOption(tcp.option, tcp.value);
            } else {
                refused(channel.getClass(), tcp.option, null);
            }
        }
        return true;
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

    private void refused(Class<?> kind, SocketOption<?> option, Throwable cause) {
        if (refusing.add(kind)) {
            Log.warn("{} does not support {} on this JDK/OS ({}): its sockets get SO_KEEPALIVE with the"
                    + " kernel's idle/interval/count", kind.getName(), option.name(),
                    cause == null ? "not in supportedOptions()" : cause.getMessage());
        }
    }
}
