package io.github.keepaliveagent.it.lab;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.keepaliveagent.it.ForkedJvm;
import io.github.keepaliveagent.it.SsLine;

/**
 * Connection rules (KEEPALIVE_RULES) in the network lab: unmodified JDK programs in namespaces of their
 * own, real peers on other namespaces' addresses (IPv4 and IPv6), and each connection's keepalive timer
 * read back from the kernel with {@code ss -tnoe}: a timer counting down from the rule's idle, from the
 * global one where no rule matches, none at all where a {@code keepalive=off} rule matches.
 */
@Tag("lab")
class RulesLabTest {

    static final Duration START = Duration.ofSeconds(40);
    /** The global idle of these tests: the rules' values are 30, 40, 50 s, so that each is told apart. */
    static final int GLOBAL_IDLE = 20;
    /** Every kind of client connection the JDK has (apps/RulesClientApp). */
    static final List<String> CLIENT_KINDS = List.of("socket", "channel", "nonblocking", "adaptor", "async");
    private static final Pattern CONNECTED = Pattern.compile("^connected kind=(\\w+) local=\\S+:(\\d+) remote=(\\S+)$");

    /** A small JVM running a class of the integration tests (apps/), with or without the agent. */
    static ForkedJvm jvm(String jdk, boolean agent) {
        ForkedJvm jvm = new ForkedJvm(jdk);
        if (agent) {
            jvm.withAgent();
        }
        return jvm.jvmArgs("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                .env("KEEPIDLE", String.valueOf(GLOBAL_IDLE)).env("KEEPINTVL", "2").env("KEEPCNT", "3");
    }

    static LabProcess startApp(NetLab lab, String namespace, ForkedJvm jvm, String name, String mainClass,
            List<String> args) throws Exception {
        List<String> command = jvm.command(mainClass, System.getProperty("test.classes"), args.toArray(new String[0]));
        return lab.start(namespace, name, jvm.builder(command));
    }

    static String jdk(String which) {
        return "25".equals(which) ? LabJvms.jdk25() : LabJvms.JDK17;
    }

    /**
     * One client JVM, every JDK way of connecting, to six destinations: two addresses with a rule each, an
     * excluded address, an excluded port, an address no rule names, and an IPv6 address with a rule of its own.
     */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    @Timeout(180)
    void eachDestinationGetsItsRulesValuesAndExcludedOnesNone(String jdk) throws Exception {
        try (NetLab lab = NetLab.open()) {
            NetLab.ServerAndClient hosts = lab.serverAndClient(21);
            String server = hosts.server();
            String client = hosts.client();
            String first = "10.200.21.1";
            String second = lab.addAddress(server, "s0", "10.200.21.3/24");
            String excluded = lab.addAddress(server, "s0", "10.200.21.4/24");
            String unnamed = lab.addAddress(server, "s0", "10.200.21.9/24");
            String ipv6 = lab.addAddress(server, "s0", "fd00:200:21::1/64");
            lab.addAddress(client, "c0", "fd00:200:21::2/64");
            LabProcess servers = startApp(lab, server, jvm(LabJvms.JDK17, false), "servers",
                    "io.github.keepaliveagent.it.apps.RulesServerApp", List.of("socket:7201", "socket:7202"));
            servers.await("^ready pid=", START);

            String rules = "dir=out+port=7202+keepalive=off;dir=out+addr=" + excluded + "+keepalive=off;dir=out+addr="
                    + first + "+idle=30;dir=out+addr=10.200.21.0/30+idle=50;dir=out+addr=fd00:200:21::/64+idle=40";
            Map<String, Integer> expected = new LinkedHashMap<>(); // destination -> idle, 0: no keepalive
            expected.put(first + ":7201", 30);
            expected.put(second + ":7201", 50);
            expected.put(first + ":7202", 0);
            expected.put(excluded + ":7201", 0);
            expected.put(unnamed + ":7201", GLOBAL_IDLE);
            expected.put("[" + ipv6 + "]:7201", 40);
            List<String> args = new ArrayList<>();
            for (String destination : expected.keySet()) {
                for (String kind : CLIENT_KINDS) {
                    args.add(kind + "@" + destination);
                }
            }
            LabProcess clients = startApp(lab, client, jvm(jdk(jdk), true).env("KEEPALIVE_RULES", rules), "clients",
                    "io.github.keepaliveagent.it.apps.RulesClientApp", args);
            clients.await("^ready pid=\\d+ connections=" + args.size() + "$", START);
            assertTrue(clients.toString().contains("rules (KEEPALIVE_RULES), first match wins: 1) dir=out+port=7202:"
                    + " keepalive off (left alone); 2) dir=out+addr=" + excluded), "the start-up line: " + clients);

            // By local port and destination: the kernel may give one local port to connections to two
            // destinations (seen here: a wrong line picked by local port alone, now and then).
            Map<String, SsLine> byConnection = new LinkedHashMap<>();
            for (SsLine line : lab.established(client)) {
                String destination = destinationOrNull(line.peerAddress + ":" + line.peerPort, expected);
                if (destination != null) {
                    byConnection.put(line.localPort + " " + destination, line);
                }
            }
            List<Executable> checks = new ArrayList<>();
            for (LabProcess.Line line : clients.all("^connected ")) {
                Matcher m = CONNECTED.matcher(line.text());
                assertTrue(m.matches(), line.text());
                String destination = destination(m.group(3), expected);
                SsLine socket = byConnection.get(m.group(2) + " " + destination);
                checks.add(() -> assertTimer(socket, expected.get(destination), m.group(1) + " to " + destination));
            }
            assertEquals(args.size(), checks.size());
            assertAll(checks);
        }
    }

    /**
     * A server JVM whose listening sockets get their local port's rule (what they accept inherits it), and one
     * rule on the remote address of inbound connections, looked at when a connection is accepted.
     */
    @Test
    @Timeout(180)
    void inboundRulesByLocalPortAndByRemoteAddress() throws Exception {
        try (NetLab lab = NetLab.open()) {
            NetLab.ServerAndClient hosts = lab.serverAndClient(22);
            String server = hosts.server();
            String client = hosts.client();
            String otherClient = lab.addAddress(client, "c0", "10.200.22.7/24");
            String rules = "dir=in+port=7301+idle=30;dir=in+port=7302+idle=40;dir=in+port=7303+keepalive=off;"
                    + "dir=in+addr=" + otherClient + "+port=7304+idle=50";
            LabProcess servers = startApp(lab, server, jvm(LabJvms.JDK17, true).env("KEEPALIVE_RULES", rules),
                    "servers", "io.github.keepaliveagent.it.apps.RulesServerApp",
                    List.of("socket:7301", "channel:7302", "async:7303", "socket:7304", "channel:7305"));
            servers.await("^ready pid=", START);
            // From the lab's client address .2, and from .7 (bound explicitly) for the address rule.
            LabProcess clients = startApp(lab, client, jvm(LabJvms.JDK17, false), "clients",
                    "io.github.keepaliveagent.it.apps.RulesClientApp", List.of("socket@10.200.22.1:7301",
                            "socket@10.200.22.1:7302", "socket@10.200.22.1:7303", "socket@10.200.22.1:7304",
                            "socket@10.200.22.1:7305", "socket@10.200.22.1:7304/" + otherClient));
            clients.await("^ready pid=\\d+ connections=6$", START);
            servers.awaitCount("^accepted ", 6, START);

            Map<String, Integer> expected = new LinkedHashMap<>(); // local port / peer -> idle
            expected.put("7301 10.200.22.2", 30);
            expected.put("7302 10.200.22.2", 40);
            expected.put("7303 10.200.22.2", 0);
            expected.put("7304 10.200.22.2", GLOBAL_IDLE);
            expected.put("7305 10.200.22.2", GLOBAL_IDLE);
            List<Executable> checks = new ArrayList<>();
            List<SsLine> established = lab.established(server);
            for (SsLine socket : established) {
                String key = socket.localPort + " " + socket.peerAddress.replaceAll("^\\[::ffff:|\\]$", "");
                Integer idle = socket.localPort == 7304 && key.endsWith(otherClient) ? Integer.valueOf(50)
                        : expected.get(key);
                checks.add(() -> assertTimer(socket, idle, "accepted on " + key));
            }
            assertEquals(6, checks.size(), established.toString());
            assertAll(checks);
        }
    }

    /** The destination of {@code remote} as the test wrote it (Java prints IPv6 addresses uncompressed). */
    static String destination(String remote, Map<String, Integer> expected) throws Exception {
        String destination = destinationOrNull(remote, expected);
        if (destination == null) {
            throw new AssertionError("no destination " + remote + " in " + expected.keySet());
        }
        return destination;
    }

    private static String destinationOrNull(String remote, Map<String, Integer> expected) throws Exception {
        int colon = remote.lastIndexOf(':');
        java.net.InetAddress address = java.net.InetAddress.getByName(remote.substring(0, colon).replaceAll("[\\[\\]]",
                ""));
        for (String destination : expected.keySet()) {
            int c = destination.lastIndexOf(':');
            if (destination.substring(c).equals(remote.substring(colon)) && java.net.InetAddress.getByName(
                    destination.substring(0, c).replaceAll("[\\[\\]]", "")).equals(address)) {
                return destination;
            }
        }
        return null;
    }

    /**
     * {@code idle} 0: no keepalive timer at all. Otherwise a keepalive timer counting down from {@code idle}:
     * more than idle - 10 s left (the rules' values are 10 s apart; the connections are a few seconds old).
     */
    static void assertTimer(SsLine socket, Integer idle, String what) {
        assertTrue(socket != null, what + ": not in ss");
        assertTrue(idle != null, what + ": unexpected connection " + socket);
        if (idle == 0) {
            assertTrue(socket.timer == null, what + ": no keepalive expected: " + socket);
            return;
        }
        assertTrue(socket.keepaliveTimerFrom(idle) && socket.timerMillis > (idle - 10) * 1000L,
                what + ": a keepalive timer from " + idle + " s expected: " + socket);
    }
}
