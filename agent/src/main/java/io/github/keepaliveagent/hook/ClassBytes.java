package io.github.keepaliveagent.hook;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One class file as {@link Rewriter} reads it: where its constant pool entries and its methods are, and
 * how it is written again with entries appended to the pool and some methods replaced. Everything else is
 * copied byte for byte. An entry of a kind it does not know (a constant pool tag of a future JDK) makes
 * it refuse the class ({@link IllegalStateException}): nothing is changed then.
 */
final class ClassBytes {

    final byte[] bytes;
    /** Offset of each constant pool entry's tag; 0 for the unused slots (index 0, after a long or double). */
    private final int[] pool;
    private final int poolEnd;
    /** Offset of each method_info. */
    final int[] methods;
    private final int methodsStart;
    private final int methodsEnd;

    ClassBytes(byte[] bytes) {
        this.bytes = bytes;
        if (u4(0) != 0xCAFEBABE) {
            throw new IllegalStateException("not a class file");
        }
        int count = u2(8);
        pool = new int[count];
        int at = 10;
        for (int i = 1; i < count; i++) {
            pool[i] = at;
            int tag = bytes[at] & 0xff;
            switch (tag) {
                case 1: // Utf8
                    at += 3 + u2(at + 1);
                    break;
                case 3: // Integer
                case 4: // Float
                case 9: // Fieldref
                case 10: // Methodref
                case 11: // InterfaceMethodref
                case 12: // NameAndType
                case 17: // Dynamic
                case 18: // InvokeDynamic
                    at += 5;
                    break;
                case 5: // Long
                case 6: // Double
                    at += 9;
                    i++;
                    break;
                case 7: // Class
                case 8: // String
                case 16: // MethodType
                case 19: // Module
                case 20: // Package
                    at += 3;
                    break;
                case 15: // MethodHandle
                    at += 4;
                    break;
                default:
                    throw new IllegalStateException("unknown constant pool tag " + tag);
            }
        }
        poolEnd = at;
        at += 6; // access, this, super
        at += 2 + 2 * u2(at); // interfaces
        at = skipMembers(at); // fields
        methodsStart = at;
        methods = new int[u2(at)];
        at += 2;
        for (int m = 0; m < methods.length; m++) {
            methods[m] = at;
            at = skipMember(at);
        }
        methodsEnd = at;
    }

    private int skipMembers(int at) {
        int count = u2(at);
        at += 2;
        for (int i = 0; i < count; i++) {
            at = skipMember(at);
        }
        return at;
    }

    private int skipMember(int at) {
        int attributes = u2(at + 6);
        at += 8;
        for (int a = 0; a < attributes; a++) {
            at += 6 + u4(at + 2);
        }
        return at;
    }

    int u1(int at) {
        return bytes[at] & 0xff;
    }

    int u2(int at) {
        return ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
    }

    int s2(int at) {
        return (short) u2(at);
    }

    int u4(int at) {
        return (u2(at) << 16) | u2(at + 2);
    }

    /** The text of a Utf8 entry (the names and descriptors the hooks compare are ASCII). */
    String utf8(int index) {
        int at = pool[index];
        if (bytes[at] != 1) {
            throw new IllegalStateException("constant " + index + " is not a Utf8");
        }
        return new String(bytes, at + 3, u2(at + 1), StandardCharsets.UTF_8);
    }

    /**
     * Whether a constant is the Utf8 {@code ascii}, compared byte by byte: the rewrite asks this of every
     * method reference in the pool, and decoding each into a String was most of a first rewrite's time (the
     * code runs interpreted then). Only ASCII text can match: a byte of a longer UTF-8 sequence is negative.
     */
    boolean utf8Is(int index, String ascii) {
        int at = pool[index];
        int length = ascii.length();
        if (bytes[at] != 1 || u2(at + 1) != length) {
            return false;
        }
        at += 3;
        for (int i = 0; i < length; i++) {
            if (bytes[at + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a constant is a Methodref or InterfaceMethodref of owner.name(desc) ({@code desc} null: any). */
    boolean refersTo(int index, String owner, String name, String desc) {
        int at = pool[index];
        if (at == 0 || (bytes[at] != 10 && bytes[at] != 11)) {
            return false;
        }
        int nameAndType = pool[u2(at + 3)];
        return utf8Is(u2(nameAndType + 1), name) && (desc == null || utf8Is(u2(nameAndType + 3), desc))
                && utf8Is(u2(pool[u2(at + 1)] + 1), owner);
    }

    /** This class's internal name. */
    String thisClass() {
        return className(u2(poolEnd + 2));
    }

    String className(int classIndex) {
        return utf8(u2(pool[classIndex] + 1));
    }

    /**
     * The constant pool indexes of every Methodref to owner.name (desc, or any when null): one pass over the
     * pool, so that methods that do not call it are never decoded.
     */
    int[] methodrefs(String owner, String name, String desc) {
        int[] found = new int[4];
        int count = 0;
        for (int i = 1; i < pool.length; i++) {
            int at = pool[i];
            if (at != 0 && bytes[at] == 10 && refersTo(i, owner, name, desc)) {
                if (count == found.length) {
                    found = Arrays.copyOf(found, count * 2);
                }
                found[count++] = i;
            }
        }
        return Arrays.copyOf(found, count);
    }

    /** Whether the bytes of a method's code hold {@code opcode} with one of these indexes (maybe by chance). */
    boolean mayCall(int code, int opcode, int[] indexes) {
        int start = code + 14;
        int end = start + u4(code + 10) - 2;
        for (int at = start; at < end; at++) {
            if ((bytes[at] & 0xff) == opcode) {
                int index = u2(at + 1);
                for (int i : indexes) {
                    if (i == index) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The offset of a method's Code attribute (its name index), or -1 (abstract, native). */
    int codeAttribute(int method) {
        int attributes = u2(method + 6);
        int at = method + 8;
        for (int a = 0; a < attributes; a++) {
            if (utf8Is(u2(at), "Code")) {
                return at;
            }
            at += 6 + u4(at + 2);
        }
        return -1;
    }

    /** A method_info whose Code attribute (at {@code code}) is replaced by {@code newCode}, a whole attribute. */
    byte[] method(int method, int code, byte[] newCode) {
        int end = skipMember(method);
        int codeEnd = code + 6 + u4(code + 2);
        Out out = new Out(end - method + newCode.length);
        out.bytes(bytes, method, code - method);
        out.bytes(newCode, 0, newCode.length);
        out.bytes(bytes, codeEnd, end - codeEnd);
        return out.toArray();
    }

    Pool newPool() {
        return new Pool();
    }

    /** The class again, with the pool's new entries and a replacement for each method that has one. */
    byte[] write(Pool added, List<byte[]> replaced) {
        int count = pool.length + added.count;
        if (count > 0xffff) {
            throw new IllegalStateException("the constant pool would hold more than 65535 entries");
        }
        Out out = new Out(bytes.length + added.out.length + 256);
        out.bytes(bytes, 0, 8);
        out.u2(count);
        out.bytes(bytes, 10, poolEnd - 10);
        out.bytes(added.out.bytes, 0, added.out.length);
        out.bytes(bytes, poolEnd, methodsStart + 2 - poolEnd);
        for (int m = 0; m < methods.length; m++) {
            byte[] method = replaced.get(m);
            if (method == null) {
                int start = methods[m];
                out.bytes(bytes, start, (m + 1 < methods.length ? methods[m + 1] : methodsEnd) - start);
            } else {
                out.bytes(method, 0, method.length);
            }
        }
        out.bytes(bytes, methodsEnd, bytes.length - methodsEnd);
        return out.toArray();
    }

    /** The constant pool entries a rewrite appends: the dispatcher's methods and the option names. */
    final class Pool {
        final Out out = new Out(256);
        int count;
        private final List<String> keys = new ArrayList<>(8);
        private final List<Integer> indexes = new ArrayList<>(8);

        /** The index of a Methodref of the dispatcher. */
        int dispatcher(String name, String desc) {
            return member(10, Rewriter.DISPATCHER, name, desc);
        }

        /** The index of a Fieldref (9) or Methodref (10). */
        int member(int tag, String owner, String name, String desc) {
            return entry("R" + tag + owner + "." + name + desc, tag, entry("C" + owner, 7, utf8Entry(owner), -1),
                    entry("N" + name + desc, 12, utf8Entry(name), utf8Entry(desc)));
        }

        /** The index of a String constant. */
        int string(String text) {
            return entry("S" + text, 8, utf8Entry(text), -1);
        }

        private int utf8Entry(String text) {
            Integer known = known("U" + text);
            if (known != null) {
                return known;
            }
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            out.u1(1);
            out.u2(utf8.length);
            out.bytes(utf8, 0, utf8.length);
            return remember("U" + text);
        }

        /** An entry of one or two indexes ({@code second} -1: one). */
        private int entry(String key, int tag, int first, int second) {
            Integer known = known(key);
            if (known != null) {
                return known;
            }
            out.u1(tag);
            out.u2(first);
            if (second >= 0) {
                out.u2(second);
            }
            return remember(key);
        }

        private Integer known(String key) {
            int i = keys.indexOf(key);
            return i < 0 ? null : indexes.get(i);
        }

        private int remember(String key) {
            int index = pool.length + count++;
            keys.add(key);
            indexes.add(index);
            return index;
        }
    }

    /** A growing byte array. */
    static final class Out {
        byte[] bytes;
        int length;

        Out(int size) {
            bytes = new byte[Math.max(size, 16)];
        }

        private void room(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }

        void u1(int value) {
            room(1);
            bytes[length++] = (byte) value;
        }

        void u2(int value) {
            room(2);
            bytes[length++] = (byte) (value >>> 8);
            bytes[length++] = (byte) value;
        }

        void u4(int value) {
            u2(value >>> 16);
            u2(value & 0xffff);
        }

        void bytes(byte[] from, int offset, int count) {
            room(count);
            System.arraycopy(from, offset, bytes, length, count);
            length += count;
        }

        void set2(int at, int value) {
            bytes[at] = (byte) (value >>> 8);
            bytes[at + 1] = (byte) value;
        }

        void set4(int at, int value) {
            set2(at, value >>> 16);
            set2(at + 2, value & 0xffff);
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, length);
        }
    }
}
