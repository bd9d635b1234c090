package example.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;

/**
 * An ordinary echo server on {@code AsynchronousServerSocketChannel} with completion handlers. It
 * never sets a socket option. Same argument and output lines as {@link BlockingEchoServer}, with
 * {@code kind=async}.
 */
public final class AsyncEchoServer {

    private AsyncEchoServer() {
    }

    public static void main(String[] args) throws IOException {
        final AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open()
                .bind(new InetSocketAddress(Out.port(args)));
        Out.line("listening kind=async port=" + ((InetSocketAddress) server.getLocalAddress()).getPort());
        server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
            @Override
            public void completed(AsynchronousSocketChannel channel, Void nothing) {
                server.accept(null, this);
                new Connection(channel).readNext();
            }

            @Override
            public void failed(Throwable e, Void nothing) {
                Out.line("accept failed: " + e);
            }
        });
        Out.awaitStdinClosed();
        System.exit(0);
    }

    /** One accepted channel: read, echo what came, read again. */
    private static final class Connection implements CompletionHandler<Integer, Void> {
        private final AsynchronousSocketChannel channel;
        private final String ends;
        private final ByteBuffer buffer = ByteBuffer.allocate(4096);
        private long lastReceived = System.nanoTime();

        private final CompletionHandler<Integer, Void> echoed = new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer written, Void nothing) {
                if (buffer.hasRemaining()) {
                    channel.write(buffer, null, this);
                } else {
                    readNext();
                }
            }

            @Override
            public void failed(Throwable e, Void nothing) {
                Out.line("write failed " + ends + ": " + e);
                close();
            }
        };

        Connection(AsynchronousSocketChannel channel) {
            this.channel = channel;
            String ends;
            try {
                ends = "local=" + Out.address(channel.getLocalAddress()) + " remote="
                        + Out.address(channel.getRemoteAddress());
            } catch (IOException e) {
                ends = "local=? remote=? (" + e + ")";
            }
            this.ends = ends;
            Out.line("accepted " + ends);
        }

        void readNext() {
            buffer.clear();
            channel.read(buffer, null, this);
        }

        @Override
        public void completed(Integer n, Void nothing) {
            if (n < 0) {
                Out.line("closed by peer " + ends + " after " + Out.millisSince(lastReceived) + " ms");
                close();
                return;
            }
            lastReceived = System.nanoTime();
            buffer.flip();
            channel.write(buffer, null, echoed);
        }

        @Override
        public void failed(Throwable e, Void nothing) {
            Out.line("read failed " + ends + " after " + Out.millisSince(lastReceived) + " ms: " + e);
            close();
        }

        private void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a failed channel
            }
        }
    }
}
