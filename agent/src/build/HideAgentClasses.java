import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import io.github.keepaliveagent.launcher.Layout;

/**
 * Build step, run by Maven after the shade plugin:
 * {@code java -cp target/classes HideAgentClasses.java SHADED.jar OUT.jar}. Writes the agent jar from the
 * shaded one, as launcher/Layout says: the launcher package stays where a class loader looks; every other
 * class, the dispatcher's included (package java.net, which no class path may define), moves where the
 * application's class loader, which has the jar on its class path, never finds one: into the sets of
 * classes Layout names (keepalive-agent/settings, classes, extras); keepalive-agent/packages lists the
 * packages of the agent's module. The input is only read, so running it
 * again gives the same output; entry order and times are kept, so the output is as reproducible as its input.
 */
public final class HideAgentClasses {

    public static void main(String[] args) throws IOException {
        Path shaded = Paths.get(args[0]);
        Path agent = Paths.get(args[1]);
        Path partial = agent.resolveSibling(agent.getFileName() + ".partial");
        int moved = 0;
        Set<String> packages = new TreeSet<>();
        Map<String, Map<String, byte[]>> sets = new TreeMap<>();
        try (ZipFile in = new ZipFile(shaded.toFile());
                OutputStream file = Files.newOutputStream(partial);
                ZipOutputStream zip = new ZipOutputStream(file)) {
            for (Enumeration<? extends ZipEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (name.startsWith(Layout.HIDDEN)) {
                    throw new IllegalStateException(shaded + " holds " + name + " already: it is not a shaded jar");
                }
                if (entry.isDirectory() && !name.startsWith("META-INF/") && !Layout.VISIBLE.startsWith(name)) {
                    continue; // directories of moved classes
                }
                byte[] data;
                try (InputStream stream = in.getInputStream(entry)) {
                    data = stream.readAllBytes();
                }
                String className = hidden(name);
                if (className != null) {
                    moved++;
                    int dot = className.lastIndexOf('.');
                    if (!className.equals(Layout.DISPATCHER) && Layout.inModule(className.substring(0, dot))) {
                        packages.add(className.substring(0, dot));
                    }
                    sets.computeIfAbsent(Layout.setOf(className), s -> new LinkedHashMap<>()).put(className, data);
                    continue;
                }
                ZipEntry copy = new ZipEntry(name);
                copy.setTime(entry.getTime());
                zip.putNextEntry(copy);
                zip.write(data);
                zip.closeEntry();
            }
            long time = in.getEntry("META-INF/MANIFEST.MF").getTime();
            for (Map.Entry<String, Map<String, byte[]>> set : sets.entrySet()) {
                byte[] blob = blob(set.getValue());
                ZipEntry stored = new ZipEntry(set.getKey());
                if (!set.getKey().equals(Layout.EXTRAS)) { // stored: read at start-up, nothing to inflate
                    stored.setMethod(ZipEntry.STORED);
                    stored.setSize(blob.length);
                    CRC32 crc = new CRC32();
                    crc.update(blob);
                    stored.setCrc(crc.getValue());
                }
                stored.setTime(time);
                zip.putNextEntry(stored);
                zip.write(blob);
                zip.closeEntry();
            }
            // The packages of the agent's module, listed once here rather than at every JVM's start-up.
            ZipEntry list = new ZipEntry(Layout.PACKAGES);
            list.setTime(time);
            zip.putNextEntry(list);
            zip.write(String.join("\n", packages).getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        if (moved == 0) {
            throw new IllegalStateException("no agent class found in " + shaded);
        }
        Files.move(partial, agent, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("[hide-agent-classes] " + agent.getFileName() + ": " + moved + " classes of "
                + shaded.getFileName() + " under " + Layout.HIDDEN);
    }

    /** The class an entry of the shaded jar holds when the agent jar hides it, or null when it stays. */
    static String hidden(String name) {
        if (name.endsWith(".class") && !name.startsWith(Layout.VISIBLE) && !name.startsWith("META-INF/")) {
            return name.substring(0, name.length() - ".class".length()).replace('/', '.');
        }
        return null;
    }

    /** A stored set of classes (Layout.CLASSES): its index, then the class files in the same order. */
    static byte[] blob(Map<String, byte[]> classes) throws IOException {
        int indexSize = 4;
        for (String name : classes.keySet()) {
            indexSize += 2 + name.length() + 8;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(classes.size());
        int offset = indexSize;
        for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
            byte[] name = entry.getKey().getBytes(StandardCharsets.US_ASCII);
            out.writeShort(name.length);
            out.write(name);
            out.writeInt(offset);
            out.writeInt(entry.getValue().length);
            offset += entry.getValue().length;
        }
        for (byte[] data : classes.values()) {
            out.write(data);
        }
        out.flush();
        return bytes.toByteArray();
    }
}
