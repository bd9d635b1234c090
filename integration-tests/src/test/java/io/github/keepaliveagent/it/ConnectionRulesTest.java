package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Paths;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Connection rules in forked JVMs on loopback: user_timeout=auto read back with getsockopt, per rule; what
 * the start-up line and --help say; bad rules at start-up (one line each, strict mode stops the JVM).
 */
class ConnectionRulesTest {

    private static final String[] OPENS = {"--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens",
        "java.base/java.io=ALL-UNNAMED"};

    static List<String> jdks() {
        return ForkedJvm.jdks().toList();
    }

    /**
     * UserTimeoutApp's three client connections (Socket, SocketChannel, AsynchronousSocketChannel) match the
     * rule; the three it accepts do not (dir=out) and get the global user_timeout=auto.
     */
    @ParameterizedTest
    @MethodSource("jdks")
    void userTimeoutAutoIsTheDerivedValueGlobalAndPerRule(String jdk) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent().jvmArgs(OPENS).env("KEEPIDLE", "20").env("KEEPINTVL", "2")
                .env("KEEPCNT", "5").env("KEEPALIVE_USER_TIMEOUT", "auto")
                .env("KEEPALIVE_RULES", "dir=out+addr=127.0.0.0/8+idle=10+user_timeout=auto");
        ForkedJvm.Result result = jvm.run(jvm.command("io.github.keepaliveagent.it.apps.UserTimeoutApp",
                System.getProperty("test.classes")));
        List<String> lines = result.out.lines().filter(l -> l.startsWith("fd ")).toList();
        assertEquals(6, lines.size(), result.toString());
        assertEquals(3, lines.stream().filter(l -> l.endsWith(" user_timeout=20000")).count(),
                "10 + 2 x 5 s on the connections the rule names: " + result);
        assertEquals(3, lines.stream().filter(l -> l.endsWith(" user_timeout=30000")).count(),
                "20 + 2 x 5 s on the others: " + result);
        assertTrue(result.agentLines().stream().anyMatch(l -> l.startsWith("keepalive-agent INFO:")
                && l.contains("user_timeout=30s (auto: idle + interval x count, KEEPALIVE_USER_TIMEOUT)")
                && l.contains("; rules (KEEPALIVE_RULES), first match wins: 1) dir=out+addr=127.0.0.0/8: idle=10s,"
                        + " interval=2s, count=5, user_timeout=20s; other connections: the values above")),
                result.toString());
        assertTrue(!result.err.contains("ERROR") && !result.err.contains("WARN"), result.toString());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void badRulesAreOneLineEachAndStrictModeStopsTheJvm(String jdk) throws Exception {
        String bad = "port=0+idle=5;addr=10.0.0.0/33+idle=5;dir=out+idle=5";
        ForkedJvm lenient = new ForkedJvm(jdk).withAgent().env("KEEPIDLE", "60").env("KEEPALIVE_RULES", bad);
        ForkedJvm.Result runs = lenient.runExample("example.OneSocket");
        assertEquals(0, runs.exitCode, runs.toString());
        List<String> errors = runs.agentLines().stream().filter(l -> l.startsWith("keepalive-agent ERROR:")).toList();
        assertEquals(List.of("keepalive-agent ERROR: KEEPALIVE_RULES rule 1 of 3 \"port=0+idle=5\" is not valid:"
                + " port=\"0\": expected a port from 1 to 65535 or a range such as 8000-8999 (the local port of an"
                + " inbound connection, the remote port of an outbound one); no rule is applied: every connection gets"
                + " the global values", "keepalive-agent ERROR: KEEPALIVE_RULES rule 2 of 3 \"addr=10.0.0.0/33+idle=5\""
                + " is not valid: addr=\"10.0.0.0/33\": the prefix /33 is longer than an IPv4 address (32 bits); no"
                + " rule is applied: every connection gets the global values"), errors, runs.toString());
        assertTrue(runs.agentLines().stream().anyMatch(l -> l.contains("idle=60s (KEEPIDLE)") && !l.contains("rules")),
                "the global values apply, no rule: " + runs);

        ForkedJvm strict = new ForkedJvm(jdk).withAgent().env("KEEPALIVE_RULES", bad).env("KEEPALIVE_STRICT", "true");
        ForkedJvm.Result stopped = strict.runExample("example.OneSocket");
        assertEquals(78, stopped.exitCode, stopped.toString());
        assertTrue(stopped.err.contains("strict mode: stopping the JVM"), stopped.toString());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void helpShowsTheRulesRowAndWhatThisEnvironmentWouldApply(String jdk) throws Exception {
        List<String> command = List.of(Paths.get(jdk, "bin", "java").toString(), "-jar", ForkedJvm.AGENT_JAR.toString(),
                "--help");
        ForkedJvm.Result help = new ForkedJvm(jdk).env("KEEPALIVE_RULES", "dir=out+addr=10.1.0.0/16+idle=30;"
                + "port=5432+keepalive=off").run(command);
        assertEquals(0, help.exitCode, help.toString());
        assertTrue(help.out.contains("  rules         KEEPALIVE_RULES"), help.out);
        assertTrue(help.out.contains("rules (KEEPALIVE_RULES), first match wins: 1) dir=out+addr=10.1.0.0/16: idle=30s;"
                + " 2) port=5432: keepalive off (left alone); other connections: the values above"), help.out);
    }
}
