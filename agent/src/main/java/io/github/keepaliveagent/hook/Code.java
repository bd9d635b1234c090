package io.github.keepaliveagent.hook;

import java.util.ArrayList;
import java.util.List;

/**
 * One method's Code attribute as {@link Rewriter} reads it: its instructions (where each starts), the
 * places the hooks name, and the attribute written again with instructions inserted and every offset in
 * it relocated (JVMS 4.7.3, 4.7.4, 4.7.12, 4.7.13, 4.7.14).
 */
final class Code {

    private final ClassBytes in;
    /** Offset in the class file of the attribute's name index. */
    private final int attribute;
    private final int maxStack;
    private final int codeStart;
    private final int codeLength;
    /** The start of each instruction, ascending. */
    private final int[] starts;

    Code(ClassBytes in, int attribute) {
        this.in = in;
        this.attribute = attribute;
        this.maxStack = in.u2(attribute + 6);
        this.codeLength = in.u4(attribute + 10);
        this.codeStart = attribute + 14;
        List<Integer> found = new ArrayList<>();
        for (int pc = 0; pc < codeLength; pc += length(pc)) {
            found.add(pc);
        }
        starts = new int[found.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = found.get(i);
        }
    }

    private int op(int pc) {
        return in.u1(codeStart + pc);
    }

    /** The length of the instruction at {@code pc} (JVMS 6.5). */
    private int length(int pc) {
        int op = op(pc);
        if (op <= 0x0f || (op >= 0x1a && op <= 0x35) || (op >= 0x3b && op <= 0x83) || (op >= 0x85 && op <= 0x98)
                || (op >= 0xac && op <= 0xb1) || op == 0xbe || op == 0xbf || op == 0xc2 || op == 0xc3) {
            return 1;
        }
        if (op == 0x10 || op == 0x12 || (op >= 0x15 && op <= 0x19) || (op >= 0x36 && op <= 0x3a) || op == 0xa9
                || op == 0xbc) {
            return 2;
        }
        if (op == 0x11 || op == 0x13 || op == 0x14 || op == 0x84 || (op >= 0x99 && op <= 0xa8)
                || (op >= 0xb2 && op <= 0xb8) || op == 0xbb || op == 0xbd || op == 0xc0 || op == 0xc1 || op == 0xc6
                || op == 0xc7) {
            return 3;
        }
        switch (op) {
            case 0xc5: // multianewarray
                return 4;
            case 0xb9: // invokeinterface
            case 0xba: // invokedynamic
            case 0xc8: // goto_w
            case 0xc9: // jsr_w
                return 5;
            case 0xc4: // wide
                return op(pc + 1) == 0x84 ? 6 : 4;
            case 0xaa: { // tableswitch
                int at = pad(pc);
                return at - pc + 12 + 4 * (in.u4(codeStart + at + 8) - in.u4(codeStart + at + 4) + 1);
            }
            case 0xab: { // lookupswitch
                int at = pad(pc);
                return at - pc + 8 + 8 * in.u4(codeStart + at + 4);
            }
            default:
                throw new IllegalStateException("unknown opcode " + op + " at " + pc);
        }
    }

    /** Where a switch's operands start: after its padding to a multiple of four. */
    private static int pad(int pc) {
        return (pc + 4) & ~3;
    }

    /** The offsets of the calls ({@code opcode}) of class.name(desc) ({@code desc} null: any). */
    int[] calls(int opcode, String owner, String name, String desc) {
        List<Integer> found = new ArrayList<>(2);
        for (int pc : starts) {
            if (op(pc) == opcode && in.refersTo(in.u2(codeStart + pc + 1), owner, name, desc)) {
                found.add(pc);
            }
        }
        return toArray(found);
    }

    /** The offsets of the return instructions: every kind, or {@code ireturn} only. */
    int[] returns(boolean intOnly) {
        List<Integer> found = new ArrayList<>(2);
        for (int pc : starts) {
            int op = op(pc);
            if (intOnly ? op == Rewriter.Opcodes.IRETURN : op >= Rewriter.Opcodes.IRETURN && op <= Rewriter.Opcodes.RETURN) {
                found.add(pc);
            }
        }
        return toArray(found);
    }

    private static int[] toArray(List<Integer> list) {
        int[] array = new int[list.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = list.get(i);
        }
        return array;
    }

    /**
     * The Code attribute with the insertions made.
     *
     * @throws IllegalStateException where it cannot be done (then nothing is changed)
     */
    byte[] relocate(List<Rewriter.Insertion> insertions) {
        Relocation map = new Relocation(insertions);
        ClassBytes.Out code = new ClassBytes.Out(codeLength + 64);
        for (int i = 0; i <= starts.length; i++) {
            int pc = i < starts.length ? starts[i] : codeLength;
            map.emit(pc, code);
            if (i == starts.length) {
                break;
            }
            int newPc = code.length;
            if (newPc != map.position(pc)) {
                throw new IllegalStateException("relocation out of step at " + pc);
            }
            copy(pc, newPc, map, code);
        }
        if (code.length > 0xffff) {
            throw new IllegalStateException("the code would be longer than 65535 bytes");
        }
        ClassBytes.Out out = new ClassBytes.Out(code.length + 256);
        out.u2(in.u2(attribute)); // "Code"
        out.u4(0); // the length, set below
        out.u2(Math.min(maxStack + 4, 0xffff));
        out.u2(in.u2(attribute + 8)); // max_locals
        out.u4(code.length);
        out.bytes(code.bytes, 0, code.length);
        int at = codeStart + codeLength;
        int handlers = in.u2(at);
        out.u2(handlers);
        at += 2;
        for (int h = 0; h < handlers; h++, at += 8) {
            out.u2(map.target(in.u2(at)));
            out.u2(map.target(in.u2(at + 2)));
            out.u2(map.target(in.u2(at + 4)));
            out.u2(in.u2(at + 6));
        }
        int attributes = in.u2(at);
        out.u2(attributes);
        at += 2;
        for (int a = 0; a < attributes; a++) {
            String name = in.utf8(in.u2(at));
            int length = in.u4(at + 2);
            int body = at + 6;
            int start = out.length;
            out.u2(in.u2(at));
            out.u4(0);
            if ("StackMapTable".equals(name)) {
                stackMapTable(body, map, out);
            } else if ("LineNumberTable".equals(name)) {
                int count = in.u2(body);
                out.u2(count);
                for (int i = 0, e = body + 2; i < count; i++, e += 4) {
                    out.u2(map.target(in.u2(e)));
                    out.u2(in.u2(e + 2));
                }
            } else if ("LocalVariableTable".equals(name) || "LocalVariableTypeTable".equals(name)) {
                int count = in.u2(body);
                out.u2(count);
                for (int i = 0, e = body + 2; i < count; i++, e += 10) {
                    int from = in.u2(e);
                    int newFrom = map.target(from);
                    out.u2(newFrom);
                    out.u2(map.target(from + in.u2(e + 2)) - newFrom);
                    out.bytes(in.bytes, e + 4, 6); // name, descriptor, slot
                }
            } else {
                // Type annotations on instructions, or an attribute of a layout unknown here: offsets inside.
                throw new IllegalStateException("a " + name + " attribute in the code");
            }
            out.set4(start + 2, out.length - start - 6);
            at = body + length;
        }
        out.set4(2, out.length - 6);
        return out.toArray();
    }

    /** One instruction at its new place, its branch offsets relocated. */
    private void copy(int pc, int newPc, Relocation map, ClassBytes.Out code) {
        int op = op(pc);
        int length = length(pc);
        int at = code.length;
        code.bytes(in.bytes, codeStart + pc, length);
        if ((op >= 0x99 && op <= 0xa8) || op == 0xc6 || op == 0xc7) { // if*, goto, jsr, ifnull, ifnonnull
            int offset = map.target(pc + in.s2(codeStart + pc + 1)) - newPc;
            if (offset != (short) offset) {
                throw new IllegalStateException("a branch at " + pc + " would no longer fit 16 bits");
            }
            code.set2(at + 1, offset);
        } else if (op == 0xc8 || op == 0xc9) { // goto_w, jsr_w
            code.set4(at + 1, map.target(pc + in.u4(codeStart + pc + 1)) - newPc);
        } else if (op == 0xaa || op == 0xab) {
            if (pad(newPc) - newPc != pad(pc) - pc) {
                throw new IllegalStateException("a switch at " + pc + " would change its padding");
            }
            int operands = pad(pc) - pc; // from the opcode to the default offset
            relocateOffset(pc, newPc, operands, map, code, at); // the default
            if (op == 0xaa) { // tableswitch: default, low, high, then high - low + 1 offsets
                int offsets = in.u4(codeStart + pad(pc) + 8) - in.u4(codeStart + pad(pc) + 4) + 1;
                for (int i = 0; i < offsets; i++) {
                    relocateOffset(pc, newPc, operands + 12 + 4 * i, map, code, at);
                }
            } else { // lookupswitch: default, npairs, then (match, offset) pairs
                int pairs = in.u4(codeStart + pad(pc) + 4);
                for (int i = 0; i < pairs; i++) {
                    relocateOffset(pc, newPc, operands + 8 + 8 * i + 4, map, code, at);
                }
            }
        }
    }

    private void relocateOffset(int pc, int newPc, int operand, Relocation map, ClassBytes.Out code, int at) {
        code.set4(at + operand, map.target(pc + in.u4(codeStart + pc + operand)) - newPc);
    }

    /** The StackMapTable with each frame at its new offset (JVMS 4.7.4). */
    private void stackMapTable(int body, Relocation map, ClassBytes.Out out) {
        int count = in.u2(body);
        out.u2(count);
        int at = body + 2;
        int offset = -1;
        int newOffset = -1;
        for (int f = 0; f < count; f++) {
            int type = in.u1(at);
            int delta;
            int rest; // where the frame's contents after its delta start
            if (type < 64) {
                delta = type;
                rest = at + 1;
            } else if (type < 128) {
                delta = type - 64;
                rest = at + 1;
            } else if (type >= 247) {
                delta = in.u2(at + 1);
                rest = at + 3;
            } else {
                throw new IllegalStateException("stack map frame type " + type);
            }
            offset += delta + 1;
            int relocated = map.target(offset);
            int newDelta = relocated - newOffset - 1;
            newOffset = relocated;
            if (type < 64 || type == 251) { // same_frame (extended)
                if (newDelta < 64) {
                    out.u1(newDelta);
                } else {
                    out.u1(251);
                    out.u2(newDelta);
                }
                at = rest;
            } else if (type < 128 || type == 247) { // same_locals_1_stack_item (extended)
                if (newDelta < 64) {
                    out.u1(64 + newDelta);
                } else {
                    out.u1(247);
                    out.u2(newDelta);
                }
                at = types(rest, 1, map, out);
            } else if (type < 251) { // chop
                out.u1(type);
                out.u2(newDelta);
                at = rest;
            } else if (type < 255) { // append
                out.u1(type);
                out.u2(newDelta);
                at = types(rest, type - 251, map, out);
            } else { // full_frame
                out.u1(type);
                out.u2(newDelta);
                int locals = in.u2(rest);
                out.u2(locals);
                at = types(rest + 2, locals, map, out);
                int stack = in.u2(at);
                out.u2(stack);
                at = types(at + 2, stack, map, out);
            }
        }
    }

    /** Copies verification_type_info entries; an Uninitialized one names its new instruction's new offset. */
    private int types(int at, int count, Relocation map, ClassBytes.Out out) {
        for (int i = 0; i < count; i++) {
            int tag = in.u1(at);
            out.u1(tag);
            if (tag == 7) { // Object: a constant pool index
                out.u2(in.u2(at + 1));
                at += 3;
            } else if (tag == 8) { // Uninitialized: the offset of its new
                out.u2(map.position(in.u2(at + 1)));
                at += 3;
            } else if (tag <= 6) {
                at += 1;
            } else {
                throw new IllegalStateException("verification type " + tag);
            }
        }
        return at;
    }

    /** Where old offsets go once the insertions are made. */
    private static final class Relocation {
        private final List<Rewriter.Insertion> insertions;

        Relocation(List<Rewriter.Insertion> insertions) {
            // In offset order; at one offset what comes after the previous instruction comes first. A few
            // insertions a method: an insertion sort, and no lambda (start-up path).
            this.insertions = new ArrayList<>(insertions.size());
            for (Rewriter.Insertion insertion : insertions) {
                int i = this.insertions.size();
                while (i > 0 && comesAfter(this.insertions.get(i - 1), insertion)) {
                    i--;
                }
                this.insertions.add(i, insertion);
            }
        }

        /**
         * Whether {@code a} is written after {@code b}: by offset; at one offset what goes after the previous
         * instruction comes first; at a method's entry hook by hook, before an instruction last hook first
         * (each hook's code wraps the instruction, as nested visitors do).
         */
        private static boolean comesAfter(Rewriter.Insertion a, Rewriter.Insertion b) {
            if (a.offset != b.offset) {
                return a.offset > b.offset;
            }
            if (a.after != b.after) {
                return !a.after;
            }
            return a.after ? a.hook > b.hook : a.hook < b.hook;
        }

        /** The new offset of the instruction that was at {@code pc}. */
        int position(int pc) {
            int shift = 0;
            for (Rewriter.Insertion insertion : insertions) {
                if (insertion.offset <= pc) {
                    shift += insertion.code.length;
                }
            }
            return pc + shift;
        }

        /**
         * Where a branch (or handler, or frame, or table entry) to {@code pc} goes now: to the code inserted
         * before the instruction at {@code pc}, past the code inserted after the previous one.
         */
        int target(int pc) {
            int shift = 0;
            for (Rewriter.Insertion insertion : insertions) {
                if (insertion.offset < pc || (insertion.offset == pc && insertion.after)) {
                    shift += insertion.code.length;
                }
            }
            return pc + shift;
        }

        /** Writes the code inserted at {@code pc}. */
        void emit(int pc, ClassBytes.Out code) {
            for (Rewriter.Insertion insertion : insertions) {
                if (insertion.offset == pc) {
                    code.bytes(insertion.code, 0, insertion.code.length);
                }
            }
        }
    }
}
