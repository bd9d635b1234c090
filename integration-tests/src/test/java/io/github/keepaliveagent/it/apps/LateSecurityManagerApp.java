package io.github.keepaliveagent.it.apps;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketPermission;
import java.net.URL;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.CodeSource;
import java.security.Permission;
import java.security.PermissionCollection;
import java.security.Permissions;
import java.security.Policy;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.keepaliveagent.it.thirdparty.apps.NativeConnectApp;

/**
 * A program that installs its own SecurityManager after start-up, as Apache Derby's network server
 * does (issue 19): the agent is already there (premain ran before main), then, after
 * {@code delayMillis}, the program sets a Policy of its own and a SecurityManager. The policy knows
 * nothing about the agent: it grants the program's own code only what the program needs (sockets on
 * loopback, leaving the JVM), and the JDK's own modules what the JDK's default policy grants them; no
 * AllPermission anywhere, nothing for any other code source.
 *
 * <p>After that it creates every kind of TCP socket on loopback and holds them: a java.net.Socket and
 * the Socket a ServerSocket accepted, a SocketChannel and the one a ServerSocketChannel accepted, an
 * AsynchronousSocketChannel and the accepted one. With a second argument (the path of
 * libnativeconnect.so, see NativeConnectApp) it also makes one connection in C that no hook sees, to
 * the ServerSocket (its accepted end is the ServerSocket's second connection).
 *
 * <p>Prints {@code ready pid=P socket=PORT channel=PORT async=PORT [native=PORT]} (the listeners'
 * ports; native: the local port of the C end) and holds for at most {@code holdSeconds}, or until its
 * standard input ends (the test that started it went away) or a line arrives.
 *
 * <p>Args: delayMillis (negative: no SecurityManager at all, the baseline) holdSeconds [library].
 */
public final class LateSecurityManagerApp {

    private LateSecurityManagerApp() {
    }

    public static void main(String[] args) throws Exception {
        long delayMillis = Long.parseLong(args[0]);
        long holdSeconds = Long.parseLong(args[1]);
        String library = args.length > 2 ? args[2] : null;
        // What needs more than the policy below grants is done before the SecurityManager exists.
        long pid = ProcessHandle.current().pid(); // RuntimePermission manageProcess
        Method connect0 = null;
        Method close0 = null;
        if (library != null) {
            System.load(library); // RuntimePermission loadLibrary
            connect0 = NativeConnectApp.class.getDeclaredMethod("connect0", int.class);
            connect0.setAccessible(true); // its natives are private; their JNI names are NativeConnectApp's
            close0 = NativeConnectApp.class.getDeclaredMethod("close0", int.class);
            close0.setAccessible(true);
        }
        CountDownLatch stop = new CountDownLatch(1);
        Thread stdin = new Thread(() -> {
            try {
                System.in.read(); // a line, or the end of the input
            } catch (IOException e) {
                // the same: stop
            }
            stop.countDown();
        }, "stdin");
        stdin.setDaemon(true);
        stdin.start();

        if (delayMillis >= 0) {
            Thread.sleep(delayMillis);
            installSecurityManager();
        }
        System.out.println("security manager " + (System.getSecurityManager() != null));

        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        List<AutoCloseable> open = new ArrayList<>();
        try {
            ServerSocket server = add(open, new ServerSocket(0, 50, loopback));
            add(open, new Socket(loopback, server.getLocalPort()));
            add(open, server.accept());

            ServerSocketChannel serverChannel = add(open, ServerSocketChannel.open());
            serverChannel.bind(new InetSocketAddress(loopback, 0));
            add(open, SocketChannel.open(serverChannel.getLocalAddress()));
            add(open, serverChannel.accept());

            AsynchronousServerSocketChannel serverAsync = add(open, AsynchronousServerSocketChannel.open());
            serverAsync.bind(new InetSocketAddress(loopback, 0));
            InetSocketAddress asyncAddress = (InetSocketAddress) serverAsync.getLocalAddress();
            AsynchronousSocketChannel clientAsync = add(open, AsynchronousSocketChannel.open());
            java.util.concurrent.Future<AsynchronousSocketChannel> acceptedAsync = serverAsync.accept();
            clientAsync.connect(asyncAddress).get(30, TimeUnit.SECONDS);
            add(open, acceptedAsync.get(30, TimeUnit.SECONDS));

            String nativeEnd = "";
            int fd = -1;
            if (connect0 != null) {
                fd = (Integer) connect0.invoke(null, server.getLocalPort());
                if (fd < 0) {
                    throw new IllegalStateException("connect from C failed, errno " + -fd);
                }
                Socket accepted = add(open, server.accept());
                nativeEnd = " native=" + accepted.getPort();
            }
            try {
                System.out.println("ready pid=" + pid + " socket=" + server.getLocalPort() + " channel="
                        + ((InetSocketAddress) serverChannel.getLocalAddress()).getPort() + " async="
                        + asyncAddress.getPort() + nativeEnd);
                stop.await(holdSeconds, TimeUnit.SECONDS);
            } finally {
                if (fd >= 0) {
                    close0.invoke(null, fd);
                }
            }
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> open, T closeable) {
        open.add(closeable);
        return closeable;
    }

    /**
     * The program's own policy: its own code gets socket permissions on loopback and may leave the
     * JVM; the JDK's modules (code sources jrt:/...) get what the JDK's default policy grants them, as
     * a policy file would; every other code source gets nothing.
     */
    private static void installSecurityManager() {
        CodeSource own = LateSecurityManagerApp.class.getProtectionDomain().getCodeSource();
        Permissions program = new Permissions();
        for (String host : new String[] {"localhost", "127.0.0.1"}) {
            program.add(new SocketPermission(host + ":0-", "listen,accept,connect,resolve"));
        }
        program.add(new RuntimePermission("exitVM.*"));
        program.setReadOnly();
        Policy jdk = Policy.getPolicy();
        Policy policy = new Policy() {
            @Override
            public boolean implies(ProtectionDomain domain, Permission permission) {
                CodeSource source = domain.getCodeSource();
                URL location = source == null ? null : source.getLocation();
                if (location == null) {
                    return false;
                }
                if ("jrt".equals(location.getProtocol())) {
                    return jdk.implies(domain, permission);
                }
                return own.getLocation().equals(location) && program.implies(permission);
            }

            @Override
            public PermissionCollection getPermissions(CodeSource codesource) {
                return Policy.UNSUPPORTED_EMPTY_COLLECTION;
            }
        };
        // Once before it is in force: the classes it needs are loaded while nothing checks.
        policy.implies(LateSecurityManagerApp.class.getProtectionDomain(), new RuntimePermission("exitVM.0"));
        Policy.setPolicy(policy);
        System.setSecurityManager(new SecurityManager());
    }
}
