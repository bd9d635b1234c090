package io.github.keepaliveagent.it.lab;

import java.io.IOException;
import java.time.Duration;

import io.github.keepaliveagent.it.ForkedJvm;

/**
 * The set-up of the dead-peer tests ({@link DeadPeerTest}, {@link RunningJvmTest}): a lab of two
 * namespaces joined by one veth pair ({@link NetLab#serverAndClient}), unmodified echo servers of the
 * examples module in the server namespace, and their line clients in the client namespace, each
 * client's connections up and checked with one echo before the test makes a peer vanish.
 *
 * @param lab the lab; closing this closes it, with its namespaces and programs
 * @param server the server's namespace
 * @param client the client's namespace
 */
record ServerClientLab(NetLab lab, String server, String client) implements AutoCloseable {

    /** How long a JVM of the lab may take to listen or to connect. */
    static final Duration START = Duration.ofSeconds(30);

    /** A new lab whose server and client namespaces are on 10.200.SUBNET.0/24. */
    static ServerClientLab open(int subnet) throws IOException, InterruptedException {
        NetLab lab = NetLab.open();
        try {
            NetLab.ServerAndClient hosts = lab.serverAndClient(subnet);
            return new ServerClientLab(lab, hosts.server(), hosts.client());
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                lab.close();
            } catch (IOException | InterruptedException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Starts a server in the server namespace, listening on {@code port}; see {@link #awaitListening}. */
    LabProcess startServer(ForkedJvm jvm, String who, String mainClass, int port) throws IOException {
        return lab.start(server, jvm, who, mainClass, String.valueOf(port));
    }

    /** Waits until a server of any kind says it listens on {@code port}. */
    static void awaitListening(LabProcess server, int port) {
        server.await("^listening kind=\\w+ port=" + port + "$", START);
    }

    /** A blocking-socket echo server in the server namespace, once it listens on {@code port}. */
    LabProcess echoServer(ForkedJvm jvm, String who, int port) throws IOException {
        LabProcess echo = startServer(jvm, who, "example.lab.BlockingEchoServer", port);
        echo.await("^listening kind=socket port=" + port + "$", START);
        return echo;
    }

    /** {@code ip:port} of the server namespace, checked: what a client connects to. */
    String endpoint(int port) throws IOException, InterruptedException {
        return lab.endpoint(server, port);
    }

    /** Starts the line client in the client namespace; {@code args}: its options and endpoints. */
    LabProcess startClients(ForkedJvm jvm, String who, String... args) throws IOException {
        return lab.start(client, jvm, who, "example.lab.LineClient", args);
    }

    /** Waits for the clients' {@code connections}, sends one line on each and waits for every echo. */
    static void greet(LabProcess clients, int connections) throws IOException {
        clients.await("^ready connections=" + connections + "$", START);
        clients.send("hello");
        clients.awaitCount("^received .*: hello$", connections, Duration.ofSeconds(10));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        lab.close();
    }
}
