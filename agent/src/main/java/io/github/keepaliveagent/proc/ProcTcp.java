package io.github.keepaliveagent.proc;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A process's TCP sockets as Linux shows them in /proc: each socket file descriptor of the process,
 * joined by inode with the rows of /proc/PID/net/tcp and tcp6 (the process's own network namespace).
 */
public final class ProcTcp {

    /** One TCP socket of the process. */
    public static final class Connection {
        public final int fd;
        public final long inode;
        public final String state;
        public final String local;
        public final String remote;
        /** /proc's timer kind: 0 none, 1 retransmit, 2 keepalive (or another sk_timer), 3 TIME_WAIT, 4 probe. */
        public final int timer;
        public final long timerMillis;
        /** Unanswered keepalive probes (icsk_probes_out). */
        public final int probes;

        Connection(int fd, long inode, String state, String local, String remote, int timer, long timerMillis,
                int probes) {
            this.fd = fd;
            this.inode = inode;
            this.state = state;
            this.local = local;
            this.remote = remote;
            this.timer = timer;
            this.timerMillis = timerMillis;
            this.probes = probes;
        }

        /** For this process's own sockets: its descriptor still refers to the same socket. */
        boolean stillAt() {
            try {
                return Files.readSymbolicLink(Paths.get("/proc/self/fd", String.valueOf(fd))).toString()
                        .equals("socket:[" + inode + "]");
            } catch (IOException e) {
                return false;
            }
        }

        public boolean established() {
            return "ESTABLISHED".equals(state);
        }

        public boolean listening() {
            return "LISTEN".equals(state);
        }

        /** "on", "off", or "unknown" while another timer (retransmission) hides the keepalive timer. */
        public String keepalive() {
            if (timer == 2) {
                return "on";
            }
            return timer == 0 ? "off" : "unknown";
        }
    }

    private static final String[] STATES = {"", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};
    /** The kernel prints timers in clock ticks (USER_HZ), 100 per second on Linux. */
    private static final int TICKS_PER_SECOND = 100;

    private ProcTcp() {
    }

    /**
     * @param pid a process id, or "self"
     * @throws NoSuchFileException if there is no such process
     * @throws java.nio.file.AccessDeniedException if its file descriptors can't be read
     */
    public static List<Connection> of(String pid) throws IOException {
        Path proc = Paths.get("/proc", pid);
        if (!Files.isDirectory(proc)) {
            throw new NoSuchFileException(proc.toString(), null, "no such process");
        }
        Map<Long, Integer> fdByInode = socketInodes(proc.resolve("fd"));
        List<Connection> connections = new ArrayList<>();
        for (String table : new String[] {"tcp", "tcp6"}) {
            Path file = proc.resolve("net").resolve(table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length < 10) {
                    continue;
                }
                // remove(): the kernel may list a socket twice while its table changes during the read.
                long inode = Long.parseLong(f[9]);
                Integer fd = fdByInode.remove(inode);
                if (fd == null) {
                    continue; // another process's socket in the same network namespace, or a repeat
                }
                String[] timer = f[5].split(":");
                int state = Integer.parseInt(f[3], 16);
                connections.add(new Connection(fd, inode, state < STATES.length ? STATES[state] : f[3],
                        address(f[1]), state == 10 ? "*" : address(f[2]), Integer.parseInt(timer[0], 16),
                        Long.parseLong(timer[1], 16) * 1000 / TICKS_PER_SECOND, Integer.parseInt(f[8])));
            }
        }
        connections.sort((a, b) -> Integer.compare(a.fd, b.fd));
        return connections;
    }

    private static Map<Long, Integer> socketInodes(Path fdDir) throws IOException {
        Map<Long, Integer> inodes = new HashMap<>();
        File[] fds = fdDir.toFile().listFiles();
        if (fds == null) {
            throw new java.nio.file.AccessDeniedException(fdDir.toString(), null,
                    "cannot read the process's file descriptors");
        }
        for (File fd : fds) {
            try {
                String target = Files.readSymbolicLink(fd.toPath()).toString();
                if (target.startsWith("socket:[")) {
                    inodes.put(Long.parseLong(target.substring(8, target.length() - 1)), Integer.parseInt(fd.getName()));
                }
            } catch (IOException | NumberFormatException closedMeanwhile) {
                // a descriptor closed while listing: not a connection any more
            }
        }
        return inodes;
    }

    /** "0100007F:1F90" (IPv4) or 32 hex digits (IPv6), each 32-bit word in host (little-endian) order. */
    static String address(String hex) {
        int colon = hex.indexOf(':');
        String ip = hex.substring(0, colon);
        int port = Integer.parseInt(hex.substring(colon + 1), 16);
        byte[] bytes = new byte[ip.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = word * 8 + (3 - b) * 2;
                bytes[word * 4 + b] = (byte) Integer.parseInt(ip.substring(at, at + 2), 16);
            }
        }
        if (bytes.length == 4) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff)
                    + ":" + port;
        }
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= bytes[i] == 0;
        }
        if (mapped && bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff) {
            return "[::ffff:" + (bytes[12] & 0xff) + "." + (bytes[13] & 0xff) + "." + (bytes[14] & 0xff) + "."
                    + (bytes[15] & 0xff) + "]:" + port;
        }
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < 16; i += 2) {
            text.append(i == 0 ? "" : ":").append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)));
        }
        return text.append("]:").append(port).toString();
    }
}
