package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent injected host-wide (JAVA_TOOL_OPTIONS): the JDK's own tools, {@code java -version} and the
 * agent's own command line get nothing (no line, no class of the agent proper); the operator chooses programs
 * with include/exclude; a bad pattern is one clear line. JDK 17 and 25.
 */
class HostWideTest {

    /** What premain loads in a JVM it skips: the launcher's two classes, and nothing else of the agent. */
    private static final List<String> SKIPPED_LOADS = List.of("io.github.keepaliveagent.launcher.Launcher",
            "io.github.keepaliveagent.launcher.Selection");

    static Stream<Arguments> toolsOnEachJdk() {
        List<Arguments> cases = new ArrayList<>();
        for (String jdk : ForkedJvm.jdks().collect(Collectors.toList())) {
            for (String tool : List.of("keytool -help", "jps", "jcmd -h", "javac -version", "java -version")) {
                cases.add(Arguments.of(jdk, tool));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("toolsOnEachJdk")
    void aJdkToolGetsNothingOfTheAgent(String jdk, String tool, @TempDir Path dir) throws Exception {
        Path classes = dir.resolve("classes.log");
        List<String> command = new ArrayList<>(List.of(tool.split(" ")));
        command.set(0, Paths.get(ForkedJvm.requireJdk(jdk), "bin", command.get(0)).toString());
        ForkedJvm.Result result = new ForkedJvm(jdk).env("KEEPIDLE", "60")
                .env("JAVA_TOOL_OPTIONS", ForkedJvm.javaAgent() + " -Xlog:class+load=info:file=" + classes)
                .run(command);
        assertEquals(List.of(), agentLines(result), result.toString());
        assertEquals(SKIPPED_LOADS, agentClasses(classes), "the agent proper is never loaded");

        ForkedJvm.Result debug = new ForkedJvm(jdk).env("KEEPIDLE", "60").env("KEEPALIVE_LOG", "debug")
                .env("JAVA_TOOL_OPTIONS", ForkedJvm.javaAgent()).run(command);
        List<String> lines = agentLines(debug);
        assertEquals(1, lines.size(), debug.toString());
        assertTrue(lines.get(0).startsWith("keepalive-agent DEBUG: not loaded in this JVM: "
                + (tool.startsWith("java ") ? "no program" : "a JDK tool")), lines.get(0));
    }

    @Test
    void theAgentsOwnCommandLineGetsNothingOfItsOwnPremain(@TempDir Path dir) throws Exception {
        Path classes = dir.resolve("classes.log");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ForkedJvm.Result result = new ForkedJvm(System.getProperty("java.home")).env("KEEPIDLE", "60")
                .env("JAVA_TOOL_OPTIONS", ForkedJvm.javaAgent() + " -Xlog:class+load=info:file=" + classes)
                .run(List.of(java, "-jar", ForkedJvm.AGENT_JAR.toString(), "--version"));
        assertEquals("keepalive-agent " + ForkedJvm.VERSION + "\n", result.out);
        assertEquals(List.of(), agentLines(result), result.toString());
        assertTrue(!agentClasses(classes).contains("io.github.keepaliveagent.config.Startup"),
                "premain stopped at the selection: " + agentClasses(classes));
    }

    /** An excluded program keeps every socket as the program made it; an included one is configured. */
    @ParameterizedTest(name = "{0}={1}: {2}")
    @CsvSource({
        "KEEPALIVE_EXCLUDE, example.EverySocketKind, false",
        "KEEPALIVE_EXCLUDE, example.Every*:x, false",
        "KEEPALIVE_EXCLUDE, other.*, true",
        "KEEPALIVE_INCLUDE, example.*, true",
        "KEEPALIVE_INCLUDE, kafka*.jar:org.apache.*, false",
    })
    void includeAndExcludeChooseThePrograms(String variable, String patterns, boolean configured) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(System.getProperty("java.home")).withAgent().env("KEEPIDLE", "60")
                .env(variable, patterns).runExample("example.EverySocketKind");
        assertEquals(0, result.exitCode, result.toString());
        for (String kind : EverySocketKindTest.TCP_KINDS) {
            assertEquals(configured, result.line(kind).startsWith("keepalive=true idle=60 "), kind + "\n" + result);
        }
        assertEquals(configured ? 1 : 0, agentLines(result).size(), "the start-up line, or nothing:\n" + result);
    }

    @ParameterizedTest(name = "KEEPALIVE_INCLUDE=\"{0}\"")
    @CsvSource(delimiter = '|', value = {
        "a b | holds a space",
        "x: | entry 2 of 2 is empty",
        "/opt/kafka/libs/kafka.jar | never a path",
        "'' | expected globs",
    })
    void aBadPatternIsOneClearLineAndTheProgramIsConfiguredAsWithoutIt(String value, String why) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(System.getProperty("java.home")).withAgent().env("KEEPIDLE", "60")
                .env("KEEPALIVE_INCLUDE", value).runExample("example.EverySocketKind");
        List<String> errors = agentLines(result).stream().filter(l -> l.contains(" ERROR: ")).toList();
        assertEquals(1, errors.size(), result.toString());
        assertTrue(errors.get(0).startsWith("keepalive-agent ERROR: KEEPALIVE_INCLUDE=\"" + value + "\" is not valid: "),
                errors.get(0));
        assertTrue(errors.get(0).contains(why) && errors.get(0).endsWith("it is ignored and include stays every program"),
                errors.get(0));
        assertEquals("keepalive=true idle=60 interval=75 count=9", result.line("socket.client").replaceAll(
                "interval=\\d+ count=\\d+", "interval=75 count=9"), result.toString());

        ForkedJvm.Result strict = new ForkedJvm(System.getProperty("java.home")).withAgent()
                .env("KEEPALIVE_STRICT", "true").env("KEEPALIVE_INCLUDE", value).runExample("example.EverySocketKind");
        assertEquals(78, strict.exitCode, "strict mode stops the JVM before the program:\n" + strict);
    }

    private static List<String> agentLines(ForkedJvm.Result result) {
        return Stream.concat(result.out.lines(), result.err.lines())
                .filter(l -> l.matches("keepalive-agent (DEBUG|INFO|WARN|ERROR): .*")).collect(Collectors.toList());
    }

    /** The agent's classes a JVM loaded, in order, from its -Xlog:class+load file. */
    private static List<String> agentClasses(Path log) throws Exception {
        return Files.readAllLines(log).stream().map(l -> l.replaceFirst("^\\[[^]]*\\]\\[[^]]*\\]\\[[^]]*\\] ", ""))
                .map(l -> l.split(" ")[0]).filter(c -> c.startsWith("io.github.keepaliveagent."))
                .collect(Collectors.toList());
    }
}
