package io.github.keepaliveagent.it.containers;

import io.github.keepaliveagent.it.ForkedJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.MountableFile;

/**
 * examples/systemd/keepalive.conf: its lines, read as systemd reads them, name the agent's real
 * variables with valid values; played in a container the way systemd runs a unit with that drop-in
 * (ExecStartPre=, then ExecStart= with the environment files read again), a JVM gets the agent with
 * the unit's own JAVA_TOOL_OPTIONS kept, and starts without the agent when the jar is missing.
 */
class SystemdExampleTest {

    private static final String UNIT = "my-app.service";
    /** systemd's default PATH for services. */
    private static final String SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin";
    private static final String UNIT_ENV_FILE = "/etc/my-app.env";

    /** The drop-in's [Service] settings, in order: key and value, %n already replaced. */
    static List<String[]> dropIn() throws Exception {
        return settings(Containers.read(Containers.ROOT.resolve("examples/systemd/keepalive.conf")));
    }

    static List<String[]> settings(String unitFile) {
        List<String[]> settings = new ArrayList<>();
        String section = null;
        for (String raw : unitFile.split("\n")) {
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
            settings.add(new String[] {key, line.substring(eq + 1).trim().replace("%n", UNIT)});
        }
        return settings;
    }

    /** The variables of the Environment= lines (systemd: in order, the last assignment wins). */
    static Map<String, String> environmentLines(List<String[]> settings) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String[] setting : settings) {
            if (!"Environment".equals(setting[0])) {
                continue;
            }
            if (setting[1].isEmpty()) {
                env.clear(); // systemd: an empty assignment resets the list
            }
            for (String word : words(setting[1])) {
                int at = word.indexOf('=');
                assertTrue(at > 0, "not NAME=VALUE: " + word);
                env.put(word.substring(0, at), word.substring(at + 1));
            }
        }
        return env;
    }

    static List<String> values(List<String[]> settings, String key) {
        List<String> values = new ArrayList<>();
        for (String[] setting : settings) {
            if (key.equals(setting[0])) {
                values.add(setting[1]);
            }
        }
        return values;
    }

    /** systemd's word splitting for Environment= and Exec*=: whitespace-separated, quotes removed, backslash escapes. */
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

    /**
     * An environment file as systemd reads it: NAME=VALUE lines, # comments, a value in double quotes
     * with backslash escapes, or in single quotes as it is.
     */
    static Map<String, String> environmentFile(String content) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String raw : content.split("\n")) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            int eq = line.indexOf('=');
            assertTrue(eq > 0, "not NAME=VALUE: " + raw);
            String value = line.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                value = value.substring(1, value.length() - 1);
            } else if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                StringBuilder unescaped = new StringBuilder();
                for (int i = 1; i < value.length() - 1; i++) {
                    char c = value.charAt(i);
                    unescaped.append(c == '\\' && i + 1 < value.length() - 1 ? value.charAt(++i) : c);
                }
                value = unescaped.toString();
            }
            env.put(line.substring(0, eq).trim(), value);
        }
        return env;
    }

    @Test
    void systemdWordSplittingAsDocumented() {
        // The example of systemd.exec(5): Environment="VAR1=word1 word2" VAR2=word3 "VAR3=$word 5 6"
        assertEquals(List.of("VAR1=word1 word2", "VAR2=word3", "VAR3=$word 5 6"),
                words("\"VAR1=word1 word2\" VAR2=word3 \"VAR3=$word 5 6\""));
        assertEquals(Map.of("A", "x \"y\" $z", "B", "as is"), environmentFile("# c\nA=\"x \\\"y\\\" \\$z\"\nB='as is'\n"));
    }

    @Test
    void theVariablesAreTheAgentsAndValid() throws Exception {
        List<String[]> dropIn = dropIn();
        Map<String, String> env = environmentLines(dropIn);
        assertEquals(List.of("KEEPIDLE", "KEEPINTVL", "KEEPCNT"), List.copyOf(env.keySet()),
                "JAVA_TOOL_OPTIONS is keepalive-agent-env's to write");
        AgentOptions.assertValid(env, "keepalive.conf");
        // ExecStartPre= writes the file EnvironmentFile= reads (optional: "-"), ExecStopPost= removes it.
        List<String> pre = words(values(dropIn, "ExecStartPre").get(0));
        assertEquals(List.of("+/bin/sh", Containers.AGENT_DIR + "/keepalive-agent-env", "--write"), pre.subList(0, 3));
        assertEquals(List.of("-" + pre.get(3)), values(dropIn, "EnvironmentFile"));
        assertEquals(List.of("+/bin/rm", "-f", pre.get(3)), words(values(dropIn, "ExecStopPost").get(0)));
    }

    @Test
    @Tag("docker")
    void theUnitsOwnEnvironmentLineIsKeptAfterTheAgent() throws Exception {
        String err = playTheService("Environment=JAVA_TOOL_OPTIONS=-Dunit.environment=kept\n", null, true);
        assertTrue(err.startsWith("Picked up JAVA_TOOL_OPTIONS: -javaagent:" + Containers.AGENT_IN_CONTAINER
                + " -Dunit.environment=kept\nkeepalive-agent INFO: keepalive-agent " + ForkedJvm.VERSION + ": SO_KEEPALIVE on"), err);
    }

    @Test
    @Tag("docker")
    void theUnitsOwnEnvironmentFileIsKeptAfterTheAgent() throws Exception {
        // The unit's file wins over its Environment= line (systemd), the drop-in's file over both.
        String err = playTheService("Environment=JAVA_TOOL_OPTIONS=-Dunit.environment=lost\n"
                + "EnvironmentFile=" + UNIT_ENV_FILE + "\n", "JAVA_TOOL_OPTIONS=\"-Dunit.file=kept -Dx=\\\"a b\\\"\"\n", true);
        assertTrue(err.startsWith("Picked up JAVA_TOOL_OPTIONS: -javaagent:" + Containers.AGENT_IN_CONTAINER
                + " -Dunit.file=kept -Dx=\"a b\"\nkeepalive-agent INFO: keepalive-agent " + ForkedJvm.VERSION + ": SO_KEEPALIVE on"), err);
    }

    /** The guard: no jar; the service starts with its own options only, without the agent. */
    @Test
    @Tag("docker")
    void withoutTheJarTheServiceStartsWithoutTheAgent() throws Exception {
        String err = playTheService("EnvironmentFile=" + UNIT_ENV_FILE + "\n", "JAVA_TOOL_OPTIONS=-Dunit.file=kept\n",
                false);
        assertEquals("Picked up JAVA_TOOL_OPTIONS: -Dunit.file=kept\n", err);
    }

    /**
     * Plays systemd's start of a unit with {@code unitLines} and the drop-in, in a container of the
     * test image: the environment of the Environment= lines (the unit's, then the drop-in's) and of
     * the environment files that exist (in order, each winning over what came before); ExecStartPre=
     * run with it; then ExecStart= (EverySocketKind) with the files read again; then ExecStopPost=.
     * Returns ExecStart's stderr after checking its sockets.
     */
    private static String playTheService(String unitLines, String unitEnvFile, boolean withJar) throws Exception {
        Containers.requireDockerAndImage();
        List<String[]> settings = settings("[Service]\n" + unitLines);
        settings.addAll(dropIn());
        GenericContainer<?> container = Containers.container(Containers.IMAGE)
                .withCopyFileToContainer(MountableFile.forHostPath(Containers.ROOT.resolve("examples/keepalive-agent-env"),
                        0755), Containers.AGENT_DIR + "/keepalive-agent-env")
                .withCommand("sleep", "600");
        if (withJar) {
            Containers.withAgentJar(container);
        }
        if (unitEnvFile != null) {
            container.withCopyToContainer(Transferable.of(unitEnvFile), UNIT_ENV_FILE);
        }
        try (container) {
            container.start();
            Map<String, String> pre = serviceEnvironment(container, settings);
            for (String command : values(settings, "ExecStartPre")) {
                GenericContainer.ExecResult result = run(container, pre, command);
                assertEquals(0, result.getExitCode(), command + "\n" + result.getStderr());
                if (withJar) {
                    assertEquals("", result.getStderr(), command);
                } else {
                    assertEquals(Containers.GUARD_LINE + Containers.AGENT_IN_CONTAINER + " is not a readable file;"
                            + " the service starts without the agent\n", result.getStderr());
                }
            }
            Map<String, String> start = serviceEnvironment(container, settings);
            GenericContainer.ExecResult service = run(container, start,
                    "java -cp " + Containers.EXAMPLES_IN_CONTAINER + " example.EverySocketKind");
            String context = "service environment " + start + "\n--- stderr\n" + service.getStderr();
            assertEquals(0, service.getExitCode(), context);
            if (withJar) {
                Containers.assertEverySocket("keepalive=true idle=" + start.get("KEEPIDLE") + " interval="
                        + start.get("KEEPINTVL") + " count=" + start.get("KEEPCNT"), service.getStdout(), context);
            } else {
                Containers.assertNoAgent(service.getStdout(), service.getStderr(), context);
            }
            for (String command : values(settings, "ExecStopPost")) {
                assertEquals(0, run(container, start, command).getExitCode(), command);
            }
            String file = values(settings, "EnvironmentFile").get(values(settings, "EnvironmentFile").size() - 1);
            assertEquals(1, container.execInContainer("test", "-e", file.substring(1)).getExitCode(),
                    "ExecStopPost= removes " + file);
            return service.getStderr();
        }
    }

    /** The environment systemd gives the unit's next command: Environment= lines, then the files that exist. */
    private static Map<String, String> serviceEnvironment(GenericContainer<?> container, List<String[]> settings)
            throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", SERVICE_PATH);
        env.putAll(environmentLines(settings));
        for (String file : values(settings, "EnvironmentFile")) {
            boolean optional = file.startsWith("-");
            String path = optional ? file.substring(1) : file;
            GenericContainer.ExecResult cat = container.execInContainer("cat", path);
            if (cat.getExitCode() != 0) {
                assertTrue(optional, "a required EnvironmentFile= is missing: " + path);
                continue;
            }
            env.putAll(environmentFile(cat.getStdout()));
        }
        return env;
    }

    /** An Exec*= command line ("+" and "-" prefixes dropped) run with exactly {@code env}. */
    private static GenericContainer.ExecResult run(GenericContainer<?> container, Map<String, String> env, String line)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("env", "-i"));
        env.forEach((name, value) -> command.add(name + "=" + value));
        List<String> words = words(line);
        words.set(0, words.get(0).replaceFirst("^[-+!@:]+", ""));
        command.addAll(words);
        return container.execInContainer(command.toArray(new String[0]));
    }
}
