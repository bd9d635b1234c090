package bench;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * The far end of IdleClient's connections, in a process of its own (no agent, no LD_PRELOAD): accepts and
 * holds every connection until its standard input closes or maxSeconds pass. Prints "port=N" first.
 */
public final class Peer {

    private Peer() {
    }

    public static void main(String[] args) throws Exception {
        long maxSeconds = Long.parseLong(args[0]);
        ServerSocket server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        List<Socket> held = new ArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    held.add(server.accept());
                }
            } catch (Exception closed) {
                // the server was closed: the end
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        System.out.println("port=" + server.getLocalPort());
        System.out.flush();
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(maxSeconds * 1000);
            } catch (InterruptedException e) {
                return;
            }
            System.exit(3);
        });
        watchdog.setDaemon(true);
        watchdog.start();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // wait for the parent to close our input
        }
        System.exit(0);
    }
}
