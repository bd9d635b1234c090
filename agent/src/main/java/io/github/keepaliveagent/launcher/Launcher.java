package io.github.keepaliveagent.launcher;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.AccessController;
import java.security.PrivilegedExceptionAction;

/**
 * The jar's Premain-Class, Agent-Class and Main-Class, and with {@link AgentJar} and
 * {@link IsolatedLoader} the only agent classes that the application's class loader can see. It loads
 * the agent proper from its hidden place in the jar into a class loader of its own (on JDK 9+ a named
 * module, see {@code AgentModule}), calls it, and keeps no reference to it: nothing the application
 * can reach leads to the agent's state or to what the agent opens.
 */
public final class Launcher {

    /** The one class of the agent proper that is exported: premain, agentmain and main. */
    static final String ENTRY = "io.github.keepaliveagent.entry.Entry";
    private static final MethodType AGENT = MethodType.methodType(void.class, String.class, Instrumentation.class);

    private Launcher() {
    }

    public static void premain(String args, Instrumentation inst) {
        start("premain", args, inst);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start("agentmain", args, inst);
    }

    /** {@code java -jar keepalive-agent.jar ...}: the command line runs in a process of its own. */
    public static void main(String[] args) throws Throwable {
        MethodHandle main = entry(AgentJar.open().commandLineLoader(), "main",
                MethodType.methodType(void.class, String[].class));
        main.invokeExact(args);
    }

    private static void start(String method, String args, Instrumentation inst) {
        try { // nothing may escape premain: an exception there stops the JVM
            if (!permitted()) {
                return;
            }
            MethodHandle entry = privileged(new PrivilegedExceptionAction<MethodHandle>() {
                @Override
                public MethodHandle run() throws Exception {
                    return entry(AgentJar.open().agentLoader(), method, AGENT);
                }
            });
            entry.invokeExact(args, inst);
        } catch (Throwable t) {
            System.err.println("keepalive-agent ERROR: not installed, the program runs without it: " + t);
        }
    }

    private static MethodHandle entry(ClassLoader loader, String method, MethodType type) throws Exception {
        return MethodHandles.publicLookup().findStatic(Class.forName(ENTRY, true, loader), method, type);
    }

    /**
     * Under a SecurityManager (JDK 8 to 17) the agent's work runs with the permissions of its own jar
     * (the program needs none for it): the jar needs AllPermission. Without it, one clear line and no agent.
     */
    private static boolean permitted() {
        SecurityManager manager = System.getSecurityManager();
        if (manager == null) {
            return true;
        }
        try {
            privileged(new PrivilegedExceptionAction<Void>() {
                @Override
                public Void run() {
                    manager.checkPermission(new java.security.AllPermission());
                    return null;
                }
            });
            return true;
        } catch (Exception e) {
            System.err.println("keepalive-agent ERROR: a SecurityManager is installed and does not grant the agent's"
                    + " jar AllPermission: the agent is not installed and the program runs without it. Grant it in"
                    + " the policy: grant codeBase \"" + jarUrl() + "\" { permission java.security.AllPermission; };");
            return false;
        }
    }

    /** The jar's URL, as a policy file names it; the JVM knows it from -javaagent even where we may not ask. */
    private static String jarUrl() {
        try {
            java.security.CodeSource jar = privileged(new PrivilegedExceptionAction<java.security.CodeSource>() {
                @Override
                public java.security.CodeSource run() {
                    return Launcher.class.getProtectionDomain().getCodeSource();
                }
            });
            return jar.getLocation().toString();
        } catch (Exception e) {
            return "file:/path/to/keepalive-agent.jar";
        }
    }

    /**
     * Under a SecurityManager (JDK 8 to 17) the loader is created with the agent jar's own permissions:
     * only the JVM's frames are below premain, but the command line may be started by anyone.
     */
    static <T> T privileged(PrivilegedExceptionAction<T> action) throws Exception {
        if (System.getSecurityManager() == null) {
            return action.run();
        }
        try {
            return AccessController.doPrivileged(action);
        } catch (java.security.PrivilegedActionException e) {
            throw e.getException();
        }
    }
}
