package example;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A long-running program to load the agent into: it opens a Socket and a SocketChannel connection at
 * start, then one more of each for every line "connect" on stdin, and prints each one's options
 * read back. "exit", end of input, or 300 s end it.
 */
public final class ConnectOnDemand {

    private ConnectOnDemand() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<Closeable> open = new ArrayList<>();
        ServerSocket server = new ServerSocket(0, 50, loopback);
        ServerSocketChannel channelServer = ServerSocketChannel.open();
        channelServer.bind(new InetSocketAddress(loopback, 0));
        open.add(server);
        open.add(channelServer);
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(300_000);
            } catch (InterruptedException e) {
                return;
            }
            System.exit(3);
        });
        deadline.setDaemon(true);
        deadline.start();
        int round = 0;
        connect(round++, server, channelServer, open);
        String name = java.lang.management.ManagementFactory.getRuntimeMXBean().getName();
        System.out.println("ready pid=" + name.substring(0, name.indexOf('@')));
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        for (String line; (line = in.readLine()) != null && !"exit".equals(line.trim()); ) {
            if ("connect".equals(line.trim())) {
                connect(round++, server, channelServer, open);
            }
        }
        for (Closeable closeable : open) {
            closeable.close();
        }
    }

    private static void connect(int round, ServerSocket server, ServerSocketChannel channelServer,
            List<Closeable> open) throws Exception {
        Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
        Socket accepted = server.accept();
        SocketChannel channel = SocketChannel.open(channelServer.getLocalAddress());
        SocketChannel acceptedChannel = channelServer.accept();
        open.add(client);
        open.add(accepted);
        open.add(channel);
        open.add(acceptedChannel);
        System.out.println(round + " socket.client " + SocketOptionsReader.describe(client));
        System.out.println(round + " socket.accepted " + SocketOptionsReader.describe(accepted));
        System.out.println(round + " channel.client " + SocketOptionsReader.describe(channel));
        System.out.println(round + " channel.accepted " + SocketOptionsReader.describe(acceptedChannel));
        System.out.println(round + " done");
        System.out.flush();
    }
}
