package io.github.keepaliveagent.it.lab;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.keepaliveagent.it.SsLine;
import io.github.keepaliveagent.it.lab.NetLab.TcpSocket;
import io.github.keepaliveagent.it.thirdparty.KafkaExample;
import io.github.keepaliveagent.it.thirdparty.KafkaExample.Command;

/**
 * KAFKA-2096 for real: a Kafka 3.9.2 broker (KRaft, its own JVM, examples/kafka-old-client's
 * README commands) in a server namespace, an application on kafka-clients 0.10.2.2 in a client
 * namespace that produces and consumes, then the client's machine goes silent (every packet
 * dropped, no FIN, no RST). Checked from outside with {@code ss} in the server namespace.
 *
 * <p>Three brokers side by side in the server namespace, one old client each (none with the agent),
 * all under KEEPIDLE=2 KEEPINTVL=1 KEEPCNT=3:
 * <ul>
 * <li>with the agent (JAVA_TOOL_OPTIONS) and KEEPALIVE_USER_TIMEOUT=10s: ss lists none of its
 * connections to the vanished client ~10 s after it went silent, idle or with data in flight (the
 * user timeout also decides when keepalive gives up, tcp(7): measured 8.8-10.9 s);
 * <li>with the agent, keepalive alone: every idle connection is gone within seconds, but keepalive
 * never probes a connection with unacknowledged data, and the consumer's long-poll fetch almost
 * always has a fetch response in flight when the client vanishes: that one retransmits (for about
 * 15 minutes, tcp_retries2), which is what TCP_USER_TIMEOUT is for;
 * <li>without the agent (same environment): every connection is still ESTABLISHED after 20 s, the
 * idle ones with Kafka's own SO_KEEPALIVE counting down from the kernel's 7200 s ("119min").
 * </ul>
 */
@Tag("lab")
class KafkaDeadPeerTest {

    /**
     * idle + interval x count = 5 s for idle connections, the user timeout (10 s) for one with data in
     * flight, with room for a loaded two-core machine. The watch ends as soon as both brokers are done.
     */
    static final Duration REAPED_WITHIN = Duration.ofSeconds(25);
    /** How long the broker without the agent must keep its connections after the client went silent. */
    static final Duration STILL_THERE_AFTER = Duration.ofSeconds(20);
    /** A broker's start (three at once on two cores) and a client's produce-and-consume. */
    static final Duration START = Duration.ofSeconds(90);
    /** ss sees connections still being set up, or a retransmission timer hiding the keepalive one, for a moment. */
    static final Duration SETTLE = Duration.ofSeconds(10);

    static final String SERVER_ADDRESS = "10.200.4.1";
    static final String CLIENT_ADDRESS = "10.200.4.2";
    static final String READY = "^ready pid=\\d+ consumed=3$";
    static final int CLIENT_ATTEMPTS = 3;
    /** Producer and consumer: at least the partition leader (twice) and the group coordinator. */
    static final int AT_LEAST = 3;

    private static final Pattern TIMER = Pattern.compile("timer:\\((\\w+),([^,]*),(\\d+)\\)");

    /**
     * The shortest user timeout the agent accepts (10 s; idle + interval x count = 5 s is below it): a
     * connection with data in flight is dropped after 10 s, and so is an idle one whose probes go
     * unanswered (the kernel's keepalive gives up after the user timeout when one is set).
     */
    static final String USER_TIMEOUT = "10s";

    /** One broker of the test and its client. */
    static final class Broker {
        final String name;
        final boolean agent;
        final boolean userTimeout;
        final int port;
        final int controllerPort;
        final String who;
        Path properties;
        LabProcess process;
        LabProcess client;

        Broker(String name, boolean agent, boolean userTimeout, int port) {
            this.name = name;
            this.agent = agent;
            this.userTimeout = userTimeout;
            this.port = port;
            this.controllerPort = port + 1;
            this.who = "broker " + (agent ? "with the agent" : "without the agent")
                    + (agent ? (userTimeout ? " (keepalive and user timeout)" : " (keepalive alone)") : "");
        }
    }

    @Test
    @Timeout(180)
    void theBrokerWithTheAgentReapsTheConnectionsOfAnOldClientThatVanished() throws Exception {
        Path data = Files.createTempDirectory("kafka-dead-peer");
        try (NetLab lab = NetLab.open()) {
            String server = lab.namespace("s");
            String client = lab.namespace("c");
            lab.veth(server, "s0", SERVER_ADDRESS + "/24", client, "c0", CLIENT_ADDRESS + "/24");
            Broker with = new Broker("with", true, true, 9092);
            Broker keepaliveAlone = new Broker("alone", true, false, 9292);
            Broker without = new Broker("without", false, true, 9192);
            List<Broker> brokers = List.of(with, keepaliveAlone, without);
            try {
                runBrokersAndClients(lab, server, client, data, brokers);
                long kernelIdle = Long.parseLong(lab.in(server, "sh", "-c", "cat /proc/sys/net/ipv4/tcp_keepalive_time")
                        .trim());
                assertTrue(kernelIdle > LabJvms.IDLE + 120, "tcp_keepalive_time " + kernelIdle + " s in " + server);

                // Before: each broker's end of the client's connections runs keepalive; only the agent's is short.
                String agents = "timer:(keepalive,<= " + LabJvms.IDLE + "s,n) from the agent";
                List<TcpSocket> withBefore = awaitSettled(lab, server, with, s -> agentTimer(s), agents);
                List<TcpSocket> aloneBefore = awaitSettled(lab, server, keepaliveAlone, s -> agentTimer(s), agents);
                List<TcpSocket> withoutBefore = awaitSettled(lab, server, without, s -> kernelTimer(s, kernelIdle),
                        "timer:(keepalive,...) from the kernel's " + kernelIdle + " s (Kafka's own SO_KEEPALIVE)");

                // The client's machine vanishes: nothing in, nothing out, not even a RST.
                long silencing = System.nanoTime();
                lab.silence(client);
                long silenced = System.nanoTime();

                // Both brokers with the agent watched at once, by one ss every 100 ms, from the silence on.
                Watch withWatch = new Watch(with, withBefore, List::isEmpty);
                Watch aloneWatch = new Watch(keepaliveAlone, aloneBefore, KafkaDeadPeerTest::onlyRetransmitting);
                watch(lab, server, silencing, List.of(withWatch, aloneWatch));
                assertAll(
                        () -> assertReaped(withWatch),
                        () -> assertIdleOnesReaped(aloneWatch),
                        () -> assertStillEstablished(lab, server, without, withoutBefore, silenced, kernelIdle));
            } finally {
                stopAll(brokers);
            }
        } finally {
            try (Stream<Path> paths = Files.walk(data)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** The brokers formatted and started in the server namespace, then one old client each in the client namespace. */
    private static void runBrokersAndClients(NetLab lab, String server, String client, Path data, List<Broker> brokers)
            throws Exception {
        List<LabProcess> formats = new ArrayList<>();
        for (Broker broker : brokers) {
            Path directory = Files.createDirectory(data.resolve(broker.name));
            // The client listener (and the advertised one) on the namespace's veth address, the controller on its loopback.
            broker.properties = KafkaExample.writeServerProperties(directory, lab.endpoint(server, broker.port),
                    "127.0.0.1:" + broker.controllerPort);
            Command format = KafkaExample.retarget(KafkaExample.formatCommand(), broker.properties,
                    lab.endpoint(server, broker.port))
                    .withJvmArgs("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
            formats.add(lab.start(server, "storage format for the " + broker.who, format.builder()));
        }
        for (LabProcess format : formats) {
            assertEquals(0, format.waitFor(START), format.toString());
        }
        for (Broker broker : brokers) {
            Command start = KafkaExample.brokerCommand();
            assertTrue(start.hasAgent(), "the README starts the broker with the agent: " + start);
            // Without the agent: the same environment, KEEP* included, only JAVA_TOOL_OPTIONS is gone.
            start = (broker.agent ? start : start.withoutAgent())
                    .withEnv("KEEPIDLE", String.valueOf(LabJvms.IDLE))
                    .withEnv("KEEPINTVL", String.valueOf(LabJvms.INTERVAL))
                    .withEnv("KEEPCNT", String.valueOf(LabJvms.COUNT));
            if (broker.userTimeout) {
                start = start.withEnv("KEEPALIVE_USER_TIMEOUT", USER_TIMEOUT);
            }
            start = KafkaExample.retarget(start, broker.properties, lab.endpoint(server, broker.port))
                    .withJvmArgs("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
            assertEquals(broker.agent, start.hasAgent(), start.toString());
            broker.process = lab.start(server, broker.who, start.builder());
        }
        for (Broker broker : brokers) {
            awaitListening(lab, server, broker);
            // The agent's start-up line on stderr, with the user timeout where it was asked for; none without it.
            String output = broker.process.toString();
            assertEquals(broker.agent, output.contains("keepalive-agent INFO: keepalive-agent "), output);
            assertEquals(broker.agent && broker.userTimeout,
                    output.contains("user_timeout=" + USER_TIMEOUT + " (KEEPALIVE_USER_TIMEOUT)"), output);
        }
        for (Broker broker : brokers) {
            startClient(lab, server, client, broker, 1);
        }
        for (Broker broker : brokers) {
            for (int attempt = 1; ; attempt++) {
                try {
                    broker.client.await(READY, START);
                    break;
                } catch (AssertionError notReady) {
                    long ending = Waits.deadline(System.nanoTime(), Duration.ofSeconds(5)); // its stdout may end first
                    while (broker.client.isAlive() && System.nanoTime() < ending) {
                        Thread.sleep(100);
                    }
                    if (broker.client.isAlive() || attempt == CLIENT_ATTEMPTS) {
                        throw notReady;
                    }
                    // kafka-clients 0.10's producer does not retry (retries=0): its first send can lose the
                    // race with the topic's auto-creation (NotLeaderForPartitionException) and the driver
                    // exits. The topic exists by now; the next run finds its leader.
                    System.out.println("kafka dead peer: the old client of the " + broker.who + " ended before it"
                            + " was ready (attempt " + attempt + "), starting it again:\n" + broker.client);
                    startClient(lab, server, client, broker, attempt + 1);
                }
            }
        }
    }

    /** The README's old client, without its agent: only the broker's keepalive is at work. */
    private static void startClient(NetLab lab, String server, String client, Broker broker, int attempt)
            throws Exception {
        Command run = KafkaExample.retarget(KafkaExample.clientCommand(), broker.properties,
                lab.endpoint(server, broker.port)).withoutAgent().withJvmArgs("-Xmx64m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1");
        assertTrue(!run.hasAgent() && run.mentions(SERVER_ADDRESS + ":" + broker.port), run.toString());
        broker.client = lab.start(client, "old client of the " + broker.who + (attempt > 1 ? " #" + attempt : ""),
                run.builder());
    }

    /** Polls ss (bounded) until the broker listens on the namespace's address. */
    private static void awaitListening(NetLab lab, String server, Broker broker) throws Exception {
        String listener = SERVER_ADDRESS + ":" + broker.port;
        long deadline = Waits.deadline(System.nanoTime(), START);
        while (true) {
            String listening = lab.in(server, "ss", "-tlnH");
            for (String line : listening.split("\n")) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length >= 4 && ipv4(columns[3]).equals(listener)) {
                    return;
                }
            }
            if (!broker.process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(broker.who + ": not listening on " + listener + " after " + START.toSeconds()
                        + " s:\n" + listening + broker.process);
            }
            Thread.sleep(250);
        }
    }

    /** The broker's end of its connections with the client: local port the broker's, peer the client's address. */
    private static List<TcpSocket> fromClient(NetLab lab, String server, Broker broker) throws Exception {
        return fromClient(lab.tcpSockets(server), broker);
    }

    private static List<TcpSocket> fromClient(List<TcpSocket> sockets, Broker broker) {
        return sockets.stream().filter(s -> s.localPort() == broker.port && ipv4(s.peer()).equals(CLIENT_ADDRESS))
                .collect(Collectors.toList());
    }

    /** Polls (bounded) until the broker has at least {@link #AT_LEAST} such connections, all ESTABLISHED and {@code timer}. */
    private static List<TcpSocket> awaitSettled(NetLab lab, String server, Broker broker, Predicate<TcpSocket> timer,
            String what) throws Exception {
        long deadline = Waits.deadline(System.nanoTime(), SETTLE);
        while (true) {
            List<TcpSocket> view = fromClient(lab, server, broker);
            boolean settled = view.size() >= AT_LEAST && view.stream().allMatch(s -> s.established() && timer.test(s));
            if (settled || System.nanoTime() > deadline) {
                System.out.println("kafka dead peer: " + broker.who + ", before the client vanished, ss in " + server
                        + ":\n" + lines(view));
                assertTrue(settled, broker.who + ": expected >= " + AT_LEAST + " ESTABLISHED connections from "
                        + CLIENT_ADDRESS + ", each with " + what + ":\n" + lines(view) + "\n" + broker.process
                        + broker.client);
                return view;
            }
            Thread.sleep(300);
        }
    }

    /** What ss showed of a broker's connections to the vanished client while it was watched. */
    static final class Watch {
        final Broker broker;
        final List<TcpSocket> before;
        /** When the watch of this broker may end early (the outcome it expects is there). */
        final Predicate<List<TcpSocket>> done;
        /** By client port: seconds after the client went silent until ss no longer listed it (absent: still listed). */
        final Map<String, Double> goneAfter = new LinkedHashMap<>();
        /** Each connection's changes of timer kind ("keepalive" to "on"...) and its end, timed. */
        final List<String> changes = new ArrayList<>();
        final Map<String, String> kinds = new LinkedHashMap<>();
        List<TcpSocket> left;

        Watch(Broker broker, List<TcpSocket> before, Predicate<List<TcpSocket>> done) {
            this.broker = broker;
            this.before = before;
            this.done = done;
            this.left = before;
        }

        void see(List<TcpSocket> view, double seconds) {
            for (TcpSocket socket : view) {
                String kind = timer(socket).name;
                if (!kind.equals(kinds.put(socket.peerPort(), kind))) {
                    changes.add(String.format("%5.1f s  %s", seconds, socket));
                }
            }
            List<String> present = view.stream().map(TcpSocket::peerPort).collect(Collectors.toList());
            for (TcpSocket socket : before) {
                String port = socket.peerPort();
                if (!present.contains(port) && !goneAfter.containsKey(port)) {
                    goneAfter.put(port, Math.round(seconds * 10) / 10.0);
                    changes.add(String.format("%5.1f s  gone: %s", seconds, port));
                }
            }
            left = view;
        }

        @Override
        public String toString() {
            return broker.who + ", after the client went silent: gone after (s, by client port): " + goneAfter + "\n"
                    + String.join("\n", changes);
        }
    }

    /**
     * Polls ss in the server namespace every 100 ms from the silence until every watch is done or
     * {@link #REAPED_WITHIN} has passed.
     */
    private static void watch(NetLab lab, String server, long silencing, List<Watch> watches) throws Exception {
        long deadline = Waits.deadline(silencing, REAPED_WITHIN);
        Map<Watch, Boolean> done = new LinkedHashMap<>();
        for (int polls = 0; polls < 1000 && done.size() < watches.size(); polls++) {
            List<TcpSocket> sockets = lab.tcpSockets(server);
            double seconds = Waits.secondsBetween(silencing, System.nanoTime());
            for (Watch watch : watches) {
                if (!done.containsKey(watch)) {
                    watch.see(fromClient(sockets, watch.broker), seconds);
                    if (watch.done.test(watch.left)) {
                        done.put(watch, true);
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(100);
        }
        for (Watch watch : watches) {
            System.out.println("kafka dead peer: " + watch);
        }
    }

    /** Connections with unacknowledged data only: ss shows the retransmission timer ("on"), keepalive sends no probe. */
    static boolean onlyRetransmitting(List<TcpSocket> sockets) {
        return sockets.stream().allMatch(s -> "on".equals(timer(s).name));
    }

    /**
     * With the agent and KEEPALIVE_USER_TIMEOUT: ss lists none of the broker's connections to the
     * vanished client within {@link #REAPED_WITHIN}, idle or not.
     */
    private static void assertReaped(Watch watch) {
        Broker broker = watch.broker;
        assertEquals(List.of(), watch.left, broker.who + ": ss still lists connections to the vanished client "
                + REAPED_WITHIN.toSeconds() + " s after it went silent\n" + watch + "\n" + broker.process);
        assertTrue(broker.process.isAlive(), broker.who + " is still running:\n" + broker.process);
    }

    /**
     * With the agent, keepalive alone: within {@link #REAPED_WITHIN} every connection left is one
     * that retransmits (data in flight), and at least one idle connection is gone.
     */
    private static void assertIdleOnesReaped(Watch watch) {
        Broker broker = watch.broker;
        String message = broker.who + ": " + REAPED_WITHIN.toSeconds() + " s after the client went silent, only"
                + " connections with data in flight may be left\nleft:\n" + lines(watch.left) + "\n" + watch + "\n"
                + broker.process;
        assertTrue(onlyRetransmitting(watch.left), message);
        assertTrue(!watch.goneAfter.isEmpty(), message);
        assertTrue(broker.process.isAlive(), broker.who + " is still running:\n" + broker.process);
    }

    /**
     * Without the agent: {@link #STILL_THERE_AFTER} after the client went silent, the broker still
     * holds every connection, ESTABLISHED; an idle one's keepalive timer still counts down from the
     * kernel's tcp_keepalive_time, one with unacknowledged data (a fetch response) retransmits.
     */
    private static void assertStillEstablished(NetLab lab, String server, Broker broker, List<TcpSocket> before,
            long silenced, long kernelIdle) throws Exception {
        Waits.sleepUntil(Waits.deadline(silenced, STILL_THERE_AFTER));
        List<TcpSocket> after = fromClient(lab, server, broker);
        System.out.println("kafka dead peer: " + broker.who + ", " + STILL_THERE_AFTER.toSeconds()
                + " s after the client went silent, ss in " + server + " (EXPECTED: the control run, the dead"
                + " connections stay without the agent):\n" + lines(after));
        String message = broker.who + ": every connection still ESTABLISHED " + STILL_THERE_AFTER.toSeconds()
                + " s after the client vanished\nbefore:\n" + lines(before) + "\nafter:\n" + lines(after) + "\n"
                + broker.process;
        assertEquals(ports(before), ports(after), message);
        assertTrue(after.stream().allMatch(TcpSocket::established), message);
        assertTrue(after.stream().allMatch(s -> kernelTimer(s, kernelIdle) || "on".equals(timer(s).name)), message);
        assertTrue(after.stream().anyMatch(s -> kernelTimer(s, kernelIdle)), message);
    }

    // ---------------------------------------------------------------- ss timers

    /** A timer as ss shows it: name ("keepalive", "on" for retransmission, ...), time left, probes or retries. */
    record Timer(String name, long millis, int count) {
        static final Timer NONE = new Timer("", -1, -1);
    }

    static Timer timer(TcpSocket socket) {
        Matcher m = TIMER.matcher(socket.rest());
        return m.find() ? new Timer(m.group(1), millis(m.group(2)), Integer.parseInt(m.group(3))) : Timer.NONE;
    }

    /** The agent's keepalive: counting down from KEEPIDLE (2 s). */
    static boolean agentTimer(TcpSocket socket) {
        Timer timer = timer(socket);
        return "keepalive".equals(timer.name) && timer.millis >= 0 && timer.millis <= LabJvms.IDLE * 1000L;
    }

    /** Kafka's own SO_KEEPALIVE without the agent: the kernel's tcp_keepalive_time ("119min" for 7200 s). */
    static boolean kernelTimer(TcpSocket socket, long kernelIdle) {
        Timer timer = timer(socket);
        // Above 10 minutes ss prints whole minutes: "119min" is anything from 119:00 to 119:59.
        return "keepalive".equals(timer.name) && timer.millis >= (kernelIdle - 120) * 1000
                && timer.millis <= kernelIdle * 1000;
    }

    /** ss's duration, as the one parser reads it; "" is a timer due now. */
    static long millis(String duration) {
        return duration.isEmpty() ? 0 : SsLine.millis(duration);
    }

    /** An IPv4 address as itself: Kafka's sockets are IPv6 ones, so ss shows {@code [::ffff:10.200.4.2]}. */
    static String ipv4(String address) {
        return address.replaceFirst("^\\[::ffff:(\\d+\\.\\d+\\.\\d+\\.\\d+)\\]", "$1");
    }

    private static List<String> ports(List<TcpSocket> sockets) {
        return sockets.stream().map(TcpSocket::peerPort).sorted().collect(Collectors.toList());
    }

    private static String lines(List<TcpSocket> sockets) {
        return sockets.isEmpty() ? "(none)" : sockets.stream().map(TcpSocket::toString).collect(Collectors.joining("\n"));
    }

    // ---------------------------------------------------------------- teardown

    /**
     * Ends the clients and brokers all at once (each by its own handle: stdin closed, SIGTERM, then
     * SIGKILL, every wait bounded) so that teardown takes seconds, not the sum of them. The lab's
     * close() would end them too, one after the other.
     */
    private static void stopAll(List<Broker> brokers) throws InterruptedException {
        List<LabProcess> processes = new ArrayList<>();
        for (Broker broker : brokers) {
            Stream.of(broker.client, broker.process).filter(p -> p != null).forEach(processes::add);
        }
        ExecutorService stopper = Executors.newFixedThreadPool(Math.max(1, processes.size()));
        try {
            List<Future<?>> stops = new ArrayList<>();
            for (LabProcess process : processes) {
                stops.add(stopper.submit(() -> {
                    process.close();
                    return null;
                }));
            }
            for (Future<?> stop : stops) {
                try {
                    stop.get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    System.err.println("kafka dead peer: stopping a process failed: " + e);
                }
            }
        } finally {
            stopper.shutdownNow();
        }
    }
}
