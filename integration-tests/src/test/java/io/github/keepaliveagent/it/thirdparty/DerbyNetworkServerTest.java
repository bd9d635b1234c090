package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Issue 19, with a real program: Apache Derby 10.15's network server, started with its own main
 * ({@link DerbyServer}), installs its own SecurityManager and policy after the agent started (on
 * JDK 17, by default). Its policy knows nothing about the agent. A client (derbyclient's JDBC driver,
 * without the agent) keeps one connection open; the server's end of it, read back with ss on the
 * server's pid, must have the agent's keepalive timer. The listener is configured too, but ss shows
 * no timer on a listening socket: its accepted connection is what shows it.
 *
 * <p>With {@code -noSecurityManager} the same server is configured by the agent as it is today.
 * Without the agent, the control: Derby turns SO_KEEPALIVE on by itself, so its connection runs the
 * kernel's timer (tcp_keepalive_time, 7200 s), far above KEEPIDLE. (So the agent's scan, which looks
 * for sockets with keepalive off, cannot repair these: only the hooks can.) The test with the SecurityManager
 * documents the bug until the agent is fixed.
 */
class DerbyNetworkServerTest {

    private static final String CLIENT = "io.github.keepaliveagent.it.thirdparty.apps.DerbyClientApp";

    private static Program client(DerbyServer derby) throws Exception {
        Program client = Program.start(Program.java(false, "derby-client", CLIENT, derby.jdbcUrl(),
                Program.HOLD_SECONDS), Map.of());
        client.awaitReady();
        assertTrue(client.output().contains("server Apache Derby"), client.toString());
        return client;
    }

    private static String context(DerbyServer derby, Program client) {
        return "--- server\n" + derby.server + "\n--- client\n" + client;
    }

    @Test
    void withTheAgentTheServersConnectionGetsKeepaliveUnderDerbysSecurityManager() throws Exception {
        try (DerbyServer derby = DerbyServer.start(true, Program.keepaliveEnv());
                Program client = client(derby)) {
            assertTrue(derby.securityManagerInstalled(), "Derby should install its SecurityManager: " + derby.server);
            Ss.assertAgentTimers(derby.pid(), c -> c.localPort == derby.port, 1, context(derby, client));
            Thread.sleep(LateSecurityManagerTest.AFTER_THE_SELF_CHECK); // the self-check has run by now
            LateSecurityManagerTest.assertAtMostOneClearLine(derby.server);
        }
    }

    @Test
    void withTheAgentAndNoSecurityManagerTheServersConnectionGetsKeepalive() throws Exception {
        try (DerbyServer derby = DerbyServer.start(true, Program.keepaliveEnv(), "-noSecurityManager");
                Program client = client(derby)) {
            assertFalse(derby.securityManagerInstalled(), derby.server.toString());
            Ss.assertAgentTimers(derby.pid(), c -> c.localPort == derby.port, 1, context(derby, client));
            Thread.sleep(LateSecurityManagerTest.AFTER_THE_SELF_CHECK);
            LateSecurityManagerTest.assertAtMostOneClearLine(derby.server);
        }
    }

    @Test
    void withoutTheAgentTheServersConnectionHasTheKernelsKeepalive() throws Exception {
        try (DerbyServer derby = DerbyServer.start(false, Map.of());
                Program client = client(derby)) {
            assertTrue(derby.securityManagerInstalled(), derby.server.toString());
            Ss.assertKernelDefaultKeepalive(derby.pid(), c -> c.localPort == derby.port, 1, context(derby, client));
        }
    }
}
