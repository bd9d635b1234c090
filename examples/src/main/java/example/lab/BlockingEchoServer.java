package example.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * An ordinary echo server on {@code java.net.ServerSocket}, one thread per connection blocked in
 * {@code read}. It never sets a socket option.
 *
 * <p>Argument: the port. Prints {@code listening kind=socket port=N}, then for each connection
 * {@code accepted local=.. remote=..} and, when it ends, {@code closed by peer ..} or
 * {@code read failed local=.. remote=.. after N ms: EXCEPTION} (N: since the last byte received).
 */
public final class BlockingEchoServer {

    private BlockingEchoServer() {
    }

    public static void main(String[] args) throws IOException {
        ServerSocket server = new ServerSocket(Out.port(args));
        Out.line("listening kind=socket port=" + server.getLocalPort());
        Out.exitWhenStdinCloses();
        while (true) {
            final Socket socket = server.accept();
            Thread connection = new Thread(new Runnable() {
                @Override
                public void run() {
                    serve(socket);
                }
            }, "connection " + socket.getRemoteSocketAddress());
            connection.setDaemon(true);
            connection.start();
        }
    }

    static void serve(Socket socket) {
        String ends = Out.ends(socket);
        Out.line("accepted " + ends);
        long lastReceived = System.nanoTime();
        byte[] buffer = new byte[4096];
        try (Socket s = socket) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                lastReceived = System.nanoTime();
                out.write(buffer, 0, n);
                out.flush();
            }
            Out.line("closed by peer " + ends + " after " + Out.millisSince(lastReceived) + " ms");
        } catch (IOException e) {
            Out.line("read failed " + ends + " after " + Out.millisSince(lastReceived) + " ms: " + e);
        }
    }
}
