package io.github.keepaliveagent.it.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.MountableFile;

/**
 * examples/systemd/keepalive.conf: its Environment= lines, read as systemd reads them, name the
 * agent's real variables with valid values, and give a JVM started with them the agent.
 */
class SystemdExampleTest {

    /** The environment a service gets from the drop-in's [Service] Environment= lines. */
    static Map<String, String> environment() throws Exception {
        String dropIn = Containers.read(Containers.ROOT.resolve("examples/systemd/keepalive.conf"));
        Map<String, String> env = new LinkedHashMap<>();
        String section = null;
        for (String raw : dropIn.split("\n")) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = line;
                continue;
            }
            int eq = line.indexOf('=');
            assertTrue(eq > 0, "not a setting: " + raw);
            String key = line.substring(0, eq).trim();
            assertEquals("[Service]", section, key + " outside [Service]");
            assertEquals("Environment", key, "the drop-in only adds environment: " + raw);
            String value = line.substring(eq + 1).trim();
            if (value.isEmpty()) {
                env.clear(); // systemd: an empty assignment resets the list
            }
            for (String word : words(value)) {
                int at = word.indexOf('=');
                assertTrue(at > 0, "not NAME=VALUE: " + word);
                env.put(word.substring(0, at), word.substring(at + 1));
            }
        }
        return env;
    }

    /** systemd's word splitting for Environment=: whitespace-separated, quotes removed, backslash escapes. */
    static List<String> words(String value) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\\' && i + 1 < value.length()) {
                word.append(value.charAt(++i));
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else {
                word.append(c);
            }
        }
        assertEquals(0, quote, "unbalanced quote in: " + value);
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    @Test
    void systemdWordSplittingAsDocumented() {
        // The example of systemd.exec(5): Environment="VAR1=word1 word2" VAR2=word3 "VAR3=$word 5 6"
        assertEquals(List.of("VAR1=word1 word2", "VAR2=word3", "VAR3=$word 5 6"),
                words("\"VAR1=word1 word2\" VAR2=word3 \"VAR3=$word 5 6\""));
    }

    @Test
    void theVariablesAreTheAgentsAndValid() throws Exception {
        Map<String, String> env = environment();
        String agent = env.remove("JAVA_TOOL_OPTIONS");
        assertTrue(agent != null && agent.startsWith("-javaagent:/"), "JAVA_TOOL_OPTIONS=-javaagent:<absolute path>: " + agent);
        assertEquals(Containers.AGENT_JAR.getFileName(), Paths.get(agent.substring("-javaagent:".length())).getFileName());
        assertEquals(List.of("KEEPIDLE", "KEEPINTVL", "KEEPCNT"), List.copyOf(env.keySet()));
        AgentOptions.assertValid(env, "keepalive.conf");
    }

    /** A JVM started with the drop-in's environment, the agent jar at the path it names. */
    @Test
    void aJvmStartedWithTheDropInsEnvironmentGetsTheAgent() throws Exception {
        Containers.requireDockerAndImage();
        Map<String, String> env = environment();
        String jar = env.get("JAVA_TOOL_OPTIONS").substring("-javaagent:".length());
        try (GenericContainer<?> service = Containers.holdingConnections(Containers.container(Containers.IMAGE), "java")
                .withCopyFileToContainer(MountableFile.forHostPath(Containers.AGENT_JAR), jar)
                .withEnv(env)) {
            service.start();
            Containers.assertKeepaliveTimers(Containers.ss(service), Integer.parseInt(env.get("KEEPIDLE")));
            String err = Containers.stderr(service);
            Containers.assertEverySocket("keepalive=true idle=" + env.get("KEEPIDLE") + " interval=" + env.get("KEEPINTVL")
                    + " count=" + env.get("KEEPCNT"), Containers.stdout(service), err);
            assertTrue(err.contains("keepalive-agent INFO: keepalive-agent 1.0.0: SO_KEEPALIVE on"), err);
        }
    }
}
