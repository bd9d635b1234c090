package io.github.keepaliveagent;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The one place that decides what is hooked: each JDK class where a TCP socket comes into being,
 * and where in it the new socket is handed to {@code KeepAliveDispatcher.socketCreated(Object)}.
 *
 * <p>The rewrite is plain ASM (Byte Buddy's repackaged copy) rather than Byte Buddy's AgentBuilder:
 * it loads a few dozen classes instead of about a thousand, which keeps the start-up cost that every
 * JVM on a host pays small. The inserted code is a single static call, so no frames are recomputed.
 */
enum SocketHook {
    /** java.net.Socket, JDK 8-25: right after its SocketImpl creates the native socket; the impl is passed. */
    SOCKET_CLIENT("java/net/Socket", Where.AFTER_IMPL_CREATE, null, null),
    /** Sockets returned by ServerSocket.accept, subclasses included (implAccept is final). */
    SOCKET_ACCEPTED("java/net/ServerSocket", Where.METHOD_EXIT, "implAccept", "(Ljava/net/Socket;)V"),
    /** SocketChannel, client (any connect style) and accepted: the constructors that open or adopt the fd. */
    SOCKET_CHANNEL("sun/nio/ch/SocketChannelImpl", Where.CONSTRUCTOR_EXIT, null, null),
    /** AsynchronousSocketChannel on Linux and macOS, client and accepted. */
    ASYNC_CHANNEL_UNIX("sun/nio/ch/UnixAsynchronousSocketChannelImpl", Where.CONSTRUCTOR_EXIT, null, null),
    /** AsynchronousSocketChannel on Windows (untested here: no Windows machine). */
    ASYNC_CHANNEL_WINDOWS("sun/nio/ch/WindowsAsynchronousSocketChannelImpl", Where.CONSTRUCTOR_EXIT, null, null),
    ;

    static final String DISPATCHER = "io/github/keepaliveagent/bootstrap/KeepAliveDispatcher";
    private static final String DISPATCH_NAME = "socketCreated";
    private static final String DISPATCH_DESC = "(Ljava/lang/Object;)V";
    /** The newest class file version the bundled ASM reads: Java 25. */
    private static final int NEWEST_READABLE = 69;

    enum Where { AFTER_IMPL_CREATE, METHOD_EXIT, CONSTRUCTOR_EXIT }

    final String internalName;
    final Where where;
    final String methodName;
    final String methodDesc;

    SocketHook(String internalName, Where where, String methodName, String methodDesc) {
        this.internalName = internalName;
        this.where = where;
        this.methodName = methodName;
        this.methodDesc = methodDesc;
    }

    String className() {
        return internalName.replace('/', '.');
    }

    static SocketHook forClass(String internalName) {
        for (SocketHook hook : values()) {
            if (hook.internalName.equals(internalName)) {
                return hook;
            }
        }
        return null;
    }

    /** The result of instrumenting one class: new bytes and how many calls were inserted. */
    static final class Result {
        final byte[] bytes;
        final int insertions;

        Result(byte[] bytes, int insertions) {
            this.bytes = bytes;
            this.insertions = insertions;
        }
    }

    Result instrument(byte[] classFile) {
        int version = ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
        byte[] input = classFile;
        if (version > NEWEST_READABLE) {
            // A newer JDK than the bundled ASM knows: the few methods touched use nothing new.
            input = classFile.clone();
            setVersion(input, NEWEST_READABLE);
        }
        ClassReader reader = new ClassReader(input);
        ClassWriter writer = new ClassWriter(reader, 0);
        int[] insertions = {0};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature,
                    String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, desc, signature, exceptions);
                return wants(name, desc) ? new Inserter(next, name, insertions) : next;
            }
        }, 0);
        byte[] output = writer.toByteArray();
        if (version > NEWEST_READABLE) {
            setVersion(output, version);
        }
        return new Result(output, insertions[0]);
    }

    private boolean wants(String name, String desc) {
        switch (where) {
            case AFTER_IMPL_CREATE: return true;
            case CONSTRUCTOR_EXIT: return "<init>".equals(name);
            default: return methodName.equals(name) && methodDesc.equals(desc);
        }
    }

    private static void setVersion(byte[] classFile, int version) {
        classFile[6] = (byte) (version >>> 8);
        classFile[7] = (byte) version;
    }

    private final class Inserter extends MethodVisitor {
        private final boolean constructor;
        private final int[] insertions;
        /** A constructor that delegates with this(...) is skipped: the one it calls does the work. */
        private boolean delegates;

        Inserter(MethodVisitor next, String name, int[] insertions) {
            super(Opcodes.ASM9, next);
            this.constructor = "<init>".equals(name);
            this.insertions = insertions;
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean isInterface) {
            boolean createsSocket = where == Where.AFTER_IMPL_CREATE && opcode == Opcodes.INVOKEVIRTUAL
                    && "java/net/SocketImpl".equals(owner) && "create".equals(name) && "(Z)V".equals(desc);
            if (createsSocket) {
                // Stack: impl, stream -> impl, impl, stream; create() consumes two, the dispatch takes the impl.
                super.visitInsn(Opcodes.SWAP);
                super.visitInsn(Opcodes.DUP_X1);
                super.visitInsn(Opcodes.SWAP);
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
            super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCHER, DISPATCH_NAME, DISPATCH_DESC, false);
            insertions[0]++;
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack + 1, maxLocals);
        }
    }
}
