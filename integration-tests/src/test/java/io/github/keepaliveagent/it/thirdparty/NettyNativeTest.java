package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Netty 4.2.13 on its native transports (epoll, io_uring), client and server in one JVM of their
 * own (apps/Netty42App): sockets made by Netty's JNI code ({@code io.netty.channel.unix.Socket}),
 * accepted by {@code accept()} or {@code IORING_OP_ACCEPT}, never by a JDK class. Without the agent
 * they have no keepalive; with it every end has the agent's timer, and a program's
 * {@code ChannelOption.SO_KEEPALIVE=false} (Netty's native {@code Socket.setKeepAlive(false)}) leaves
 * keepalive on under the default {@code force=keepalive} and off under {@code force=off}.
 */
class NettyNativeTest {

    private static final String DRIVER = "io.github.keepaliveagent.it.thirdparty.apps.Netty42App";

    private static Program start(String transport, String keepAliveOption, Map<String, String> env, boolean agent)
            throws Exception {
        if (transport.equals("io_uring")) {
            String disabled = ioUringDisabled();
            assumeTrue(disabled.equals("0"), "io_uring is disabled here: /proc/sys/kernel/io_uring_disabled = " + disabled);
        }
        Program program = Program.start(Program.java(agent, "netty42", DRIVER, transport, keepAliveOption,
                Program.HOLD_SECONDS), env);
        try {
            program.awaitReady();
        } catch (AssertionError notReady) {
            // The transport could not load here (the app says why and exits 3): a skip, not a failure.
            assumeTrue(!program.output().contains("unavailable " + transport), program.output());
            program.close();
            throw notReady;
        }
        // The transport really is the native one: the app prints the classes of its channels.
        String channel = transport.equals("epoll") ? "io.netty.channel.epoll.EpollSocketChannel"
                : "io.netty.channel.uring.IoUringSocketChannel";
        assertTrue(program.output().contains("netty-transport=4.2.13.Final client=" + channel + " accepted=[" + channel
                + "]"), program.toString());
        return program;
    }

    private static String ioUringDisabled() throws IOException {
        Path file = Paths.get("/proc/sys/kernel/io_uring_disabled");
        if (!Files.exists(file)) {
            return "0"; // kernels before 6.6 have no switch; IoUring.isAvailable() decides
        }
        try (var in = Files.newInputStream(file)) {
            return new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim();
        }
    }

    private static Map<String, String> force(String value) {
        Map<String, String> env = new HashMap<>(Program.keepaliveEnv());
        env.put("KEEPALIVE_FORCE", value);
        return env;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"epoll", "io_uring"})
    void withTheAgentClientAndAcceptedChannelsHaveTheTimer(String transport) throws Exception {
        try (Program netty = start(transport, "default", Program.keepaliveEnv(), true)) {
            int port = netty.port("port");
            Ss.assertAgentTimers(netty.pid(), c -> c.peerPort == port, 2, netty);
            Ss.assertAgentTimers(netty.pid(), c -> c.localPort == port, 2, netty);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"epoll", "io_uring"})
    void withoutTheAgentNoChannelHasATimer(String transport) throws Exception {
        try (Program netty = start(transport, "default", Map.of(), false)) {
            int port = netty.port("port");
            Ss.assertNoKeepalive(netty.pid(), c -> c.peerPort == port, 2, netty);
            Ss.assertNoKeepalive(netty.pid(), c -> c.localPort == port, 2, netty);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"epoll", "io_uring"})
    void soKeepAliveFalseIsOverriddenByTheDefaultForce(String transport) throws Exception {
        try (Program netty = start(transport, "keepalive-false", Program.keepaliveEnvWithToolOptions(), false)) {
            int port = netty.port("port");
            Ss.assertAgentTimers(netty.pid(), c -> c.peerPort == port, 2, netty);
            Ss.assertAgentTimers(netty.pid(), c -> c.localPort == port, 2, netty);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"epoll", "io_uring"})
    void soKeepAliveFalseStaysOffWithForceOff(String transport) throws Exception {
        try (Program netty = start(transport, "keepalive-false", force("off"), true)) {
            int port = netty.port("port");
            Ss.assertNoKeepalive(netty.pid(), c -> c.peerPort == port, 2, netty);
            Ss.assertNoKeepalive(netty.pid(), c -> c.localPort == port, 2, netty);
            assertTrue(netty.output().contains("keepalive-agent"), "the agent was loaded: " + netty);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"epoll", "io_uring"})
    void soKeepAliveFalseWithoutTheAgentHasNoTimer(String transport) throws Exception {
        try (Program netty = start(transport, "keepalive-false", Map.of(), false)) {
            int port = netty.port("port");
            Ss.assertNoKeepalive(netty.pid(), c -> c.peerPort == port, 2, netty);
            Ss.assertNoKeepalive(netty.pid(), c -> c.localPort == port, 2, netty);
        }
    }
}
