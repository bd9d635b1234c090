package io.github.keepaliveagent.it.apps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** How the test programs that hold connections open wait: until the test closes their stdin, bounded in time. */
public final class HeldOpen {

    private HeldOpen() {
    }

    /** Returns when stdin closes; exits the JVM with status 3 if that takes more than {@code maxSeconds}. */
    public static void untilStdinCloses(int maxSeconds) throws IOException {
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(maxSeconds * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            System.exit(3);
        });
        deadline.setDaemon(true);
        deadline.start();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // held until stdin closes
        }
        deadline.interrupt();
    }
}
