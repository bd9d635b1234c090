package io.github.keepaliveagent.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;

import io.github.keepaliveagent.config.Settings;
import io.github.keepaliveagent.core.Agent;
import io.github.keepaliveagent.entry.Entry;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * {@code java -jar keepalive-agent.jar attach PID [name=value,...]}: loads this jar into a running JVM.
 * The arguments are validated here first, so that a typo never reaches the target.
 */
final class Attach {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NO_SUCH_PROCESS = 3;
    static final int NOT_ATTACHABLE = 4;
    static final int NOT_PERMITTED = 5;
    static final int NO_INSTRUMENT = 6;

    private Attach() {
    }

    static int run(String pid, String args, PrintStream out, PrintStream err) {
        if (!pid.matches("[0-9]+")) {
            err.println("keepalive-agent: attach: \"" + pid + "\" is not a process id");
            return USAGE;
        }
        Settings settings = Settings.resolve(args, Collections.<String, String>emptyMap(), true);
        if (!settings.problems().isEmpty()) {
            for (String problem : settings.problems()) {
                err.println("keepalive-agent: attach: " + problem);
            }
            err.println("keepalive-agent: attach: nothing was loaded into process " + pid);
            return USAGE;
        }
        Path proc = Paths.get("/proc", pid);
        if (Files.isDirectory(Paths.get("/proc/self"))) { // Linux: what /proc can tell before attaching
            if (!Files.isDirectory(proc)) {
                err.println("keepalive-agent: attach: no such process: " + pid);
                return NO_SUCH_PROCESS;
            }
            int problem = checkTarget(proc, pid, err);
            if (problem != OK) {
                return problem;
            }
        }
        File jar = agentJar();
        String attachId = Long.toHexString(new java.security.SecureRandom().nextLong());
        try {
            String outcome = loadAndReadBack(jar, pid, args + Entry.ATTACH_ID + attachId, attachId);
            out.println("keepalive-agent: attached to process " + pid);
            if (outcome == null) {
                out.println("  (no outcome was published: the agent failed early; see the target's stderr)");
                return FAILED;
            }
            for (String line : outcome.split("\n")) {
                if (!line.isEmpty()) {
                    out.println("  " + line);
                }
            }
            return outcome.startsWith("not loaded") ? FAILED : OK;
        } catch (Throwable t) {
            return explain(pid, t, err);
        }
    }

    /**
     * Loads the agent through the JVM's attach connection and reads its outcome back through the same
     * connection, from the target's agent properties: no file in a directory the target's owner controls,
     * nothing that can block either side.
     */
    private static String loadAndReadBack(File jar, String pid, String agentArgs, String attachId) throws Throwable {
        Class<?> vmType = ByteBuddyAgent.AttachmentProvider.DEFAULT.attempt().getVirtualMachineType();
        Object vm = invoke(vmType.getMethod("attach", String.class), null, pid);
        try {
            invoke(vmType.getMethod("loadAgent", String.class, String.class), vm, jar.getAbsolutePath(), agentArgs);
            Properties properties = (Properties) invoke(vmType.getMethod("getAgentProperties"), vm);
            return properties.getProperty(Agent.PROPERTY_OUTCOME + "." + attachId);
        } finally {
            invoke(vmType.getMethod("detach"), vm);
        }
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object... args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Checks what /proc can tell before attaching: is it a JVM, may we attach, is attach enabled. */
    private static int checkTarget(Path proc, String pid, PrintStream err) {
        String maps;
        try {
            maps = new String(Files.readAllBytes(proc.resolve("maps")), StandardCharsets.ISO_8859_1);
        } catch (AccessDeniedException e) {
            err.println("keepalive-agent: attach: not permitted to inspect process " + pid
                    + ": run as the user that owns it (or root)");
            return NOT_PERMITTED;
        } catch (IOException e) {
            err.println("keepalive-agent: attach: cannot read " + proc.resolve("maps") + ": " + e);
            return FAILED;
        }
        if (!maps.contains("/libjvm.so")) {
            err.println("keepalive-agent: attach: process " + pid + " is not a JVM (no libjvm.so mapped)");
            return NOT_ATTACHABLE;
        }
        if (mentions(proc.resolve("cmdline"), "+DisableAttachMechanism")
                || mentions(proc.resolve("environ"), "+DisableAttachMechanism")) {
            err.println("keepalive-agent: attach: process " + pid + " runs with -XX:+DisableAttachMechanism:"
                    + " nothing can be loaded into it; restart it with -javaagent instead");
            return NOT_ATTACHABLE;
        }
        return OK;
    }

    private static boolean mentions(Path file, String text) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static int explain(String pid, Throwable t, PrintStream err) {
        StringBuilder causes = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            causes.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" / ");
        }
        String text = causes.toString();
        if (text.contains("instrument")) {
            err.println("keepalive-agent: attach: process " + pid + " has no java.instrument module"
                    + " (a jlink'ed runtime without it?): a Java agent cannot run there. (" + text + ")");
            return NO_INSTRUMENT;
        }
        if (text.contains("Permission denied") || text.contains("Operation not permitted")
                || text.contains("well-known file")) {
            err.println("keepalive-agent: attach: not permitted to attach to process " + pid
                    + ": run as the user that owns it. (" + text + ")");
            return NOT_PERMITTED;
        }
        err.println("keepalive-agent: attach: could not attach to process " + pid + ": " + text);
        return FAILED;
    }

    private static File agentJar() {
        try {
            return new File(Attach.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException("cannot find the agent jar", e);
        }
    }
}
