package io.github.keepaliveagent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.keepaliveagent.config.Settings;
import io.github.keepaliveagent.jdk.Dispatcher;
import io.github.keepaliveagent.jdk.NativeCalls;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

/** Applies the options to real loopback sockets and reads them back from the kernel. */
class ApplierTest {

    private static final NativeCalls NATIVES = JdkSockets.NATIVES;


    private static Applier applier(String args, NativeCalls natives) {
        return Applier.create(Settings.resolve(args, Map.of(), false), new ArrayList<>(), natives);
    }

    @Test
    void everyOptionIncludingUserTimeoutOnEveryKindThroughTheNativePath() throws Exception {
        Applier natively = applier("idle=62,interval=12,count=7,user_timeout=154321", NATIVES);
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                Socket client = new Socket();
                SocketChannel channel = SocketChannel.open()) {
            natively.accept(JdkSockets.impl(client), Dispatcher.SOCKET);
            natively.accept(channel, Dispatcher.SOCKET);
            client.connect(server.getLocalSocketAddress());
            try (Socket accepted = server.accept()) {
                natively.accept(accepted, Dispatcher.SOCKET);
                for (Object socket : List.of(client, channel, accepted)) {
                    assertEquals(true, option(socket, StandardSocketOptions.SO_KEEPALIVE), socket.toString());
                    assertEquals(62, option(socket, ExtendedSocketOptions.TCP_KEEPIDLE), socket.toString());
                    assertEquals(12, option(socket, ExtendedSocketOptions.TCP_KEEPINTERVAL), socket.toString());
                    assertEquals(7, option(socket, ExtendedSocketOptions.TCP_KEEPCOUNT), socket.toString());
                }
                Descriptors descriptors = new Descriptors(NATIVES);
                assertEquals(154321, NATIVES.getInt(descriptors.of(channel), 6, 18));
                assertEquals(154321, NATIVES.getInt(descriptors.of(accepted), 6, 18));
            }
        }
    }

    @Test
    void theJdkApiPathWhereThereIsNoNativeOne() throws Exception {
        Applier portable = applier("idle=61,interval=11,count=6", null);
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(loopback());
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept();
                Socket socket = new Socket()) {
            portable.accept(client, Dispatcher.SOCKET);
            portable.accept(JdkSockets.impl(socket), Dispatcher.SOCKET);
            for (Object configured : List.of(client, socket)) {
                assertEquals(true, option(configured, StandardSocketOptions.SO_KEEPALIVE));
                assertEquals(61, option(configured, ExtendedSocketOptions.TCP_KEEPIDLE));
                assertEquals(6, option(configured, ExtendedSocketOptions.TCP_KEEPCOUNT));
            }
            assertEquals(false, accepted.getOption(StandardSocketOptions.SO_KEEPALIVE), "only the socket handed over");
        }
    }

    @Test
    void unsetOptionsAreNotTouched() throws Exception {
        try (SocketChannel channel = SocketChannel.open()) {
            int kernelIdle = channel.getOption(ExtendedSocketOptions.TCP_KEEPIDLE);
            applier(null, NATIVES).accept(channel, Dispatcher.SOCKET);
            assertEquals(true, channel.getOption(StandardSocketOptions.SO_KEEPALIVE));
            assertEquals(kernelIdle, channel.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        }
    }

    @Test
    void aDescriptorFromNativeCodeIsConfigured() throws Exception {
        try (SocketChannel channel = SocketChannel.open()) {
            applier("idle=64", NATIVES).accept(JdkSockets.fdNumber(channel), Dispatcher.NATIVE_SOCKET); // as Netty's hook does
            assertEquals(true, channel.getOption(StandardSocketOptions.SO_KEEPALIVE));
            assertEquals(64, channel.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        }
    }

    @Test
    void unixDomainChannelsAreLeftAlone() throws Exception {
        try (SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            applier("idle=60", NATIVES).accept(unix, Dispatcher.SOCKET);
            FileDescriptor fd = new Descriptors(NATIVES).of(unix);
            assertEquals(0, NATIVES.getInt(fd, 1, 9), "SO_KEEPALIVE on a UNIX-domain socket: not the agent's business");
        }
    }

    /**
     * A channel closed before it is handed over, and an object that is no socket, change nothing: not even
     * the socket that has meanwhile taken the closed channel's descriptor number (the agent goes by the
     * channel's FileDescriptor, never by the number it once had).
     */
    @Test
    void aClosedChannelOrANonSocketLeavesTheSocketNowHoldingItsDescriptorAlone() throws Exception {
        Applier natively = applier("idle=60", NATIVES);
        SocketChannel closed = SocketChannel.open();
        int number = JdkSockets.fdNumber(closed);
        closed.close();
        try (SocketChannel reused = SocketChannel.open()) {
            assertEquals(number, JdkSockets.fdNumber(reused),
                    "the kernel hands out the lowest free descriptor: the closed one's");
            int kernelIdle = reused.getOption(ExtendedSocketOptions.TCP_KEEPIDLE);
            natively.accept(closed, Dispatcher.SOCKET);
            natively.accept("not a socket", Dispatcher.SOCKET);
            assertEquals(false, reused.getOption(StandardSocketOptions.SO_KEEPALIVE),
                    "the socket now at descriptor " + number + " was not handed over");
            assertEquals(kernelIdle, reused.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        }
    }

    @Test
    void listenersAreConfiguredAndWhatTheyAcceptInheritsWithoutBeingTouched() throws Exception {
        Applier natively = applier("idle=63", NATIVES);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            natively.accept(server, Dispatcher.LISTENER);
            server.bind(loopback());
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                    SocketChannel accepted = server.accept()) {
                natively.accept(accepted, Dispatcher.SOCKET); // inherits: not set again
                assertEquals(true, accepted.getOption(StandardSocketOptions.SO_KEEPALIVE));
                assertEquals(63, accepted.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
                assertEquals(false, client.getOption(StandardSocketOptions.SO_KEEPALIVE), "not handed over");
            }
        }
    }

    @Test
    void onceEveryListenerIsKnownConfiguredAnAcceptedConnectionCostsNoSystemCall() throws Exception {
        Applier natively = applier("idle=63", NATIVES);
        natively.listenersConfigured();
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(loopback()); // not handed over
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept()) {
            natively.accept(accepted, Dispatcher.SOCKET);
            assertEquals(false, accepted.getOption(StandardSocketOptions.SO_KEEPALIVE),
                    "trusted to have inherited: not even looked at");
        }
    }

    @Test
    void theFilterKeepsKeepaliveOnAndLetsTheProgramsOwnValuesWinByDefault() {
        Applier byDefault = applier("idle=60", NATIVES);
        assertEquals(Boolean.TRUE, byDefault.valueFor("SO_KEEPALIVE", Boolean.FALSE));
        assertEquals(Boolean.TRUE, byDefault.valueFor("SO_KEEPALIVE", Boolean.TRUE));
        assertEquals(33, byDefault.valueFor("TCP_KEEPIDLE", 33));
        assertEquals(4096, byDefault.valueFor("SO_RCVBUF", 4096));
        // What the dispatcher calls: {socket, option, value}; a socket it cannot name is no reason to fail.
        assertEquals(Boolean.TRUE, byDefault.apply(new Object[] {null, "SO_KEEPALIVE", Boolean.FALSE}));
        assertEquals(33, byDefault.apply(new Object[] {new Object(), "TCP_KEEPIDLE", 33}));

        Applier all = applier("idle=60,interval=1,user_timeout=120000,force=all", NATIVES);
        assertEquals(Boolean.TRUE, all.valueFor("SO_KEEPALIVE", Boolean.FALSE));
        assertEquals(60, all.valueFor("TCP_KEEPIDLE", 33));
        assertEquals(120000, all.valueFor("TCP_USER_TIMEOUT", 5));
        assertEquals(7, all.valueFor("TCP_KEEPCOUNT", 7), "not configured: the program's value stays");

        Applier libkeepalive = applier("idle=60,force=off", NATIVES);
        assertEquals(Boolean.FALSE, libkeepalive.valueFor("SO_KEEPALIVE", Boolean.FALSE));
        assertEquals(33, libkeepalive.valueFor("TCP_KEEPIDLE", 33));
    }

    @Test
    void reportsNothingMissingOnThisJdk() {
        List<String> missing = new ArrayList<>();
        Applier.create(Settings.resolve("idle=5", Map.of(), false), missing, null);
        assertEquals(List.of("sockets created in native code (Netty's epoll, io_uring, kqueue: Linux only)"), missing);
    }



    private static Object option(Object socket, java.net.SocketOption<?> option) throws Exception {
        return socket instanceof Socket ? ((Socket) socket).getOption(option)
                : ((java.nio.channels.NetworkChannel) socket).getOption(option);
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }
}
