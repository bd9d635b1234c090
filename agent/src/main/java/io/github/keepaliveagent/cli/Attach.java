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
import java.util.Map;

import io.github.keepaliveagent.config.Option;
import io.github.keepaliveagent.config.Settings;
import io.github.keepaliveagent.core.Agent;
import io.github.keepaliveagent.core.Outcome;
import io.github.keepaliveagent.launcher.Selection;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * {@code java -jar keepalive-agent.jar attach PID [name=value,...]}: loads this jar into a running JVM.
 * The arguments are validated here first, so that a typo never reaches the target.
 */
final class Attach {

    private Attach() {
    }

    static int run(String pid, String args, PrintStream out, PrintStream err) {
        int checked = ProcessId.check("attach", pid, err);
        if (checked != ExitCode.OK) {
            return checked;
        }
        Settings settings = Settings.resolve(args, Collections.<String, String>emptyMap(), true);
        if (!settings.problems().isEmpty()) {
            for (String problem : settings.problems()) {
                err.println("keepalive-agent: attach: " + problem);
            }
            err.println("keepalive-agent: attach: nothing was loaded into process " + pid);
            return ExitCode.USAGE;
        }
        Problem problem = checkTarget(pid);
        if (problem != null) {
            err.println("keepalive-agent: attach: " + problem.message);
            return problem.exitCode;
        }
        File jar = agentJar();
        String attachId = Long.toHexString(new java.security.SecureRandom().nextLong());
        try {
            String[] outcome = loadAndReadBack(jar, pid, args + Agent.ATTACH_ID + attachId, attachId);
            out.println("keepalive-agent: attached to process " + pid);
            if (outcome[0] == null) {
                out.println("  (no outcome was published: the agent failed early; see the target's stderr)");
                if (outcome[2] != null && !outcome[2].equals("allow") && !outcome[2].equals("disallow")) {
                    out.println("  process " + pid + " runs under a SecurityManager (java.security.manager="
                            + Settings.quote(outcome[2]) + "): its policy must grant the agent's jar the permissions"
                            + " its launcher needs: grant codeBase \"" + jar.toURI() + "\" { permission"
                            + " java.security.AllPermission; };");
                }
                return ExitCode.FAILED;
            }
            for (String line : outcome[1].split("\n")) {
                if (!line.isEmpty()) {
                    out.println("  " + line);
                }
            }
            return Outcome.State.NOT_LOADED.name().equals(outcome[0]) ? ExitCode.FAILED : ExitCode.OK;
        } catch (Throwable t) {
            Problem failure = explain(pid, t);
            err.println("keepalive-agent: attach: " + failure.message);
            return failure.exitCode;
        }
    }

    /**
     * For {@code status PID --agent}: whether the agent is loaded in that JVM and with which settings,
     * read from its agent properties through an attach connection (nothing is loaded).
     *
     * @return a {@link Problem} whose exit code is {@link ExitCode#OK} and whose message is the answer,
     *         or why it cannot be told
     */
    static Problem agentIn(String pid) {
        Problem problem = checkTarget(pid);
        if (problem != null) {
            return problem.exitCode == ExitCode.NOT_ATTACHABLE && problem.message.contains("not a JVM")
                    ? new Problem(ExitCode.OK, "not loaded (not a JVM)") : problem;
        }
        try {
            Class<?> vmType = ByteBuddyAgent.AttachmentProvider.DEFAULT.attempt().getVirtualMachineType();
            Object vm = invoke(vmType.getMethod("attach", String.class), null, pid);
            try {
                Properties agent = (Properties) invoke(vmType.getMethod("getAgentProperties"), vm);
                String settings = agent.getProperty(Agent.PROPERTY_OUTCOME);
                if (settings != null) {
                    return new Problem(ExitCode.OK, "loaded, " + settings);
                }
                String given = givenArguments(agent.getProperty("sun.jvm.args"));
                if (given == null) {
                    return new Problem(ExitCode.OK, "not loaded");
                }
                Properties system = (Properties) invoke(vmType.getMethod("getSystemProperties"), vm);
                return new Problem(ExitCode.OK, notInstalled(given, environment(pid),
                        agent.getProperty("sun.java.command"), system));
            } finally {
                invoke(vmType.getMethod("detach"), vm);
            }
        } catch (Throwable t) {
            return explain(pid, t);
        }
    }

    /**
     * A JVM given the agent (-javaagent, or JAVA_TOOL_OPTIONS) that published nothing: skipped by premain's
     * selection, off, or selected and waiting for its first socket class. Told from what the JVM recorded
     * and its environment, with the same code premain runs.
     */
    static String notInstalled(String agentArgs, Map<String, String> env, String command, Properties system) {
        Selection selection = Selection.decide(agentArgs, env, command, system.getProperty("jdk.module.main"),
                system.getProperty("java.class.path"), null);
        if (selection.skipped != null) {
            return "skipped (" + selection.skipped + "; " + selection.program + ")";
        }
        Settings settings = Settings.resolve(agentArgs, env, false);
        if (!settings.enabled()) {
            return "off (" + settings.source(Option.KEEPALIVE) + ")";
        }
        return "given, not installed yet: no socket class has loaded in it so far (" + selection.program + ")";
    }

    /**
     * The arguments of the -javaagent that names a jar called keepalive-agent*.jar ("" when none), or null
     * when no such -javaagent was given. From the JVM's own record of its options (JAVA_TOOL_OPTIONS
     * included); no file of the target's is read.
     */
    static String givenArguments(String jvmArgs) {
        if (jvmArgs == null) {
            return null;
        }
        for (String arg : jvmArgs.split(" ")) {
            if (arg.startsWith("-javaagent:")) {
                String agent = arg.substring("-javaagent:".length());
                int equals = agent.indexOf('=');
                String jar = equals < 0 ? agent : agent.substring(0, equals);
                String name = jar.substring(jar.lastIndexOf('/') + 1);
                if (name.startsWith("keepalive-agent") && name.endsWith(".jar")) {
                    return equals < 0 ? "" : agent.substring(equals + 1);
                }
            }
        }
        return null;
    }

    /** The target's environment, /proc/PID/environ (readable by its user and root, like attach itself). */
    private static Map<String, String> environment(String pid) {
        Map<String, String> env = new java.util.HashMap<>();
        try {
            for (String entry : new String(Files.readAllBytes(Paths.get("/proc", pid, "environ")),
                    StandardCharsets.ISO_8859_1).split("\u0000")) {
                int equals = entry.indexOf('=');
                if (equals > 0) {
                    env.put(entry.substring(0, equals), entry.substring(equals + 1));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the selection sees no environment
        }
        return env;
    }

    /**
     * Loads the agent through the JVM's attach connection and reads its outcome back through the same
     * connection, from the target's agent properties: no file in a directory the target's owner controls,
     * nothing that can block either side.
     */
    /**
     * {state, text} of the outcome the agent published, each null when it published none, and the target's
     * java.security.manager property (a SecurityManager given on its command line), or null.
     */
    private static String[] loadAndReadBack(File jar, String pid, String agentArgs, String attachId)
            throws Throwable {
        Class<?> vmType = ByteBuddyAgent.AttachmentProvider.DEFAULT.attempt().getVirtualMachineType();
        Object vm = invoke(vmType.getMethod("attach", String.class), null, pid);
        try {
            invoke(vmType.getMethod("loadAgent", String.class, String.class), vm, jar.getAbsolutePath(), agentArgs);
            Properties properties = (Properties) invoke(vmType.getMethod("getAgentProperties"), vm);
            String key = Agent.PROPERTY_OUTCOME + "." + attachId;
            String state = properties.getProperty(key + Agent.STATE);
            String manager = state != null ? null : ((Properties) invoke(vmType.getMethod("getSystemProperties"), vm))
                    .getProperty("java.security.manager");
            return new String[] {state, properties.getProperty(key), manager};
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

    /** Why a process cannot be attached to, with the exit status that says so. */
    static final class Problem {
        final int exitCode;
        final String message;

        Problem(int exitCode, String message) {
            this.exitCode = exitCode;
            this.message = message;
        }
    }

    /** What /proc can tell before attaching: is it a JVM, may we attach, is attach enabled; null if nothing. */
    private static Problem checkTarget(String pid) {
        Path proc = Paths.get("/proc", pid);
        if (!Files.isDirectory(Paths.get("/proc/self"))) {
            return null; // not Linux: the attach API tells
        }
        String maps;
        try {
            maps = new String(Files.readAllBytes(proc.resolve("maps")), StandardCharsets.ISO_8859_1);
        } catch (AccessDeniedException e) {
            return new Problem(ExitCode.NOT_PERMITTED, "not permitted to inspect process " + pid
                    + ": run as the user that owns it (or root)");
        } catch (java.nio.file.NoSuchFileException e) {
            return new Problem(ExitCode.NO_SUCH_PROCESS, "no such process: " + pid);
        } catch (IOException e) {
            return new Problem(ExitCode.FAILED, "cannot read " + proc.resolve("maps") + ": " + e);
        }
        if (!maps.contains("/libjvm.so")) {
            return new Problem(ExitCode.NOT_ATTACHABLE, "process " + pid + " is not a JVM (no libjvm.so mapped)");
        }
        if (mentions(proc.resolve("cmdline"), "+DisableAttachMechanism")
                || mentions(proc.resolve("environ"), "+DisableAttachMechanism")) {
            return new Problem(ExitCode.NOT_ATTACHABLE, "process " + pid + " runs with -XX:+DisableAttachMechanism:"
                    + " nothing can be loaded into it; restart it with -javaagent instead");
        }
        return otherTmp(proc, pid);
    }

    /**
     * A target with a /tmp of its own in the same pid namespace (systemd's PrivateTmp, {@code unshare -m}):
     * the attach API before JDK 23 (JDK-8327114) looks for the target's attach socket in this process's
     * /tmp, waits 10 s and fails with a misleading "HotSpot VM not loaded". Said at once, with the way out.
     */
    private static Problem otherTmp(Path proc, String pid) {
        try {
            String version = System.getProperty("java.specification.version", "");
            int feature = Integer.parseInt(version.startsWith("1.") ? version.substring(2) : version);
            if (feature >= 23 || Files.isSameFile(proc.resolve("root/tmp"), Paths.get("/tmp"))
                    || !Files.readSymbolicLink(proc.resolve("ns/pid")).equals(
                            Files.readSymbolicLink(Paths.get("/proc/self/ns/pid")))) {
                return null; // same /tmp, or another pid namespace, which every JDK's attach API handles
            }
        } catch (IOException | RuntimeException e) {
            return null; // cannot tell: the attach API will say
        }
        return new Problem(ExitCode.FAILED, "process " + pid + " has a /tmp of its own (another mount"
                + " namespace: systemd's PrivateTmp?) and the attach API of this JDK ("
                + System.getProperty("java.version") + ") cannot reach a JVM there: run this command with the"
                + " java of JDK 23 or newer");
    }

    private static boolean mentions(Path file, String text) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static Problem explain(String pid, Throwable t) {
        StringBuilder causes = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            causes.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" / ");
        }
        String text = causes.toString();
        if (text.contains("instrument")) {
            return new Problem(ExitCode.NO_INSTRUMENT, "process " + pid + " has no java.instrument module"
                    + " (a jlink'ed runtime without it?): a Java agent cannot run there. (" + text + ")");
        }
        if (text.contains("Permission denied") || text.contains("Operation not permitted")
                || text.contains("well-known file")) {
            return new Problem(ExitCode.NOT_PERMITTED, "not permitted to attach to process " + pid
                    + ": run as the user that owns it. (" + text + ")");
        }
        return new Problem(ExitCode.FAILED, "could not attach to process " + pid + ": " + text);
    }

    private static File agentJar() {
        try {
            return new File(Attach.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException("cannot find the agent jar", e);
        }
    }
}
