package example;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Connect + accept + close on loopback, as fast as one thread can: prints connections per second.
 * Arguments: warm-up connections, measured connections (defaults 20000 and 50000).
 */
public final class ConnectLoop {

    private ConnectLoop() {
    }

    public static void main(String[] args) throws Exception {
        int warmUp = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 128, loopback)) {
            run(server, loopback, warmUp);
            long start = System.nanoTime();
            run(server, loopback, measured);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("connections_per_second=%.0f%n", measured / seconds);
        }
    }

    private static void run(ServerSocket server, InetAddress loopback, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            try (Socket client = new Socket(loopback, server.getLocalPort()); Socket accepted = server.accept()) {
                client.setSoLinger(true, 0); // RST on close: no TIME_WAIT pile-up during the loop
            }
        }
    }
}
