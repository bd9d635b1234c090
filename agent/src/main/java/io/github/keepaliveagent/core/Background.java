package io.github.keepaliveagent.core;

import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.security.PrivilegedExceptionAction;

import io.github.keepaliveagent.apply.Applier;
import io.github.keepaliveagent.jdk.Dispatcher;
import io.github.keepaliveagent.jdk.Privileged;
import io.github.keepaliveagent.log.Log;

/**
 * The agent's one thread (a daemon): it checks on sockets of its own that the hooks fire and the options
 * land (as BlockHound checks its instrumentation), then looks for sockets no hook configured every
 * {@code scan} seconds. It ends when a later attach installs other settings (which start their own). Its
 * work runs with the agent's own permissions ({@link Privileged}), whatever SecurityManager the program
 * installs meanwhile.
 */
final class Background implements Runnable {

    private static final long SELF_CHECK_DELAY_MILLIS = 1000;

    private final Dispatcher dispatcher;
    private final Applier applier;
    private final boolean scanAtOnce;

    private Background(Dispatcher dispatcher, Applier applier, boolean scanAtOnce) {
        this.dispatcher = dispatcher;
        this.applier = applier;
        this.scanAtOnce = scanAtOnce;
    }

    /**
     * @param scanAtOnce the first look for sockets no hook saw comes now, not after a period: the agent was
     *        installed late, after the program had made sockets in native code
     */
    static void start(Dispatcher dispatcher, Applier applier, boolean scanAtOnce) {
        try {
            Thread thread = new Thread(new Background(dispatcher, applier, scanAtOnce), "keepalive-agent");
            thread.setDaemon(true);
            thread.setContextClassLoader(null);
            thread.start();
        } catch (Throwable e) {
            Log.warn(e, "could not start the agent's thread: no self-check and no scan for missed sockets");
        }
    }

    @Override
    public void run() {
        try {
            // Off the program's start-up path: a JVM gone by then had nothing to check.
            Thread.sleep(SELF_CHECK_DELAY_MILLIS);
        } catch (InterruptedException e) {
            return;
        }
        if (!stillInstalled()) {
            return; // a later attach installed other settings at once: its own thread checks
        }
        privileged(SELF_CHECK);
        int period = applier.settings().scanSeconds();
        if (period <= 0 || applier.natives() == null) {
            return;
        }
        try {
            for (boolean now = scanAtOnce; stillInstalled(); now = false) {
                if (!now) {
                    Thread.sleep(period * 1000L);
                }
                if (!stillInstalled() || !privileged(SCAN)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // Only code with access to every thread interrupts this one: say what stops with it.
            Log.warn("the agent's thread was interrupted: no more scans for sockets no hook configured");
        }
    }

    private static final int SELF_CHECK = 0;
    private static final int SCAN = 1;

    /** One task with the agent's own permissions; false when it failed (said once). */
    private boolean privileged(int task) {
        try {
            return Privileged.call(new PrivilegedExceptionAction<Boolean>() {
                @Override
                public Boolean run() throws Exception {
                    if (task == SELF_CHECK) {
                        selfCheck();
                    } else {
                        applier.scanner().scanOnce();
                    }
                    return Boolean.TRUE;
                }
            });
        } catch (Throwable e) {
            Log.warn(e, task == SELF_CHECK ? "the self-check could not run"
                    : "the scan for sockets no hook configured stopped");
            return false;
        }
    }

    private boolean stillInstalled() {
        try {
            return dispatcher.installed() == applier;
        } catch (Exception e) {
            return false;
        }
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
        Throwable refused = applier.firstFailure();
        if (failed != null && refused != null) {
            Log.warn("self-check failed: {} did not get SO_KEEPALIVE: the hooks fired but the options could not be"
                    + " set ({}): sockets get no keepalive from the agent", failed, refused);
        } else if (failed != null) {
            Log.warn("self-check failed: {} did not get SO_KEEPALIVE: the agent's hooks do not work in this JVM"
                    + " ({} {}), its sockets get no keepalive from the agent", failed,
                    System.getProperty("java.vm.name"), System.getProperty("java.version"));
        } else if (Log.debugEnabled()) {
            Log.debug("self-check: a new Socket and a new SocketChannel got SO_KEEPALIVE");
        }
    }
}
