package io.github.keepaliveagent.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.AllPermission;
import java.security.CodeSource;
import java.security.Permissions;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The agent jar as the launcher reads it: opened once per start, its hidden parts read by name
 * ({@link Layout}). The JVM has opened the same file for the launcher's own classes already.
 */
final class AgentJar {

    private final File file;
    private final ZipFile jar;
    private final ProtectionDomain domain;
    /** The sets of classes read so far ({@link Layout#CLASSES}...), by entry name. */
    private final Map<String, ClassSet> sets = new HashMap<>(4);

    private AgentJar(File file) throws IOException {
        this.file = file;
        // A ZipFile, not a JarFile: the hidden entries are read by name, the manifest (which the JVM has read) never.
        this.jar = new ZipFile(file);
        // Static permissions: the agent's work runs with AllPermission whatever policy a program installs,
        // at start-up or later (issue 19); the Policy is never consulted for these classes.
        Permissions all = new Permissions();
        all.add(new AllPermission());
        this.domain = new ProtectionDomain(new CodeSource(file.toURI().toURL(), (Certificate[]) null), all);
    }

    /** One stored set of class files ({@link Layout#CLASSES}), read at once, and its index. */
    private static final class ClassSet {
        final byte[] bytes;
        /** Class name -> {offset, length}. */
        final Map<String, int[]> index;

        ClassSet(String name, byte[] bytes) throws IOException {
            if (bytes == null) {
                throw new IOException(name + " is missing from the agent jar");
            }
            this.bytes = bytes;
            int count = readInt(bytes, 0);
            index = new HashMap<>(count * 2);
            for (int i = 0, at = 4; i < count; i++) {
                int length = ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
                String className = new String(bytes, at + 2, length, StandardCharsets.US_ASCII);
                at += 2 + length;
                index.put(className, new int[] {readInt(bytes, at), readInt(bytes, at + 4)});
                at += 8;
            }
        }

        private static int readInt(byte[] bytes, int at) {
            return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                    | (bytes[at + 3] & 0xff);
        }
    }

    private synchronized ClassSet set(String name) throws IOException {
        ClassSet set = sets.get(name);
        if (set == null) {
            sets.put(name, set = new ClassSet(name, bytes(name)));
        }
        return set;
    }

    static AgentJar open(File file) throws IOException {
        if (file == null) {
            throw new IOException("the agent must be run from its jar");
        }
        return new AgentJar(file);
    }

    File file() {
        return file;
    }

    /** The packages of the agent's named module, as the build listed them. */
    Set<String> modulePackages() throws IOException {
        byte[] list = bytes(Layout.PACKAGES);
        if (list == null) {
            throw new IOException(Layout.PACKAGES + " is missing from " + file);
        }
        return new LinkedHashSet<>(Arrays.asList(
                new String(list, java.nio.charset.StandardCharsets.US_ASCII).split("\n")));
    }

    /** A hidden class ("io.github.keepaliveagent.core.Agent") defined by a loader, or null when there is none. */
    Class<?> define(IsolatedLoader loader, String className) throws IOException {
        ClassSet set = set(Layout.setOf(className));
        int[] found = set.index.get(className);
        return found == null ? null : loader.define(className, set.bytes, found[0], found[1], domain);
    }

    /** The dispatcher's class file. */
    byte[] dispatcher() throws IOException {
        ClassSet set = set(Layout.setOf(Layout.DISPATCHER));
        int[] found = set.index.get(Layout.DISPATCHER);
        if (found == null) {
            throw new IOException(Layout.DISPATCHER + " is missing from " + file);
        }
        return Arrays.copyOfRange(set.bytes, found[0], found[0] + found[1]);
    }

    private byte[] bytes(String name) throws IOException {
        ZipEntry entry = jar.getEntry(name);
        if (entry == null) {
            return null;
        }
        try (InputStream in = jar.getInputStream(entry)) {
            return readAll(in, (int) entry.getSize());
        }
    }

    /** Every byte of a stream (Java 8 has no InputStream.readAllBytes); {@code size} is a hint, -1 if unknown. */
    static byte[] readAll(InputStream in, int size) throws IOException {
        byte[] bytes = new byte[size > 0 ? size : 8192];
        int length = 0;
        for (int n; (n = in.read(bytes, length, bytes.length - length)) >= 0; ) {
            length += n;
            if (length == bytes.length) {
                int next = in.read();
                if (next < 0) {
                    return bytes;
                }
                bytes = Arrays.copyOf(bytes, bytes.length * 2);
                bytes[length++] = (byte) next;
            }
        }
        return Arrays.copyOf(bytes, length);
    }
}
