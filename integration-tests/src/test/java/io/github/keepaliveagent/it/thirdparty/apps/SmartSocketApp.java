package io.github.keepaliveagent.it.thirdparty.apps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.smartboot.socket.Protocol;
import org.smartboot.socket.transport.AioQuickClient;
import org.smartboot.socket.transport.AioQuickServer;
import org.smartboot.socket.transport.AioSession;
import org.smartboot.socket.transport.WriteBuffer;

/**
 * smart-socket (org.smartboot.socket:aio-core), both ends: an AioQuickServer echoing what it gets,
 * and two AioQuickClients (the JDK's AsynchronousSocketChannel in a JDK channel group) that each
 * send "hello" and wait for the echo; then the connections are held. Args: seconds to hold.
 */
public final class SmartSocketApp {

    private static final int CLIENTS = 2;

    private SmartSocketApp() {
    }

    public static void main(String[] args) throws Exception {
        long holdSeconds = Long.parseLong(args[0]);
        Protocol<String> text = (buffer, session) -> {
            if (!buffer.hasRemaining()) {
                return null;
            }
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        };
        int port;
        // AioQuickServer does not report an ephemeral port: take a free one.
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        AioQuickServer server = new AioQuickServer("127.0.0.1", port, text, (session, message) -> {
            try {
                WriteBuffer out = session.writeBuffer();
                out.write(message.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        server.setBannerEnabled(false);
        server.start();

        CountDownLatch echoes = new CountDownLatch(CLIENTS);
        List<AioQuickClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                AioQuickClient client = new AioQuickClient("127.0.0.1", port, text,
                        (session, message) -> echoes.countDown());
                clients.add(client);
                AioSession session = client.start();
                session.writeBuffer().write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)).array());
                session.writeBuffer().flush();
            }
            if (!echoes.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no echo");
            }
            System.out.println("ready pid=" + ProcessHandle.current().pid() + " port=" + port);
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        } finally {
            clients.forEach(AioQuickClient::shutdownNow);
            server.shutdown();
        }
    }
}
