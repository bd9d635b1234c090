package io.github.keepaliveagent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The one place that decides what is hooked: each JDK class where a TCP socket comes into being,
 * and where in it the new socket is handed to the dispatcher ({@code socketCreated} or
 * {@code listenerCreated} of {@code KeepAliveDispatcher}).
 *
 * <p>The rewrite is plain ASM (Byte Buddy's repackaged copy) rather than Byte Buddy's AgentBuilder:
 * it loads a few dozen classes instead of about a thousand, which keeps the start-up cost that every
 * JVM on a host pays small. The inserted code is a static call (after a DUP2 or an ALOAD), so no
 * stack map frame changes and none is recomputed.
 */
enum SocketHook {
    /** java.net.Socket, JDK 8-25: right after its SocketImpl creates the native socket; the impl is passed. */
    SOCKET_CLIENT("java/net/Socket", Where.AFTER_IMPL_CREATE, null, null, Dispatch.SOCKET_IMPL),
    /** force=true only: Socket.setKeepAlive(false) is turned into true (Apache HttpClient's default is false). */
    SOCKET_KEEPALIVE_SETTER("java/net/Socket", Where.METHOD_ENTRY, "setKeepAlive", "(Z)V", Dispatch.KEEPALIVE_FILTER),
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
    ;

    static final String DISPATCHER = "io/github/keepaliveagent/bootstrap/KeepAliveDispatcher";
    /** The newest class file version the bundled ASM reads: Java 25. */
    private static final int NEWEST_READABLE = 69;

    enum Where { AFTER_IMPL_CREATE, METHOD_EXIT, CONSTRUCTOR_EXIT, METHOD_ENTRY }

    /** The dispatcher method a hook calls. */
    enum Dispatch {
        SOCKET("socketCreated", "(Ljava/lang/Object;)V"),
        LISTENER("listenerCreated", "(Ljava/lang/Object;)V"),
        /** The impl and create's stream flag: a datagram Socket (JDK 8-21, deprecated) is not TCP. */
        SOCKET_IMPL("socketImplCreated", "(Ljava/lang/Object;Z)V"),
        LISTENER_IMPL("listenerImplCreated", "(Ljava/lang/Object;Z)V"),
        /** Filters the boolean first argument: {@code on = keepAliveRequested(on)}. */
        KEEPALIVE_FILTER("keepAliveRequested", "(Z)Z");

        final String method;
        final String desc;

        Dispatch(String method, String desc) {
            this.method = method;
            this.desc = desc;
        }
    }

    final String internalName;
    final Where where;
    final String methodName;
    final String methodDesc;
    final Dispatch dispatch;

    SocketHook(String internalName, Where where, String methodName, String methodDesc, Dispatch dispatch) {
        this.internalName = internalName;
        this.where = where;
        this.methodName = methodName;
        this.methodDesc = methodDesc;
        this.dispatch = dispatch;
    }

    String className() {
        return internalName.replace('/', '.');
    }

    /** The hooks of one class; empty for every class the agent leaves alone. */
    static List<SocketHook> forClass(String internalName) {
        List<SocketHook> hooks = Collections.emptyList();
        for (SocketHook hook : values()) {
            if (hook.internalName.equals(internalName)) {
                if (hooks.isEmpty()) {
                    hooks = new ArrayList<>(2);
                }
                hooks.add(hook);
            }
        }
        return hooks;
    }

    /** The result of instrumenting one class: new bytes and how many calls each hook inserted. */
    static final class Result {
        final byte[] bytes;
        final int[] insertions;

        Result(byte[] bytes, int[] insertions) {
            this.bytes = bytes;
            this.insertions = insertions;
        }
    }

    /** Applies this hook alone (tests). */
    Result instrument(byte[] classFile) {
        return instrument(classFile, Collections.singletonList(this));
    }

    /** Applies all the hooks of one class in a single pass; insertions are counted per hook, in order. */
    static Result instrument(byte[] classFile, List<SocketHook> hooks) {
        int version = ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
        byte[] input = classFile;
        if (version > NEWEST_READABLE) {
            // A newer JDK than the bundled ASM knows: the few methods touched use nothing new.
            input = classFile.clone();
            setVersion(input, NEWEST_READABLE);
        }
        ClassReader reader = new ClassReader(input);
        ClassWriter writer = new ClassWriter(reader, 0);
        int[] insertions = new int[hooks.size()];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature,
                    String[] exceptions) {
                MethodVisitor visitor = super.visitMethod(access, name, desc, signature, exceptions);
                for (int i = 0; i < hooks.size(); i++) {
                    if (hooks.get(i).wants(name, desc)) {
                        visitor = hooks.get(i).new Inserter(visitor, name, insertions, i);
                    }
                }
                return visitor;
            }
        }, 0);
        byte[] output = writer.toByteArray();
        if (version > NEWEST_READABLE) {
            setVersion(output, version);
        }
        return new Result(output, insertions);
    }

    /**
     * Loads and runs the ASM code once on a tiny generated class, on a background thread at start-up,
     * while the JVM goes on starting the program: the first real hook then finds it ready.
     */
    static void warmUp() {
        try {
            ClassWriter writer = new ClassWriter(0);
            writer.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC, "WarmUp", null, "java/lang/Object", null);
            MethodVisitor init = writer.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
            init.visitCode();
            init.visitVarInsn(Opcodes.ALOAD, 0);
            init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
            init.visitInsn(Opcodes.RETURN);
            init.visitMaxs(1, 1);
            init.visitEnd();
            writer.visitEnd();
            instrument(writer.toByteArray(), Arrays.asList(values()));
        } catch (Throwable ignored) {
            // only a warm-up: the real hooks report their own failures
        }
    }

    private boolean wants(String name, String desc) {
        switch (where) {
            case AFTER_IMPL_CREATE: return true;
            case CONSTRUCTOR_EXIT: return "<init>".equals(name);
            default: return methodName.equals(name) && methodDesc.equals(desc); // METHOD_EXIT, METHOD_ENTRY
        }
    }

    private static void setVersion(byte[] classFile, int version) {
        classFile[6] = (byte) (version >>> 8);
        classFile[7] = (byte) version;
    }

    private final class Inserter extends MethodVisitor {
        private final boolean constructor;
        private final int[] insertions;
        private final int index;
        /** A constructor that delegates with this(...) is skipped: the one it calls does the work. */
        private boolean delegates;

        Inserter(MethodVisitor next, String name, int[] insertions, int index) {
            super(Opcodes.ASM9, next);
            this.constructor = "<init>".equals(name);
            this.insertions = insertions;
            this.index = index;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (where == Where.METHOD_ENTRY) {
                // The argument's type does not change, so the method's stack map frames stay valid.
                super.visitVarInsn(Opcodes.ILOAD, 1);
                dispatch();
                super.visitVarInsn(Opcodes.ISTORE, 1);
            }
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean isInterface) {
            boolean createsSocket = where == Where.AFTER_IMPL_CREATE && opcode == Opcodes.INVOKEVIRTUAL
                    && "java/net/SocketImpl".equals(owner) && "create".equals(name) && "(Z)V".equals(desc);
            if (createsSocket) {
                // Stack: impl, stream -> impl, stream, impl, stream; create() takes two, the dispatch the rest.
                super.visitInsn(Opcodes.DUP2);
            }
            super.visitMethodInsn(opcode, owner, name, desc, isInterface);
            if (createsSocket) {
                dispatch();
            }
            if (constructor && opcode == Opcodes.INVOKESPECIAL && "<init>".equals(name)
                    && internalName.equals(owner)) {
                delegates = true;
            }
        }

        @Override
        public void visitInsn(int opcode) {
            boolean isReturn = opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN;
            if (isReturn && where == Where.METHOD_EXIT) {
                super.visitVarInsn(Opcodes.ALOAD, 1); // implAccept's Socket argument
                dispatch();
            } else if (isReturn && where == Where.CONSTRUCTOR_EXIT && !delegates) {
                super.visitVarInsn(Opcodes.ALOAD, 0);
                dispatch();
            }
            super.visitInsn(opcode);
        }

        private void dispatch() {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCHER, dispatch.method, dispatch.desc, false);
            insertions[index]++;
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack + 2, maxLocals);
        }
    }
}
