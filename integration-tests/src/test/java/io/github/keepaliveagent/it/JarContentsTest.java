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

/** The jar holds the agent's own package and its manifest: nothing that could clash with an application. */
class JarContentsTest {

    @Test
    void onlyTheAgentsOwnPackageAndMetaInf() throws Exception {
        List<String> foreign = new ArrayList<>();
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                boolean own = name.startsWith("io/github/keepaliveagent/") || name.equals("io/")
                        || name.equals("io/github/");
                boolean meta = name.equals("META-INF/") || name.equals("META-INF/MANIFEST.MF") || name.equals("META-INF/services/")
                        || name.matches("META-INF/services/io\\.github\\.keepaliveagent\\.shaded\\.[\\w.]+");
                if (!(own || meta) || name.endsWith(".dll") || name.contains("module-info")) {
                    foreign.add(name);
                }
            }
        }
        assertEquals(List.of(), foreign);
    }

    @Test
    void manifestDeclaresEveryEntryPoint() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.github.keepaliveagent.KeepAliveAgent", main.getValue("Premain-Class"));
            assertEquals("io.github.keepaliveagent.KeepAliveAgent", main.getValue("Agent-Class"));
            assertEquals("io.github.keepaliveagent.Cli", main.getValue("Main-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertTrue(main.getValue("Implementation-Version").matches("\\d+\\.\\d+\\.\\d+.*"));
        }
    }

    @Test
    void agentClassesAreJava8Bytecode() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            for (String name : List.of("io/github/keepaliveagent/KeepAliveAgent.class",
                    "io/github/keepaliveagent/Installer.class",
                    "io/github/keepaliveagent/bootstrap/KeepAliveDispatcher.class")) {
                byte[] head = jar.getInputStream(jar.getEntry(name)).readNBytes(8);
                assertEquals(52, head[7], name + " must be Java 8 (52) bytecode");
            }
        }
    }
}
