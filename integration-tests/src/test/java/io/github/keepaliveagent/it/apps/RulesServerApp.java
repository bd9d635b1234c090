package io.github.keepaliveagent.it.apps;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An unmodified server listening on each {@code KIND:PORT} argument, on every address: {@code socket}
 * (ServerSocket), {@code channel} (ServerSocketChannel, blocking accept) or {@code async}
 * (AsynchronousServerSocketChannel). It sets no option and holds what it accepts. Prints
 * {@code listening kind=K port=P} for each, {@code ready pid=N}, then {@code accepted kind=K local=..
 * remote=..} per connection; ends when stdin closes (at most 300 s).
 */
public final class RulesServerApp {

    private static final List<Object> HELD = new CopyOnWriteArrayList<>();

    private RulesServerApp() {
    }

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            String kind = arg.substring(0, arg.indexOf(':'));
            int port = Integer.parseInt(arg.substring(arg.indexOf(':') + 1));
            switch (kind) {
                case "socket": {
                    ServerSocket server = new ServerSocket(port);
                    loop(() -> {
                        Socket socket = server.accept();
                        HELD.add(socket);
                        say(kind, socket.getLocalSocketAddress(), socket.getRemoteSocketAddress());
                    });
                    break;
                }
                case "channel": {
                    ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(port));
                    loop(() -> {
                        SocketChannel channel = server.accept();
                        HELD.add(channel);
                        say(kind, channel.getLocalAddress(), channel.getRemoteAddress());
                    });
                    break;
                }
                case "async": {
                    AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open()
                            .bind(new InetSocketAddress(port));
                    loop(() -> {
                        AsynchronousSocketChannel channel = server.accept().get();
                        HELD.add(channel);
                        say(kind, channel.getLocalAddress(), channel.getRemoteAddress());
                    });
                    break;
                }
                default:
                    throw new IllegalArgumentException("kind: socket, channel or async, not " + kind);
            }
            System.out.println("listening kind=" + kind + " port=" + port);
        }
        System.out.println("ready pid=" + ProcessHandle.current().pid());
        System.out.flush();
        HeldOpen.untilStdinCloses(300);
        System.exit(0);
    }

    private interface Accept {
        void once() throws Exception;
    }

    private static void loop(Accept accept) {
        Thread thread = new Thread(() -> {
            try {
                while (true) {
                    accept.once();
                }
            } catch (Exception e) {
                System.out.println("accept failed: " + e);
            }
        });
        thread.setDaemon(true);
        thread.start();
    }

    private static synchronized void say(String kind, java.net.SocketAddress local, java.net.SocketAddress remote) {
        System.out.println("accepted kind=" + kind + " local=" + RulesClientApp.text(local) + " remote="
                + RulesClientApp.text(remote));
        System.out.flush();
    }
}
