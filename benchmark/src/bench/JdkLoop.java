package bench;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;

import jdk.net.ExtendedSocketOptions;

/**
 * Connect + accept + close on loopback through java.net.Socket, one thread (like example.ConnectLoop), with
 * the measured phase's own CPU time. Arguments: warm-up count, measured count, and "self" to have the
 * program set SO_KEEPALIVE, TCP_KEEPIDLE=60, TCP_KEEPINTVL=10, TCP_KEEPCNT=5 itself on both sockets through
 * the JDK API (what a program does without an agent). "check" instead of counts: one connection, then
 * prints the options of the client and the accepted socket as the kernel reports them.
 */
public final class JdkLoop {

    private JdkLoop() {
    }

    public static void main(String[] args) throws Exception {
        boolean check = args[0].equals("check");
        boolean self = args[args.length - 1].equals("self");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 128, loopback)) {
            if (check) {
                try (Socket client = new Socket(loopback, server.getLocalPort()); Socket accepted = server.accept()) {
                    if (self) {
                        configure(client);
                        configure(accepted);
                    }
                    System.out.println("client " + describe(client));
                    System.out.println("accepted " + describe(accepted));
                }
                return;
            }
            int warmUp = Integer.parseInt(args[0]);
            int measured = Integer.parseInt(args[1]);
            run(server, loopback, warmUp, self);
            Cpu.settle();
            long cpu = Cpu.millis();
            long start = System.nanoTime();
            run(server, loopback, measured, self);
            Cpu.print("loop", cpu, start);
            System.out.println("connections=" + measured);
        }
    }

    private static void run(ServerSocket server, InetAddress loopback, int count, boolean self) throws Exception {
        for (int i = 0; i < count; i++) {
            try (Socket client = new Socket(loopback, server.getLocalPort()); Socket accepted = server.accept()) {
                if (self) {
                    configure(client);
                    configure(accepted);
                }
                client.setSoLinger(true, 0); // RST on close: no TIME_WAIT pile-up during the loop
            }
        }
    }

    static void configure(Socket s) throws Exception {
        s.setKeepAlive(true);
        s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 60);
        s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 10);
        s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 5);
    }

    static String describe(Socket s) throws Exception {
        return "keepalive=" + s.getOption(StandardSocketOptions.SO_KEEPALIVE)
                + " idle=" + s.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)
                + " interval=" + s.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)
                + " count=" + s.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT);
    }
}
