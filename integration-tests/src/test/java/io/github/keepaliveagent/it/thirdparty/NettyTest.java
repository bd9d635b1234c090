package io.github.keepaliveagent.it.thirdparty;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Netty 4.1 with its NIO transport, client and server in one JVM of their own (NioSocketChannel
 * connecting, NioServerSocketChannel accepting); ss shows both ends of each connection.
 */
@Tag("thirdparty")
class NettyTest {

    private static final String DRIVER = "io.github.keepaliveagent.it.thirdparty.apps.NettyApp";

    @Test
    void withTheAgentClientAndAcceptedChannelsHaveTheTimer() throws Exception {
        try (Program netty = Program.start(Program.java(true, "netty", DRIVER, Program.HOLD_SECONDS),
                Program.keepaliveEnv())) {
            int port = netty.port("port");
            Ss.assertAgentTimers(netty.pid(), c -> c.peerPort == port, 2, netty);
            Ss.assertAgentTimers(netty.pid(), c -> c.localPort == port, 2, netty);
        }
    }

    @Test
    void withoutTheAgentNoChannelHasATimer() throws Exception {
        try (Program netty = Program.start(Program.java(false, "netty", DRIVER, Program.HOLD_SECONDS), Map.of())) {
            int port = netty.port("port");
            Ss.assertNoKeepalive(netty.pid(), c -> c.peerPort == port, 2, netty);
            Ss.assertNoKeepalive(netty.pid(), c -> c.localPort == port, 2, netty);
        }
    }
}
