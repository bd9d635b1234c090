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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The operator's view: {@code ss -tnoepH state established}, the connections of one process, and
 * the keepalive timer the kernel runs on each. Nothing is asked of the program itself.
 */
final class Ss {

    private static final Pattern TIMER = Pattern.compile("timer:\\((\\w+),([^,]+),(\\d+)\\)");
    /** ss prints a timer as "119min", "1min5sec", "59sec", "5.123ms" (5 s 123 ms) or "123ms". */
    private static final Pattern DURATION =
            Pattern.compile("(?:(\\d+)min)?(?:(\\d+)sec)?(?:(\\d+)\\.(\\d+)ms)?(?:(\\d+)ms)?");

    /** One established connection of the process. */
    static final class Connection {
        final int localPort;
        final int peerPort;
        /** "keepalive", "on" (retransmission), ... or null when the kernel runs no timer. */
        final String timer;
        final long timerMillis;
        final int probes;
        final String line;

        Connection(String line) {
            this.line = line;
            String[] columns = line.trim().split("\\s+");
            // With "state established" and -H: Recv-Q Send-Q Local:Port Peer:Port users:... timer:...
            localPort = port(columns[2]);
            peerPort = port(columns[3]);
            Matcher timerMatcher = TIMER.matcher(line);
            if (timerMatcher.find()) {
                timer = timerMatcher.group(1);
                timerMillis = millis(timerMatcher.group(2));
                probes = Integer.parseInt(timerMatcher.group(3));
            } else {
                timer = null;
                timerMillis = -1;
                probes = -1;
            }
        }

        private static int port(String address) {
            return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        }

        /** The agent's keepalive: a timer counting down from KEEPIDLE, no probe sent yet. */
        boolean hasAgentTimer() {
            return "keepalive".equals(timer) && timerMillis > 0 && timerMillis <= Program.KEEPIDLE * 1000L
                    && probes == 0;
        }

        @Override
        public String toString() {
            return line;
        }
    }

    static long millis(String duration) {
        Matcher m = DURATION.matcher(duration);
        if (!m.matches() || duration.isEmpty()) {
            throw new AssertionError("unknown ss duration: " + duration);
        }
        long millis = 0;
        millis += m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 60_000;
        millis += m.group(2) == null ? 0 : Long.parseLong(m.group(2)) * 1000;
        millis += m.group(3) == null ? 0 : Long.parseLong(m.group(3)) * 1000 + Long.parseLong(m.group(4));
        millis += m.group(5) == null ? 0 : Long.parseLong(m.group(5));
        return millis;
    }

    /** The process's established TCP connections right now. */
    static List<Connection> established(long pid) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-tnoepH", "state", "established").redirectErrorStream(true).start();
        String output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ss.waitFor(10, TimeUnit.SECONDS), "ss did not end");
        assertEquals(0, ss.exitValue(), output);
        List<Connection> connections = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.contains("pid=" + pid + ",")) {
                connections.add(new Connection(line));
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
