package io.github.keepaliveagent.apply;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import io.github.keepaliveagent.config.Option.Kernel;
import io.github.keepaliveagent.jdk.NativeCalls;

/**
 * The TCP sockets of this process, found by walking its own descriptors (/proc/self/fd) and asking
 * each socket what it is (getsockopt): never the network namespace's whole table, so memory and time
 * are bounded by the process's own descriptors. Linux.
 */
final class OwnSockets {

    private static final int SO_TYPE = 3;
    private static final int SO_ACCEPTCONN = 30;
    private static final int SO_DOMAIN = 39;
    private static final int SOCK_STREAM = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    /** One TCP socket of the process, as found. */
    static final class TcpSocket {
        final int number;
        final FileDescriptor fd;
        final String link;
        final boolean listening;
        final boolean keepalive;

        TcpSocket(int number, FileDescriptor fd, String link, boolean listening, boolean keepalive) {
            this.number = number;
            this.fd = fd;
            this.link = link;
            this.listening = listening;
            this.keepalive = keepalive;
        }

        /** Right before changing it: the descriptor still refers to the same socket (not closed and reused). */
        boolean stillThere() {
            return link.equals(readLink(number));
        }
    }

    /** Receives each TCP socket. */
    interface Visitor {
        void visit(TcpSocket socket) throws Exception;
    }

    private OwnSockets() {
    }

    /** Visits each TCP socket (IPv4 or IPv6 stream socket) of this process, one at a time. */
    static void forEach(NativeCalls natives, Visitor visitor) throws IOException {
        forEach(natives, false, visitor);
    }

    /**
     * @param withoutKeepalive only sockets with keepalive off (the scan): one getsockopt answers for the
     *        common case, a socket that has keepalive; the three that tell a TCP socket follow only for
     *        the rest (measured: ~14 us a descriptor with four, for 10,000 descriptors a scan)
     */
    static void forEach(NativeCalls natives, boolean withoutKeepalive, Visitor visitor) throws IOException {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc/self/fd"))) {
            for (Path entry : fds) {
                int number;
                try {
                    number = Integer.parseInt(entry.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                String link = readLink(number);
                if (link == null || !link.startsWith("socket:[")) {
                    continue;
                }
                if (withoutKeepalive && hasKeepalive(natives, number)) {
                    continue;
                }
                TcpSocket socket = inspect(natives, number, link);
                if (socket != null) {
                    try {
                        visitor.visit(socket);
                    } catch (Exception closedMeanwhile) {
                        // a socket closed while visiting: nothing to configure any more
                    }
                }
            }
        }
    }

    private static boolean hasKeepalive(NativeCalls natives, int number) {
        try {
            return natives.getInt(natives.wrap(number), Kernel.SOL_SOCKET, Kernel.SO_KEEPALIVE) != 0;
        } catch (Exception closedMeanwhile) {
            return true; // nothing to look at any more
        }
    }

    /** Whether a descriptor is a TCP socket (IPv4 or IPv6 stream socket); false for anything else or closed. */
    static boolean isTcp(NativeCalls natives, FileDescriptor fd) {
        try {
            int domain = natives.getInt(fd, Kernel.SOL_SOCKET, SO_DOMAIN);
            return natives.getInt(fd, Kernel.SOL_SOCKET, SO_TYPE) == SOCK_STREAM
                    && (domain == AF_INET || domain == AF_INET6);
        } catch (Exception notASocket) {
            return false;
        }
    }

    private static TcpSocket inspect(NativeCalls natives, int number, String link) {
        try {
            FileDescriptor fd = natives.wrap(number);
            if (!isTcp(natives, fd)) {
                return null; // UDP, UNIX-domain and the rest
            }
            return new TcpSocket(number, fd, link, natives.getInt(fd, Kernel.SOL_SOCKET, SO_ACCEPTCONN) != 0,
                    natives.getInt(fd, Kernel.SOL_SOCKET, Kernel.SO_KEEPALIVE) != 0);
        } catch (Exception closedMeanwhile) {
            return null;
        }
    }

    private static String readLink(int number) {
        try {
            return Files.readSymbolicLink(Paths.get("/proc/self/fd", String.valueOf(number))).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
