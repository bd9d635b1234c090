package io.github.keepaliveagent.entry;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.function.BiFunction;

import io.github.keepaliveagent.cli.Cli;
import io.github.keepaliveagent.config.Settings;
import io.github.keepaliveagent.core.Agent;
import io.github.keepaliveagent.core.Outcome;
import io.github.keepaliveagent.core.Version;

/**
 * The agent's entry points, called by the launcher: the only exported package of the agent's module.
 * Calling them gives nothing without an Instrumentation. What they throw, the launcher reports in one line.
 */
public final class Entry implements BiFunction<String, Object[], Object> {

    /**
     * The launcher calls through this JDK interface ({@code "install"}, {@code "agentmain"}, {@code "main"}):
     * a reflective call spins method handles on JDK 18+, a constructor and an interface call do not.
     */
    @Override
    public Object apply(String door, Object[] in) {
        switch (door) {
            case "install":
                return install(in[0], (Instrumentation) in[1], (byte[]) in[2], (String) in[3], (Boolean) in[4]);
            case "agentmain":
                agentmain((String) in[0], (Instrumentation) in[1], (byte[]) in[2], (String) in[3]);
                return null;
            case "main":
                main((String[]) in[0], (String) in[1]);
                return null;
            default:
                throw new IllegalArgumentException(door);
        }
    }

    /**
     * -javaagent, once the first socket class loads: the settings were parsed and reported in premain.
     *
     * @return the agent's transformer, or null
     */
    private static ClassFileTransformer install(Object settings, Instrumentation inst, byte[] dispatcher,
            String version, boolean atFirstClass) {
        Version.set(version);
        return Agent.install((Settings) settings, inst, dispatcher, atFirstClass);
    }

    /**
     * Loaded into a running JVM by {@code java -jar keepalive-agent.jar attach PID ...}: only the arguments
     * count (the target's environment is not read). The outcome goes to the JVM's agent properties, where
     * the attach command reads it back through the attach connection: no file, nothing to block on.
     */
    private static void agentmain(String args, Instrumentation inst, byte[] dispatcher, String version) {
        Version.set(version);
        String settings = args == null ? "" : args;
        int id = settings.lastIndexOf(Agent.ATTACH_ID);
        String attachId = id < 0 ? "unknown" : settings.substring(id + Agent.ATTACH_ID.length());
        Outcome outcome = Agent.attach(id < 0 ? settings : settings.substring(0, id), inst, dispatcher);
        Agent.publish(attachId, outcome);
    }

    /** {@code java -jar keepalive-agent.jar ...}. */
    private static void main(String[] args, String version) {
        Version.set(version);
        System.exit(Cli.run(args, System.getenv(), System.out, System.err));
    }
}
