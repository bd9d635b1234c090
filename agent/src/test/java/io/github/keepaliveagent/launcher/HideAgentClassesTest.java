package io.github.keepaliveagent.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build step that lays out the agent jar, agent/src/build/HideAgentClasses.java, run as agent/pom.xml
 * runs it ({@code java -cp target/classes src/build/HideAgentClasses.java SHADED OUT}) on a small shaded
 * jar made here of class files of this build: the layout {@link Layout} names, read back the way the
 * launcher reads it ({@link AgentJar}); the same output bytes every time; the input only read.
 */
class HideAgentClassesTest {

    private static final Path CLASSES = classes();
    private static final long TIME = LocalDateTime.of(2026, 12, 1, 0, 0).atZone(ZoneId.systemDefault())
            .toInstant().toEpochMilli();
    /** Not a class file: the step moves bytes, it never parses them (the agent's copy of tinylog stands in). */
    private static final String SHADED_CLASS = "io/github/keepaliveagent/shaded/tinylog/Logger.class";
    /** The project's license and notice go into META-INF (agent/pom.xml's resources) and stay there. */
    private static final byte[] LICENSE = "Apache License\n".getBytes(StandardCharsets.US_ASCII);

    private static Path classes() {
        try {
            return Paths.get(Layout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theShadedJarIsLaidOutAsLayoutSaysAndTheLauncherReadsIt(@TempDir Path dir) throws Exception {
        Path shaded = shadedJar(dir);
        Path agent = dir.resolve("keepalive-agent.jar");
        run(shaded, agent);

        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(agent.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                names.add(entry.getName());
                assertEquals(TIME, entry.getTime(), entry.getName() + ": times are the input's");
            }
            // Kept in the input's order: META-INF (license included) and the launcher, with its directories; the
            // directories of the moved classes go. Then the sets, by name, and the module's package list.
            assertEquals(List.of("META-INF/", "META-INF/MANIFEST.MF", "META-INF/LICENSE", "io/", "io/github/",
                    "io/github/keepaliveagent/", Layout.VISIBLE, Layout.VISIBLE + "Launcher.class",
                    Layout.VISIBLE + "Layout.class", Layout.CLASSES, Layout.EXTRAS, Layout.SETTINGS, Layout.PACKAGES),
                    names);
            assertArrayEquals(LICENSE, read(zip, "META-INF/LICENSE"));
            assertArrayEquals(classFile("io/github/keepaliveagent/launcher/Layout.class"),
                    read(zip, "io/github/keepaliveagent/launcher/Layout.class"));
            assertEquals(ZipEntry.STORED, zip.getEntry(Layout.CLASSES).getMethod(), "read at start-up: stored");
            assertEquals(ZipEntry.STORED, zip.getEntry(Layout.SETTINGS).getMethod(), "read at start-up: stored");
            assertEquals(ZipEntry.DEFLATED, zip.getEntry(Layout.EXTRAS).getMethod(), "read when needed: compressed");

            // Each set: its classes in the input's order, each one's bytes unchanged.
            Map<String, byte[]> classes = set(read(zip, Layout.CLASSES));
            assertEquals(List.of("io.github.keepaliveagent.core.Version", "java.net.KeepAliveAgentDispatcher",
                    "io.github.keepaliveagent.boot.ModuleMaker", "io.github.keepaliveagent.core.Outcome",
                    "io.github.keepaliveagent.core.Outcome$State"), new ArrayList<>(classes.keySet()));
            for (Map.Entry<String, byte[]> c : classes.entrySet()) {
                assertArrayEquals(classFile(c.getKey().replace('.', '/') + ".class"), c.getValue(), c.getKey());
            }
            Map<String, byte[]> settings = set(read(zip, Layout.SETTINGS));
            assertEquals(List.of("io.github.keepaliveagent.config.Values"), new ArrayList<>(settings.keySet()));
            assertArrayEquals(classFile("io/github/keepaliveagent/config/Values.class"),
                    settings.get("io.github.keepaliveagent.config.Values"));
            Map<String, byte[]> extras = set(read(zip, Layout.EXTRAS));
            assertEquals(List.of("io.github.keepaliveagent.shaded.tinylog.Logger"), new ArrayList<>(extras.keySet()));
            assertArrayEquals(SHADED_CLASS.getBytes(StandardCharsets.US_ASCII),
                    extras.get("io.github.keepaliveagent.shaded.tinylog.Logger"));
            // The module's packages, sorted: not the dispatcher's (java.base's), the parser's or the maker's.
            assertEquals("io.github.keepaliveagent.core\nio.github.keepaliveagent.shaded.tinylog",
                    new String(read(zip, Layout.PACKAGES), StandardCharsets.US_ASCII));
        }

        AgentJar jar = AgentJar.open(agent.toFile());
        assertEquals(List.of("io.github.keepaliveagent.core", "io.github.keepaliveagent.shaded.tinylog"),
                new ArrayList<>(jar.modulePackages()));
        assertArrayEquals(classFile("java/net/KeepAliveAgentDispatcher.class"), jar.dispatcher());
        IsolatedLoader loader = new IsolatedLoader(jar, ClassLoader.getPlatformClassLoader());
        Class<?> version = loader.loadClass("io.github.keepaliveagent.core.Version");
        assertEquals(loader, version.getClassLoader(), "defined from " + Layout.CLASSES);
        assertEquals(loader, loader.loadClass("io.github.keepaliveagent.config.Values").getClassLoader(),
                "defined from " + Layout.SETTINGS);
        assertTrue(!Files.exists(dir.resolve("keepalive-agent.jar.partial")), "no partial file is left");
    }

    @Test
    void twoRunsWriteTheSameBytesAndTheInputIsOnlyRead(@TempDir Path dir) throws Exception {
        Path shaded = shadedJar(dir);
        byte[] input = Files.readAllBytes(shaded);
        FileTime inputTime = Files.getLastModifiedTime(shaded);
        Path agent = dir.resolve("keepalive-agent.jar");

        run(shaded, agent);
        byte[] first = Files.readAllBytes(agent);
        run(shaded, agent); // again, over its own output, as a second `mvn package` does
        byte[] second = Files.readAllBytes(agent);
        Path elsewhere = dir.resolve("other").resolve("keepalive-agent.jar");
        Files.createDirectories(elsewhere.getParent());
        run(shaded, elsewhere);

        assertArrayEquals(first, second, "a second run writes the same bytes");
        assertArrayEquals(first, Files.readAllBytes(elsewhere), "the output does not depend on where it goes");
        assertArrayEquals(input, Files.readAllBytes(shaded), "the shaded jar is unchanged");
        assertEquals(inputTime, Files.getLastModifiedTime(shaded), "the shaded jar is not even rewritten");
    }

    /** Its own output as input (a step run twice the wrong way round): refused, nothing replaced. */
    @Test
    void anAgentJarIsNotTakenForAShadedOne(@TempDir Path dir) throws Exception {
        Path agent = dir.resolve("keepalive-agent.jar");
        run(shadedJar(dir), agent);
        byte[] before = Files.readAllBytes(agent);
        Path again = dir.resolve("again.jar");

        Process process = start(agent, again);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), output);
        assertNotEquals(0, process.exitValue(), output);
        assertTrue(output.contains(agent + " holds " + Layout.HIDDEN) && output.contains("it is not a shaded jar"),
                output);
        assertTrue(!Files.exists(again), "no agent jar written");
        assertArrayEquals(before, Files.readAllBytes(agent));
    }

    /** A shaded jar as the shade plugin writes one, small: the launcher, hidden classes of every set. */
    private static Path shadedJar(Path dir) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("META-INF/", null);
        entries.put("META-INF/MANIFEST.MF", ("Manifest-Version: 1.0\r\nPremain-Class: io.github.keepaliveagent.launcher"
                + ".Launcher\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        entries.put("META-INF/LICENSE", LICENSE);
        entries.put("io/", null);
        entries.put("io/github/", null);
        entries.put("io/github/keepaliveagent/", null);
        entries.put("io/github/keepaliveagent/core/", null);
        entries.put("io/github/keepaliveagent/core/Version.class", null);
        entries.put("io/github/keepaliveagent/launcher/", null);
        entries.put("io/github/keepaliveagent/launcher/Launcher.class", null);
        entries.put("java/", null);
        entries.put("java/net/", null);
        entries.put("java/net/KeepAliveAgentDispatcher.class", null);
        entries.put("io/github/keepaliveagent/config/", null);
        entries.put("io/github/keepaliveagent/config/Values.class", null);
        entries.put("io/github/keepaliveagent/boot/", null);
        entries.put("io/github/keepaliveagent/boot/ModuleMaker.class", null);
        entries.put("io/github/keepaliveagent/shaded/", null);
        entries.put("io/github/keepaliveagent/shaded/tinylog/", null);
        entries.put(SHADED_CLASS, SHADED_CLASS.getBytes(StandardCharsets.US_ASCII));
        entries.put("io/github/keepaliveagent/core/Outcome.class", null);
        entries.put("io/github/keepaliveagent/core/Outcome$State.class", null);
        entries.put("io/github/keepaliveagent/launcher/Layout.class", null);
        Path jar = dir.resolve("keepalive-agent-shaded.jar");
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setTime(TIME);
                zip.putNextEntry(entry);
                if (e.getValue() != null) {
                    zip.write(e.getValue());
                } else if (e.getKey().endsWith(".class")) {
                    zip.write(classFile(e.getKey()));
                }
                zip.closeEntry();
            }
        }
        return jar;
    }

    private static byte[] classFile(String entry) throws IOException {
        return Files.readAllBytes(CLASSES.resolve(entry));
    }

    /** Runs the step as agent/pom.xml does; it must succeed. */
    private static void run(Path shaded, Path agent) throws Exception {
        Process process = start(shaded, agent);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("[hide-agent-classes] " + agent.getFileName() + ": 7 classes of "
                + shaded.getFileName() + " under " + Layout.HIDDEN), output);
    }

    private static Process start(Path shaded, Path agent) throws IOException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", CLASSES.toString(), Paths.get("src", "build", "HideAgentClasses.java")
                .toAbsolutePath().toString(), shaded.toString(), agent.toString()).redirectErrorStream(true).start();
    }

    private static byte[] read(ZipFile zip, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        assertTrue(entry != null, name + " is missing");
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    /** A set as Layout describes it, read independently of AgentJar: count, then name, offset, length each. */
    private static Map<String, byte[]> set(byte[] blob) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob));
        int count = in.readInt();
        int end = 4;
        for (int i = 0; i < count; i++) {
            byte[] name = new byte[in.readUnsignedShort()];
            in.readFully(name);
            int offset = in.readInt();
            int length = in.readInt();
            classes.put(new String(name, StandardCharsets.US_ASCII), Arrays.copyOfRange(blob, offset,
                    offset + length));
            end = Math.max(end, offset + length);
        }
        assertEquals(blob.length, end, "nothing after the last class");
        return classes;
    }
}
