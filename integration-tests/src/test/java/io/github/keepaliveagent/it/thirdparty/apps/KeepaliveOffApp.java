package io.github.keepaliveagent.it.thirdparty.apps;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jdk.net.ExtendedSocketOptions;

/**
 * Every JDK API by which a program switches keepalive off on a TCP connection, each on its own
 * connection to this program's loopback server, plus one connection on which the program sets its
 * own TCP_KEEPIDLE=33 (and nothing else). Each choice is made after the connection is up, as
 * libraries do. The ready line carries, per connection, its local port and what getOption reads
 * back: {@code <name>=<local port> <name>.keepalive=true|false <name>.idle=<seconds>}. Args: seconds
 * to hold.
 *
 * <ul>
 *   <li>{@code socket}: {@code java.net.Socket.setKeepAlive(false)}</li>
 *   <li>{@code adaptor}: {@code SocketChannel.socket().setKeepAlive(false)} (sun.nio.ch.SocketAdaptor)</li>
 *   <li>{@code channel}: {@code SocketChannel.setOption(SO_KEEPALIVE, false)}</li>
 *   <li>{@code async}: {@code AsynchronousSocketChannel.setOption(SO_KEEPALIVE, false)}</li>
 *   <li>{@code ownidle}: {@code SocketChannel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 33)}</li>
 * </ul>
 */
public final class KeepaliveOffApp {

    /** The program's own idle time on the "ownidle" connection; the agent's is 60, the kernel's 7200. */
    public static final int OWN_IDLE = 33;

    private KeepaliveOffApp() {
    }

    public static void main(String[] args) throws Exception {
        long holdSeconds = Long.parseLong(args[0]);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<Object> held = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 50, loopback)) {
            InetSocketAddress address = new InetSocketAddress(loopback, server.getLocalPort());
            Thread acceptor = new Thread(() -> {
                try {
                    for (int i = 0; i < 5; i++) {
                        held.add(server.accept());
                    }
                } catch (IOException e) {
                    e.printStackTrace();
                }
            }, "acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            Map<String, String> fields = new LinkedHashMap<>();

            Socket socket = new Socket();
            socket.connect(address, 10_000);
            socket.setKeepAlive(false);
            held.add(socket);
            fields.put("socket", String.valueOf(socket.getLocalPort()));
            fields.put("socket.keepalive", String.valueOf(socket.getKeepAlive()));
            fields.put("socket.idle", String.valueOf(socket.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)));

            SocketChannel adaptor = SocketChannel.open(address);
            adaptor.socket().setKeepAlive(false);
            held.add(adaptor);
            record(fields, "adaptor", adaptor, ((InetSocketAddress) adaptor.getLocalAddress()).getPort());

            SocketChannel channel = SocketChannel.open(address);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, false);
            held.add(channel);
            record(fields, "channel", channel, ((InetSocketAddress) channel.getLocalAddress()).getPort());

            AsynchronousSocketChannel async = AsynchronousSocketChannel.open();
            async.connect(address).get(10, TimeUnit.SECONDS);
            async.setOption(StandardSocketOptions.SO_KEEPALIVE, false);
            held.add(async);
            record(fields, "async", async, ((InetSocketAddress) async.getLocalAddress()).getPort());

            SocketChannel ownIdle = SocketChannel.open(address);
            ownIdle.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, OWN_IDLE);
            held.add(ownIdle);
            record(fields, "ownidle", ownIdle, ((InetSocketAddress) ownIdle.getLocalAddress()).getPort());

            acceptor.join(10_000);
            StringBuilder ready = new StringBuilder("ready pid=" + ProcessHandle.current().pid()
                    + " port=" + server.getLocalPort() + " java=" + Runtime.version().feature());
            fields.forEach((name, value) -> ready.append(' ').append(name).append('=').append(value));
            System.out.println(ready);
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        }
    }

    private static void record(Map<String, String> fields, String name, NetworkChannel channel, int localPort)
            throws IOException {
        fields.put(name, String.valueOf(localPort));
        fields.put(name + ".keepalive", String.valueOf(channel.getOption(StandardSocketOptions.SO_KEEPALIVE)));
        SocketOption<Integer> idle = ExtendedSocketOptions.TCP_KEEPIDLE;
        fields.put(name + ".idle", channel.supportedOptions().contains(idle)
                ? String.valueOf(channel.getOption(idle)) : "unsupported");
    }
}
