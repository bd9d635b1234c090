package bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Opens COUNT loopback connections and holds them idle for SECONDS: the process under measurement holds the
 * client ends (one descriptor each; the far ends are in a Peer process, so the 20,000-descriptor limit
 * allows 10,000). Arguments: jdk|netty COUNT SECONDS [check]. Prints the set-up phase (opening every
 * connection) and the idle phase (after one second's settling) as key=value lines; with "check", the options of the first connection.
 */
public final class IdleClient {

    private IdleClient() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int count = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        boolean check = args.length > 3 && args[3].equals("check");
        Process peer = startPeer(count / 1000 + seconds + 120);
        try {
            int port = readPort(peer);
            Cpu.settle();
            AutoCloseable held;
            long cpu = Cpu.millis();
            long start = System.nanoTime();
            if (kind.equals("netty")) {
                NettyClients clients = NettyClients.open(port, count);
                held = clients;
                Cpu.print("setup", cpu, start);
                if (check) {
                    System.out.println("first " + clients.describeFirst());
                }
            } else {
                List<Socket> sockets = new ArrayList<>(count);
                InetAddress loopback = InetAddress.getLoopbackAddress();
                for (int i = 0; i < count; i++) {
                    sockets.add(new Socket(loopback, port));
                }
                held = () -> {
                    for (Socket s : sockets) {
                        s.setSoLinger(true, 0); // RST: no TIME_WAIT left for the next run
                        s.close();
                    }
                };
                Cpu.print("setup", cpu, start);
                if (check) {
                    System.out.println("first " + JdkLoop.describe(sockets.get(0)));
                }
            }
            System.out.println("connections=" + count);
            Thread.sleep(1000); // let the JIT and GC finish what the set-up left them: not idle cost
            cpu = Cpu.millis();
            start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            Cpu.print("idle", cpu, start);
            held.close();
        } finally {
            peer.getOutputStream().close();
            if (!peer.waitFor(20, TimeUnit.SECONDS)) {
                peer.destroyForcibly();
            }
        }
    }

    private static Process startPeer(long maxSeconds) throws Exception {
        String java = System.getProperty("java.home") + "/bin/java";
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "bench.Peer",
                Long.toString(maxSeconds));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.equals("LD_PRELOAD") || k.endsWith("JAVA_OPTIONS") || k.equals("JAVA_TOOL_OPTIONS")
                || k.startsWith("KEEP"));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return pb.start();
    }

    private static int readPort(Process peer) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.US_ASCII));
        String line = r.readLine();
        if (line == null || !line.startsWith("port=")) {
            throw new IllegalStateException("peer said: " + line);
        }
        return Integer.parseInt(line.substring(5));
    }
}
