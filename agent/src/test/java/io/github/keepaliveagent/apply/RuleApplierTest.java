package io.github.keepaliveagent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Map;
import java.util.function.BiConsumer;

import io.github.keepaliveagent.config.Settings;
import io.github.keepaliveagent.jdk.Dispatcher;
import io.github.keepaliveagent.jdk.NativeCalls;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

/**
 * The connection rules on real loopback sockets, driven as the dispatcher drives them (creation, then
 * connect, bind, accept, the program's own calls), and read back from the kernel.
 */
class RuleApplierTest {

    private static final NativeCalls NATIVES = JdkSockets.NATIVES;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** What a socket that never set it has: /proc/sys/net/ipv4/tcp_keepalive_time. */
    private static final int KERNEL_IDLE = kernelIdle();


    private static int kernelIdle() {
        try (SocketChannel fresh = SocketChannel.open()) {
            return fresh.getOption(ExtendedSocketOptions.TCP_KEEPIDLE);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Applier applier(String args) {
        Settings settings = Settings.resolve(args, Map.of(), false);
        assertEquals(java.util.List.of(), settings.problems());
        return Applier.create(settings, new ArrayList<>(), NATIVES);
    }

    @SuppressWarnings("unchecked")
    private static BiConsumer<Object, Object> connects(Applier applier) {
        return (BiConsumer<Object, Object>) applier.ruleHooks()[0];
    }

    @SuppressWarnings("unchecked")
    private static Object filter(Applier applier, Object socket, String option, Object value) {
        return applier.apply(new Object[] {socket, option, value});
    }

    /** A client Socket as the hooks see it: configured at creation, then its connect goes through the rules. */
    private static Socket connect(Applier applier, ServerSocket server) throws Exception {
        Socket client = new Socket();
        applier.accept(JdkSockets.impl(client), Dispatcher.SOCKET);
        connects(applier).accept(client, server.getLocalSocketAddress());
        client.connect(server.getLocalSocketAddress());
        return client;
    }

    @Test
    void withoutRulesTheDispatcherGetsNoRuleHookAtAll() {
        assertNull(applier("idle=60").ruleHooks());
        assertNull(applier("rules=dir=in+port=80+idle=5").ruleHooks()[0], "no outbound rule: connect returns at once");
        assertNull(applier("rules=dir=out+idle=5").ruleHooks()[1], "no inbound address rule: no look at accept");
    }

    /**
     * A connect hook runs at the channel's connect entry, before the JDK checks that it is open: a closed
     * channel's FileDescriptor keeps its number, which the socket opened next has. That socket keeps its values.
     */
    @Test
    void aClosedChannelsConnectLeavesTheSocketNowHoldingItsDescriptorAlone() throws Exception {
        Applier applier = applier("idle=60,rules=dir=out+addr=127.0.0.0/8+keepalive=off");
        SocketChannel closed = SocketChannel.open();
        int number = JdkSockets.fdNumber(closed);
        closed.close();
        try (SocketChannel reused = SocketChannel.open()) {
            assertEquals(number, JdkSockets.fdNumber(reused), "the lowest free descriptor: the closed one's");
            applier.accept(reused, Dispatcher.SOCKET);
            assertEquals(true, reused.getOption(StandardSocketOptions.SO_KEEPALIVE));
            connects(applier).accept(closed, new InetSocketAddress(LOOPBACK, 1)); // a keepalive=off rule matches
            assertEquals(true, reused.getOption(StandardSocketOptions.SO_KEEPALIVE),
                    "the socket now at descriptor " + number + " did not connect");
            assertEquals(60, (int) reused.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        }
    }

    @Test
    void twoDestinationsGetTwoIdleValues() throws Exception {
        try (ServerSocket a = new ServerSocket(0, 5, LOOPBACK); ServerSocket b = new ServerSocket(0, 5, LOOPBACK)) {
            Applier applier = applier("idle=60,interval=10,count=5,rules=port=" + a.getLocalPort() + "+idle=31;port="
                    + b.getLocalPort() + "+idle=32+count=2");
            try (Socket toA = connect(applier, a); Socket toB = connect(applier, b);
                    Socket other = new Socket()) {
                applier.accept(JdkSockets.impl(other), Dispatcher.SOCKET);
                connects(applier).accept(other, new InetSocketAddress(LOOPBACK, 1)); // no rule: untouched
                assertEquals(31, (int) toA.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
                assertEquals(5, (int) toA.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
                assertEquals(32, (int) toB.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
                assertEquals(2, (int) toB.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
                assertEquals(10, (int) toB.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL), "the global value");
                assertEquals(60, (int) other.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
                assertEquals(true, toA.getKeepAlive());
            }
        }
    }

    @Test
    void anExcludedDestinationIsLeftAloneAndTheProgramsOwnOffPasses() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, LOOPBACK)) {
            Applier applier = applier("idle=60,user_timeout=auto,rules=addr=127.0.0.0/8+port=" + server.getLocalPort()
                    + "+keepalive=off");
            try (Socket excluded = connect(applier, server)) {
                assertEquals(false, excluded.getKeepAlive(), "what the agent gave at creation is undone");
                assertEquals(KERNEL_IDLE, (int) excluded.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
                assertEquals(0, NATIVES.getInt(new Descriptors(NATIVES).of(excluded), 6, 18), "no user timeout");
                // pgjdbc's setKeepAlive(false) after connecting: passes, instead of being turned into "on".
                assertEquals(Boolean.FALSE, filter(applier, excluded, "SO_KEEPALIVE", Boolean.FALSE));
            }
            try (Socket elsewhere = new Socket()) {
                applier.accept(JdkSockets.impl(elsewhere), Dispatcher.SOCKET);
                assertEquals(Boolean.TRUE, filter(applier, elsewhere, "SO_KEEPALIVE", Boolean.FALSE),
                        "not connected yet: forced as without rules (its connect decides)");
            }
        }
    }

    @Test
    void aProgramThatAsksForKeepaliveBeforeConnectingToAnExcludedDestinationKeepsIt() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, LOOPBACK)) {
            Applier applier = applier("idle=60,rules=port=" + server.getLocalPort() + "+keepalive=off");
            try (Socket kafkaLike = new Socket()) {
                applier.accept(JdkSockets.impl(kafkaLike), Dispatcher.SOCKET);
                assertEquals(Boolean.TRUE, filter(applier, kafkaLike, "SO_KEEPALIVE", Boolean.TRUE));
                kafkaLike.setKeepAlive(true);
                kafkaLike.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 77);
                connects(applier).accept(kafkaLike, server.getLocalSocketAddress());
                kafkaLike.connect(server.getLocalSocketAddress());
                assertEquals(true, kafkaLike.getKeepAlive(), "the program's own keepalive");
                assertEquals(77, (int) kafkaLike.getOption(ExtendedSocketOptions.TCP_KEEPIDLE), "its own idle");
            }
        }
    }

    @Test
    void theProgramsOwnValuesWinUnlessForceAll() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, LOOPBACK)) {
            for (String force : new String[] {"keepalive", "all"}) {
                Applier applier = applier("idle=60,force=" + force + ",rules=port=" + server.getLocalPort()
                        + "+idle=30+interval=3");
                try (Socket client = new Socket()) {
                    applier.accept(JdkSockets.impl(client), Dispatcher.SOCKET);
                    client.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 45); // the program's own, before connecting
                    connects(applier).accept(client, server.getLocalSocketAddress());
                    client.connect(server.getLocalSocketAddress());
                    assertEquals("all".equals(force) ? 30 : 45, (int) client.getOption(ExtendedSocketOptions.TCP_KEEPIDLE),
                            force);
                    assertEquals(3, (int) client.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL), force);
                    // After connecting, force=all keeps this socket's rule values; force=keepalive lets it set its own.
                    assertEquals("all".equals(force) ? 3 : 4, filter(applier, client, "TCP_KEEPINTERVAL", 4), force);
                }
            }
        }
    }

    @Test
    void aListenerGetsTheRuleOfItsPortAndWhatItAcceptsInheritsIt() throws Exception {
        Applier applier = applier("idle=60,rules=dir=in+port=1-65535+idle=23");
        applier.listenersConfigured();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            applier.accept(server, Dispatcher.LISTENER);
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            applier.accept(server, Dispatcher.LISTENER_BOUND);
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                    SocketChannel accepted = server.accept()) {
                applier.accept(accepted, Dispatcher.SOCKET); // no address rule: not even looked at
                assertEquals(23, (int) accepted.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
                assertEquals(true, accepted.getOption(StandardSocketOptions.SO_KEEPALIVE));
            }
        }
    }

    @Test
    void anInboundRuleByRemoteAddressIsAppliedAtAccept() throws Exception {
        Applier applier = applier("idle=60,rules=dir=in+addr=127.0.0.1+idle=24;dir=in+addr=::1+idle=25");
        applier.listenersConfigured();
        assertNotNull(applier.ruleHooks()[1], "Netty's accepted descriptors are looked at too");
        try (ServerSocket server = new ServerSocket()) {
            applier.accept(JdkSockets.impl(server), Dispatcher.LISTENER);
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            try (Socket client = new Socket(LOOPBACK, server.getLocalPort()); Socket accepted = server.accept()) {
                applier.accept(accepted, Dispatcher.SOCKET);
                assertEquals(24, (int) accepted.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
            }
        }
    }

    /** A program's Socket subclass may say anything about its peer: the rules ask the kernel instead. */
    @Test
    void aProgramsOwnSocketClassIsMatchedByWhatTheKernelSays() throws Exception {
        Applier applier = applier("idle=60,rules=dir=in+addr=10.0.0.0/8+idle=23;dir=in+addr=127.0.0.1+idle=24");
        applier.listenersConfigured();
        class Claiming extends Socket {
            @Override
            public InetAddress getInetAddress() {
                try {
                    return InetAddress.getByAddress(new byte[] {10, 1, 2, 3}); // not where it is connected
                } catch (java.net.UnknownHostException e) {
                    throw new AssertionError(e);
                }
            }
        }
        try (ServerSocket server = new ServerSocket() {
                    @Override
                    public Socket accept() throws java.io.IOException {
                        Socket own = new Claiming();
                        implAccept(own);
                        return own;
                    }
                }) {
            applier.accept(JdkSockets.impl(server), Dispatcher.LISTENER);
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            try (Socket client = new Socket(LOOPBACK, server.getLocalPort()); Socket accepted = server.accept()) {
                applier.accept(accepted, Dispatcher.SOCKET);
                assertEquals(24, (int) accepted.getOption(ExtendedSocketOptions.TCP_KEEPIDLE), "the peer is 127.0.0.1");
            }
        }
    }

    @Test
    void aNettyDescriptorConnectsAndAcceptsByTheRules() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                SocketChannel client = SocketChannel.open()) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            Applier applier = applier("idle=60,rules=dir=out+port=" + port + "+idle=26;dir=in+addr=127.0.0.0/8+idle=27");
            applier.accept(server, Dispatcher.LISTENER); // Netty's listener got the global values when created
            applier.accept(JdkSockets.fdNumber(client), Dispatcher.NATIVE_SOCKET); // as newSocketStream0's hook
            connects(applier).accept(JdkSockets.fdNumber(client), server.getLocalAddress()); // as unix.Socket.connect's
            client.connect(server.getLocalAddress());
            try (SocketChannel accepted = server.accept()) {
                ((java.util.function.IntConsumer) applier.ruleHooks()[1]).accept(JdkSockets.fdNumber(accepted)); // unix.Socket.accept's
                assertEquals(26, (int) client.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
                assertEquals(27, (int) accepted.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
            }
        }
    }

    @Test
    void userTimeoutAutoFollowsTheRulesKeepalive() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, LOOPBACK)) {
            Applier applier = applier("idle=60,interval=10,count=5,user_timeout=auto,rules=port=" + server.getLocalPort()
                    + "+idle=20+interval=2+count=5");
            try (Socket client = connect(applier, server); Socket other = new Socket()) {
                applier.accept(JdkSockets.impl(other), Dispatcher.SOCKET);
                assertEquals(30_000, NATIVES.getInt(new Descriptors(NATIVES).of(client), 6, 18), "20 + 2 x 5 s");
                assertEquals(110_000, NATIVES.getInt(new Descriptors(NATIVES).of(other), 6, 18), "60 + 10 x 5 s");
            }
        }
    }


}
