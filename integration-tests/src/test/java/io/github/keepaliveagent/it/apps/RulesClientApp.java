package io.github.keepaliveagent.it.apps;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An unmodified client that connects once per argument {@code KIND@HOST:PORT} ({@code [v6]:PORT} for IPv6;
 * {@code socket@HOST:PORT/FROM}: bound to the local address FROM first)
 * with each way the JDK has: {@code socket} (java.net.Socket), {@code channel} (SocketChannel.open(address),
 * blocking), {@code nonblocking} (connect + finishConnect on a selector), {@code adaptor}
 * (channel.socket().connect) and {@code async} (AsynchronousSocketChannel). It sets no option. Prints
 * {@code connected kind=K local=IP:PORT remote=IP:PORT} for each, then {@code ready pid=N connections=N}, and
 * holds them until stdin closes (at most 300 s).
 */
public final class RulesClientApp {

    private RulesClientApp() {
    }

    public static void main(String[] args) throws Exception {
        List<Closeable> open = new ArrayList<>();
        for (String arg : args) {
            String kind = arg.substring(0, arg.indexOf('@'));
            String endpoint = arg.substring(arg.indexOf('@') + 1);
            InetSocketAddress from = null; // socket@HOST:PORT/FROM: bound to the local address FROM first
            if (endpoint.indexOf('/') > 0) {
                from = new InetSocketAddress(endpoint.substring(endpoint.indexOf('/') + 1), 0);
                endpoint = endpoint.substring(0, endpoint.indexOf('/'));
            }
            int colon = endpoint.lastIndexOf(':');
            String host = endpoint.substring(0, colon).replace("[", "").replace("]", "");
            InetSocketAddress remote = new InetSocketAddress(host, Integer.parseInt(endpoint.substring(colon + 1)));
            SocketAddress local;
            switch (kind) {
                case "socket": {
                    Socket socket = new Socket();
                    if (from != null) {
                        socket.bind(from);
                    }
                    socket.connect(remote, 5000);
                    open.add(socket);
                    local = socket.getLocalSocketAddress();
                    break;
                }
                case "channel": {
                    SocketChannel channel = SocketChannel.open(remote);
                    open.add(channel);
                    local = channel.getLocalAddress();
                    break;
                }
                case "nonblocking": {
                    SocketChannel channel = SocketChannel.open();
                    channel.configureBlocking(false);
                    open.add(channel);
                    if (!channel.connect(remote)) {
                        try (Selector selector = Selector.open()) {
                            channel.register(selector, SelectionKey.OP_CONNECT);
                            selector.select(5000);
                            if (!channel.finishConnect()) {
                                throw new IllegalStateException("not connected after 5 s: " + remote);
                            }
                        }
                    }
                    local = channel.getLocalAddress();
                    break;
                }
                case "adaptor": {
                    SocketChannel channel = SocketChannel.open();
                    channel.socket().connect(remote, 5000);
                    open.add(channel);
                    local = channel.getLocalAddress();
                    break;
                }
                case "async": {
                    AsynchronousSocketChannel channel = AsynchronousSocketChannel.open();
                    channel.connect(remote).get(5, TimeUnit.SECONDS);
                    open.add(channel);
                    local = channel.getLocalAddress();
                    break;
                }
                default:
                    throw new IllegalArgumentException("kind: socket, channel, nonblocking, adaptor or async, not " + kind);
            }
            System.out.println("connected kind=" + kind + " local=" + text(local) + " remote=" + text(remote));
        }
        System.out.println("ready pid=" + ProcessHandle.current().pid() + " connections=" + open.size());
        System.out.flush();
        HeldOpen.untilStdinCloses(300);
        for (Closeable closeable : open) {
            closeable.close();
        }
        System.exit(0);
    }

    /** "10.1.2.3:80", "[fd00::1]:80": as ss prints them. */
    static String text(SocketAddress address) {
        InetSocketAddress inet = (InetSocketAddress) address;
        String host = inet.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host.replaceAll("%.*", "") + "]" : host) + ":" + inet.getPort();
    }
}
