package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gRPC-java 1.79.0 on grpc-netty-shaded (Netty relocated to io.grpc.netty.shaded.io.netty, its
 * epoll transport bundled and chosen by default on Linux x86_64), client and server in separate
 * JVMs (apps/GrpcServerApp, apps/GrpcClientApp): one unary call, then the HTTP/2 connection is held.
 * gRPC itself sets SO_KEEPALIVE=true on both ends (NettyClientTransport's option, NettyServer's
 * childOption) but no idle time, so without the agent both ends wait the kernel's 7200 s; with it,
 * both have the agent's 60 s. Variants: gRPC's default transport (the apps print that it was
 * epoll) and NIO named by the program (NioEventLoopGroup + Nio(Server)SocketChannel).
 */
class GrpcNettyShadedTest {

    private static final String SERVER = "io.github.keepaliveagent.it.thirdparty.apps.GrpcServerApp";
    private static final String CLIENT = "io.github.keepaliveagent.it.thirdparty.apps.GrpcClientApp";

    private static void assertTransport(String transport, Program server, Program client) {
        if (transport.equals("default")) {
            assertTrue(server.output().contains(
                    "transport server ReflectiveChannelFactory(EpollServerSocketChannel.class) epoll.isAvailable=true"),
                    "gRPC's default server transport must be epoll here: " + server);
            assertTrue(client.output().contains(
                    "transport client io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel epoll.isAvailable=true"),
                    "gRPC's default client transport must be epoll here: " + client);
        } else {
            assertTrue(server.output().contains(
                    "transport server io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel"),
                    server.toString());
            assertTrue(client.output().contains(
                    "transport client io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel"),
                    client.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"default", "nio"})
    void withTheAgentBothEndsHaveTheTimer(String transport) throws Exception {
        try (Program server = Program.start(Program.java(true, "grpc", SERVER, transport, Program.HOLD_SECONDS),
                Program.keepaliveEnv())) {
            int port = server.port("port");
            try (Program client = Program.start(Program.java(false, "grpc", CLIENT, String.valueOf(port), transport,
                    Program.HOLD_SECONDS), Program.keepaliveEnvWithToolOptions())) {
                client.awaitReady();
                assertTransport(transport, server, client);
                Ss.assertAgentTimers(client.pid(), c -> c.peerPort == port, 1, client);
                Ss.assertAgentTimers(server.pid(), c -> c.localPort == port, 1, server);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"default", "nio"})
    void withoutTheAgentBothEndsWaitTheKernels7200s(String transport) throws Exception {
        try (Program server = Program.start(Program.java(false, "grpc", SERVER, transport, Program.HOLD_SECONDS),
                Map.of())) {
            int port = server.port("port");
            try (Program client = Program.start(Program.java(false, "grpc", CLIENT, String.valueOf(port), transport,
                    Program.HOLD_SECONDS), Map.of())) {
                client.awaitReady();
                assertTransport(transport, server, client);
                Ss.assertKernelDefaultKeepalive(client.pid(), c -> c.peerPort == port, 1, client);
                Ss.assertKernelDefaultKeepalive(server.pid(), c -> c.localPort == port, 1, server);
            }
        }
    }
}
