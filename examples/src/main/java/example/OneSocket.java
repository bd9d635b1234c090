package example;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Opens one loopback connection and exits: what the start-up benchmark times. */
public final class OneSocket {

    private OneSocket() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 50, loopback);
                Socket client = new Socket(loopback, server.getLocalPort());
                Socket accepted = server.accept()) {
            client.getOutputStream().write(1);
            if (accepted.getInputStream().read() != 1) {
                throw new IllegalStateException("loopback byte lost");
            }
        }
    }
}
