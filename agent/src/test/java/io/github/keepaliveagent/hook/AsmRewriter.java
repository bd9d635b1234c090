package io.github.keepaliveagent.hook;

import java.util.Collections;
import java.util.List;

import io.github.keepaliveagent.jdk.Dispatcher;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The tests' oracle: the hooks of {@link SocketHook} applied with ASM (Byte Buddy's repackaged copy), as
 * the agent did until 1.1. {@link Rewriter} must insert the same instructions, with the same frames.
 */
public final class AsmRewriter {

    /** The newest class file version the bundled ASM reads (Byte Buddy 1.18.17: Java 28). */
    static final int NEWEST_READABLE = 72;

    private AsmRewriter() {
    }

    /** Applies one hook alone (tests). */
    public static Rewriter.Result rewrite(byte[] classFile, SocketHook hook) {
        return rewrite(classFile, Collections.singletonList(hook));
    }

    /** Applies all the hooks of one class in a single pass; insertions are counted per hook, in order. */
    public static Rewriter.Result rewrite(byte[] classFile, List<SocketHook> hooks) {
        int version = ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
        byte[] input = classFile;
        if (version > NEWEST_READABLE) {
            // A newer JDK than the bundled ASM knows: the few instructions inserted are as old as Java 8.
            input = classFile.clone();
            setVersion(input, NEWEST_READABLE);
        }
        ClassReader reader = new ClassReader(input);
        ClassWriter writer = new ClassWriter(reader, 0);
        int[] insertions = new int[hooks.size()];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            private String owner;

            @Override
            public void visit(int classVersion, int access, String name, String signature, String superName,
                    String[] interfaces) {
                owner = name;
                super.visit(classVersion, access, name, signature, superName, interfaces);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature,
                    String[] exceptions) {
                MethodVisitor visitor = super.visitMethod(access, name, desc, signature, exceptions);
                for (int i = 0; i < hooks.size(); i++) {
                    if (hooks.get(i).wants(access, name, desc)) {
                        visitor = new Inserter(visitor, hooks.get(i), owner, name, insertions, i);
                    }
                }
                return visitor;
            }
        }, 0);
        byte[] output = writer.toByteArray();
        if (version > NEWEST_READABLE) {
            setVersion(output, version);
        }
        return new Rewriter.Result(output, insertions);
    }

    private static void setVersion(byte[] classFile, int version) {
        classFile[6] = (byte) (version >>> 8);
        classFile[7] = (byte) version;
    }

    /** Inserts one hook's dispatcher calls into one method. */
    private static final class Inserter extends MethodVisitor {
        private final SocketHook hook;
        private final String owner;
        private final boolean constructor;
        private final int[] insertions;
        private final int index;
        /** A constructor that delegates with this(...) is skipped: the one it calls does the work. */
        private boolean delegates;

        Inserter(MethodVisitor next, SocketHook hook, String owner, String name, int[] insertions, int index) {
            super(Opcodes.ASM9, next);
            this.hook = hook;
            this.owner = owner;
            this.constructor = "<init>".equals(name);
            this.insertions = insertions;
            this.index = index;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            if (hook.where != SocketHook.Where.METHOD_ENTRY) {
                return;
            }
            // The argument keeps its type, so the method's stack map frames stay valid.
            if (hook.dispatch == SocketHook.Dispatch.NATIVE_ACCEPTED) {
                super.visitVarInsn(Opcodes.ILOAD, 1); // the accepted descriptor
                dispatch();
                return;
            }
            super.visitVarInsn(Opcodes.ALOAD, 0);
            switch (hook.dispatch) {
                case KEEPALIVE_FILTER:
                    super.visitVarInsn(Opcodes.ILOAD, 1);
                    dispatch();
                    super.visitVarInsn(Opcodes.ISTORE, 1);
                    break;
                case OPTION_FILTER:
                    super.visitVarInsn(Opcodes.ALOAD, 1);
                    super.visitVarInsn(Opcodes.ALOAD, 2);
                    dispatch();
                    super.visitVarInsn(Opcodes.ASTORE, 2);
                    break;
                case INT_FILTER:
                    super.visitLdcInsn(hook.optionName);
                    super.visitVarInsn(Opcodes.ILOAD, 1);
                    dispatch();
                    super.visitVarInsn(Opcodes.ISTORE, 1);
                    break;
                case RAW_INT_FILTER:
                    super.visitVarInsn(Opcodes.ILOAD, 1);
                    super.visitVarInsn(Opcodes.ILOAD, 2);
                    super.visitVarInsn(Opcodes.ILOAD, 3);
                    dispatch();
                    super.visitVarInsn(Opcodes.ISTORE, 3);
                    break;
                case CONNECT:
                    super.visitVarInsn(Opcodes.ALOAD, 1); // the remote address; nothing is stored back
                    dispatch();
                    break;
                case NATIVE_CONNECT:
                    descriptorOfThis(owner);
                    super.visitVarInsn(Opcodes.ALOAD, 1);
                    dispatch();
                    break;
                case URING_CONNECT:
                    // this.socket (a LinuxSocket of the channel's own package, relocated or not).intValue()
                    String linuxSocket = owner.substring(0, owner.lastIndexOf('/') + 1) + "LinuxSocket";
                    super.visitFieldInsn(Opcodes.GETFIELD, owner, "socket", "L" + linuxSocket + ";");
                    descriptorOfThis(linuxSocket);
                    super.visitVarInsn(Opcodes.ALOAD, 1);
                    dispatch();
                    break;
                default:
                    throw new IllegalStateException(hook + ": no entry filter for " + hook.dispatch);
            }
        }

        @Override
        public void visitMethodInsn(int opcode, String methodOwner, String name, String desc, boolean isInterface) {
            boolean createsSocket = hook.where == SocketHook.Where.AFTER_IMPL_CREATE
                    && opcode == Opcodes.INVOKEVIRTUAL && "java/net/SocketImpl".equals(methodOwner)
                    && "create".equals(name) && "(Z)V".equals(desc);
            if (hook.where == SocketHook.Where.BEFORE_IMPL_CONNECT && opcode == Opcodes.INVOKEVIRTUAL
                    && "java/net/SocketImpl".equals(methodOwner) && "connect".equals(name)
                    && "(Ljava/net/SocketAddress;I)V".equals(desc)) {
                // Stack: impl, address, timeout; the call takes this and the method's own address argument.
                super.visitVarInsn(Opcodes.ALOAD, 0);
                super.visitVarInsn(Opcodes.ALOAD, 1);
                dispatch();
            }
            if (createsSocket) {
                // Stack: impl, stream -> impl, stream, impl, stream; create() takes two, the dispatch the rest.
                super.visitInsn(Opcodes.DUP2);
            }
            super.visitMethodInsn(opcode, methodOwner, name, desc, isInterface);
            if (createsSocket) {
                dispatch();
            }
            if (constructor && opcode == Opcodes.INVOKESPECIAL && "<init>".equals(name) && owner.equals(methodOwner)) {
                delegates = true;
            }
        }

        @Override
        public void visitInsn(int opcode) {
            boolean isReturn = opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN;
            if (isReturn) {
                switch (hook.where) {
                    case METHOD_EXIT:
                        if (hook.dispatch == SocketHook.Dispatch.BOUND) {
                            super.visitVarInsn(Opcodes.ALOAD, 0); // the listening socket just bound
                        } else if (hook.dispatch == SocketHook.Dispatch.NATIVE_LISTENING) {
                            super.visitVarInsn(Opcodes.ALOAD, 0);
                            descriptorOfThis(owner); // Netty's socket that listens now
                        } else {
                            super.visitVarInsn(Opcodes.ALOAD, 1); // implAccept's Socket argument
                        }
                        dispatch();
                        break;
                    case CONSTRUCTOR_EXIT:
                        if (!delegates) {
                            super.visitVarInsn(Opcodes.ALOAD, 0);
                            dispatch();
                        }
                        break;
                    case INT_RETURN:
                        if (opcode == Opcodes.IRETURN) {
                            super.visitInsn(Opcodes.DUP); // the new descriptor: returned and handed over
                            dispatch();
                        }
                        break;
                    default:
                }
            }
            super.visitInsn(opcode);
        }

        /** The object on the stack (a Netty unix.Socket) -> its descriptor, {@code intValue()}. */
        private void descriptorOfThis(String type) {
            super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, type, "intValue", "()I", false);
        }

        private void dispatch() {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, Dispatcher.INTERNAL_NAME, hook.dispatch.method,
                    hook.dispatch.desc, false);
            insertions[index]++;
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack + 4, maxLocals);
        }
    }
}
