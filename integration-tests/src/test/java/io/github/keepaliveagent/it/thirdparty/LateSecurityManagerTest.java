package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 19: a program that installs its own SecurityManager after the agent started (Apache Derby's
 * network server does; see {@link DerbyNetworkServerTest}) must keep getting keepalive on every
 * socket, although its policy grants the agent's jar nothing: the program does not know about the
 * agent. {@code it.apps.LateSecurityManagerApp} sets a Policy of its own (its own code: sockets on
 * loopback and exitVM; the JDK's modules: the JDK's default grants; nothing else) and a
 * SecurityManager, then opens every kind of TCP connection on loopback and holds them. Checked from
 * outside with ss, on JDK 17 (the last JDK here on which a program may still install one).
 *
 * <p>Two moments: at once in main (before the agent's self-check, one second after start-up: what
 * Derby does) and after the self-check (the agent's thread has run once without a SecurityManager).
 * The scan ({@code KEEPALIVE_SCAN=1}) must also survive it and find a connection made in C after the
 * SecurityManager was installed (the JNI library of {@link NativeConnectScanTest}).
 *
 * <p>The tests with the agent and the SecurityManager document the bug until the agent is fixed:
 * today every hook fails in {@code Descriptors.findField} (accessDeclaredMembers), the self-check's
 * thread dies (PropertyPermission java.vm.name) and the scan stops (FilePermission /proc/self/fd).
 */
class LateSecurityManagerTest {

    private static final String APP = "io.github.keepaliveagent.it.apps.LateSecurityManagerApp";
    /** Before the agent's self-check (it runs one second after start-up), as Derby's server does. */
    static final long AT_ONCE = 0;
    /** After the self-check. */
    static final long AFTER_THE_SELF_CHECK = 2500;
    /** No SecurityManager at all: the baseline, which passes with the agent as it is. */
    private static final long NEVER = -1;
    /** The scan looks every second; a few looks are enough. */
    private static final long SCAN_BOUND_SECONDS = 15;
    private static final Pattern FOUND = Pattern.compile("found \\d+ TCP connection");
    private static final String[] KINDS = {"socket", "channel", "async"};

    private static Program start(boolean agent, long delayMillis, String scan, String... more) throws Exception {
        Map<String, String> env = agent ? new HashMap<>(Program.keepaliveEnv()) : new HashMap<>();
        if (agent) {
            env.put("KEEPALIVE_SCAN", scan);
        }
        List<String> args = new ArrayList<>(List.of(String.valueOf(delayMillis), Program.HOLD_SECONDS));
        args.addAll(List.of(more));
        Program app = Program.start(Program.javaOnJdkOnly(agent, APP, args.toArray(new String[0])), env);
        app.awaitReady();
        assertTrue(app.output().contains("security manager " + (delayMillis >= 0)), app.toString());
        return app;
    }

    /** Each kind's client end (peer: the kind's listener) and accepted end (local: the listener's port). */
    private static Map<String, Predicate<Ss.Connection>> ends(Program app) throws Exception {
        Map<String, Predicate<Ss.Connection>> ends = new LinkedHashMap<>();
        for (String kind : KINDS) {
            int port = app.port(kind);
            ends.put(kind + " client", c -> c.peerPort == port);
            ends.put(kind + " accepted", c -> c.localPort == port);
        }
        return ends;
    }

    /** Every end of every kind has the agent's timer; the message names each end that has not. */
    private static void assertEveryKindHasTheAgentsTimer(Program app) throws Exception {
        Map<String, Predicate<Ss.Connection>> ends = ends(app);
        Predicate<Ss.Connection> any = ends.values().stream().reduce(c -> false, Predicate::or);
        List<Ss.Connection> view = Ss.await(app.pid(), any, ends.size(), Ss.Connection::hasAgentTimer);
        List<String> missing = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        ends.forEach((end, which) -> {
            List<Ss.Connection> of = view.stream().filter(which).collect(Collectors.toList());
            boolean ok = of.size() == 1 && of.get(0).hasAgentTimer();
            if (!ok) {
                missing.add(end);
            }
            table.append(ok ? "  ok       " : "  MISSING  ").append(end).append(": ")
                    .append(of.isEmpty() ? "(no connection)" : of.get(0).line.trim()).append('\n');
        });
        assertTrue(missing.isEmpty(), "every socket kind should have timer:(keepalive,<= " + Program.KEEPIDLE
                + "s,0); without it: " + missing + "\n" + table + app);
    }

    /**
     * What the agent says about it: no false "self-check failed" (the hooks are in place), no stack trace
     * of its own thread, and at most one WARN or ERROR line (the one that names a cause).
     */
    static void assertAtMostOneClearLine(Program app) {
        String output = app.output();
        assertFalse(output.contains("self-check failed"), "a false self-check warning:\n" + app);
        assertFalse(output.contains("Exception in thread \"keepalive-agent\""),
                "the agent's thread died with an exception:\n" + app);
        List<String> problems = output.lines()
                .filter(l -> l.startsWith("keepalive-agent WARN") || l.startsWith("keepalive-agent ERROR"))
                .collect(Collectors.toList());
        assertTrue(problems.size() <= 1, "at most one WARN/ERROR line, got " + problems.size() + ":\n"
                + String.join("\n", problems) + "\n" + app);
    }

    @ParameterizedTest(name = "security manager after {0} ms")
    @ValueSource(longs = {AT_ONCE, AFTER_THE_SELF_CHECK})
    void everySocketKindKeepsKeepaliveUnderTheProgramsLateSecurityManager(long delayMillis) throws Exception {
        // The scan off: this is about the hooks (the scan would repair what they missed, 60 s later).
        try (Program app = start(true, delayMillis, "off")) {
            assertEveryKindHasTheAgentsTimer(app);
            Thread.sleep(AFTER_THE_SELF_CHECK); // the self-check has run by now whichever the delay
            assertAtMostOneClearLine(app);
        }
    }

    @Test
    void withoutTheSecurityManagerEverySocketKindHasKeepalive() throws Exception {
        try (Program app = start(true, NEVER, "off")) {
            assertEveryKindHasTheAgentsTimer(app);
            Thread.sleep(AFTER_THE_SELF_CHECK);
            assertAtMostOneClearLine(app);
        }
    }

    @Test
    void withoutTheAgentNoSocketHasKeepalive() throws Exception {
        try (Program app = start(false, AT_ONCE, null)) {
            Map<String, Predicate<Ss.Connection>> ends = ends(app);
            Predicate<Ss.Connection> any = ends.values().stream().reduce(c -> false, Predicate::or);
            Ss.assertNoKeepalive(app.pid(), any, ends.size(), app);
        }
    }

    /** The C end of a connection made after the SecurityManager: only the scan can configure it. */
    @ParameterizedTest(name = "security manager after {0} ms")
    @ValueSource(longs = {AT_ONCE, AFTER_THE_SELF_CHECK})
    void theScanSurvivesTheLateSecurityManager(long delayMillis) throws Exception {
        NativeConnectScanTest.compileTheLibrary();
        Path library = Program.TEST_CLASSES.getParent().resolve("native").resolve("libnativeconnect.so");
        assertTrue(Files.isRegularFile(library), library.toString());
        try (Program app = start(true, delayMillis, "1", library.toString())) {
            int nativePort = app.port("native");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SCAN_BOUND_SECONDS);
            List<Ss.Connection> view;
            do {
                Thread.sleep(250);
                view = Ss.established(app.pid());
                view.removeIf(c -> c.localPort != nativePort);
            } while (!(view.size() == 1 && view.get(0).hasAgentTimer()) && System.nanoTime() < deadline);
            String message = "the C end (local port " + nativePort + "), made after the SecurityManager, should get"
                    + " timer:(keepalive,<= " + Program.KEEPIDLE + "s,0) from the scan (KEEPALIVE_SCAN=1) within "
                    + SCAN_BOUND_SECONDS + " s:\n" + Ss.lines(view) + "\n" + app;
            assertEquals(1, view.size(), message);
            assertTrue(view.get(0).hasAgentTimer(), message);
            assertTrue(FOUND.matcher(app.output()).find(), "stderr should say 'found N TCP connection(s)':\n" + app);
            assertFalse(app.output().contains("scan for sockets no hook configured stopped"), app.toString());
            assertAtMostOneClearLine(app);
        }
    }
}
