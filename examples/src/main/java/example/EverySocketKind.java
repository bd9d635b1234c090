package example;

import java.io.Closeable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary program that knows nothing of keepalive: it opens one TCP connection of every kind
 * the JDK has, on loopback, and prints each socket's keepalive options as the kernel reports them.
 *
 * <p>Arguments: {@code --hold SECONDS} keeps the connections open (to look at them with
 * {@code ss -tnoe}); {@code --app-sets} makes the program set options itself first, to show that
 * its own choices win (keepalive off on one socket, idle 33 s on another); {@code --ports} ends
 * each TCP socket's line with {@code ports=LOCAL>PEER}, to find it in {@code ss} (scripts/demo).
 */
public final class EverySocketKind {

    private static final List<Closeable> OPEN = new ArrayList<>();
    private static boolean appSets;
    private static boolean ports;

    private EverySocketKind() {
    }

    public static void main(String[] args) throws Exception {
        int holdSeconds = 0;
        for (int i = 0; i < args.length; i++) {
            if ("--hold".equals(args[i]) && i + 1 < args.length) {
                holdSeconds = Integer.parseInt(args[++i]);
            } else if ("--app-sets".equals(args[i])) {
                appSets = true;
            } else if ("--ports".equals(args[i])) {
                ports = true;
            } else {
                System.err.println("usage: EverySocketKind [--hold SECONDS] [--app-sets] [--ports]");
                System.exit(2);
            }
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        javaNetSockets(loopback);
        socketChannels(loopback);
        asynchronousChannels(loopback);
        notTcp(loopback);
        System.out.println("ready pid=" + pid());
        System.out.flush();
        if (holdSeconds > 0) {
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        }
        for (Closeable closeable : OPEN) {
            closeable.close();
        }
    }

    private static void javaNetSockets(InetAddress loopback) throws Exception {
        ServerSocket server = keep(new ServerSocket(0, 50, loopback));
        Socket client = keep(new Socket(loopback, server.getLocalPort()));
        Socket accepted = keep(server.accept());
        print("socket.client", client);
        print("socket.accepted", accepted);

        Socket unconnected = keep(new Socket());
        if (appSets) {
            unconnected.setKeepAlive(false); // the program's own choice, before connect
        }
        unconnected.connect(server.getLocalSocketAddress(), 5000);
        keep(server.accept());
        print("socket.connect", unconnected);
    }

    private static void socketChannels(InetAddress loopback) throws Exception {
        ServerSocketChannel server = keep(ServerSocketChannel.open());
        server.bind(new InetSocketAddress(loopback, 0));
        SocketAddress address = server.getLocalAddress();

        SocketChannel blocking = keep(SocketChannel.open(address));
        SocketChannel acceptedBlocking = keep(server.accept());
        print("channel.client", blocking);
        print("channel.accepted", acceptedBlocking);

        SocketChannel nonBlocking = keep(SocketChannel.open());
        if (appSets) {
            setIdle(nonBlocking, 33); // the program's own idle time wins over the agent's
        }
        nonBlocking.configureBlocking(false);
        nonBlocking.connect(address);
        server.configureBlocking(false);
        SocketChannel acceptedNonBlocking = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((!nonBlocking.finishConnect() || acceptedNonBlocking == null) && System.nanoTime() < deadline) {
            if (acceptedNonBlocking == null) {
                acceptedNonBlocking = server.accept();
            }
            Thread.sleep(1);
        }
        keep(acceptedNonBlocking);
        print("channel.nonblocking", nonBlocking);
        print("channel.accepted.nonblocking", acceptedNonBlocking);
        server.configureBlocking(true);

        SocketChannel adaptor = keep(SocketChannel.open());
        adaptor.socket().connect(address, 5000);
        keep(server.accept());
        print("channel.adaptor", adaptor);
    }

    private static void asynchronousChannels(InetAddress loopback) throws Exception {
        AsynchronousServerSocketChannel server = keep(AsynchronousServerSocketChannel.open());
        server.bind(new InetSocketAddress(loopback, 0));
        AsynchronousSocketChannel client = keep(AsynchronousSocketChannel.open());
        Future<AsynchronousSocketChannel> accepting = server.accept();
        client.connect(server.getLocalAddress()).get(5, TimeUnit.SECONDS);
        AsynchronousSocketChannel accepted = keep(accepting.get(5, TimeUnit.SECONDS));
        print("async.client", client);
        print("async.accepted", accepted);
    }

    /** UDP, and UNIX-domain channels where the JDK has them (16+): the agent must leave them alone. */
    private static void notTcp(InetAddress loopback) throws Exception {
        DatagramChannel udp = keep(DatagramChannel.open());
        udp.bind(new InetSocketAddress(loopback, 0));
        System.out.println("udp.channel keepalive=" + (udp.supportedOptions().contains(StandardSocketOptions.SO_KEEPALIVE)
                ? udp.getOption(StandardSocketOptions.SO_KEEPALIVE) : "not-applicable"));
        try {
            Class<?> family = Class.forName("java.net.StandardProtocolFamily");
            @SuppressWarnings({"unchecked", "rawtypes"})
            Object unix = Enum.valueOf((Class) family, "UNIX");
            SocketChannel channel = (SocketChannel) SocketChannel.class
                    .getMethod("open", Class.forName("java.net.ProtocolFamily")).invoke(null, unix);
            keep(channel);
            System.out.println("unix.channel keepalive="
                    + (channel.supportedOptions().contains(StandardSocketOptions.SO_KEEPALIVE) ? "supported"
                    : "not-applicable"));
        } catch (IllegalArgumentException | ReflectiveOperationException beforeJdk16) {
            System.out.println("unix.channel keepalive=not-applicable");
        }
    }

    @SuppressWarnings("unchecked")
    private static void setIdle(NetworkChannel channel, int seconds) throws Exception {
        SocketOption<Integer> idle = (SocketOption<Integer>) SocketOptionsReader.extended("TCP_KEEPIDLE");
        if (idle != null) {
            channel.setOption(idle, seconds);
        }
    }

    private static void print(String kind, Object socket) throws java.io.IOException {
        System.out.println(kind + " " + SocketOptionsReader.describe(socket) + (ports ? " ports=" + ports(socket) : ""));
    }

    /** LOCAL>PEER port numbers of a connected TCP socket. */
    private static String ports(Object socket) throws java.io.IOException {
        SocketAddress local;
        SocketAddress peer;
        if (socket instanceof Socket) {
            local = ((Socket) socket).getLocalSocketAddress();
            peer = ((Socket) socket).getRemoteSocketAddress();
        } else if (socket instanceof SocketChannel) {
            local = ((SocketChannel) socket).getLocalAddress();
            peer = ((SocketChannel) socket).getRemoteAddress();
        } else {
            local = ((AsynchronousSocketChannel) socket).getLocalAddress();
            peer = ((AsynchronousSocketChannel) socket).getRemoteAddress();
        }
        return ((InetSocketAddress) local).getPort() + ">" + ((InetSocketAddress) peer).getPort();
    }

    private static <T extends Closeable> T keep(T closeable) {
        OPEN.add(closeable);
        return closeable;
    }

    private static String pid() {
        String name = java.lang.management.ManagementFactory.getRuntimeMXBean().getName();
        return name.substring(0, name.indexOf('@'));
    }
}
