package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pgjdbc 42.7 with its default options against a real PostgreSQL (Debian's package, a cluster of
 * this test's own, see {@link PostgresServer}). The driver's {@code tcpKeepAlive} defaults to false
 * and it calls {@code socket.setKeepAlive(false)} on its connection after creating it. With the
 * agent's default ({@code force=keepalive}) that "off" is ignored and the connection has the agent's
 * timer; with {@code KEEPALIVE_FORCE=off} (libkeepalive's rule) the driver's choice wins: no timer.
 */
class PgJdbcTest {

    private static final String DRIVER = "io.github.keepaliveagent.it.thirdparty.apps.PgJdbcApp";

    private static PostgresServer postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static Program client(boolean agent, Map<String, String> env) throws Exception {
        Program client = Program.start(Program.java(agent, "pgjdbc", DRIVER, postgres.jdbcUrl(), Program.HOLD_SECONDS),
                env);
        client.awaitReady();
        assertTrue(client.output().contains("server PostgreSQL"), client.toString());
        return client;
    }

    @Test
    void withTheAgentTheDriversKeepaliveOffIsIgnored() throws Exception {
        try (Program client = client(true, Program.keepaliveEnv())) {
            Ss.assertAgentTimers(client.pid(), c -> c.peerPort == postgres.port, 1, client);
        }
    }

    @Test
    void withForceOffTheDriversKeepaliveOffWins() throws Exception {
        Map<String, String> env = new HashMap<>(Program.keepaliveEnv());
        env.put("KEEPALIVE_FORCE", "off");
        try (Program client = client(true, env)) {
            Ss.assertNoKeepalive(client.pid(), c -> c.peerPort == postgres.port, 1, client);
            assertTrue(client.output().contains("keepalive-agent"), "the agent was loaded: " + client);
        }
    }

    @Test
    void withoutTheAgentNoKeepalive() throws Exception {
        try (Program client = client(false, Map.of())) {
            Ss.assertNoKeepalive(client.pid(), c -> c.peerPort == postgres.port, 1, client);
        }
    }
}
