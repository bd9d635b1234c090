package io.github.keepaliveagent.it.apps;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Opens a connection of each kind, then prints TCP_USER_TIMEOUT of every socket file descriptor of the
 * process, read with getsockopt (the JDK has no API for it). Needs --add-opens java.base/sun.nio.ch
 * and java.base/java.io.
 */
public final class UserTimeoutApp {

    private UserTimeoutApp() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 5, loopback);
                Socket client = new Socket(loopback, server.getLocalPort());
                Socket accepted = server.accept();
                ServerSocketChannel channelServer = ServerSocketChannel.open().bind(new InetSocketAddress(loopback, 0));
                SocketChannel channel = SocketChannel.open(channelServer.getLocalAddress());
                SocketChannel acceptedChannel = channelServer.accept();
                AsynchronousServerSocketChannel asyncServer = AsynchronousServerSocketChannel.open()
                        .bind(new InetSocketAddress(loopback, 0));
                AsynchronousSocketChannel async = AsynchronousSocketChannel.open()) {
            Future<AsynchronousSocketChannel> accepting = asyncServer.accept();
            async.connect(asyncServer.getLocalAddress()).get(5, TimeUnit.SECONDS);
            try (AsynchronousSocketChannel asyncAccepted = accepting.get(5, TimeUnit.SECONDS)) {
                Method getIntOption = Class.forName("sun.nio.ch.Net").getDeclaredMethod("getIntOption0",
                        FileDescriptor.class, boolean.class, int.class, int.class);
                getIntOption.setAccessible(true);
                Field fdField = FileDescriptor.class.getDeclaredField("fd");
                fdField.setAccessible(true);
                String tcp = Files.readString(Path.of("/proc/self/net/tcp6")) + Files.readString(Path.of("/proc/self/net/tcp"));
                try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                    for (Path fdPath : fds.sorted().toList()) {
                        String target;
                        try {
                            target = Files.readSymbolicLink(fdPath).toString();
                        } catch (Exception gone) {
                            continue;
                        }
                        if (!target.startsWith("socket:[")) {
                            continue;
                        }
                        String inode = target.substring(8, target.length() - 1);
                        String row = tcp.lines().filter(l -> l.trim().split("\\s+").length > 9
                                && l.trim().split("\\s+")[9].equals(inode)).findFirst().orElse(null);
                        if (row == null || !row.trim().split("\\s+")[3].equals("01")) {
                            continue; // not an established TCP connection
                        }
                        FileDescriptor fd = new FileDescriptor();
                        fdField.setInt(fd, Integer.parseInt(fdPath.getFileName().toString()));
                        int timeout = (int) getIntOption.invoke(null, fd, false, 6, 18);
                        System.out.println("fd " + fdPath.getFileName() + " user_timeout=" + timeout);
                    }
                }
            }
        }
    }
}
