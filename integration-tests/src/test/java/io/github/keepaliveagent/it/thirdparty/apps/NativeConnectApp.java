package io.github.keepaliveagent.it.thirdparty.apps;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A TCP connection no Java API made: a tiny JNI library of the tests
 * (integration-tests/src/test/c/native_connect.c) calls socket() and connect() itself, to a plain
 * java.net.ServerSocket of this program on loopback. The accepted end is an ordinary Java socket;
 * the client end is a file descriptor no hook of the agent ever sees. Args: path of the compiled
 * library, seconds to hold. The ready line says {@code native=<local port of the C end>}.
 */
public final class NativeConnectApp {

    private NativeConnectApp() {
    }

    /** socket(AF_INET, SOCK_STREAM) + connect(127.0.0.1:port); the fd, or -errno. */
    private static native int connect0(int port);

    private static native void close0(int fd);

    public static void main(String[] args) throws Exception {
        System.load(args[0]);
        long holdSeconds = Long.parseLong(args[1]);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int fd = connect0(server.getLocalPort());
            if (fd < 0) {
                throw new IllegalStateException("connect from C failed, errno " + -fd);
            }
            try (Socket accepted = server.accept()) {
                System.out.println("ready pid=" + ProcessHandle.current().pid() + " port=" + server.getLocalPort()
                        + " native=" + accepted.getPort() + " fd=" + fd);
                Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
            } finally {
                close0(fd);
            }
        }
    }
}
