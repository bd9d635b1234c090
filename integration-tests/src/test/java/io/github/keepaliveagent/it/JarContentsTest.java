package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;

/**
 * The jar's layout (launcher/Layout): the launcher is the only package a class loader finds on the class
 * path; the agent proper and its relocated libraries are stored where no class path looks, in sets read at
 * once; nothing could clash with an application's own classes or services; every
 * class runs on JDK 8 but the few compiled for JDK 9, which only JDK 9+ loads.
 */
class JarContentsTest {

    /** Compiled for JDK 9 (src/main/java9): the module API; loaded only where it exists. */
    private static final Set<String> JAVA9 = Set.of("io.github.keepaliveagent.launcher.AgentModule",
            "io.github.keepaliveagent.boot.ModuleMaker", "io.github.keepaliveagent.jdk.Jdk9Access");

    @Test
    void onlyTheLauncherIsOnTheClassPathTheRestIsHidden() throws Exception {
        List<String> foreign = new ArrayList<>();
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                boolean launcher = name.startsWith("io/github/keepaliveagent/launcher/") || name.equals("io/")
                        || name.equals("io/github/") || name.equals("io/github/keepaliveagent/");
                boolean hidden = name.equals("keepalive-agent/classes") || name.equals("keepalive-agent/settings")
                        || name.equals("keepalive-agent/extras") || name.equals("keepalive-agent/packages");
                boolean meta = name.equals("META-INF/") || name.equals("META-INF/MANIFEST.MF")
                        || name.equals("META-INF/LICENSE") || name.equals("META-INF/NOTICE");
                if (!(launcher || hidden || meta) || name.endsWith(".dll") || name.contains("module-info")) {
                    foreign.add(name);
                }
            }
            assertEquals(ZipEntry.STORED, jar.getEntry("keepalive-agent/classes").getMethod(), "read at once");
            assertNotNull(jar.getEntry("META-INF/LICENSE"), "the license travels with the jar");
            String notice = new String(bytes(jar, jar.getJarEntry("META-INF/NOTICE")), StandardCharsets.UTF_8);
            assertTrue(notice.contains("tinylog") && notice.contains("byte-buddy-agent"), notice);
        }
        assertEquals(List.of(), foreign, "no service files, no foreign packages, no native libraries");
        Map<String, byte[]> classes = classes();
        assertTrue(classes.containsKey("io.github.keepaliveagent.core.Agent"), classes.keySet().toString());
        assertTrue(classes.containsKey("java.net.KeepAliveAgentDispatcher"), classes.keySet().toString());
        assertTrue(classes.keySet().stream().anyMatch(c -> c.contains(".shaded.tinylog.")), "tinylog, hidden");
        assertTrue(classes.size() > 250, "the agent, byte-buddy-agent and tinylog: " + classes.size());
        assertEquals(List.of(), classes.keySet().stream().filter(c -> c.contains(".asm.")).collect(Collectors.toList()),
                "ASM is the tests' verifier, not shipped (NOTICE does not name it)");
    }

    @Test
    void manifestDeclaresEveryEntryPoint() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.github.keepaliveagent.launcher.Launcher", main.getValue("Premain-Class"));
            assertEquals("io.github.keepaliveagent.launcher.Launcher", main.getValue("Agent-Class"));
            assertEquals("io.github.keepaliveagent.launcher.Launcher", main.getValue("Main-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertTrue(main.getValue("Implementation-Version").matches("\\d+\\.\\d+\\.\\d+.*"));
        }
    }

    @Test
    void everyClassRunsOnJava8ButTheFewForJava9() throws Exception {
        List<String> wrong = new ArrayList<>();
        int java9 = 0;
        for (Map.Entry<String, byte[]> c : classes().entrySet()) {
            byte[] head = c.getValue();
            int major = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
            boolean nine = JAVA9.stream().anyMatch(n -> c.getKey().equals(n) || c.getKey().startsWith(n + "$"));
            java9 += nine ? 1 : 0;
            if (nine ? major != 53 : major > 52) {
                wrong.add(c.getKey() + " " + major);
            }
        }
        assertEquals(List.of(), wrong, "class file versions: 52 (Java 8) or lower, 53 for the JDK 9 classes");
        assertTrue(java9 >= JAVA9.size(), "the JDK 9 classes are there: " + java9);
    }

    /** Every class in the jar by name: visible, hidden one per entry, and in the stored sets. */
    static Map<String, byte[]> classes() throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (name.endsWith(".class")) {
                    classes.put(name.substring(0, name.length() - 6).replace('/', '.'), bytes(jar, entry));
                } else if (name.equals("keepalive-agent/classes") || name.equals("keepalive-agent/settings")
                        || name.equals("keepalive-agent/extras")) {
                    byte[] set = bytes(jar, entry);
                    DataInputStream index = new DataInputStream(new java.io.ByteArrayInputStream(set));
                    for (int i = index.readInt(); i > 0; i--) {
                        byte[] className = new byte[index.readUnsignedShort()];
                        index.readFully(className);
                        int offset = index.readInt();
                        int length = index.readInt();
                        classes.put(new String(className, java.nio.charset.StandardCharsets.US_ASCII),
                                java.util.Arrays.copyOfRange(set, offset, offset + length));
                    }
                }
            }
        }
        return classes;
    }

    private static byte[] bytes(JarFile jar, JarEntry entry) throws IOException {
        return jar.getInputStream(entry).readAllBytes();
    }
}
