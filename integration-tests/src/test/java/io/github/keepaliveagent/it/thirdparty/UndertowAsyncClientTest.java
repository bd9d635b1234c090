package io.github.keepaliveagent.it.thirdparty;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Undertow 2.3 (XNIO's NIO worker) as the server and Apache HttpAsyncClient 5 as its client, each in
 * its own JVM with its defaults. Both switch keepalive off through the NIO adaptor socket:
 * XNIO's NioTcpServer calls {@code accepted.socket().setKeepAlive(false)} on every accepted channel
 * (its KEEP_ALIVE option defaults to off), and HttpCore's SingleCoreIOReactor calls
 * {@code socketChannel.socket().setKeepAlive(IOReactorConfig.isSoKeepAlive())}, false by default.
 * With the agent's default ({@code force=keepalive}) both ends keep the agent's keepalive; with
 * {@code KEEPALIVE_FORCE=off} their "off" wins; without the agent there is none.
 */
class UndertowAsyncClientTest {

    private static final String SERVER = "io.github.keepaliveagent.it.thirdparty.apps.UndertowApp";
    private static final String CLIENT = "io.github.keepaliveagent.it.thirdparty.apps.HttpAsyncClientApp";

    private interface Check {
        void check(Program server, Program client, int port) throws Exception;
    }

    private static void run(boolean agent, Map<String, String> env, Check check) throws Exception {
        // The server gets the agent by JAVA_TOOL_OPTIONS, the client by -javaagent.
        Map<String, String> serverEnv = new HashMap<>(env);
        if (agent) {
            serverEnv.put("JAVA_TOOL_OPTIONS", "-javaagent:" + Program.AGENT_JAR);
        }
        try (Program server = Program.start(Program.java(false, "undertow", SERVER, Program.HOLD_SECONDS), serverEnv)) {
            int port = server.port("port");
            try (Program client = Program.start(Program.java(agent, "httpclient5", CLIENT,
                    "http://127.0.0.1:" + port + "/hello", Program.HOLD_SECONDS), env)) {
                client.awaitReady();
                check.check(server, client, port);
            }
        }
    }

    @Test
    void withTheAgentBothEndsKeepTheTimer() throws Exception {
        run(true, Program.keepaliveEnv(), (server, client, port) -> {
            Ss.assertAgentTimers(server.pid(), c -> c.localPort == port, 1, server);
            Ss.assertAgentTimers(client.pid(), c -> c.peerPort == port, 1, client);
        });
    }

    @Test
    void withForceOffTheirKeepaliveOffWins() throws Exception {
        Map<String, String> env = new HashMap<>(Program.keepaliveEnv());
        env.put("KEEPALIVE_FORCE", "off");
        run(true, env, (server, client, port) -> {
            Ss.assertNoKeepalive(server.pid(), c -> c.localPort == port, 1, server);
            Ss.assertNoKeepalive(client.pid(), c -> c.peerPort == port, 1, client);
        });
    }

    @Test
    void withoutTheAgentNoKeepalive() throws Exception {
        run(false, Map.of(), (server, client, port) -> {
            Ss.assertNoKeepalive(server.pid(), c -> c.localPort == port, 1, server);
            Ss.assertNoKeepalive(client.pid(), c -> c.peerPort == port, 1, client);
        });
    }
}
