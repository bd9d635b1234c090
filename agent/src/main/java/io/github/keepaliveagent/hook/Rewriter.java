package io.github.keepaliveagent.hook;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import io.github.keepaliveagent.jdk.Dispatcher;

/**
 * Applies the hooks of {@link SocketHook} to one class file: it inserts static calls of the dispatcher into
 * the methods the table names, and changes nothing else. A class-file editor made for these insertions only
 * (see docs/how-it-works.md, "Start-up"): a general library costs more than everything else the agent does
 * at start-up together (Byte Buddy's ASM: 25 classes, ~220 KB, 15-20 ms to load and run once on JDK 17;
 * the JDK's own java.lang.classfile about the same on JDK 25), this one a class or two and about a
 * millisecond. The unit tests check every output against ASM, which stays the tests' verifier and oracle.
 *
 * <p>What an insertion is: a few instructions that put the dispatcher's arguments on the stack and call it,
 * leaving the stack as it was (a DUP before and the call after SocketImpl.create; at a method's entry, a
 * store back into the argument's own slot, of its own type). So no stack map frame changes its contents;
 * only offsets move. Every insertion is padded to a multiple of four bytes, so that no tableswitch or
 * lookupswitch changes its padding, and every offset in the method (branches, switches, exception table,
 * stack map frames, line and local variable tables) is relocated. A method this cannot handle (a branch
 * that no longer fits 16 bits, an attribute of unknown layout inside its code) is left as it is, and the
 * hook counts no insertion, which the transformer reports.
 */
public final class Rewriter {

    private Rewriter() {
    }

    /** The result of instrumenting one class: new bytes (the input, when nothing was inserted) and the counts. */
    public static final class Result {
        public final byte[] bytes;
        /** How many dispatcher calls each hook inserted, in the order of the hooks given. */
        public final int[] insertions;

        Result(byte[] bytes, int[] insertions) {
            this.bytes = bytes;
            this.insertions = insertions;
        }
    }

    /** Applies one hook alone (tests). */
    public static Result rewrite(byte[] classFile, SocketHook hook) {
        return rewrite(classFile, Collections.singletonList(hook));
    }

    /** Applies all the hooks of one class in one pass; insertions are counted per hook, in order. */
    public static Result rewrite(byte[] classFile, List<SocketHook> hooks) {
        ClassBytes in = new ClassBytes(classFile);
        int[] insertions = new int[hooks.size()];
        // The calls some hooks look for, found once in the pool: a method that cannot hold one is not decoded.
        int[] creates = in.methodrefs("java/net/SocketImpl", "create", "(Z)V");
        int[] ownConstructors = in.methodrefs(in.thisClass(), "<init>", null);
        ClassBytes.Pool pool = in.newPool();
        List<byte[]> methods = new ArrayList<>(in.methods.length);
        boolean changed = false;
        for (int m = 0; m < in.methods.length; m++) {
            byte[] method = patch(in, m, hooks, pool, insertions, creates, ownConstructors);
            changed |= method != null;
            methods.add(method);
        }
        return new Result(changed ? in.write(pool, methods) : classFile, insertions);
    }

    /** The method with the insertions its hooks want, or null when it gets none. */
    private static byte[] patch(ClassBytes in, int m, List<SocketHook> hooks, ClassBytes.Pool pool,
            int[] insertions, int[] creates, int[] ownConstructors) {
        int method = in.methods[m];
        boolean wanted = false;
        for (int h = 0; h < hooks.size() && !wanted; h++) {
            wanted = hooks.get(h).mayWant(in, in.u2(method + 2));
        }
        int code = wanted ? in.codeAttribute(method) : -1;
        if (code < 0) {
            return null; // no hook names it (most methods: nothing decoded), or no code
        }
        int access = in.u2(method);
        String name = in.utf8(in.u2(method + 2));
        String desc = in.utf8(in.u2(method + 4));
        List<Insertion> added = new ArrayList<>(4);
        Code body = null;
        for (int h = 0; h < hooks.size(); h++) {
            SocketHook hook = hooks.get(h);
            if (!hook.wants(access, name, desc) || (hook.where == SocketHook.Where.AFTER_IMPL_CREATE
                    && !in.mayCall(code, Opcodes.INVOKEVIRTUAL, creates))) {
                continue;
            }
            if (body == null) {
                body = new Code(in, code);
            }
            int call = pool.dispatcher(hook.dispatch.method, hook.dispatch.desc);
            // if, not switch: a switch on an enum costs a class of its own (start-up path)
            SocketHook.Where where = hook.where;
            if (where == SocketHook.Where.METHOD_ENTRY) {
                added.add(new Insertion(0, true, prologue(hook, call, pool, in.thisClass()), h, true));
            } else if (where == SocketHook.Where.AFTER_IMPL_CREATE) {
                for (int at : body.calls(Opcodes.INVOKEVIRTUAL, "java/net/SocketImpl", "create", "(Z)V")) {
                    added.add(new Insertion(at, false, new byte[] {Opcodes.DUP2}, h, false));
                    added.add(new Insertion(at + 3, true, invoke(call), h, true));
                }
            } else if (where == SocketHook.Where.BEFORE_IMPL_CONNECT) {
                // Its arguments (impl, address, timeout) are on the stack: the call takes this and the address.
                for (int at : body.calls(Opcodes.INVOKEVIRTUAL, "java/net/SocketImpl", "connect",
                        "(Ljava/net/SocketAddress;I)V")) {
                    added.add(new Insertion(at, false, padded(new byte[] {Opcodes.ALOAD_0, Opcodes.ALOAD_1,
                        Opcodes.INVOKESTATIC, hi(call), lo(call)}), h, true));
                }
            } else if (where == SocketHook.Where.CONSTRUCTOR_EXIT) {
                // A constructor that delegates with this(...) is left alone: the one it calls does the work.
                if (!in.mayCall(code, Opcodes.INVOKESPECIAL, ownConstructors)
                        || body.calls(Opcodes.INVOKESPECIAL, in.thisClass(), "<init>", null).length == 0) {
                    for (int at : body.returns(false)) {
                        added.add(new Insertion(at, false, withArgument(Opcodes.ALOAD_0, call), h, true));
                    }
                }
            } else if (where == SocketHook.Where.METHOD_EXIT) {
                byte[] exit = exit(hook, call, pool, in.thisClass());
                for (int at : body.returns(false)) {
                    added.add(new Insertion(at, false, exit, h, true));
                }
            } else { // INT_RETURN
                for (int at : body.returns(true)) {
                    added.add(new Insertion(at, false, withArgument(Opcodes.DUP, call), h, true));
                }
            }
        }
        if (added.isEmpty()) {
            return null;
        }
        byte[] patched;
        try {
            patched = body.relocate(added);
        } catch (IllegalStateException cannot) {
            return null; // left as it is: its hooks count nothing here, and the transformer says so
        }
        for (Insertion insertion : added) {
            if (insertion.counts) {
                insertions[insertion.hook]++;
            }
        }
        return in.method(method, code, patched);
    }

    /** At a method's entry: {@code arg = dispatcher(this, ...)} and the like, padded to a multiple of four bytes. */
    private static byte[] prologue(SocketHook hook, int call, ClassBytes.Pool pool, String owner) {
        byte[] code;
        SocketHook.Dispatch dispatch = hook.dispatch;
        if (dispatch == SocketHook.Dispatch.KEEPALIVE_FILTER) { // on = keepAliveRequested(this, on)
            code = new byte[] {Opcodes.ALOAD_0, Opcodes.ILOAD_1, Opcodes.INVOKESTATIC, hi(call), lo(call),
                Opcodes.ISTORE_1};
        } else if (dispatch == SocketHook.Dispatch.OPTION_FILTER) { // value = optionRequested(this, option, value)
            code = new byte[] {Opcodes.ALOAD_0, Opcodes.ALOAD_1, Opcodes.ALOAD_2, Opcodes.INVOKESTATIC, hi(call),
                lo(call), Opcodes.ASTORE_2};
        } else if (dispatch == SocketHook.Dispatch.INT_FILTER) { // value = valueRequested(this, "TCP_KEEPIDLE", value)
            int option = pool.string(hook.optionName);
            code = new byte[] {Opcodes.ALOAD_0, Opcodes.LDC_W, hi(option), lo(option), Opcodes.ILOAD_1,
                Opcodes.INVOKESTATIC, hi(call), lo(call), Opcodes.ISTORE_1};
        } else if (dispatch == SocketHook.Dispatch.RAW_INT_FILTER) { // value = intOptionRequested(this, level, option, value)
            code = new byte[] {Opcodes.ALOAD_0, Opcodes.ILOAD_1, Opcodes.ILOAD_2, Opcodes.ILOAD_3,
                Opcodes.INVOKESTATIC, hi(call), lo(call), Opcodes.ISTORE_3};
        } else if (dispatch == SocketHook.Dispatch.CONNECT) { // connecting(this, remote)
            code = new byte[] {Opcodes.ALOAD_0, Opcodes.ALOAD_1, Opcodes.INVOKESTATIC, hi(call), lo(call)};
        } else if (dispatch == SocketHook.Dispatch.NATIVE_CONNECT) { // nativeConnecting(this.intValue(), remote)
            int intValue = pool.member(10, owner, "intValue", "()I");
            code = new byte[] {Opcodes.ALOAD_0, Opcodes.INVOKEVIRTUAL_, hi(intValue), lo(intValue), Opcodes.ALOAD_1,
                Opcodes.INVOKESTATIC, hi(call), lo(call)};
        } else if (dispatch == SocketHook.Dispatch.URING_CONNECT) { // nativeConnecting(this.socket.intValue(), remote)
            String linuxSocket = owner.substring(0, owner.lastIndexOf('/') + 1) + "LinuxSocket";
            int socket = pool.member(9, owner, "socket", "L" + linuxSocket + ";");
            int intValue = pool.member(10, linuxSocket, "intValue", "()I");
            code = new byte[] {Opcodes.ALOAD_0, Opcodes.GETFIELD, hi(socket), lo(socket), Opcodes.INVOKEVIRTUAL_,
                hi(intValue), lo(intValue), Opcodes.ALOAD_1, Opcodes.INVOKESTATIC, hi(call), lo(call)};
        } else if (dispatch == SocketHook.Dispatch.NATIVE_ACCEPTED) { // nativeAccepted(fd)
            code = new byte[] {Opcodes.ILOAD_1, Opcodes.INVOKESTATIC, hi(call), lo(call)};
        } else {
            throw new IllegalStateException(hook + ": no entry filter for " + dispatch);
        }
        return padded(code);
    }

    /** Before each return: the dispatcher call with what it is handed ({@code this}, its descriptor, an argument). */
    private static byte[] exit(SocketHook hook, int call, ClassBytes.Pool pool, String owner) {
        if (hook.dispatch == SocketHook.Dispatch.BOUND) { // listenerBound(this)
            return withArgument(Opcodes.ALOAD_0, call);
        }
        if (hook.dispatch == SocketHook.Dispatch.NATIVE_LISTENING) { // nativeListening(this.intValue())
            int intValue = pool.member(10, owner, "intValue", "()I");
            return padded(new byte[] {Opcodes.ALOAD_0, Opcodes.INVOKEVIRTUAL_, hi(intValue), lo(intValue),
                Opcodes.INVOKESTATIC, hi(call), lo(call)});
        }
        return withArgument(Opcodes.ALOAD_1, call); // implAccept's Socket argument
    }

    /** NOPs (0) to a multiple of four bytes: no switch after it changes its padding. */
    private static byte[] padded(byte[] code) {
        return Arrays.copyOf(code, (code.length + 3) & ~3);
    }

    private static byte[] withArgument(byte load, int call) {
        return new byte[] {load, Opcodes.INVOKESTATIC, hi(call), lo(call)};
    }

    private static byte[] invoke(int call) {
        return new byte[] {Opcodes.INVOKESTATIC, hi(call), lo(call)};
    }

    private static byte hi(int index) {
        return (byte) (index >>> 8);
    }

    private static byte lo(int index) {
        return (byte) index;
    }

    /** Instructions to put at an offset of a method's code. */
    static final class Insertion {
        final int offset;
        /** Counted as an insertion of its hook (not the DUP2 that goes with a call after it). */
        final boolean counts;
        /**
         * True: after the instruction that ends at {@code offset} (a branch to {@code offset} goes past it; at
         * offset 0, a method's entry: a branch back to the start goes past it too). False: before the
         * instruction at {@code offset} (a branch to it runs the insertion).
         */
        final boolean after;
        final byte[] code;
        /** The index of its hook: at one offset, code inserted before an instruction goes last hook first. */
        final int hook;

        Insertion(int offset, boolean after, byte[] code, int hook, boolean counts) {
            this.offset = offset;
            this.after = after;
            this.code = code;
            this.hook = hook;
            this.counts = counts;
        }
    }

    /** The opcodes the rewriter reads or writes. */
    static final class Opcodes {
        static final byte ALOAD_0 = 0x2a;
        static final byte ALOAD_1 = 0x2b;
        static final byte ALOAD_2 = 0x2c;
        static final byte ILOAD_1 = 0x1b;
        static final byte ILOAD_2 = 0x1c;
        static final byte ILOAD_3 = 0x1d;
        static final byte ISTORE_1 = 0x3c;
        static final byte ISTORE_3 = 0x3e;
        static final byte ASTORE_2 = 0x4d;
        static final byte DUP = 0x59;
        static final byte DUP2 = 0x5c;
        static final byte LDC_W = 0x13;
        static final byte INVOKESTATIC = (byte) 0xb8;
        static final byte INVOKEVIRTUAL_ = (byte) 0xb6;
        static final byte GETFIELD = (byte) 0xb4;
        static final int INVOKEVIRTUAL = 0xb6;
        static final int INVOKESPECIAL = 0xb7;
        static final int IRETURN = 0xac;
        static final int RETURN = 0xb1;

        private Opcodes() {
        }
    }

    /** The dispatcher's class, as instrumented code names it. */
    static final String DISPATCHER = Dispatcher.INTERNAL_NAME;
}
