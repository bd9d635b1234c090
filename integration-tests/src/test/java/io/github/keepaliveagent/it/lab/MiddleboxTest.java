package io.github.keepaliveagent.it.lab;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.keepaliveagent.it.lab.LabProcess.Line;

/**
 * The LVS/NAT/firewall story: a middlebox forgets a connection that was idle too long, and the next
 * request on it vanishes. Here the client and server namespaces are joined through a router
 * namespace whose connection tracking forgets an established TCP connection after 5 s idle and
 * drops packets of connections it does not know (nf_conntrack_tcp_loose=0, FORWARD INVALID DROP).
 *
 * <p>A connection stays idle {@link #IDLE} (15 s: three times the router's 5 s timeout; the brief's
 * 30 s proves nothing more and costs 15 s per test), then carries a request. With the agent on one
 * side (idle 2 s, interval 1 s, 3 probes), its probes keep the router's entry alive and the reply
 * arrives. Without it, the request is dropped at the router; the client's namespace has
 * net.ipv4.tcp_retries2=5, so the client's read fails after about 13 s of retransmissions instead of
 * 15 minutes. The test runs once per side the agent is on, the agent case and the no-agent case side
 * by side.
 */
@Tag("lab")
class MiddleboxTest {

    static final int MIDDLEBOX_TIMEOUT_SECONDS = 5;
    static final Duration IDLE = Duration.ofSeconds(15);
    static final Duration START = Duration.ofSeconds(30);
    /** The reply crosses three namespaces on veth: milliseconds; 5 s leaves room. */
    static final Duration REPLY_WITHIN = Duration.ofSeconds(5);
    /** tcp_retries2=5 gives up after about 12.6 s (RTO 200 ms doubled 5 times); bounded wait with room. */
    static final Duration GIVES_UP_WITHIN = Duration.ofSeconds(30);

    /** Client, router, server; returns {client, router, server}. */
    private static String[] routedThroughMiddlebox(NetLab lab) throws Exception {
        String client = lab.namespace("c");
        String router = lab.namespace("r");
        String server = lab.namespace("s");
        lab.veth(client, "c0", "10.200.1.2/24", router, "r0", "10.200.1.1/24");
        lab.veth(server, "s0", "10.200.2.2/24", router, "r1", "10.200.2.1/24");
        lab.in(client, "ip", "route", "add", "default", "via", "10.200.1.1");
        lab.in(server, "ip", "route", "add", "default", "via", "10.200.2.1");
        lab.idleTimeoutMiddlebox(router, MIDDLEBOX_TIMEOUT_SECONDS);
        lab.sysctl(client, "net.ipv4.tcp_retries2", "5");
        return new String[] {client, router, server};
    }

    /** The two clients a test compares: the one the agent's keepalive works for, and the control. */
    record Clients(LabProcess with, LabProcess without) {
    }

    /** Where the agent runs: each side starts its servers and the two clients to compare. */
    enum Side {
        CLIENT("client ", "") {
            @Override
            Clients start(NetLab lab, String client, String server) throws Exception {
                LabProcess echo = lab.start(server, LabJvms.withoutAgent(LabJvms.JDK17), "server without the agent",
                        "example.lab.BlockingEchoServer", "7000");
                echo.await("^listening kind=socket port=7000$", START);
                String target = lab.endpoint(server, 7000);
                LabProcess with = lab.start(client, LabJvms.withAgent(LabJvms.JDK17), who(true),
                        "example.lab.LineClient", target);
                LabProcess without = lab.start(client, LabJvms.withoutAgent(LabJvms.JDK17), who(false),
                        "example.lab.LineClient", target);
                return new Clients(with, without);
            }
        },
        SERVER("client of the server ", "server ") {
            @Override
            Clients start(NetLab lab, String client, String server) throws Exception {
                String jdk = LabJvms.jdk25();
                LabProcess serverWith = lab.start(server, LabJvms.withAgent(jdk), "server with the agent (JDK 25)",
                        "example.lab.BlockingEchoServer", "7001");
                LabProcess serverWithout = lab.start(server, LabJvms.withoutAgent(jdk),
                        "server without the agent (JDK 25)", "example.lab.BlockingEchoServer", "7002");
                serverWith.await("^listening kind=socket port=7001$", START);
                serverWithout.await("^listening kind=socket port=7002$", START);
                // Clients without the agent: only the server's keepalive is at work.
                LabProcess toWith = lab.start(client, LabJvms.withoutAgent(LabJvms.JDK17), who(true),
                        "example.lab.LineClient", lab.endpoint(server, 7001));
                LabProcess toWithout = lab.start(client, LabJvms.withoutAgent(LabJvms.JDK17), who(false),
                        "example.lab.LineClient", lab.endpoint(server, 7002));
                return new Clients(toWith, toWithout);
            }
        };

        /** How the messages name the clients, and the program that runs the agent. */
        private final String clientNoun;
        private final String agentHost;

        Side(String clientNoun, String agentHost) {
            this.clientNoun = clientNoun;
            this.agentHost = agentHost;
        }

        abstract Clients start(NetLab lab, String client, String server) throws Exception;

        /** The client's name: "client with the agent", "client of the server without the agent". */
        String who(boolean withAgent) {
            return clientNoun + (withAgent ? "with" : "without") + " the agent";
        }

        String afterIdle(boolean withAgent) {
            return "after " + IDLE.toSeconds() + " s idle, " + agentHost + (withAgent ? "with" : "without") + " the agent";
        }

        @Override
        public String toString() {
            return name().toLowerCase();
        }
    }

    @ParameterizedTest(name = "the agent on the {0}")
    @EnumSource(Side.class)
    @Timeout(150)
    void theAgentOnEitherSideKeepsAnIdleConnectionThroughTheMiddlebox(Side side) throws Exception {
        try (NetLab lab = NetLab.open()) {
            String[] ns = routedThroughMiddlebox(lab);
            String client = ns[0];
            String router = ns[1];
            String server = ns[2];
            Clients clients = side.start(lab, client, server);
            int withPort = connect(clients.with(), side.who(true));
            int withoutPort = connect(clients.without(), side.who(false));
            long lastTraffic = System.nanoTime();
            assertTracked(lab.conntrack(router), withPort, true, "before the idle time");
            assertTracked(lab.conntrack(router), withoutPort, true, "before the idle time");

            Waits.sleepUntil(Waits.deadline(lastTraffic, IDLE));
            List<String> entries = lab.conntrack(router);
            clients.with().send("request");
            clients.without().send("request");

            assertAll(
                    () -> assertTracked(entries, withPort, true, side.afterIdle(true)),
                    () -> assertTracked(entries, withoutPort, false, side.afterIdle(false)),
                    () -> assertReplied(clients.with(), side.who(true)),
                    () -> assertNoReply(clients.without(), side.who(false)));
        }
    }

    /** Waits for the client's connection, checks it works through the router, returns its local port. */
    private static int connect(LabProcess client, String who) throws Exception {
        client.await("^ready connections=1$", START);
        client.send("hello");
        client.await("^received .*: hello$", Duration.ofSeconds(10));
        return Waits.localPorts(client.all("^connected ")).get(0);
    }

    /** Whether the router tracks the connection from {@code clientPort} as ESTABLISHED. */
    private static void assertTracked(List<String> entries, int clientPort, boolean expected, String when) {
        List<String> ours = entries.stream().filter(e -> e.contains(" sport=" + clientPort + " "))
                .collect(Collectors.toList());
        boolean tracked = ours.stream().anyMatch(e -> e.contains(" ESTABLISHED "));
        assertEquals(expected, tracked, when + ": the router " + (expected ? "still tracks" : "has forgotten")
                + " the connection from port " + clientPort + "; conntrack -L:\n" + String.join("\n", entries));
    }

    private static void assertReplied(LabProcess client, String who) {
        Line reply = client.await("^received .*: request$", REPLY_WITHIN);
        assertEquals(List.of(), client.all("read failed|closed by peer"), client.toString());
        System.out.printf("middlebox: %s: reply after %d ms (%d s idle)%n", who, Waits.afterMillis(reply),
                IDLE.toSeconds());
    }

    private static void assertNoReply(LabProcess client, String who) {
        Line outcome = client.await("^received .*: request$|^read failed|^closed by peer", GIVES_UP_WITHIN);
        assertTrue(outcome.text().startsWith("read failed") && outcome.text().contains("Connection timed out"),
                who + ": the request is lost at the router; the client gives up (tcp_retries2=5): " + outcome + "\n"
                        + client);
        System.out.printf("middlebox: %s: no reply; %s (EXPECTED: the control run, without keepalive the router forgets"
                + " the idle connection)%n", who, outcome.text());
    }
}
