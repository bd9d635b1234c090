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

    /*
     * Connection rules (config/Rules): where a connection's peer becomes known. Without rules the dispatcher
     * returns from these at once (a null check).
     */
    /** Socket.connect, right before its SocketImpl connects (every constructor that connects comes here). */
    SOCKET_CONNECT("java/net/Socket", Where.BEFORE_IMPL_CONNECT, "connect", "(Ljava/net/SocketAddress;I)V",
            Dispatch.CONNECT),
    /** SocketChannel.connect, blocking or not (JDK 8-12: also the adaptor's socket().connect)... */
    CHANNEL_CONNECT("sun/nio/ch/SocketChannelImpl", Where.METHOD_ENTRY, "connect", "(Ljava/net/SocketAddress;)Z",
            Dispatch.CONNECT),
    /** ...and the adaptor's socket().connect on JDK 13+. */
    CHANNEL_BLOCKING_CONNECT("sun/nio/ch/SocketChannelImpl", Where.METHOD_ENTRY, "blockingConnect",
            "(Ljava/net/SocketAddress;J)V", Dispatch.CONNECT, true),
    /** AsynchronousSocketChannel.connect (both forms) on Linux and macOS. */
    ASYNC_CONNECT_UNIX("sun/nio/ch/UnixAsynchronousSocketChannelImpl", Where.METHOD_ENTRY, "implConnect",
            "(Ljava/net/SocketAddress;Ljava/lang/Object;Ljava/nio/channels/CompletionHandler;)", Dispatch.CONNECT),
    /** ServerSocket.bind (its constructors with a port come here): a rule may name the local port. */
    SERVER_SOCKET_BIND("java/net/ServerSocket", Where.METHOD_EXIT, "bind", "(Ljava/net/SocketAddress;I)V",
            Dispatch.BOUND),
    SERVER_CHANNEL_BIND("sun/nio/ch/ServerSocketChannelImpl", Where.METHOD_EXIT, "bind", "(Ljava/net/SocketAddress;I)",
            Dispatch.BOUND),
    ASYNC_SERVER_BIND("sun/nio/ch/AsynchronousServerSocketChannelImpl", Where.METHOD_EXIT, "bind",
            "(Ljava/net/SocketAddress;I)", Dispatch.BOUND),
    /** Netty's native connect (epoll, kqueue; Netty 4.1 and 4.2): unix.Socket.connect(SocketAddress). */
    NETTY_CONNECT("/channel/unix/Socket", Where.METHOD_ENTRY, "connect", "(Ljava/net/SocketAddress;)Z",
            Dispatch.NATIVE_CONNECT, true),
    /** Netty 4.2's io_uring connects through the ring (IORING_OP_CONNECT): the channel's submitConnect. */
    NETTY_URING_CONNECT("/channel/uring/AbstractIoUringChannel", Where.METHOD_ENTRY, "submitConnect",
            "(Ljava/net/InetSocketAddress;)V", Dispatch.URING_CONNECT, true),
    /** A Netty socket starts listening: unix.Socket.listen(int). */
    NETTY_LISTEN("/channel/unix/Socket", Where.METHOD_EXIT, "listen", "(I)V", Dispatch.NATIVE_LISTENING,
            true),
    /** A connection Netty's epoll accepted: unix.Socket.accept(byte[]) returns its descriptor. */
    NETTY_ACCEPT("/channel/unix/Socket", Where.INT_RETURN, "accept", "([B)I", Dispatch.NATIVE_ACCEPTED,
            true),
    /** A connection Netty 4.2's io_uring accepted through the ring: its channel is made from the descriptor. */
    NETTY_URING_ACCEPT("/channel/uring/IoUringServerSocketChannel", Where.METHOD_ENTRY, "newChildChannel",
            "(ILjava/nio/ByteBuffer;)", Dispatch.NATIVE_ACCEPTED, true),
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
        /** Before each return of a method: the int it returns (a new descriptor). */
        INT_RETURN,
        /** Right before each SocketImpl.connect(SocketAddress, int) call: {@code this} and the first argument. */
        BEFORE_IMPL_CONNECT
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
        RAW_INT_FILTER("intOptionRequested", "(Ljava/lang/Object;III)I"),
        /** {@code connecting(this, remote)}: a JDK socket or channel, before it connects. */
        CONNECT("connecting", "(Ljava/lang/Object;Ljava/lang/Object;)V"),
        /** {@code nativeConnecting(this.intValue(), remote)}: Netty's unix.Socket, before it connects. */
        NATIVE_CONNECT("nativeConnecting", "(ILjava/lang/Object;)V"),
        /** {@code nativeConnecting(this.socket.intValue(), remote)}: Netty's io_uring channel, before it connects. */
        URING_CONNECT("nativeConnecting", "(ILjava/lang/Object;)V"),
        /** {@code listenerBound(this)} after a listening socket was bound. */
        BOUND("listenerBound", "(Ljava/lang/Object;)V"),
        /** {@code nativeListening(this.intValue())} after a Netty socket started listening. */
        NATIVE_LISTENING("nativeListening", "(I)V"),
        /** {@code nativeAccepted(fd)}: the descriptor Netty's accept returns. */
        NATIVE_ACCEPTED("nativeAccepted", "(I)V");

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
            // Every class the JVM loads comes here: two suffix checks instead of hashing each whole name.
            List<SocketHook> hooks = internalName.endsWith("Socket") || internalName.endsWith("Impl")
                    ? JDK_CLASSES.get(internalName) : null;
            return hooks == null ? Collections.<SocketHook>emptyList() : hooks;
        }
        if (!internalName.endsWith("Socket") && !internalName.endsWith("IoUringChannel")
                && !internalName.endsWith("IoUringServerSocketChannel")) {
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

    /** What {@link #wants} can tell from the method's name constant alone, without decoding it. */
    boolean mayWant(ClassBytes in, int nameIndex) {
        return where == Where.AFTER_IMPL_CREATE
                || in.utf8Is(nameIndex, where == Where.CONSTRUCTOR_EXIT ? "<init>" : methodName);
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
        if (where == Where.INT_RETURN || where == Where.BEFORE_IMPL_CONNECT) {
            return (access & 0x0100) == 0 && methodName.equals(method) && methodDesc.equals(desc);
        }
        // METHOD_EXIT, METHOD_ENTRY: not abstract, not native
        return methodName.equals(method) && (access & 0x0400) == 0 && (access & 0x0100) == 0
                && desc.startsWith(methodDesc);
    }

}
