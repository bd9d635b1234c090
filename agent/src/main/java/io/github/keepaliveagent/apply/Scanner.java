package io.github.keepaliveagent.apply;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.github.keepaliveagent.config.Option.Kernel;
import io.github.keepaliveagent.config.Settings;
import io.github.keepaliveagent.config.Values;
import io.github.keepaliveagent.log.Log;

/**
 * No silent miss: every period, looks at the process's own TCP sockets ({@link OwnSockets}) for ones
 * with keepalive off that no hook configured (created in native code the agent does not hook, or
 * with a descriptor a library adopted), gives them the settings, and says so once at INFO. With
 * force=off a program may have switched keepalive off on purpose: there it only reports.
 */
public final class Scanner {

    /** How long a socket found without keepalive must stay so: a hook may be configuring it right now. */
    private static final long SETTLE_MILLIS = 200;

    private final Applier applier;
    private final boolean configure;
    /** With force=off: sockets already reported, so that each is reported once. */
    private Set<String> reported = new HashSet<>();
    /** Sockets a keepalive=off rule leaves alone: without keepalive on purpose, not looked at again. */
    private Set<String> leftAlone = new HashSet<>();
    private boolean said;

    public Scanner(Applier applier) {
        this.applier = applier;
        this.configure = applier.settings().force() != Settings.Force.OFF;
    }

    /** One look; returns how many sockets it found that no hook had configured. */
    public int scanOnce() throws Exception {
        List<OwnSockets.TcpSocket> candidates = new ArrayList<>();
        Set<String> stillAlone = new HashSet<>();
        OwnSockets.forEach(applier.natives(), true, socket -> {
            if (leftAlone.contains(socket.link)) {
                stillAlone.add(socket.link);
            } else if (!socket.keepalive) {
                candidates.add(socket);
            }
        });
        leftAlone = stillAlone;
        if (candidates.isEmpty()) {
            reported.clear();
            return 0;
        }
        RuleApplier rules = applier.rules();
        Set<Integer> listening = null;
        Thread.sleep(SETTLE_MILLIS);
        List<String> found = new ArrayList<>();
        Set<String> stillOff = new HashSet<>();
        for (OwnSockets.TcpSocket socket : candidates) {
            try {
                if (!socket.stillThere()
                        || applier.natives().getInt(socket.fd, Kernel.SOL_SOCKET, Kernel.SO_KEEPALIVE) != 0) {
                    continue;
                }
                Values values = null;
                if (rules != null) {
                    if (listening == null) {
                        listening = rules.listeningPorts(); // to tell an accepted connection from an outbound one
                    }
                    values = rules.forSocket(socket, listening);
                    if (values != null && values.off()) {
                        leftAlone.add(socket.link); // a keepalive=off rule: without keepalive on purpose
                        continue;
                    }
                }
                stillOff.add(socket.link);
                if (configure) {
                    applier.configure(socket.fd, values == null ? applier.settings().values() : values);
                    found.add("fd " + socket.number + (socket.listening ? " (listening)" : ""));
                } else if (!reported.contains(socket.link)) {
                    found.add("fd " + socket.number + (socket.listening ? " (listening)" : ""));
                }
            } catch (Exception closedMeanwhile) {
                // gone: nothing to do
            }
        }
        reported = stillOff;
        if (!found.isEmpty()) {
            String what = found.size() + " TCP " + (found.size() == 1 ? "connection" : "connections")
                    + " with keepalive off that no hook configured (created in native code or adopted from"
                    + " a descriptor): " + String.join(", ", found.subList(0, Math.min(found.size(), 10)))
                    + (found.size() > 10 ? ", ..." : "")
                    + (configure ? "; gave them the settings" : "; left as they are (force=off)");
            if (!said) {
                said = true;
                Log.info("found " + what);
            } else {
                Log.debug("found {}", what);
            }
        }
        return found.size();
    }
}
