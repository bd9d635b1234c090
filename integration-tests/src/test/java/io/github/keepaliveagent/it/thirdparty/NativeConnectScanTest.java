package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A TCP connection made by C code (a JNI library of the tests, src/test/c/native_connect.c,
 * compiled here with gcc): socket() + connect() that no hook of the agent sees. Only the agent's
 * scan of the process's own descriptors ({@code KEEPALIVE_SCAN}, seconds between looks) can find
 * it: with {@code KEEPALIVE_SCAN=1} it gets the agent's timer within a few seconds and the agent
 * says once on stderr that it found it; with {@code KEEPALIVE_SCAN=off} it stays without keepalive.
 * The accepted end of the same connection is a plain java.net.ServerSocket's and has the timer
 * from the hooks either way (it shows the agent is active).
 */
class NativeConnectScanTest {

    private static final String DRIVER = "io.github.keepaliveagent.it.thirdparty.apps.NativeConnectApp";
    /** The agent's one INFO line about what the scan found (matched loosely). */
    private static final Pattern FOUND = Pattern.compile("found \\d+ TCP connection");
    /** A generous bound for a scan every second; nothing is asserted about how long it took. */
    private static final long SCAN_BOUND_SECONDS = 30;

    private static Path library;

    @BeforeAll
    static void compileTheLibrary() throws Exception {
        Path source = Program.REPO_ROOT.resolve("integration-tests/src/test/c/native_connect.c");
        Path javaHome = Paths.get(System.getProperty("java.home"));
        Path directory = Program.TEST_CLASSES.getParent().resolve("native");
        Files.createDirectories(directory);
        library = directory.resolve("libnativeconnect.so");
        File log = directory.resolve("gcc.log").toFile();
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-Wall", "-Werror",
                "-I" + javaHome.resolve("include"), "-I" + javaHome.resolve("include/linux"),
                "-o", library.toString(), source.toString())
                .redirectErrorStream(true).redirectOutput(log).start();
        assertTrue(gcc.waitFor(120, TimeUnit.SECONDS), "gcc did not end");
        assertEquals(0, gcc.exitValue(), "gcc failed:\n" + Files.readString(log.toPath()));
    }

    private static Program start(boolean agent, String scan) throws Exception {
        Map<String, String> env = agent ? new HashMap<>(Program.keepaliveEnv()) : new HashMap<>();
        if (scan != null) {
            env.put("KEEPALIVE_SCAN", scan);
        }
        Program program = Program.start(Program.javaOnJdkOnly(agent, DRIVER, library.toString(), Program.HOLD_SECONDS),
                env);
        program.awaitReady();
        return program;
    }

    /** Polls ss (bounded) until the C end shows the agent's timer; returns the last view. */
    private static List<Ss.Connection> awaitScanned(Program app, int nativePort) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SCAN_BOUND_SECONDS);
        while (true) {
            List<Ss.Connection> view = Ss.established(app.pid());
            view.removeIf(c -> c.localPort != nativePort);
            if ((view.size() == 1 && view.get(0).hasAgentTimer()) || System.nanoTime() > deadline) {
                return view;
            }
            Thread.sleep(250);
        }
    }

    @Test
    void theScanGivesTheCConnectionTheTimer() throws Exception {
        try (Program app = start(true, "1")) {
            int nativePort = app.port("native");
            int port = app.port("port");
            Ss.assertAgentTimers(app.pid(), c -> c.localPort == port, 1, "the accepted (Java) end\n" + app);
            List<Ss.Connection> view = awaitScanned(app, nativePort);
            String message = "the C end (local port " + nativePort + ") should get timer:(keepalive,<= 60s,0) from the "
                    + "scan within " + SCAN_BOUND_SECONDS + " s:\n" + Ss.lines(view) + "\n" + app;
            assertEquals(1, view.size(), message);
            assertTrue(view.get(0).hasAgentTimer(), message);
            assertTrue(FOUND.matcher(app.output()).find(), "stderr should say 'found N TCP connection(s)':\n" + app);
        }
    }

    @Test
    void withTheScanOffTheCConnectionStaysWithoutKeepalive() throws Exception {
        try (Program app = start(true, "off")) {
            int nativePort = app.port("native");
            int port = app.port("port");
            // The hooks work (the accepted end has the timer); the C end is theirs to miss.
            Ss.assertAgentTimers(app.pid(), c -> c.localPort == port, 1, "the accepted (Java) end\n" + app);
            Thread.sleep(3000); // several intervals of the scan the other test runs; not a timing assertion
            Ss.assertNoKeepalive(app.pid(), c -> c.localPort == nativePort, 1, "the C end\n" + app);
            assertFalse(FOUND.matcher(app.output()).find(), app.toString());
        }
    }

    @Test
    void withoutTheAgentNeitherEndHasKeepalive() throws Exception {
        try (Program app = start(false, null)) {
            int nativePort = app.port("native");
            int port = app.port("port");
            Ss.assertNoKeepalive(app.pid(), c -> c.localPort == nativePort, 1, "the C end\n" + app);
            Ss.assertNoKeepalive(app.pid(), c -> c.localPort == port, 1, "the accepted end\n" + app);
        }
    }
}
