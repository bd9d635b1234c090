package example.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * An ordinary echo server on a non-blocking {@code ServerSocketChannel} and one {@code Selector}
 * thread. It never sets a socket option. Same argument and output lines as
 * {@link BlockingEchoServer}, with {@code kind=nio}.
 */
public final class NioEchoServer {

    private NioEchoServer() {
    }

    /** What the selector keeps per connection. */
    private static final class Connection {
        final String ends;
        long lastReceived = System.nanoTime();

        Connection(String ends) {
            this.ends = ends;
        }
    }

    public static void main(String[] args) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(Out.port(args)));
        server.configureBlocking(false);
        Selector selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        Out.line("listening kind=nio port=" + server.socket().getLocalPort());
        Out.exitWhenStdinCloses();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (true) {
            selector.select();
            for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                SelectionKey key = keys.next();
                keys.remove();
                if (key.isAcceptable()) {
                    SocketChannel channel = server.accept();
                    if (channel != null) {
                        channel.configureBlocking(false);
                        Connection connection = new Connection(Out.ends(channel.socket()));
                        channel.register(selector, SelectionKey.OP_READ, connection);
                        Out.line("accepted " + connection.ends);
                    }
                } else if (key.isReadable()) {
                    read(key, buffer);
                }
            }
        }
    }

    private static void read(SelectionKey key, ByteBuffer buffer) throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        Connection connection = (Connection) key.attachment();
        buffer.clear();
        try {
            if (channel.read(buffer) < 0) {
                Out.line("closed by peer " + connection.ends + " after " + Out.millisSince(connection.lastReceived)
                        + " ms");
                key.cancel();
                channel.close();
                return;
            }
            connection.lastReceived = System.nanoTime();
            buffer.flip();
            // Echo: a few bytes at a time, into an empty send buffer; a short write is dropped.
            channel.write(buffer);
        } catch (IOException e) {
            Out.line("read failed " + connection.ends + " after " + Out.millisSince(connection.lastReceived)
                    + " ms: " + e);
            key.cancel();
            channel.close();
        }
    }
}
