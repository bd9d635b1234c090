package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Apache HttpClient 5 (classic) in its own JVM against the tiny server of {@link HttpClientsTest}.
 * HttpClient calls {@code socket.setKeepAlive(socketConfig.isSoKeepAlive())} on every socket it
 * connects, and the default SocketConfig says false: a default value, not a choice of the operator.
 * With the agent (force=keepalive, the default) that "off" is ignored and the connection gets the
 * agent's idle, interval and count; with force=off (libkeepalive's rule) the client's "off" wins. A
 * client configured with {@code setSoKeepAlive(true)} gets the agent's values instead of the kernel's.
 */
@Tag("thirdparty")
class ApacheHttpClientTest {

    private static final String DRIVER = "io.github.keepaliveagent.it.thirdparty.apps.ApacheHttpClientApp";

    @BeforeAll
    static void startTinyServer() throws Exception {
        HttpClientsTest.startServer();
    }

    @AfterAll
    static void stopTinyServer() throws Exception {
        HttpClientsTest.stopTinyServer();
    }

    private static Program start(boolean agent, String... options) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(HttpClientsTest.url, Program.HOLD_SECONDS));
        args.addAll(List.of(options));
        return Program.start(Program.java(agent, "httpclient5", DRIVER, args.toArray(new String[0])),
                agent ? Program.keepaliveEnv() : Map.of());
    }

    @Test
    void theDefaultClientsKeepaliveOffIsIgnoredByDefault() throws Exception {
        Map<String, String> debug = new java.util.HashMap<>(Program.keepaliveEnv());
        debug.put("KEEPALIVE_LOG", "debug");
        try (Program client = Program.start(Program.java(true, "httpclient5", DRIVER, HttpClientsTest.url,
                Program.HOLD_SECONDS), debug)) {
            client.awaitReady();
            Ss.assertAgentTimers(client.pid(), c -> c.peerPort == HttpClientsTest.serverPort(), 1, client);
            // HttpClient did call setKeepAlive(false): the debug line says it was overridden.
            assertTrue(client.output().contains("the program switched keepalive off"), client.toString());
        }
    }

    @Test
    void withForceOffTheDefaultClientsKeepaliveOffWins() throws Exception {
        Map<String, String> force = new java.util.HashMap<>(Program.keepaliveEnv());
        force.put("KEEPALIVE_FORCE", "off");
        try (Program client = Program.start(Program.java(true, "httpclient5", DRIVER, HttpClientsTest.url,
                Program.HOLD_SECONDS), force)) {
            client.awaitReady();
            Ss.assertNoKeepalive(client.pid(), c -> c.peerPort == HttpClientsTest.serverPort(), 1, client);
        }
    }

    @Test
    void theDefaultClientWithoutTheAgentHasNoKeepalive() throws Exception {
        try (Program client = start(false)) {
            client.awaitReady();
            Ss.assertNoKeepalive(client.pid(), c -> c.peerPort == HttpClientsTest.serverPort(), 1, client);
        }
    }

    @Test
    void aClientWithSoKeepAliveGetsTheAgentsIdleTime() throws Exception {
        try (Program client = start(true, "so-keepalive")) {
            client.awaitReady();
            Ss.assertAgentTimers(client.pid(), c -> c.peerPort == HttpClientsTest.serverPort(), 1, client);
        }
    }

    @Test
    void aClientWithSoKeepAliveWithoutTheAgentWaitsTheKernels7200s() throws Exception {
        try (Program client = start(false, "so-keepalive")) {
            client.awaitReady();
            Ss.assertKernelDefaultKeepalive(client.pid(), c -> c.peerPort == HttpClientsTest.serverPort(), 1, client);
        }
    }
}
