package io.github.keepaliveagent.core;

import java.lang.instrument.Instrumentation;
import java.security.AccessController;
import java.security.AllPermission;
import java.security.PrivilegedAction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.github.keepaliveagent.apply.Applier;
import io.github.keepaliveagent.apply.Retrofit;
import io.github.keepaliveagent.config.Option;
import io.github.keepaliveagent.config.Settings;
import io.github.keepaliveagent.hook.Transformer;
import io.github.keepaliveagent.jdk.Dispatcher;
import io.github.keepaliveagent.jdk.NativeCalls;
import io.github.keepaliveagent.log.Log;

/**
 * The agent's life in one JVM: installed once (at start-up or by the first attach), its settings
 * updated by a later attach, or switched off by one. Never throws into the JVM's start-up.
 */
public final class Agent {

    /** Exit status when strict mode finds an invalid value (sysexits' EX_CONFIG). */
    public static final int EXIT_CONFIG = 78;
    /** The agent properties where the outcome is published (read by attach and status). */
    public static final String PROPERTY_OUTCOME = "keepalive-agent.outcome";
    /** Appended by the attach command to the arguments: the key its outcome is published under. */
    public static final String ATTACH_ID = "#attach=";

    private Agent() {
    }

    /** {@code -javaagent:}: the environment and the agent arguments. */
    public static synchronized void premain(String args, Map<String, String> env, Instrumentation inst) {
        Settings settings = Settings.resolve(args, env, false);
        Dispatcher installed = Dispatcher.find(inst);
        if (installed != null) {
            secondCopy(installed, settings);
            return;
        }
        Log.setLevel(settings.logLevel());
        for (String problem : settings.problems()) {
            Log.invalid(problem); // printed whatever the log level: an invalid value is never silent
        }
        if (settings.strict() && !settings.problems().isEmpty()) {
            Log.invalid("strict mode: stopping the JVM because of the invalid value(s) above");
            System.exit(EXIT_CONFIG);
        }
        for (String warning : settings.warnings()) {
            Log.warn(warning);
        }
        if (!settings.enabled()) {
            Log.info(version() + " is off (" + settings.source(Option.KEEPALIVE) + "): no socket is changed");
            return;
        }
        if (permitted()) {
            privileged(new Work<Applier>() { // a class, not a lambda: no lambda machinery at start-up
                @Override
                public Applier run() throws Exception {
                    Applier applier = install(settings, inst, null);
                    applier.listenersConfigured(); // at start-up every listener comes after the hooks
                    return applier;
                }
            });
        }
    }

    /** {@code attach}: only the arguments count; the outcome is published for the attach command. */
    public static synchronized Outcome agentmain(String args, Instrumentation inst) {
        Settings settings = Settings.resolve(args, Collections.<String, String>emptyMap(), true);
        Log.setLevel(settings.logLevel());
        List<String> details = new ArrayList<>();
        for (String problem : settings.problems()) {
            Log.invalid(problem);
            details.add("error: " + problem);
        }
        if (!settings.problems().isEmpty()) {
            return new Outcome(Outcome.State.NOT_LOADED, "invalid settings: nothing was changed", details);
        }
        for (String warning : settings.warnings()) {
            Log.warn(warning);
            details.add("warning: " + warning);
        }
        if (!permitted()) {
            return new Outcome(Outcome.State.NOT_LOADED, "the SecurityManager does not grant the agent jar"
                    + " AllPermission", details);
        }
        Outcome outcome = privileged(() -> {
            Dispatcher dispatcher = Dispatcher.find(inst);
            if (!settings.enabled()) {
                if (dispatcher != null) {
                    dispatcher.install(null, null); // new sockets are left alone from now on
                    publish(dispatcher, "off (attach): new sockets are left alone"); // for status --agent
                }
                String off = "new sockets are left alone (connections accepted by a listening socket the agent"
                        + " configured before still inherit keepalive from it)";
                Log.info(version() + " is off (attach): " + off);
                return new Outcome(Outcome.State.OFF, off, details);
            }
            Applier applier = install(settings, inst, dispatcher);
            details.addAll(missingDetails(applier));
            if (settings.retrofit()) {
                String retrofit = applier == null ? "retrofit failed: the agent could not be installed"
                        : Retrofit.run(applier);
                Log.info(retrofit);
                details.add(retrofit);
                if (applier != null && !retrofit.startsWith("retrofit failed")) {
                    applier.listenersConfigured();
                }
            }
            return new Outcome(dispatcher == null ? Outcome.State.INSTALLED : Outcome.State.UPDATED,
                    settings.describe(), details);
        });
        return outcome != null ? outcome
                : new Outcome(Outcome.State.NOT_LOADED, "the agent failed (see the target's stderr)", details);
    }

    /** What this JDK/OS cannot do, as the warning said it. */
    private static List<String> missingDetails(Applier applier) {
        return applier == null || applier.missing() == null ? Collections.<String>emptyList()
                : Collections.singletonList("warning: " + applier.missing());
    }

    /**
     * Defines the dispatcher (unless {@code existing}), hands it a new applier and hooks the socket classes.
     *
     * @return the applier, or null if the JDK would not let the agent in
     */
    private static Applier install(Settings settings, Instrumentation inst, Dispatcher existing) throws Exception {
        Dispatcher dispatcher = existing != null ? existing : Dispatcher.define(inst);
        // First: ASM warms up on the agent's thread while the rest of the start-up goes on.
        Background background = Background.start(dispatcher, existing == null);
        List<String> missing = new ArrayList<>();
        NativeCalls natives = isLinux() ? openNatives(dispatcher) : null;
        if (natives == null && settings.retrofit() && existing != null) {
            missing.add("the retrofit of open connections (Linux, native setsockopt)");
        }
        Applier applier = Applier.create(settings, missing, natives);
        dispatcher.install(applier, applier);
        if (existing == null) {
            Transformer.install(inst);
        }
        Log.info(version() + (existing != null ? " (settings updated)" : "") + ": " + settings.describe());
        if (!missing.isEmpty()) {
            applier.setMissing("this JDK/OS cannot set " + String.join(", ", missing)
                    + ": those sockets get SO_KEEPALIVE with the kernel's values instead, or nothing");
            Log.warn(applier.missing());
        }
        publish(dispatcher, settings.describe());
        background.installed(applier);
        return applier;
    }

    /** A second -javaagent of this jar (JAVA_TOOL_OPTIONS and the command line): it changes nothing. */
    private static void secondCopy(Dispatcher installed, Settings settings) {
        try {
            Object hook = installed.installed();
            if (hook != null && settings.enabled() && !hook.toString().equals(settings.describe())) {
                Log.warn("the agent was given twice (-javaagent); the first one's settings stay ({}), this one's"
                        + " are ignored ({})", hook, settings.describe());
            }
        } catch (Exception e) {
            Log.debug(e, "a second copy of the agent could not read the first one's settings");
        }
    }

    /** What attach and status read back through the attach API; never visible to the application. */
    private static void publish(Dispatcher dispatcher, String summary) {
        try {
            dispatcher.jdk().agentProperties().setProperty(PROPERTY_OUTCOME, version() + ": " + summary);
        } catch (Throwable e) {
            Log.debug(e, "could not publish the settings in the agent properties");
        }
    }

    /** Records an attach's outcome where the attach command reads it: under its own key. */
    public static void publish(String attachId, Outcome outcome) {
        try {
            io.github.keepaliveagent.jdk.JdkAccess.current().agentProperties()
                    .setProperty(PROPERTY_OUTCOME + "." + attachId, outcome.text());
        } catch (Throwable e) {
            Log.debug(e, "could not publish the attach outcome in the agent properties");
        }
    }

    /**
     * Under a SecurityManager (JDK 8 to 17) the agent's jar needs AllPermission: its work runs privileged,
     * so the program itself needs no extra permission. Without the grant: one clear error, no agent.
     */
    private static boolean permitted() {
        SecurityManager manager = System.getSecurityManager();
        if (manager == null) {
            return true;
        }
        try {
            AccessController.doPrivileged(new PrivilegedAction<Void>() {
                @Override
                public Void run() {
                    manager.checkPermission(new AllPermission());
                    return null;
                }
            });
            return true;
        } catch (SecurityException e) {
            Log.error("a SecurityManager is installed and does not grant the agent's jar AllPermission: the agent is"
                    + " not installed and the program runs without it. Grant it in the policy file: grant codeBase"
                    + " \"" + jarUrl() + "\" { permission java.security.AllPermission; };");
            return false;
        }
    }

    private static String jarUrl() {
        try {
            return Agent.class.getProtectionDomain().getCodeSource().getLocation().toString();
        } catch (RuntimeException e) {
            return "file:/path/to/keepalive-agent.jar";
        }
    }

    /** Work that may not run: a failure is one line, never an exception into the JVM. */
    interface Work<T> {
        T run() throws Exception;
    }

    private static <T> T privileged(Work<T> work) {
        try {
            if (System.getSecurityManager() == null) {
                return work.run();
            }
            return AccessController.doPrivileged(new java.security.PrivilegedExceptionAction<T>() {
                @Override
                public T run() throws Exception {
                    return work.run();
                }
            });
        } catch (Throwable t) {
            Throwable cause = t instanceof java.security.PrivilegedActionException ? t.getCause() : t;
            Log.error("not installed, the program runs without it: " + cause);
            return null;
        }
    }

    /** Linux: the native path, or null (then the JDK's API applies and what needs the native path is named). */
    private static NativeCalls openNatives(Dispatcher dispatcher) {
        try {
            return dispatcher.jdk().nativeCalls();
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debug(e, "the JDK's native setsockopt is not reachable");
            return null;
        }
    }

    static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");
    }

    public static String version() {
        return Version.text();
    }
}
