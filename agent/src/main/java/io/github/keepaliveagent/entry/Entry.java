package io.github.keepaliveagent.entry;

import java.lang.instrument.Instrumentation;

import io.github.keepaliveagent.cli.Cli;
import io.github.keepaliveagent.core.Agent;
import io.github.keepaliveagent.core.Outcome;

/**
 * The agent's entry points, called by the launcher once it has loaded the agent into its own module.
 * The only exported package of that module: calling these gives nothing without an Instrumentation.
 * They never throw and never stop the JVM, except in strict mode, which the user asked for.
 */
public final class Entry {

    private Entry() {
    }

    public static void premain(String args, Instrumentation inst) {
        try {
            Agent.premain(args, System.getenv(), inst);
        } catch (Throwable t) {
            System.err.println("keepalive-agent ERROR: not installed, the program runs without it: " + t);
        }
    }

    /**
     * Loaded into a running JVM by {@code java -jar keepalive-agent.jar attach PID ...}: only the arguments
     * count (the target's environment is not read). The outcome goes to the JVM's agent properties, where
     * the attach command reads it back through the attach connection: no file, nothing to block on.
     */
    public static void agentmain(String args, Instrumentation inst) {
        try {
            String settings = args == null ? "" : args;
            int id = settings.lastIndexOf(Agent.ATTACH_ID);
            String attachId = id < 0 ? "unknown" : settings.substring(id + Agent.ATTACH_ID.length());
            Outcome outcome = Agent.agentmain(id < 0 ? settings : settings.substring(0, id), inst);
            Agent.publish(attachId, outcome);
        } catch (Throwable t) {
            System.err.println("keepalive-agent ERROR: not installed, the program runs without it: " + t);
        }
    }

    /** {@code java -jar keepalive-agent.jar ...}. */
    public static void main(String[] args) {
        System.exit(Cli.run(args, System.getenv(), System.out, System.err));
    }
}
