package io.github.keepaliveagent;

import java.lang.instrument.Instrumentation;

/**
 * Entry points of {@code -javaagent:} and of loading into a running JVM. They never throw and
 * never stop the JVM, except in strict mode, which the user asked for.
 */
public final class KeepAliveAgent {

    private KeepAliveAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        run(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        run(args, inst, true);
    }

    private static void run(String args, Instrumentation inst, boolean attached) {
        try {
            Installer.install(args, System.getenv(), inst, attached);
        } catch (Throwable t) {
            System.err.println("keepalive-agent ERROR: not installed, the program runs without it: " + t);
        }
    }
}
