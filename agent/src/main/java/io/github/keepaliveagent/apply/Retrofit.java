package io.github.keepaliveagent.apply;

import java.util.LinkedHashSet;
import java.util.Set;

import io.github.keepaliveagent.config.Values;
import io.github.keepaliveagent.log.Log;

/**
 * For attach: gives the TCP connections and listening sockets already open in this JVM the settings
 * too (Linux), found among the process's own descriptors ({@link OwnSockets}); connections accepted
 * from now on inherit a listener's. Values the program had set itself on those connections are
 * replaced: attach is the operator's decision.
 */
public final class Retrofit {

    private Retrofit() {
    }

    /** What a retrofit did. */
    public static final class Result {
        /** Whether the process's sockets could be listed at all (then every listener carries the settings). */
        public final boolean done;
        /** "retrofit: 12 connections changed, 2 listening sockets changed, 1 skipped, 0 failed", for people. */
        public final String text;

        Result(boolean done, String text) {
            this.done = done;
            this.text = text;
        }
    }

    public static Result run(Applier applier) {
        int[] counts = new int[5]; // connections, listening, skipped, failed, left alone by a rule
        Set<String> refused = new LinkedHashSet<>();
        RuleApplier rules = applier.rules();
        try {
            // With rules: a connection is inbound when a listening socket of the process has its local port.
            Set<Integer> listening = rules == null ? null : rules.listeningPorts();
            OwnSockets.forEach(applier.natives(), socket -> {
                if (!socket.stillThere()) {
                    counts[2]++; // closed since it was found, its number maybe reused by another file
                    return;
                }
                try {
                    Values values = rules == null ? null : rules.forSocket(socket, listening);
                    if (values != null && values.off()) {
                        counts[4]++; // a keepalive=off rule: not touched
                        return;
                    }
                    applier.configure(socket.fd, values == null ? applier.settings().values() : values, refused);
                    counts[socket.listening ? 1 : 0]++;
                } catch (Exception e) {
                    counts[3]++;
                    Log.debug(e, "could not retrofit fd {}", socket.number);
                }
            });
        } catch (Throwable e) { // an Error too (OutOfMemoryError in a tiny heap): the hooks stay installed
            Log.warn(e, "could not list this process's sockets: open connections were not changed");
            return new Result(false, "retrofit failed: " + e);
        }
        return new Result(true, "retrofit: " + plural(counts[0], "connection") + " changed, " + plural(counts[1], "listening socket")
                + " changed, " + counts[2] + " skipped (closed meanwhile), " + counts[3] + " failed"
                + (rules == null ? "" : ", " + counts[4] + " left alone (keepalive=off rules); by the connection rules")
                + (refused.isEmpty() ? "" : "; the kernel refused " + refused));
    }

    private static String plural(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }
}
