package io.github.keepaliveagent.launcher;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.security.AccessController;
import java.security.CodeSource;
import java.security.PrivilegedAction;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.Map;

/**
 * The jar's Premain-Class, Agent-Class and Main-Class; with the rest of this package, the only agent classes
 * that the application's class loader can see. Its one static field is a string (below); nothing the
 * application can reach leads to the agent. It is kept small: a JDK tool's JVM loads this class and {@link Selection}, and nothing
 * else of the agent. What it does, in the order of a JVM's life (docs/how-it-works.md, "Start-up"):
 * <ol>
 * <li>premain decides whether this JVM gets the agent ({@link Selection}): if not, nothing else happens;
 * <li>it defines the settings parser in the agent's own loader, which validates and reports the settings;
 * <li>it registers {@link LazyInstall}, which installs the rest when the first socket class loads.
 * </ol>
 */
public final class Launcher {

    /**
     * The settings of the copy of the agent that premain started first, as its start-up line said them:
     * -javaagent may name the jar twice (JAVA_TOOL_OPTIONS and the command line), and the second copy
     * changes nothing. Written and read by premain only, before any code of the program runs: a program
     * that changes it later changes nothing.
     */
    private static String started;

    private Launcher() {
    }

    public static void premain(String args, Instrumentation inst) {
        try { // nothing may escape premain: an exception there stops the JVM
            if (System.getSecurityManager() == null) {
                start(args, inst);
            } else {
                privileged(new PrivilegedExceptionAction<Void>() {
                    @Override
                    public Void run() throws Exception {
                        start(args, inst);
                        return null;
                    }
                });
            }
        } catch (Throwable t) {
            notInstalled(t);
        }
    }

    private static void start(String args, Instrumentation inst) throws Exception {
        Map<String, String> env = System.getenv();
        File jar = ownJar();
        Selection selection = Selection.decide(args, env, jar);
        if (selection.skipped != null) {
            if ("debug".equalsIgnoreCase(logLevel(args, env))) {
                System.err.println("keepalive-agent DEBUG: not loaded in this JVM: " + printable(selection.skipped)
                        + " (" + printable(selection.program) + ")");
            }
        } else if (started == null) {
            started = LazyInstall.premain(args, env, selection, jar, inst);
        } else {
            LazyInstall.secondCopy(args, env, selection, jar, started);
        }
    }

    /** {@code java -jar keepalive-agent.jar attach PID}: only the arguments count; everything at once. */
    public static void agentmain(String args, Instrumentation inst) {
        try {
            if (System.getSecurityManager() == null) {
                LazyInstall.attach(args, ownJar(), inst);
            } else {
                privileged(new PrivilegedExceptionAction<Void>() {
                    @Override
                    public Void run() throws Exception {
                        LazyInstall.attach(args, ownJar(), inst);
                        return null;
                    }
                });
            }
        } catch (Throwable t) {
            notInstalled(t);
        }
    }

    /**
     * Under a SecurityManager that exists when premain or attach runs (JDK 8 to 23, one given on the command
     * line), the launcher works with the permissions of its own jar, which the policy must grant; the rest of
     * the agent has permissions of its own (launcher/AgentJar). One installed later (Derby does) is too late
     * to refuse anything.
     */
    private static void privileged(PrivilegedExceptionAction<Void> work) throws Exception {
        try {
            AccessController.doPrivileged(work);
        } catch (PrivilegedActionException e) {
            throw e.getException();
        } catch (SecurityException e) {
            System.err.println("keepalive-agent ERROR: a SecurityManager is installed and does not grant the agent's"
                    + " jar the permissions its launcher needs (" + e.getMessage() + "): the agent is not installed"
                    + " and the program runs without it. Grant them in the policy: grant codeBase \"" + jarUrl()
                    + "\" { permission java.security.AllPermission; };");
        }
    }

    /** The jar's URL, as a policy file names it; the JVM knows it from -javaagent even where we may not ask. */
    private static String jarUrl() {
        try {
            return AccessController.doPrivileged(new PrivilegedAction<String>() {
                @Override
                public String run() {
                    return Launcher.class.getProtectionDomain().getCodeSource().getLocation().toString();
                }
            });
        } catch (RuntimeException e) {
            return "file:/absolute/path/of/the/-javaagent/jar"; // the SecurityManager refuses even this question
        }
    }

    /** The one line when the agent could not start; the program runs on. */
    static void notInstalled(Throwable t) {
        Throwable cause = t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null
                ? t.getCause() : t;
        System.err.println("keepalive-agent ERROR: not installed, the program runs without it: " + cause);
    }

    /** {@code java -jar keepalive-agent.jar ...}: the command line, in a process of its own. */
    public static void main(String[] args) throws Exception {
        LazyInstall.command(args, ownJar());
    }

    /**
     * The jar this class was loaded from, or null when it was not loaded from a jar (a unit test). Throws the
     * SecurityException of a SecurityManager that does not let the jar ask.
     */
    static File ownJar() {
        try {
            CodeSource source = Launcher.class.getProtectionDomain().getCodeSource();
            File file = source == null ? null : new File(source.getLocation().toURI());
            return file != null && file.isFile() ? file : null;
        } catch (SecurityException e) {
            throw e; // a SecurityManager that does not grant the jar: told as such (privileged), not as "no jar"
        } catch (Exception | LinkageError e) {
            return null;
        }
    }

    /** The log level as the settings will read it (agent argument over environment), for the skip line. */
    private static String logLevel(String args, Map<String, String> env) {
        String level = Selection.argument(args, "log");
        return level != null ? level : env.get("KEEPALIVE_LOG");
    }

    /** A name from the command line, safe to print on one line. */
    private static String printable(String text) {
        StringBuilder clean = new StringBuilder(text.length());
        for (int i = 0; i < text.length() && i < 300; i++) {
            char c = text.charAt(i);
            clean.append(Character.isISOControl(c) ? '?' : c);
        }
        return clean.toString();
    }
}
