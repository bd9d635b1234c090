package example.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * What the lab programs share: one machine-readable line per event on stdout, and the rule that a
 * program ends when its stdin closes (so that nothing outlives the test that started it, even a
 * test JVM killed with SIGKILL).
 */
final class Out {

    private Out() {
    }

    static synchronized void line(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** {@code ip:port}, without host names or the IPv4-mapped IPv6 form. */
    static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            String host = inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
            return host + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    static String ends(Socket socket) {
        return "local=" + address(socket.getLocalSocketAddress()) + " remote=" + address(socket.getRemoteSocketAddress());
    }

    static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /** Reads stdin on a daemon thread and exits the program when it reaches end of file. */
    static void exitWhenStdinCloses() {
        Thread watcher = new Thread(new Runnable() {
            @Override
            public void run() {
                awaitStdinClosed();
                System.exit(0);
            }
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    static void awaitStdinClosed() {
        byte[] ignored = new byte[256];
        try {
            while (System.in.read(ignored) >= 0) {
                // nothing to do with the input: only its end matters
            }
        } catch (IOException e) {
            // a broken stdin is a closed one
        }
        line("stdin closed, exiting");
    }

    static int port(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: PORT (0 = any free port); the program ends when stdin closes");
            System.exit(2);
        }
        return Integer.parseInt(args[0]);
    }
}
