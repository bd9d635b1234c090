package io.github.keepaliveagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketImpl;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

/** Applies the options to real loopback sockets and reads them back from the kernel. */
class KeepAliveApplierTest {

    private final KeepAliveApplier applier = KeepAliveApplier.create(
            Settings.resolve("idle=61,interval=11,count=6", Map.of()), new ArrayList<>(), null);

    @Test
    void socketChannel() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(loopback());
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept()) {
            applier.accept(client, KeepAliveApplier.SOCKET);
            assertEquals(true, client.getOption(StandardSocketOptions.SO_KEEPALIVE));
            assertEquals(61, client.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
            assertEquals(11, client.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL));
            assertEquals(6, client.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
            assertEquals(false, accepted.getOption(StandardSocketOptions.SO_KEEPALIVE), "only the socket handed over");
        }
    }

    @Test
    void acceptedSocket() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            applier.accept(accepted, KeepAliveApplier.SOCKET);
            assertEquals(true, accepted.getKeepAlive());
            assertEquals(61, accepted.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
            assertEquals(6, accepted.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
        }
    }

    @Test
    void socketImplOfAClientSocket() throws Exception {
        try (Socket socket = new Socket()) {
            Method getImpl = Socket.class.getDeclaredMethod("getImpl");
            getImpl.setAccessible(true); // the agent itself is handed the impl by the hook
            applier.accept((SocketImpl) getImpl.invoke(socket), KeepAliveApplier.SOCKET);
            assertEquals(true, socket.getKeepAlive());
            assertEquals(61, socket.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
            assertEquals(11, socket.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL));
        }
    }

    @Test
    void unsetOptionsAreNotTouched() throws Exception {
        KeepAliveApplier onlyKeepalive = KeepAliveApplier.create(Settings.resolve(null, Map.of()), new ArrayList<>(),
                null);
        try (SocketChannel channel = SocketChannel.open()) {
            int kernelIdle = channel.getOption(ExtendedSocketOptions.TCP_KEEPIDLE);
            onlyKeepalive.accept(channel, KeepAliveApplier.SOCKET);
            assertEquals(true, channel.getOption(StandardSocketOptions.SO_KEEPALIVE));
            assertEquals(kernelIdle, channel.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        }
    }

    @Test
    void unixDomainChannelsAndClosedSocketsAreLeftAloneWithoutThrowing() throws Exception {
        try (SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            applier.accept(unix, KeepAliveApplier.SOCKET);
            assertTrue(!unix.supportedOptions().contains(StandardSocketOptions.SO_KEEPALIVE));
        }
        SocketChannel closed = SocketChannel.open();
        closed.close();
        applier.accept(closed, KeepAliveApplier.SOCKET); // must not throw
        applier.accept("not a socket", KeepAliveApplier.SOCKET);
    }

    @Test
    void reportsNothingMissingOnThisJdk() {
        List<String> missing = new ArrayList<>();
        KeepAliveApplier.create(Settings.resolve("idle=5", Map.of()), missing, null);
        assertEquals(List.of(), missing);
    }

    @Test
    void theNativePathSetsEveryOptionIncludingUserTimeoutOnEveryKind() throws Exception {
        KeepAliveApplier natively = KeepAliveApplier.create(
                Settings.resolve("idle=62,interval=12,count=7,user_timeout=4321", Map.of()), new ArrayList<>(),
                NativeSockets.open(JdkAccess.current()));
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                Socket client = new Socket();
                SocketChannel channel = SocketChannel.open()) {
            Method getImpl = Socket.class.getDeclaredMethod("getImpl");
            getImpl.setAccessible(true);
            natively.accept(getImpl.invoke(client), KeepAliveApplier.SOCKET);
            natively.accept(channel, KeepAliveApplier.SOCKET);
            client.connect(server.getLocalSocketAddress());
            try (Socket accepted = server.accept()) {
                natively.accept(accepted, KeepAliveApplier.SOCKET);
                for (Object socket : List.of(client, channel, accepted)) {
                    assertEquals(true, option(socket, StandardSocketOptions.SO_KEEPALIVE), socket.toString());
                    assertEquals(62, option(socket, ExtendedSocketOptions.TCP_KEEPIDLE), socket.toString());
                    assertEquals(12, option(socket, ExtendedSocketOptions.TCP_KEEPINTERVAL), socket.toString());
                    assertEquals(7, option(socket, ExtendedSocketOptions.TCP_KEEPCOUNT), socket.toString());
                }
                NativeSockets natives = NativeSockets.open(JdkAccess.current());
                Method getInt = Class.forName("sun.nio.ch.Net").getDeclaredMethod("getIntOption0",
                        java.io.FileDescriptor.class, boolean.class, int.class, int.class);
                getInt.setAccessible(true);
                assertEquals(4321, getInt.invoke(null, natives.of(channel), false, 6, 18));
                assertEquals(4321, getInt.invoke(null, natives.of(accepted), false, 6, 18));
            }
        }
    }

    @Test
    void listenersAreConfiguredAndWhatTheyAcceptInheritsWithoutBeingTouched() throws Exception {
        KeepAliveApplier natively = KeepAliveApplier.create(Settings.resolve("idle=63", Map.of()), new ArrayList<>(),
                NativeSockets.open(JdkAccess.current()));
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            natively.accept(server, KeepAliveApplier.LISTENER);
            server.bind(loopback());
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                    SocketChannel accepted = server.accept()) {
                natively.accept(accepted, KeepAliveApplier.SOCKET); // inherits: not set again
                assertEquals(true, accepted.getOption(StandardSocketOptions.SO_KEEPALIVE));
                assertEquals(63, accepted.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
                assertEquals(false, client.getOption(StandardSocketOptions.SO_KEEPALIVE), "not handed over");
            }
        }
    }

    private static Object option(Object socket, java.net.SocketOption<?> option) throws Exception {
        return socket instanceof Socket ? ((Socket) socket).getOption(option)
                : ((java.nio.channels.NetworkChannel) socket).getOption(option);
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }
}
