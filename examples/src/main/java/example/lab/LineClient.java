package example.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An ordinary line client on {@code java.net.Socket}: it connects to each server given, keeps one
 * thread per connection blocked in {@code read}, and sends every line it reads on stdin to every
 * connection. It never sets a socket option. It ends when stdin closes.
 *
 * <p>Arguments: {@code [--each N] HOST:PORT...} ({@code N} connections per server, default 1).
 * Prints {@code connected local=.. remote=..} for each connection, then {@code ready connections=N};
 * {@code sent local=.. remote=..: TEXT} for each line sent; {@code received local=.. remote=.. after
 * N ms: TEXT} for each line received (N: since the last line sent on that connection); and, when a
 * connection ends, {@code closed by peer ..} or {@code read failed local=.. remote=.. after N ms:
 * EXCEPTION} (N: since the last line sent or received).
 */
public final class LineClient {

    private LineClient() {
    }

    /** One connection and the time of its last activity. */
    private static final class Connection {
        final Socket socket;
        final String ends;
        volatile long lastSent = System.nanoTime();
        volatile long lastActivity = lastSent;

        Connection(Socket socket) {
            this.socket = socket;
            this.ends = Out.ends(socket);
        }
    }

    public static void main(String[] args) throws IOException {
        int each = 1;
        List<InetSocketAddress> servers = new ArrayList<InetSocketAddress>();
        for (int i = 0; i < args.length; i++) {
            if ("--each".equals(args[i]) && i + 1 < args.length) {
                each = Integer.parseInt(args[++i]);
            } else {
                int colon = args[i].lastIndexOf(':');
                if (colon < 0) {
                    usage();
                }
                servers.add(new InetSocketAddress(args[i].substring(0, colon),
                        Integer.parseInt(args[i].substring(colon + 1))));
            }
        }
        if (servers.isEmpty() || each < 1) {
            usage();
        }
        List<Connection> connections = new ArrayList<Connection>();
        for (InetSocketAddress server : servers) {
            for (int i = 0; i < each; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(server, 5000);
                } catch (IOException e) {
                    Out.line("connect failed remote=" + Out.address(server) + ": " + e);
                    System.exit(1);
                }
                Connection connection = new Connection(socket);
                connections.add(connection);
                Out.line("connected " + connection.ends);
                startReader(connection);
            }
        }
        Out.line("ready connections=" + connections.size());
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = stdin.readLine()) != null; ) {
            for (Connection connection : connections) {
                send(connection, line);
            }
        }
        Out.line("stdin closed, exiting");
        System.exit(0);
    }

    private static void send(Connection connection, String line) {
        try {
            OutputStream out = connection.socket.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            connection.lastSent = System.nanoTime();
            connection.lastActivity = connection.lastSent;
            Out.line("sent " + connection.ends + ": " + line);
        } catch (IOException e) {
            Out.line("write failed " + connection.ends + ": " + e);
        }
    }

    private static void startReader(final Connection connection) {
        Thread reader = new Thread(new Runnable() {
            @Override
            public void run() {
                read(connection);
            }
        }, "reader " + connection.ends);
        reader.setDaemon(true);
        reader.start();
    }

    private static void read(Connection connection) {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(connection.socket.getInputStream(),
                    StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                connection.lastActivity = System.nanoTime();
                Out.line("received " + connection.ends + " after " + Out.millisSince(connection.lastSent) + " ms: "
                        + line);
            }
            Out.line("closed by peer " + connection.ends + " after " + Out.millisSince(connection.lastActivity)
                    + " ms");
        } catch (IOException e) {
            Out.line("read failed " + connection.ends + " after " + Out.millisSince(connection.lastActivity)
                    + " ms: " + e);
        }
    }

    private static void usage() {
        System.err.println("usage: LineClient [--each N] HOST:PORT...; sends each stdin line to every connection");
        System.exit(2);
    }
}
