package io.github.keepaliveagent.it.containers;

import io.github.keepaliveagent.it.ForkedJvm;
import static io.github.keepaliveagent.it.containers.Containers.AGENT_IN_CONTAINER;
import static io.github.keepaliveagent.it.containers.Containers.assertEverySocket;
import static io.github.keepaliveagent.it.containers.Containers.assertKeepaliveTimers;
import static io.github.keepaliveagent.it.containers.Containers.assertNoKeepaliveTimer;
import static io.github.keepaliveagent.it.containers.Containers.container;
import static io.github.keepaliveagent.it.containers.Containers.holdingConnections;
import static io.github.keepaliveagent.it.containers.Containers.java;
import static io.github.keepaliveagent.it.containers.Containers.ss;
import static io.github.keepaliveagent.it.containers.Containers.stderr;
import static io.github.keepaliveagent.it.containers.Containers.stdout;
import static io.github.keepaliveagent.it.containers.Containers.withAgentJar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;

/**
 * The JDK matrix: OpenJDK 8, 11, 17, 21, 25, 26 and 27 ({@link Containers#JDKS}), each in a container of the locally built image
 * whose only change is the agent jar copied in and JAVA_TOOL_OPTIONS, KEEPIDLE, KEEPINTVL and
 * KEEPCNT in its environment. The unmodified program EverySocketKind opens every TCP socket kind;
 * the result is read back by the program itself and seen from outside it with {@code ss -tnoe}; a JDK
 * tool in the same container gets nothing of the agent.
 */
@Tag("docker")
class JdkMatrixTest {

    private static final String AGENT_OPTION = "-javaagent:" + AGENT_IN_CONTAINER;
    private static final String PICKED_UP = "Picked up JAVA_TOOL_OPTIONS: " + AGENT_OPTION;
    /** What premain loads in a JVM it skips: the launcher's two classes, and nothing else of the agent. */
    private static final List<String> SKIPPED_LOADS = List.of("io.github.keepaliveagent.launcher.Launcher",
            "io.github.keepaliveagent.launcher.Selection");
    /** A class-load line: JDK 8's -verbose:class, JDK 9+'s -Xlog:class+load (default decorations). */
    private static final Pattern CLASS_LOAD = Pattern.compile(
            "\\[(?:Loaded |[^\\]]*\\]\\[info\\]\\[class,load\\] )(\\S+) .*");

    /**
     * What {@code socket.connect} reads back after the program's own {@code setKeepAlive(false)}, with
     * the agent's default settings: the one line to change when the default semantics change.
     */
    static final String AFTER_PROGRAM_KEEPALIVE_OFF = "keepalive=true"; // force=keepalive, the default

    static IntStream jdks() {
        return IntStream.of(Containers.JDKS);
    }

    @BeforeEach
    void docker() {
        Containers.requireDockerAndImage();
    }

    @ParameterizedTest(name = "JDK {0}")
    @MethodSource("jdks")
    void everySocketKindGetsTheOptionsSeenFromInsideAndOutside(int jdk) throws Exception {
        try (GenericContainer<?> container = holdingConnections(withAgentJar(container(Containers.IMAGE)), java(jdk))
                .withEnv("JAVA_TOOL_OPTIONS", AGENT_OPTION)
                .withEnv("KEEPIDLE", "90").withEnv("KEEPINTVL", "10").withEnv("KEEPCNT", "5")) {
            container.start();
            List<String> ss = ss(container);
            String out = stdout(container);
            String err = stderr(container);
            String context = "on JDK " + jdk + "\n--- stderr\n" + err;

            assertKeepaliveTimers(ss, 90);
            assertEverySocket("keepalive=true idle=90 interval=10 count=5", out, context);
            // Nothing else on stderr: the JVM's own line for JAVA_TOOL_OPTIONS, then the agent's one line.
            assertEquals(PICKED_UP + "\nkeepalive-agent INFO: keepalive-agent " + ForkedJvm.VERSION + ": SO_KEEPALIVE on, idle=90s (KEEPIDLE),"
                    + " interval=10s (KEEPINTVL), count=5 (KEEPCNT); the program cannot switch keepalive off\n", err,
                    context);
            aJdkToolGetsNothingOfTheAgent(container, jdk);
        }
    }

    /**
     * keytool (the one JDK tool of each JDK's runtime package in the image), run in the same container, so
     * with the same JAVA_TOOL_OPTIONS: it prints nothing of the agent but the JVM's own "Picked up" line, and
     * loads nothing of it but what premain needs to skip a JDK tool (HostWideTest, on the host's JDK 17 and
     * 25). The classes it loads: -Xlog:class+load on JDK 9+, -verbose:class on JDK 8, both on stdout.
     */
    private static void aJdkToolGetsNothingOfTheAgent(GenericContainer<?> container, int jdk) throws Exception {
        String keytool = java(jdk).replaceFirst("/java$", "/keytool");
        GenericContainer.ExecResult tool = container.execInContainer(keytool,
                jdk == 8 ? "-J-verbose:class" : "-J-Xlog:class+load=info", "-help");
        String context = "keytool -help on JDK " + jdk + ", exit " + tool.getExitCode() + "\n--- stdout\n"
                + tool.getStdout() + "--- stderr\n" + tool.getStderr();
        List<String> loaded = new ArrayList<>();
        List<String> printed = new ArrayList<>();
        Stream.concat(tool.getStdout().lines(), tool.getStderr().lines()).forEach(line -> {
            Matcher load = CLASS_LOAD.matcher(line);
            if (load.matches()) {
                loaded.add(load.group(1));
            } else {
                printed.add(line);
            }
        });
        assertEquals(0, tool.getExitCode(), context);
        assertTrue(printed.contains("Key and Certificate Management Tool")
                && loaded.contains("sun.security.tools.keytool.Main"), "keytool ran, its classes logged: " + context);
        assertEquals(List.of(PICKED_UP), printed.stream().filter(l -> l.toLowerCase(Locale.ROOT).contains("keepalive"))
                .collect(Collectors.toList()), context);
        assertEquals(SKIPPED_LOADS, loaded.stream().filter(c -> c.startsWith("io.github.keepaliveagent."))
                .collect(Collectors.toList()), "the agent proper is never loaded: " + context);
    }

    /** The control: the same container without the agent, so the test above measures the agent. */
    @ParameterizedTest(name = "JDK {0}")
    @MethodSource("jdks")
    void withoutTheAgentNoSocketHasKeepalive(int jdk) throws Exception {
        try (GenericContainer<?> container = holdingConnections(container(Containers.IMAGE), java(jdk))
                .withEnv("KEEPIDLE", "90").withEnv("KEEPINTVL", "10").withEnv("KEEPCNT", "5")) {
            container.start();
            assertNoKeepaliveTimer(ss(container));
            String out = stdout(container);
            for (String kind : Containers.TCP_KINDS) {
                assertTrue(Containers.line(out, kind).startsWith("keepalive=false "), kind + " on JDK " + jdk + "\n" + out);
            }
            assertEquals("", stderr(container));
        }
    }

    /** The program's own choices, made after the socket exists, win: libkeepalive's rule, on each JDK's code path. */
    @ParameterizedTest(name = "JDK {0}")
    @MethodSource("jdks")
    void theProgramCannotSwitchKeepaliveOffButItsOwnIdleWins(int jdk) throws Exception {
        try (GenericContainer<?> container = withAgentJar(container(Containers.IMAGE))
                .withEnv("JAVA_TOOL_OPTIONS", AGENT_OPTION)
                .withEnv("KEEPIDLE", "60").withEnv("KEEPINTVL", "10").withEnv("KEEPCNT", "5")
                .withCommand(java(jdk), "-cp", Containers.EXAMPLES_IN_CONTAINER, "example.EverySocketKind", "--app-sets")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(90)))) {
            container.start();
            String out = stdout(container);
            String context = "JDK " + jdk + "\n" + out + "--- stderr\n" + stderr(container);
            assertEquals(AFTER_PROGRAM_KEEPALIVE_OFF + " idle=60 interval=10 count=5", Containers.line(out, "socket.connect"),
                    context);
            assertEquals("keepalive=true idle=33 interval=10 count=5", Containers.line(out, "channel.nonblocking"), context);
            assertEquals("keepalive=true idle=60 interval=10 count=5", Containers.line(out, "socket.client"), context);
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @MethodSource("jdks")
    void aBadValueGivesTheClearMessageAndTheJvmRuns(int jdk) throws Exception {
        try (GenericContainer<?> container = withAgentJar(container(Containers.IMAGE))
                .withEnv("JAVA_TOOL_OPTIONS", AGENT_OPTION)
                .withEnv("KEEPIDLE", "abc").withEnv("KEEPINTVL", "10").withEnv("KEEPCNT", "5")
                .withCommand(java(jdk), "-cp", Containers.EXAMPLES_IN_CONTAINER, "example.EverySocketKind")
                // The program runs to its end and exits with status 0, or start() fails.
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(90)))) {
            container.start();
            String out = stdout(container);
            String err = stderr(container);
            String context = "on JDK " + jdk + "\n--- stderr\n" + err;
            String[] lines = err.split("\n");
            assertEquals(3, lines.length, context);
            assertEquals(PICKED_UP, lines[0], context);
            assertEquals("keepalive-agent ERROR: KEEPIDLE=\"abc\" is not valid: expected a whole number from 1 to 32767"
                    + " (the kernel's limits); it is ignored and idle stays kernel default", lines[1], context);
            Matcher info = Pattern.compile("keepalive-agent INFO: keepalive-agent " + java.util.regex.Pattern.quote(ForkedJvm.VERSION) + ": SO_KEEPALIVE on,"
                    + " idle=(\\d+)s \\(kernel default\\), interval=10s \\(KEEPINTVL\\), count=5 \\(KEEPCNT\\);"
                    + " the program cannot switch keepalive off")
                    .matcher(lines[2]);
            assertTrue(info.matches(), context);
            // The other options apply; idle is the kernel's (the container's network namespace's) value.
            assertEverySocket("keepalive=true idle=" + info.group(1) + " interval=10 count=5", out, context);
            assertTrue(out.contains("ready pid="), out);
        }
    }
}
