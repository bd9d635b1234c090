package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

/**
 * The jar's layout: the launcher is the only package a class loader finds on the class path; the agent
 * proper and its relocated libraries are stored where no class path looks; nothing could clash with an
 * application's own classes or services.
 */
class JarContentsTest {

    @Test
    void onlyTheLauncherIsOnTheClassPathTheRestIsHidden() throws Exception {
        List<String> foreign = new ArrayList<>();
        int hidden = 0;
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                boolean launcher = name.startsWith("io/github/keepaliveagent/launcher/") || name.equals("io/")
                        || name.equals("io/github/") || name.equals("io/github/keepaliveagent/");
                boolean agent = name.startsWith("keepalive-agent/io/github/keepaliveagent/") && name.endsWith(".classdata")
                        || name.equals("keepalive-agent/KeepAliveAgentDispatcher.class")
                        || name.equals("keepalive-agent/packages");
                boolean meta = name.equals("META-INF/") || name.equals("META-INF/MANIFEST.MF");
                hidden += agent ? 1 : 0;
                if (!(launcher || agent || meta) || name.endsWith(".dll") || name.contains("module-info")) {
                    foreign.add(name);
                }
            }
        }
        assertEquals(List.of(), foreign, "no service files, no foreign packages, no native libraries");
        assertTrue(hidden > 100, "the agent, ASM, byte-buddy-agent and tinylog are stored hidden: " + hidden);
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
    void agentClassesAreJava8Bytecode() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            for (String name : List.of("io/github/keepaliveagent/launcher/Launcher.class",
                    "keepalive-agent/io/github/keepaliveagent/core/Agent.classdata",
                    "keepalive-agent/io/github/keepaliveagent/apply/Applier.classdata",
                    "keepalive-agent/KeepAliveAgentDispatcher.class")) {
                byte[] head = jar.getInputStream(jar.getEntry(name)).readNBytes(8);
                assertEquals(52, head[7], name + " must be Java 8 (52) bytecode");
            }
        }
    }
}
