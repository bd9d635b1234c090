package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** How the agent is configured and switched, seen from a forked JVM running an unmodified program. */
class ConfigurationTest {

    static List<String> jdks() {
        return ForkedJvm.jdks().toList();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void agentArgumentsWinOverTheEnvironment(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).jvmArgs(ForkedJvm.javaAgent() + "=idle=30,count=4")
                .keepalive60x10x5().runExample("example.EverySocketKind");
        assertEquals("keepalive=true idle=30 interval=10 count=4", result.line("channel.client"), result.toString());
        assertTrue(result.agentLines().get(0).contains("idle=30s (agent argument idle)"), result.toString());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void javaToolOptionsInjectsTheAgent(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).env("JAVA_TOOL_OPTIONS", ForkedJvm.javaAgent())
                .keepalive60x10x5().runExample("example.EverySocketKind");
        assertEquals(0, result.exitCode, result.toString());
        assertEquals("keepalive=true idle=60 interval=10 count=5", result.line("async.accepted"), result.toString());
        assertEquals("keepalive=true idle=60 interval=10 count=5", result.line("socket.client"), result.toString());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aSecondJavaagentOfTheSameJarIsANoOp(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().withAgent().keepalive60x10x5()
                .runExample("example.EverySocketKind");
        assertEquals(1, result.agentLines().size(), result.toString());
        assertEquals("keepalive=true idle=60 interval=10 count=5", result.line("channel.client"), result.toString());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"KEEPIDLE, abc, 1 to 32767", "KEEPIDLE, 0, 1 to 32767", "KEEPIDLE, 99999, 1 to 32767",
            "KEEPIDLE, '', 1 to 32767", "KEEPCNT, 128, 1 to 127", "KEEPIDLE, 1e3, 1 to 32767"})
    void aBadValueGivesOneClearLineAndTheRestStillApplies(String variable, String value, String range)
            throws Exception {
        ForkedJvm jvm = new ForkedJvm(System.getProperty("java.home")).withAgent().keepalive60x10x5();
        ForkedJvm.Result result = jvm.env(variable, value).runExample("example.EverySocketKind");
        assertEquals(0, result.exitCode, "the program runs\n" + result);
        List<String> errors = result.agentLines().stream().filter(l -> l.contains("ERROR")).toList();
        assertEquals(1, errors.size(), result.toString());
        assertTrue(errors.get(0).contains(variable + "=\"" + value + "\" is not valid"), errors.get(0));
        assertTrue(errors.get(0).contains(range), errors.get(0));
        String applied = result.line("socket.client");
        assertTrue(applied.startsWith("keepalive=true "), applied);
        if (variable.equals("KEEPIDLE")) {
            assertTrue(applied.endsWith("interval=10 count=5") && !applied.contains("idle=60"), applied);
        } else {
            assertTrue(applied.startsWith("keepalive=true idle=60 interval=10 count="), applied);
            assertFalse(applied.endsWith("count=5"), applied);
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void strictModeStopsTheJvmWithTheSameMessage(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().keepalive60x10x5().env("KEEPALIVE_STRICT", "true")
                .env("KEEPINTVL", "forever").runExample("example.EverySocketKind");
        assertEquals(78, result.exitCode, result.toString());
        assertTrue(result.err.contains("KEEPINTVL=\"forever\" is not valid: expected a whole number from 1 to 32767"),
                result.toString());
        assertFalse(result.out.contains("ready"), "the program must not have run\n" + result);
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void keepaliveOffTurnsTheAgentOff(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().keepalive60x10x5().env("KEEPALIVE", "off")
                .runExample("example.EverySocketKind");
        for (String kind : EverySocketKindTest.TCP_KINDS) {
            assertTrue(result.line(kind).startsWith("keepalive=false "), kind + "\n" + result);
        }
        assertEquals(List.of("keepalive-agent INFO: keepalive-agent " + ForkedJvm.VERSION + " is off (KEEPALIVE): no socket is changed"),
                result.agentLines());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void debugLogsOneLinePerSocket(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().keepalive60x10x5().env("KEEPALIVE_LOG", "debug")
                .runExample("example.EverySocketKind");
        List<String> lines = result.agentLines();
        // 6 client sockets and 3 listening sockets configured; the 6 accepted connections inherit from
        // their listening socket (Linux); UDP and UNIX are not TCP.
        assertEquals(6, lines.stream().filter(l -> l.startsWith("keepalive-agent DEBUG: configured")
                && !l.contains("listening socket")).count(), result.toString());
        assertEquals(3, lines.stream().filter(l -> l.startsWith("keepalive-agent DEBUG: configured listening socket"))
                .count(), result.toString());
        assertEquals(6, lines.stream().filter(l -> l.contains("inherits its listening socket's settings")).count(),
                result.toString());
        // Named by their addresses once they have them: an accepted connection, local -> remote.
        assertTrue(lines.stream().anyMatch(l -> l.matches("keepalive-agent DEBUG: accepted SocketChannel /127\\.0\\.0"
                + "\\.1:\\d+ -> /127\\.0\\.0\\.1:\\d+: inherits .*")), result.toString());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aSecondAfterStartUpTheAgentChecksItselfOnSocketsOfItsOwn(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().keepalive60x10x5().env("KEEPALIVE_LOG", "debug")
                .runExample("example.EverySocketKind", "--hold", "3");
        assertTrue(result.err.contains("keepalive-agent DEBUG: self-check: a new Socket and a new SocketChannel got"
                + " SO_KEEPALIVE"), result.toString());
        // Its sockets are not the program's: not logged as configured, only the self-check's own line.
        assertEquals(6, result.agentLines().stream().filter(l -> l.startsWith("keepalive-agent DEBUG: configured")
                && !l.contains("listening socket")).count(), result.toString());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void anInvalidValueIsReportedEvenWithLogOffAndStrictModeSaysWhyItStops(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().env("KEEPALIVE_LOG", "off")
                .env("KEEPALIVE_STRICT", "true").env("KEEPIDLE", "abc").runExample("example.EverySocketKind");
        assertEquals(78, result.exitCode, result.toString());
        assertTrue(result.err.contains("keepalive-agent ERROR: KEEPIDLE=\"abc\" is not valid"), result.toString());
        assertTrue(result.err.contains("strict mode: stopping the JVM"), result.toString());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void logOffIsSilent(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().keepalive60x10x5().env("KEEPALIVE_LOG", "off")
                .runExample("example.EverySocketKind");
        assertEquals("", result.err);
        assertEquals("keepalive=true idle=60 interval=10 count=5", result.line("socket.client"));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void theJarsOwnHelpShowsOptionsSettingsAndKernelDefaults(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).env("KEEPIDLE", "60").env("KEEPCNT", "500")
                .run(List.of(jdk + "/bin/java", "-jar", ForkedJvm.AGENT_JAR.toString(), "--help"));
        assertEquals(0, result.exitCode, result.toString());
        assertTrue(result.out.contains("KEEPINTVL") && result.out.contains("KEEPALIVE_STRICT"), result.out);
        assertTrue(result.out.contains("idle=60s (KEEPIDLE)"), result.out);
        assertTrue(result.out.contains("ERROR: KEEPCNT=\"500\" is not valid"), result.out);
        assertTrue(result.out.contains("idle = 7200") || result.out.contains("idle = "), result.out);
        ForkedJvm.Result version = new ForkedJvm(jdk)
                .run(List.of(jdk + "/bin/java", "-jar", ForkedJvm.AGENT_JAR.toString(), "--version"));
        assertEquals("keepalive-agent " + ForkedJvm.VERSION + "\n", version.out);
    }

    /** JAVA_TOOL_OPTIONS and the command line may both name the jar: the first copy's settings stay. */
    @ParameterizedTest
    @MethodSource("jdks")
    void aSecondCopyOfTheAgentChangesNothingAndSaysSoWhenItsSettingsDiffer(String jdk) throws Exception {
        String jar = ForkedJvm.AGENT_JAR.toString();
        ForkedJvm twice = new ForkedJvm(jdk).jvmArgs("-javaagent:" + jar + "=idle=45",
                "-javaagent:" + jar + "=idle=90,strict=true,count=999");
        ForkedJvm.Result result = twice.runExample("example.EverySocketKind");
        assertEquals(0, result.exitCode, "the second copy's strict mode does not apply:\n" + result);
        assertTrue(result.line("channel.client").startsWith("keepalive=true idle=45 "), result.toString());
        assertEquals(1, result.agentLines().stream().filter(l -> l.contains("keepalive-agent WARN: the agent was given"
                + " twice") && l.contains("idle=45s") && l.contains("idle=90s")).count(), result.toString());

        ForkedJvm same = new ForkedJvm(jdk).env("KEEPIDLE", "50").jvmArgs("-javaagent:" + jar, "-javaagent:" + jar);
        ForkedJvm.Result quiet = same.runExample("example.EverySocketKind");
        assertEquals(1, quiet.agentLines().size(), "one start-up line, no warning:\n" + quiet);
        assertTrue(quiet.line("channel.client").startsWith("keepalive=true idle=50 "), quiet.toString());
    }
}
