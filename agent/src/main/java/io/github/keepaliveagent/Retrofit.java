package io.github.keepaliveagent;

/**
 * For attach: gives the TCP connections that are already open in this JVM the settings too (Linux).
 * Connections (also those still connecting) and listening sockets get SO_KEEPALIVE and the TCP_KEEP*
 * values (connections accepted from now on inherit a listener's); closing ones are skipped. Values the
 * program had set itself on those connections are replaced: attach is the operator's decision.
 */
final class Retrofit {

    private Retrofit() {
    }

    /** "retrofit: 12 connections changed, 2 listening sockets changed, 1 skipped, 0 failed". */
    static String run(Settings settings, NativeSockets natives) {
        int changed = 0;
        int listening = 0;
        int skipped = 0;
        int failed = 0;
        try {
            for (ProcTcp.Connection connection : ProcTcp.of("self")) {
                if (!connection.established() && !connection.listening() && !"SYN_SENT".equals(connection.state)) {
                    skipped++; // closing: nothing to keep alive
                    continue;
                }
                if (!connection.stillAt()) {
                    skipped++; // closed since the listing, its number maybe reused by another file
                    continue;
                }
                try {
                    natives.configure(natives.wrap(connection.fd), settings);
                    if (!connection.listening()) {
                        changed++;
                    } else {
                        listening++;
                    }
                } catch (Exception e) {
                    failed++; // closed meanwhile, or a descriptor number reused by something else
                    Log.debug(e, "could not retrofit fd {} ({} -> {})", connection.fd, connection.local,
                            connection.remote);
                }
            }
        } catch (Exception e) {
            Log.warn(e, "could not list this process's connections: open connections were not changed");
            return "retrofit: failed to list the open connections (" + e + ")";
        }
        return "retrofit: " + changed + " connections changed, " + listening + " listening sockets changed, "
                + skipped + " skipped (closing), " + failed + " failed";
    }
}
