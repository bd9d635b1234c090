package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.github.keepaliveagent.it.SsLine;

/**
 * The operator's view: {@code ss -tnoepH state established}, the connections of one process, and
 * the keepalive timer the kernel runs on each. Nothing is asked of the program itself.
 */
final class Ss {

    /** One established connection of the process (parsed by {@link SsLine}, the one ss parser). */
    static final class Connection {
        final int localPort;
        final int peerPort;
        /** "keepalive", "on" (retransmission), ... or null when the kernel runs no timer. */
        final String timer;
        final long timerMillis;
        final int probes;
        final String line;
        final SsLine parsed;

        Connection(String line) {
            this.line = line;
            parsed = SsLine.parse(line).orElseThrow(() -> new AssertionError("not an ss socket line: " + line));
            localPort = parsed.localPort;
            peerPort = Integer.parseInt(parsed.peerPort);
            timer = parsed.timer;
            timerMillis = parsed.timerMillis;
            probes = parsed.probes;
        }

        /** The agent's keepalive: a timer counting down from KEEPIDLE, no probe sent yet. */
        boolean hasAgentTimer() {
            return parsed.keepaliveTimerFrom(Program.KEEPIDLE);
        }

        @Override
        public String toString() {
            return line;
        }
    }

    static long millis(String duration) {
        return SsLine.millis(duration);
    }

    /** The process's established TCP connections right now. */
    static List<Connection> established(long pid) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-tnoepH", "state", "established").redirectErrorStream(true).start();
        String output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ss.waitFor(10, TimeUnit.SECONDS), "ss did not end");
        assertEquals(0, ss.exitValue(), output);
        List<Connection> connections = new ArrayList<>();
        for (SsLine line : SsLine.parseAll(output)) {
            if (line.ownedBy(pid)) {
                connections.add(new Connection(line.line));
            }
        }
        return connections;
    }

    /**
     * Polls (bounded, 10 s) until the process has at least {@code atLeast} connections matching
     * {@code which} and all of them satisfy {@code until}; returns the last view either way, for
     * the caller to assert on. Polling only waits out connections still being set up or a
     * retransmission timer that hides the keepalive one for a moment.
     */
    static List<Connection> await(long pid, Predicate<Connection> which, int atLeast, Predicate<Connection> until)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<Connection> view = established(pid).stream().filter(which).collect(Collectors.toList());
            if ((view.size() >= atLeast && view.stream().allMatch(until)) || System.nanoTime() > deadline) {
                // The evidence, in the build log: what an operator would have seen.
                System.out.println("ss, pid " + pid + ", " + view.size() + " connection(s):\n" + lines(view));
                return view;
            }
            Thread.sleep(300);
        }
    }

    /** With the agent: every matching connection runs a keepalive timer counting down from KEEPIDLE. */
    static List<Connection> assertAgentTimers(long pid, Predicate<Connection> which, int atLeast, Object context)
            throws IOException, InterruptedException {
        List<Connection> view = await(pid, which, atLeast, Connection::hasAgentTimer);
        String message = "expected >= " + atLeast + " connections, each with timer:(keepalive,<= " + Program.KEEPIDLE
                + "s,0):\n" + lines(view) + "\n" + context;
        assertTrue(view.size() >= atLeast, message);
        for (Connection connection : view) {
            assertTrue(connection.hasAgentTimer(), message);
        }
        return view;
    }

    /** Without the agent: the program's connections have no keepalive timer at all. */
    static List<Connection> assertNoKeepalive(long pid, Predicate<Connection> which, int atLeast, Object context)
            throws IOException, InterruptedException {
        List<Connection> view = await(pid, which, atLeast, connection -> true);
        String message = "expected >= " + atLeast + " connections, none with a keepalive timer:\n" + lines(view)
                + "\n" + context;
        assertTrue(view.size() >= atLeast, message);
        for (Connection connection : view) {
            assertTrue(!"keepalive".equals(connection.timer), message);
        }
        return view;
    }

    /**
     * Without the agent, for programs that turn SO_KEEPALIVE on themselves (Kafka): a keepalive
     * timer, but counting down from the kernel's tcp_keepalive_time, far above KEEPIDLE.
     */
    static List<Connection> assertKernelDefaultKeepalive(long pid, Predicate<Connection> which, int atLeast,
            Object context) throws IOException, InterruptedException {
        long kernelIdle = kernelKeepaliveTimeSeconds();
        assertTrue(kernelIdle > Program.KEEPIDLE + 60, "kernel tcp_keepalive_time " + kernelIdle
                + " s is too close to KEEPIDLE for this check to tell them apart");
        List<Connection> view = await(pid, which, atLeast, connection -> "keepalive".equals(connection.timer));
        String message = "expected >= " + atLeast + " connections, each with timer:(keepalive,...) from the kernel's "
                + kernelIdle + " s:\n" + lines(view) + "\n" + context;
        assertTrue(view.size() >= atLeast, message);
        for (Connection connection : view) {
            assertEquals("keepalive", connection.timer, message);
            // Above 10 minutes ss prints whole minutes ("119min" is anything from 119:00 to 119:59).
            assertTrue(connection.timerMillis >= (kernelIdle - 120) * 1000 && connection.timerMillis <= kernelIdle * 1000,
                    message);
        }
        return view;
    }

    static long kernelKeepaliveTimeSeconds() throws IOException {
        // One read: sysctl files answer a read at a non-zero offset with end-of-file.
        try (var in = Files.newInputStream(Paths.get("/proc/sys/net/ipv4/tcp_keepalive_time"))) {
            return Long.parseLong(new String(in.readNBytes(64), StandardCharsets.US_ASCII).trim());
        }
    }

    static String lines(List<Connection> view) {
        return view.isEmpty() ? "(no connections)" : view.stream().map(c -> c.line).collect(Collectors.joining("\n"));
    }

    private Ss() {
    }
}
