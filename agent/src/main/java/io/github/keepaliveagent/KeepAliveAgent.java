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
        try {
            Installer.install(args, System.getenv(), inst, false);
        } catch (Throwable t) {
            System.err.println("keepalive-agent ERROR: not installed, the program runs without it: " + t);
        }
    }

    /**
     * Loaded into a running JVM by {@code java -jar keepalive-agent.jar attach PID ...}: only the
     * arguments count (the target's environment is not read), and the outcome is written to the
     * report file the attach command passes as its last argument, {@code report=FILE}.
     */
    public static void agentmain(String args, Instrumentation inst) {
        String report = null;
        String settings = args == null ? "" : args;
        int at = settings.lastIndexOf(Attach.REPORT_ARG);
        if (at >= 0) {
            report = settings.substring(at + Attach.REPORT_ARG.length());
            settings = settings.substring(0, at).replaceAll(",$", "");
        }
        String outcome;
        try {
            outcome = Installer.install(settings, java.util.Collections.<String, String>emptyMap(), inst, true);
        } catch (Throwable t) {
            outcome = "error: not installed: " + t;
            System.err.println("keepalive-agent ERROR: not installed, the program runs without it: " + t);
        }
        if (report != null) {
            try {
                java.nio.file.Files.write(java.nio.file.Paths.get(report),
                        outcome.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (Throwable t) {
                System.err.println("keepalive-agent ERROR: could not write the attach report " + report + ": " + t);
            }
        }
    }
}
