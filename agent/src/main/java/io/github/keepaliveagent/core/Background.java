package io.github.keepaliveagent.core;

import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.keepaliveagent.apply.Applier;
import io.github.keepaliveagent.apply.Scanner;
import io.github.keepaliveagent.hook.Rewriter;
import io.github.keepaliveagent.jdk.Dispatcher;
import io.github.keepaliveagent.log.Log;

/**
 * The agent's one thread (a daemon): it warms ASM up while the JVM goes on starting the program,
 * checks on sockets of its own that the hooks fire and the options land (as BlockHound checks its
 * instrumentation), then looks for sockets no hook configured every {@code scan} seconds. It ends
 * when a later attach installs other settings (which start their own).
 */
final class Background implements Runnable {

    /** How long the thread waits for the agent to finish installing (it never takes this long). */
    private static final long INSTALL_TIMEOUT_SECONDS = 60;

    private static final long SELF_CHECK_DELAY_MILLIS = 1000;

    private final Dispatcher dispatcher;
    private final boolean first;
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile Applier applier;

    private Background(Dispatcher dispatcher, boolean first) {
        this.dispatcher = dispatcher;
        this.first = first;
    }

    /** Starts the thread: ASM warms up at once; the rest waits for {@link #installed}. */
    static Background start(Dispatcher dispatcher, boolean first) {
        Background background = new Background(dispatcher, first);
        try {
            Thread thread = new Thread(background, "keepalive-agent");
            thread.setDaemon(true);
            thread.setContextClassLoader(null);
            thread.start();
        } catch (Throwable e) {
            Log.warn(e, "could not start the agent's thread: no self-check and no scan for missed sockets");
        }
        return background;
    }

    /** The hooks are in place with these settings: the self-check and the scan may begin. */
    void installed(Applier installedApplier) {
        applier = installedApplier;
        ready.countDown();
    }

    @Override
    public void run() {
        if (first) {
            Rewriter.warmUp();
        }
        try {
            if (!ready.await(INSTALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            return;
        }
        if (first) {
            try {
                // Off the program's start-up path: the self-check loads the JDK's socket classes, which would
                // compete with the program's own class loading; a JVM gone by then had nothing to check.
                Thread.sleep(SELF_CHECK_DELAY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            selfCheck();
        }
        int period = applier.settings().scanSeconds();
        if (period <= 0 || applier.natives() == null) {
            return;
        }
        try {
            while (stillInstalled()) {
                Thread.sleep(period * 1000L);
                if (!stillInstalled()) {
                    return;
                }
                applier.scanner().scanOnce();
            }
        } catch (InterruptedException e) {
            // Only code with access to every thread interrupts this one: say what stops with it.
            Log.warn("the agent's thread was interrupted: no more scans for sockets no hook configured");
        } catch (Throwable e) {
            Log.warn(e, "the scan for sockets no hook configured stopped");
        }
    }

    private boolean stillInstalled() throws Exception {
        return dispatcher.installed() == applier;
    }

    /** A java.net.Socket and a SocketChannel of the agent's own, never connected: did they get keepalive? */
    private void selfCheck() {
        Applier.SELF_CHECK.set(Boolean.TRUE);
        try {
            check();
        } finally {
            Applier.SELF_CHECK.remove();
        }
    }

    private void check() {
        String failed = null;
        try (Socket socket = new Socket()) {
            if (!socket.getKeepAlive()) {
                failed = "a new java.net.Socket";
            }
        } catch (Throwable e) {
            Log.debug(e, "self-check: no java.net.Socket could be created");
        }
        try (SocketChannel channel = SocketChannel.open()) {
            if (!channel.getOption(StandardSocketOptions.SO_KEEPALIVE)) {
                failed = failed == null ? "a new SocketChannel" : failed + " and a new SocketChannel";
            }
        } catch (Throwable e) {
            Log.debug(e, "self-check: no SocketChannel could be created");
        }
        if (failed != null) {
            Log.warn("self-check failed: {} did not get SO_KEEPALIVE: the agent's hooks do not work in this JVM"
                    + " ({} {}), its sockets get no keepalive from the agent", failed,
                    System.getProperty("java.vm.name"), System.getProperty("java.version"));
        } else if (Log.debugEnabled()) {
            Log.debug("self-check: a new Socket and a new SocketChannel got SO_KEEPALIVE");
        }
    }
}
