package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.keepaliveagent.it.thirdparty.apps.KeepaliveOffApp;

/**
 * Every JDK API that switches keepalive off on a TCP connection (apps/KeepaliveOffApp: a Socket,
 * a SocketChannel's adaptor socket, SocketChannel.setOption, AsynchronousSocketChannel.setOption),
 * and a connection where the program sets its own TCP_KEEPIDLE=33, on JDK 17 and Temurin 25. Each
 * run is checked twice: what the program reads back (getOption) and what ss shows for each client
 * end. The agent's {@code force}:
 * <ul>
 *   <li>{@code keepalive} (default): every "off" is ignored, the program's own idle (33) stays;</li>
 *   <li>{@code off}: the program's "off" wins (libkeepalive's rule);</li>
 *   <li>{@code all}: keepalive everywhere and the operator's idle (60) replaces the program's 33.</li>
 * </ul>
 */
class KeepaliveOffApisTest {

    private static final String DRIVER = "io.github.keepaliveagent.it.thirdparty.apps.KeepaliveOffApp";
    private static final List<String> SWITCHED_OFF = List.of("socket", "adaptor", "channel", "async");
    private static final String OWN_IDLE = "ownidle";

    static Stream<Arguments> jdks() {
        String jdk25 = System.getProperty("jdk25.home");
        assertTrue(Files.isExecutable(Paths.get(jdk25, "bin", "java")), "JDK 25 expected at " + jdk25);
        return Stream.of(Arguments.of("17", System.getProperty("java.home")), Arguments.of("25", jdk25));
    }

    private static Program start(String javaHome, boolean agent, String force) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(javaHome, "bin", "java").toString());
        if (agent) {
            command.add("-javaagent:" + Program.AGENT_JAR);
        }
        command.addAll(List.of("-cp", Program.TEST_CLASSES.toString(), DRIVER, Program.HOLD_SECONDS));
        Map<String, String> env = agent ? new HashMap<>(Program.keepaliveEnv()) : new HashMap<>();
        if (force != null) {
            env.put("KEEPALIVE_FORCE", force);
        }
        Program program = Program.start(command, env);
        program.awaitReady();
        return program;
    }

    /** What one client end must show: "agent" (timer <= 60 s), "own" (timer <= 33 s), "none". */
    private static boolean shows(String expected, Ss.Connection c) {
        switch (expected) {
            case "agent":
                return c.hasAgentTimer();
            case "own":
                return "keepalive".equals(c.timer) && c.timerMillis > 0 && c.timerMillis <= KeepaliveOffApp.OWN_IDLE * 1000L;
            case "none":
                return !"keepalive".equals(c.timer);
            default:
                throw new IllegalArgumentException(expected);
        }
    }

    /**
     * One ss view of the five client ends (bounded wait until they all match), then every
     * connection checked, ss and read-back alike, all failures reported together.
     * {@code expected}: connection -> ss expectation ({@link #shows}), SO_KEEPALIVE, TCP_KEEPIDLE.
     */
    private static void assertConnections(Program app, Map<String, Object[]> expected) throws Exception {
        Map<String, String> ready = app.awaitReady();
        Map<Integer, String> byPort = new HashMap<>();
        expected.keySet().forEach(name -> byPort.put(Integer.parseInt(ready.get(name)), name));
        List<Ss.Connection> view = Ss.await(app.pid(), c -> byPort.containsKey(c.localPort), expected.size(),
                c -> shows((String) expected.get(byPort.get(c.localPort))[0], c));
        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, Object[]> entry : expected.entrySet()) {
            String name = entry.getKey();
            Object[] want = entry.getValue();
            int port = Integer.parseInt(ready.get(name));
            checks.add(() -> {
                List<Ss.Connection> mine = view.stream().filter(c -> c.localPort == port).collect(Collectors.toList());
                assertEquals(1, mine.size(), name + ": one client end in ss: " + Ss.lines(view));
                assertTrue(shows((String) want[0], mine.get(0)), name + ": ss should show " + want[0]
                        + " (agent = timer:(keepalive,<=60s,0), own = timer:(keepalive,<=33s,...), none = no keepalive"
                        + " timer): " + mine.get(0));
            });
            checks.add(() -> assertEquals(String.valueOf(want[1]), ready.get(name + ".keepalive"),
                    name + ": SO_KEEPALIVE read back by the program"));
            checks.add(() -> assertEquals(String.valueOf(want[2]), ready.get(name + ".idle"),
                    name + ": TCP_KEEPIDLE read back by the program"));
        }
        assertAll("java " + ready.get("java") + ", " + app, checks.stream());
    }

    private static Map<String, Object[]> expect(Object[] switchedOff, Object[] ownIdle) {
        Map<String, Object[]> expected = new LinkedHashMap<>();
        SWITCHED_OFF.forEach(name -> expected.put(name, switchedOff));
        expected.put(OWN_IDLE, ownIdle);
        return expected;
    }

    @ParameterizedTest(name = "JDK {0}")
    @MethodSource("jdks")
    void byDefaultEveryOffIsIgnoredAndTheProgramsOwnIdleStays(String feature, String javaHome) throws Exception {
        try (Program app = start(javaHome, true, null)) {
            assertEquals(feature, app.awaitReady().get("java"));
            assertConnections(app, expect(new Object[] {"agent", true, Program.KEEPIDLE},
                    new Object[] {"own", true, KeepaliveOffApp.OWN_IDLE}));
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @MethodSource("jdks")
    void withForceOffTheProgramsOffWins(String feature, String javaHome) throws Exception {
        try (Program app = start(javaHome, true, "off")) {
            assertEquals(feature, app.awaitReady().get("java"));
            assertTrue(app.output().contains("keepalive-agent"), "the agent was loaded: " + app);
            // The own-idle connection: keepalive on from the agent, the idle time from the program.
            assertConnections(app, expect(new Object[] {"none", false, Program.KEEPIDLE},
                    new Object[] {"own", true, KeepaliveOffApp.OWN_IDLE}));
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @MethodSource("jdks")
    void withForceAllTheOperatorsIdleReplacesTheProgramsOwn(String feature, String javaHome) throws Exception {
        try (Program app = start(javaHome, true, "all")) {
            assertEquals(feature, app.awaitReady().get("java"));
            // ss can only say "a timer <= 60 s" for the own-idle one: its value, 60 not 33, is read back.
            assertConnections(app, expect(new Object[] {"agent", true, Program.KEEPIDLE},
                    new Object[] {"agent", true, Program.KEEPIDLE}));
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @MethodSource("jdks")
    void withoutTheAgentNothingHasKeepalive(String feature, String javaHome) throws Exception {
        try (Program app = start(javaHome, false, null)) {
            assertEquals(feature, app.awaitReady().get("java"));
            int kernelIdle = (int) Ss.kernelKeepaliveTimeSeconds();
            assertConnections(app, expect(new Object[] {"none", false, kernelIdle},
                    new Object[] {"none", false, KeepaliveOffApp.OWN_IDLE}));
        }
    }
}
