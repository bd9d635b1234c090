package io.github.keepaliveagent.hook;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place that decides what is hooked: each class where a TCP socket comes into being, or
 * where a program may switch keepalive off, and where in it the dispatcher
 * ({@code java.net.KeepAliveAgentDispatcher}) is called. {@link Rewriter} applies the table.
 *
 * <p>JDK classes are matched by name in the bootstrap loader. Netty's native sockets are matched in
 * any class loader by the tail of their name, so that relocated copies (grpc-netty-shaded's
 * {@code io.grpc.netty.shaded.io.netty}, Couchbase's...) are hooked too.
 */
public enum SocketHook {
    /** java.net.Socket, JDK 8-27: right after its SocketImpl creates the native socket; the impl is passed. */
    SOCKET_CLIENT("java/net/Socket", Where.AFTER_IMPL_CREATE, null, null, Dispatch.SOCKET_IMPL),
    /** Sockets returned by ServerSocket.accept, subclasses included (implAccept is final). */
    SOCKET_ACCEPTED("java/net/ServerSocket", Where.METHOD_EXIT, "implAccept", "(Ljava/net/Socket;)V",
            Dispatch.SOCKET),
    /** ServerSocket's listening socket, right after its SocketImpl creates it. */
    SOCKET_LISTENER("java/net/ServerSocket", Where.AFTER_IMPL_CREATE, null, null, Dispatch.LISTENER_IMPL),
    /** SocketChannel, client (any connect style) and accepted: the constructors that open or adopt the fd. */
    SOCKET_CHANNEL("sun/nio/ch/SocketChannelImpl", Where.CONSTRUCTOR_EXIT, null, null, Dispatch.SOCKET),
    /** ServerSocketChannel's listening socket. */
    SERVER_CHANNEL("sun/nio/ch/ServerSocketChannelImpl", Where.CONSTRUCTOR_EXIT, null, null, Dispatch.LISTENER),
    /** AsynchronousSocketChannel on Linux and macOS, client and accepted. */
    ASYNC_CHANNEL_UNIX("sun/nio/ch/UnixAsynchronousSocketChannelImpl", Where.CONSTRUCTOR_EXIT, null, null,
            Dispatch.SOCKET),
    /** AsynchronousServerSocketChannel's listening socket on Linux and macOS. */
    ASYNC_SERVER_UNIX("sun/nio/ch/UnixAsynchronousServerSocketChannelImpl", Where.CONSTRUCTOR_EXIT, null, null,
            Dispatch.LISTENER),
    /** AsynchronousSocketChannel on Windows (untested here: no Windows machine). */
    ASYNC_CHANNEL_WINDOWS("sun/nio/ch/WindowsAsynchronousSocketChannelImpl", Where.CONSTRUCTOR_EXIT, null, null,
            Dispatch.SOCKET),

    /** Socket.setKeepAlive(false): Apache HttpClient's and pgjdbc's default. */
    SOCKET_KEEPALIVE_OFF("java/net/Socket", Where.METHOD_ENTRY, "setKeepAlive", "(Z)V", Dispatch.KEEPALIVE_FILTER),
    /** Socket.setOption(SO_KEEPALIVE or TCP_KEEP*, ...), JDK 9+ (any return type: bridges too). */
    SOCKET_OPTION("java/net/Socket", Where.METHOD_ENTRY, "setOption", "(Ljava/net/SocketOption;Ljava/lang/Object;)", Dispatch.OPTION_FILTER,
            true),
    /** SocketChannel.setOption, and a channel adaptor's socket().setKeepAlive(false), which calls it. */
    CHANNEL_OPTION("sun/nio/ch/SocketChannelImpl", Where.METHOD_ENTRY, "setOption", "(Ljava/net/SocketOption;Ljava/lang/Object;)",
            Dispatch.OPTION_FILTER),
    /** AsynchronousSocketChannel.setOption: JDK 9+ in the common base class... */
    ASYNC_OPTION("sun/nio/ch/AsynchronousSocketChannelImpl", Where.METHOD_ENTRY, "setOption", "(Ljava/net/SocketOption;Ljava/lang/Object;)",
            Dispatch.OPTION_FILTER, true),
    /** ...JDK 8 in the Unix class. */
    ASYNC_OPTION_UNIX("sun/nio/ch/UnixAsynchronousSocketChannelImpl", Where.METHOD_ENTRY, "setOption", "(Ljava/net/SocketOption;Ljava/lang/Object;)",
            Dispatch.OPTION_FILTER, true),

    /**
     * Netty's native transports (epoll, io_uring, kqueue; Netty 4.1, 4.2, the 4.1 io_uring incubator,
     * grpc-netty-shaded) create every TCP socket, client or listening, through this one static method of
     * unix.Socket, which returns the new descriptor; accepted connections inherit the listener's options
     * from the kernel. Datagram and UNIX-domain sockets come from newSocketDgram0 / newSocketDomain0.
     */
    NETTY_STREAM("/channel/unix/Socket", Where.INT_RETURN, "newSocketStream0", "(Z)I", Dispatch.NATIVE),
    /** ChannelOption.SO_KEEPALIVE on a native transport: unix.Socket.setKeepAlive(boolean). */
    NETTY_KEEPALIVE_OFF("/channel/unix/Socket", Where.METHOD_ENTRY, "setKeepAlive", "(Z)V",
            Dispatch.KEEPALIVE_FILTER),
    /** ChannelOption via Netty's raw path (IntegerUnixChannelOption): unix.Socket.setIntOpt(level, option, value). */
    NETTY_RAW_OPTION("/channel/unix/Socket", Where.METHOD_ENTRY, "setIntOpt", "(III)V", Dispatch.RAW_INT_FILTER,
            true),
    NETTY_EPOLL_IDLE("/channel/epoll/LinuxSocket", "setTcpKeepIdle", "TCP_KEEPIDLE"),
    NETTY_EPOLL_INTERVAL("/channel/epoll/LinuxSocket", "setTcpKeepIntvl", "TCP_KEEPINTERVAL"),
    NETTY_EPOLL_COUNT("/channel/epoll/LinuxSocket", "setTcpKeepCnt", "TCP_KEEPCOUNT"),
    NETTY_EPOLL_USER_TIMEOUT("/channel/epoll/LinuxSocket", "setTcpUserTimeout", "TCP_USER_TIMEOUT"),
    NETTY_URING_IDLE("/channel/uring/LinuxSocket", "setTcpKeepIdle", "TCP_KEEPIDLE"),
    NETTY_URING_INTERVAL("/channel/uring/LinuxSocket", "setTcpKeepIntvl", "TCP_KEEPINTERVAL"),
    NETTY_URING_COUNT("/channel/uring/LinuxSocket", "setTcpKeepCnt", "TCP_KEEPCOUNT"),
    NETTY_URING_USER_TIMEOUT("/channel/uring/LinuxSocket", "setTcpUserTimeout", "TCP_USER_TIMEOUT"),
    ;

    /** Where in a method the dispatcher is called. */
    public enum Where {
        /** After each SocketImpl.create(boolean) call, in any method: the impl and its stream flag. */
        AFTER_IMPL_CREATE,
        /** Before each return of the method: its first argument. */
        METHOD_EXIT,
        /** Before each return of a constructor that does not delegate to another one: {@code this}. */
        CONSTRUCTOR_EXIT,
        /** At entry: the method's argument is replaced by what the dispatcher returns. */
        METHOD_ENTRY,
        /** Before each return of a static method: the int it returns (a new descriptor). */
        INT_RETURN
    }

    /** The dispatcher method a hook calls. */
    public enum Dispatch {
        SOCKET("socketCreated", "(Ljava/lang/Object;)V"),
        LISTENER("listenerCreated", "(Ljava/lang/Object;)V"),
        /** The impl and create's stream flag: a datagram Socket (JDK 8-21, deprecated) is not TCP. */
        SOCKET_IMPL("socketImplCreated", "(Ljava/lang/Object;Z)V"),
        LISTENER_IMPL("listenerImplCreated", "(Ljava/lang/Object;Z)V"),
        NATIVE("nativeSocketCreated", "(I)V"),
        /** {@code on = keepAliveRequested(this, on)}. */
        KEEPALIVE_FILTER("keepAliveRequested", "(Ljava/lang/Object;Z)Z"),
        /** {@code value = optionRequested(this, option, value)}. */
        OPTION_FILTER("optionRequested", "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;"),
        /** {@code value = valueRequested(this, "TCP_KEEPIDLE", value)}. */
        INT_FILTER("valueRequested", "(Ljava/lang/Object;Ljava/lang/String;I)I"),
        /** {@code value = intOptionRequested(this, level, option, value)}. */
        RAW_INT_FILTER("intOptionRequested", "(Ljava/lang/Object;III)I");

        public final String method;
        public final String desc;

        Dispatch(String method, String desc) {
            this.method = method;
            this.desc = desc;
        }
    }


    /** JDK classes: the exact internal name; library classes: the tail of it, starting with '/'. */
    final String name;
    final Where where;
    final String methodName;
    /** The method's descriptor, or its start; null for any. */
    final String methodDesc;
    final Dispatch dispatch;
    /** For INT_FILTER: the option's name as the dispatcher's filter knows it. */
    final String optionName;
    final boolean optional;

    SocketHook(String name, Where where, String methodName, String methodDesc, Dispatch dispatch) {
        this(name, where, methodName, methodDesc, dispatch, null, false);
    }

    /** @param optional the hook may find nothing on some JDK or library versions without that meaning a miss */
    SocketHook(String name, Where where, String methodName, String methodDesc, Dispatch dispatch, boolean optional) {
        this(name, where, methodName, methodDesc, dispatch, null, optional);
    }

    /** A Netty int setter of a keepalive option: {@code void setTcpKeepIdle(int)}. */
    SocketHook(String tail, String setter, String optionName) {
        this(tail, Where.METHOD_ENTRY, setter, "(I)V", Dispatch.INT_FILTER, optionName, true);
    }

    SocketHook(String name, Where where, String methodName, String methodDesc, Dispatch dispatch, String optionName,
            boolean optional) {
        this.name = name;
        this.where = where;
        this.methodName = methodName;
        this.methodDesc = methodDesc;
        this.dispatch = dispatch;
        this.optionName = optionName;
        this.optional = optional;
    }

    /** Whether the hook is for a library class, found in any class loader by the tail of its name. */
    boolean byTail() {
        return name.charAt(0) == '/';
    }

    private static final Map<String, List<SocketHook>> JDK_CLASSES = new HashMap<>();
    private static final List<SocketHook> BY_TAIL = new ArrayList<>();

    static {
        for (SocketHook hook : values()) {
            if (hook.byTail()) {
                BY_TAIL.add(hook);
            } else {
                List<SocketHook> hooks = JDK_CLASSES.get(hook.name);
                if (hooks == null) {
                    JDK_CLASSES.put(hook.name, hooks = new ArrayList<>(3));
                }
                hooks.add(hook);
            }
        }
    }

    /**
     * The hooks of one class; empty for every class the agent leaves alone. Called for every class the
     * JVM loads, so the common case is a null check or a suffix test.
     */
    public static List<SocketHook> forClass(String internalName, boolean bootLoader) {
        if (bootLoader) {
            List<SocketHook> hooks = JDK_CLASSES.get(internalName);
            return hooks == null ? Collections.<SocketHook>emptyList() : hooks;
        }
        if (!internalName.endsWith("Socket")) {
            return Collections.emptyList();
        }
        List<SocketHook> hooks = Collections.emptyList();
        for (SocketHook hook : BY_TAIL) {
            if (internalName.endsWith(hook.name)) {
                if (hooks.isEmpty()) {
                    hooks = new ArrayList<>(6);
                }
                hooks.add(hook);
            }
        }
        return hooks;
    }

    /** Whether the hook applies to this method of its class. */
    boolean wants(int access, String method, String desc) {
        // if, not switch: a switch on an enum costs a class of its own (start-up path)
        if (where == Where.AFTER_IMPL_CREATE) {
            return true;
        }
        if (where == Where.CONSTRUCTOR_EXIT) {
            return "<init>".equals(method);
        }
        if (where == Where.INT_RETURN) {
            return (access & 0x0008) != 0 && methodName.equals(method) && methodDesc.equals(desc);
        }
        // METHOD_EXIT, METHOD_ENTRY: not abstract, not native
        return methodName.equals(method) && (access & 0x0400) == 0 && (access & 0x0100) == 0
                && desc.startsWith(methodDesc);
    }

}
