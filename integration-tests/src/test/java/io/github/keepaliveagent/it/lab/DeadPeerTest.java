package io.github.keepaliveagent.it.lab;

import static io.github.keepaliveagent.it.lab.ServerClientLab.awaitListening;
import static io.github.keepaliveagent.it.lab.ServerClientLab.greet;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import io.github.keepaliveagent.it.lab.LabProcess.Line;
import io.github.keepaliveagent.it.lab.NetLab.TcpSocket;

/**
 * The KAFKA-2096 story: a peer vanishes without a FIN or RST (power loss, cable, VM killed) and the
 * other side's connection stays ESTABLISHED forever. With the agent (KEEPIDLE=2 KEEPINTVL=1
 * KEEPCNT=3) the kernel notices after idle + interval x count = 5 s: the unmodified program's read
 * fails with "Connection timed out" and {@code ss} no longer lists the connection. Without it
 * (same environment, no {@code -javaagent}) nothing happens. Both cases run side by side in one lab.
 */
@Tag("lab")
class DeadPeerTest {

    /** idle + interval x count = 5 s, with room for a loaded two-core machine. */
    static final Duration REAPED_WITHIN = Duration.ofSeconds(12);
    /** How long the connections without the agent must stay ESTABLISHED after the peer went silent. */
    static final Duration STILL_THERE_AFTER = Duration.ofSeconds(20);
    static final String TIMED_OUT = "read failed .* after \\d+ ms: .*Connection timed out";
    static final int CONNECTIONS = 2;

    /** The three kinds of server the JDK has, each an unmodified echo server of the examples module. */
    enum Kind {
        SOCKET("example.lab.BlockingEchoServer"),
        NIO("example.lab.NioEchoServer"),
        ASYNC("example.lab.AsyncEchoServer");

        final String mainClass;

        Kind(String mainClass) {
            this.mainClass = mainClass;
        }

        int port(boolean agent) {
            return 7100 + 10 * ordinal() + (agent ? 1 : 2);
        }

        String describe(boolean agent) {
            return name().toLowerCase() + " server " + (agent ? "with" : "without") + " the agent";
        }
    }

    @Test
    @Timeout(150)
    void serversOfEveryKindReapConnectionsOfClientsThatVanished() throws Exception {
        try (ServerClientLab hosts = ServerClientLab.open(3)) {
            NetLab lab = hosts.lab();
            String server = hosts.server();
            String client = hosts.client();
            Map<Kind, LabProcess> with = new EnumMap<>(Kind.class);
            Map<Kind, LabProcess> without = new EnumMap<>(Kind.class);
            for (Kind kind : Kind.values()) {
                with.put(kind, hosts.startServer(LabJvms.withAgent(LabJvms.JDK17), kind.describe(true), kind.mainClass,
                        kind.port(true)));
                without.put(kind, hosts.startServer(LabJvms.withoutAgent(LabJvms.JDK17), kind.describe(false),
                        kind.mainClass, kind.port(false)));
            }
            List<String> clientArgs = new ArrayList<>(List.of("--each", String.valueOf(CONNECTIONS)));
            for (Kind kind : Kind.values()) {
                awaitListening(with.get(kind), kind.port(true));
                awaitListening(without.get(kind), kind.port(false));
                clientArgs.add(hosts.endpoint(kind.port(true)));
                clientArgs.add(hosts.endpoint(kind.port(false)));
            }
            // Unmodified clients, no agent: only the servers' keepalive is at work.
            LabProcess clients = hosts.startClients(LabJvms.withoutAgent(LabJvms.JDK17), "clients",
                    clientArgs.toArray(new String[0]));
            greet(clients, 2 * CONNECTIONS * Kind.values().length);
            for (Kind kind : Kind.values()) {
                assertKeepaliveTimers(lab.tcpSockets(server, kind.port(true)), true, kind.describe(true));
                assertKeepaliveTimers(lab.tcpSockets(server, kind.port(false)), false, kind.describe(false));
            }

            long silencing = System.nanoTime();
            lab.silence(client);
            long silenced = System.nanoTime();

            List<Executable> checks = new ArrayList<>();
            for (Kind kind : Kind.values()) {
                checks.add(() -> assertReaped(lab, server, kind.port(true), with.get(kind), silencing,
                        kind.describe(true)));
            }
            for (Kind kind : Kind.values()) {
                checks.add(() -> assertStillEstablished(lab, server, kind.port(false), without.get(kind), silenced,
                        kind.describe(false)));
            }
            assertAll(checks);
        }
    }

    @Test
    @Timeout(150)
    void aClientBlockedInReadNoticesThatItsServerVanished() throws Exception {
        try (ServerClientLab hosts = ServerClientLab.open(3)) {
            NetLab lab = hosts.lab();
            String server = hosts.server();
            String client = hosts.client();
            hosts.echoServer(LabJvms.withoutAgent(LabJvms.JDK17), "server", 7000);
            String target = hosts.endpoint(7000);
            String jdk = LabJvms.jdk25();
            LabProcess with = hosts.startClients(LabJvms.withAgent(jdk), "client with the agent (JDK 25)",
                    "--each", String.valueOf(CONNECTIONS), target);
            LabProcess without = hosts.startClients(LabJvms.withoutAgent(jdk), "client without the agent (JDK 25)",
                    "--each", String.valueOf(CONNECTIONS), target);
            for (LabProcess process : List.of(with, without)) {
                greet(process, CONNECTIONS);
            }
            List<Integer> withPorts = Waits.localPorts(with.all("^connected "));
            List<Integer> withoutPorts = Waits.localPorts(without.all("^connected "));
            for (int port : withPorts) {
                assertKeepaliveTimers(lab.tcpSockets(client, port), true, "client with the agent");
            }
            for (int port : withoutPorts) {
                assertKeepaliveTimers(lab.tcpSockets(client, port), false, "client without the agent");
            }

            // The server's cable is pulled: its side sends nothing more, not even a RST.
            long silencing = System.nanoTime();
            lab.linkDown(server, "s0");
            long silenced = System.nanoTime();

            assertAll(
                    () -> {
                        // Each reader thread is blocked in read; keepalive makes that read fail.
                        long deadline = Waits.deadline(silencing, REAPED_WITHIN);
                        List<Line> failed = with.awaitCount(TIMED_OUT, CONNECTIONS, Waits.until(deadline));
                        assertIdlePlusProbes(failed, "client with the agent");
                        long gone = awaitGone(lab, client, withPorts, deadline);
                        report("client with the agent", failed, gone, silencing);
                    },
                    () -> {
                        Waits.sleepUntil(Waits.deadline(silenced, STILL_THERE_AFTER));
                        for (int port : withoutPorts) {
                            List<TcpSocket> sockets = lab.tcpSockets(client, port);
                            assertEquals(1, sockets.stream().filter(TcpSocket::established).count(),
                                    "client without the agent: still ESTABLISHED " + STILL_THERE_AFTER.toSeconds()
                                            + " s after the server vanished: " + sockets + "\n" + without);
                        }
                        assertEquals(List.of(), without.all("read failed|closed by peer"), without.toString());
                    });
        }
    }

    /** Before the peer vanishes: ss shows a keepalive timer on each connection with the agent, none without. */
    private static void assertKeepaliveTimers(List<TcpSocket> sockets, boolean expected, String who) {
        assertTrue(!sockets.isEmpty() && sockets.stream().allMatch(TcpSocket::established),
                who + ": connections up: " + sockets);
        assertTrue(sockets.stream().allMatch(s -> s.keepaliveTimer() == expected),
                who + ": " + (expected ? "a keepalive timer on each connection" : "no keepalive timer") + ": " + sockets);
    }

    private static void assertReaped(NetLab lab, String namespace, int port, LabProcess process, long silencing,
            String who) throws Exception {
        long deadline = Waits.deadline(silencing, REAPED_WITHIN);
        List<Line> failed = process.awaitCount(TIMED_OUT, CONNECTIONS, Waits.until(deadline));
        assertIdlePlusProbes(failed, who);
        long gone = awaitGone(lab, namespace, List.of(port), deadline);
        report(who, failed, gone, silencing);
    }

    /** The program's own clock: the read failed idle + interval x count (5 s) after the last byte. */
    private static void assertIdlePlusProbes(List<Line> failed, String who) {
        for (Line line : failed) {
            long millis = Waits.afterMillis(line);
            assertTrue(millis >= 4_000 && millis < REAPED_WITHIN.toMillis(),
                    who + ": about 5 s after the last byte (idle 2 s + 3 probes x 1 s): " + line);
        }
    }

    /** Polls ss until no socket of {@code ports} is left in the namespace; returns when, or fails at the deadline. */
    private static long awaitGone(NetLab lab, String namespace, List<Integer> ports, long deadline) throws Exception {
        for (int attempt = 0; attempt < 200; attempt++) {
            List<TcpSocket> left = new ArrayList<>();
            for (int port : ports) {
                left.addAll(lab.tcpSockets(namespace, port));
            }
            if (left.isEmpty()) {
                return System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("ss still lists them " + REAPED_WITHIN.toSeconds()
                        + " s after the peer went silent: " + left);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("ss still lists connections on " + ports + " after 200 polls");
    }

    private static void assertStillEstablished(NetLab lab, String namespace, int port, LabProcess process,
            long silenced, String who) throws Exception {
        Waits.sleepUntil(Waits.deadline(silenced, STILL_THERE_AFTER));
        List<TcpSocket> sockets = lab.tcpSockets(namespace, port);
        assertEquals(CONNECTIONS, sockets.stream().filter(TcpSocket::established).count(),
                who + ": still ESTABLISHED " + STILL_THERE_AFTER.toSeconds() + " s after the clients vanished: "
                        + sockets + "\n" + process);
        assertEquals(List.of(), process.all("read failed|closed by peer"), process.toString());
    }

    private static void report(String who, List<Line> failed, long gone, long silencing) {
        long last = failed.stream().mapToLong(Line::nanos).max().orElseThrow();
        System.out.printf("dead peer: %s: %d reads failed %.1f s and ss empty %.1f s after the peer went silent (%s)%n",
                who, failed.size(), Waits.secondsBetween(silencing, last), Waits.secondsBetween(silencing, gone),
                failed.get(0).text());
    }
}
