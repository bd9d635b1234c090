package io.github.keepaliveagent.core;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

import io.github.keepaliveagent.apply.Applier;
import io.github.keepaliveagent.apply.Retrofit;
import io.github.keepaliveagent.config.Settings;
import io.github.keepaliveagent.hook.Transformer;
import io.github.keepaliveagent.jdk.Dispatcher;
import io.github.keepaliveagent.jdk.JdkAccess;
import io.github.keepaliveagent.jdk.NativeCalls;
import io.github.keepaliveagent.jdk.Privileged;
import io.github.keepaliveagent.log.Log;

/**
 * The agent's life in one JVM: installed once (when the first socket class loads after -javaagent, or by
 * the first attach), its settings updated by a later attach, or switched off by one. A copy of the agent
 * that finds another one installed changes nothing. Never throws into the JVM.
 *
 * <p>Copies of the agent in one JVM (-javaagent twice, or -javaagent and attach) have classes of their
 * own; what they share is the JVM's agent properties, where the installed copy publishes its settings
 * ({@link #PROPERTY_OUTCOME}) under that object's lock.
 */
public final class Agent {

    /** The agent properties where the outcome is published (read by attach and status). */
    public static final String PROPERTY_OUTCOME = "keepalive-agent.outcome";
    /** Appended by the attach command to the arguments: the key its outcome is published under. */
    public static final String ATTACH_ID = "#attach=";
    /** Suffix of the property with an attach's {@link Outcome.State}, beside its text. */
    public static final String STATE = ".state";

    private Agent() {
    }

    /**
     * -javaagent, when the first socket class loads ({@code atFirstClass}) or, in a JVM whose sockets all come
     * from native code, after the first scan period: defines the dispatcher and hands it an applier.
     *
     * @return the agent's transformer, for the launcher to call for every class from now on; null when the
     *         agent could not be installed (said in one line) or another copy is installed already
     */
    public static ClassFileTransformer install(Settings settings, Instrumentation inst, byte[] dispatcherClass,
            boolean atFirstClass) {
        Log.setLevel(settings.logLevel());
        if (System.getSecurityManager() == null) { // the common case: no action class to load
            try {
                return installNow(settings, dispatcherClass, atFirstClass);
            } catch (Throwable t) {
                Log.error(NOT_INSTALLED + t);
                return null;
            }
        }
        return privileged(new PrivilegedExceptionAction<ClassFileTransformer>() { // the program's frames are below
            @Override
            public ClassFileTransformer run() throws Exception {
                return installNow(settings, dispatcherClass, atFirstClass);
            }
        });
    }

    private static ClassFileTransformer installNow(Settings settings, byte[] dispatcherClass, boolean atFirstClass)
            throws Exception {
        JdkAccess jdk = JdkAccess.current();
        Properties shared = jdk.agentProperties();
        synchronized (shared) {
            if (shared.getProperty(PROPERTY_OUTCOME) != null) {
                secondCopy(Dispatcher.existing(jdk), settings);
                return null;
            }
            Dispatcher dispatcher = Dispatcher.define(jdk, dispatcherClass);
            Transformer transformer = Transformer.create();
            Applier applier = start(settings, dispatcher, shared, false, !atFirstClass);
            // When the first socket class loads, every listening socket comes after the hooks: the
            // connections they accept inherit the settings. Installed later, the scan finds listeners.
            if (atFirstClass) {
                applier.listenersConfigured();
            }
            return transformer;
        }
    }

    /** {@code attach}: only the arguments count; the outcome is published for the attach command. */
    public static Outcome attach(String args, Instrumentation inst, byte[] dispatcherClass) {
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
        Outcome outcome = privileged(new PrivilegedExceptionAction<Outcome>() {
            @Override
            public Outcome run() throws Exception {
                JdkAccess jdk = JdkAccess.current();
                Properties shared = jdk.agentProperties();
                synchronized (shared) {
                    return attach(settings, inst, dispatcherClass, jdk, shared, details);
                }
            }
        });
        return outcome != null ? outcome
                : new Outcome(Outcome.State.NOT_LOADED, "the agent failed (see the target's stderr)", details);
    }

    private static Outcome attach(Settings settings, Instrumentation inst, byte[] dispatcherClass, JdkAccess jdk,
            Properties shared, List<String> details) throws Exception {
        Dispatcher dispatcher = shared.getProperty(PROPERTY_OUTCOME) != null ? Dispatcher.existing(jdk) : null;
        if (!settings.enabled()) {
            if (dispatcher != null) {
                dispatcher.install(null, null, null); // new sockets are left alone from now on
                publish(shared, "off (attach): new sockets are left alone"); // for status --agent
            }
            String off = "new sockets are left alone (connections accepted by a listening socket the agent"
                    + " configured before still inherit keepalive from it)";
            Log.info(Version.text() + " is off (attach): " + off);
            return new Outcome(Outcome.State.OFF, off, details);
        }
        boolean first = dispatcher == null;
        if (first) {
            dispatcher = Dispatcher.define(jdk, dispatcherClass);
        }
        Applier applier = start(settings, dispatcher, shared, !first, false);
        Log.info(Version.text() + (first ? "" : " (settings updated)") + ": " + applier);
        if (applier.missing() != null) {
            details.add("warning: " + applier.missing());
        }
        if (first) {
            Transformer.create().register(inst); // and the socket classes loaded already
        }
        if (settings.retrofit()) {
            Retrofit.Result retrofit = Retrofit.run(applier);
            Log.info(retrofit.text);
            details.add(retrofit.text);
            if (retrofit.done) {
                applier.listenersConfigured();
            }
        }
        return new Outcome(first ? Outcome.State.INSTALLED : Outcome.State.UPDATED, applier.toString(), details);
    }

    /**
     * Hands the dispatcher a new applier, publishes the settings and starts the agent's thread.
     *
     * @param retrofitting whether open connections are to be changed too (then their lack is warned about)
     * @param scanAtOnce whether the thread looks for sockets no hook saw at once (installed late)
     */
    private static Applier start(Settings settings, Dispatcher dispatcher, Properties shared, boolean retrofitting,
            boolean scanAtOnce) throws Exception {
        List<String> missing = new ArrayList<>();
        NativeCalls natives = isLinux() ? openNatives(dispatcher.jdk()) : null;
        if (natives == null && settings.retrofit() && retrofitting) {
            missing.add("the retrofit of open connections (Linux, native setsockopt)");
        }
        Applier applier = Applier.create(settings, missing, natives);
        dispatcher.install(applier, applier, applier.ruleHooks());
        if (!missing.isEmpty()) {
            applier.setMissing("this JDK/OS cannot set " + String.join(", ", missing)
                    + ": those sockets get SO_KEEPALIVE with the kernel's values instead, or nothing");
            Log.warn(applier.missing());
        }
        publish(shared, applier.toString()); // the settings as described once, by the applier
        Background.start(dispatcher, applier, scanAtOnce);
        return applier;
    }

    /**
     * A copy of the agent installed already (an attach came before this -javaagent copy's first socket
     * class): it stays, with its settings; this one changes nothing.
     */
    private static void secondCopy(Dispatcher installed, Settings settings) {
        try {
            Log.debug("the agent is installed already ({}): this copy changes nothing ({})", installed.installed(),
                    settings.describe());
        } catch (Exception e) {
            Log.debug(e, "a second copy of the agent could not read the first one's settings");
        }
    }

    /** What attach and status read back through the attach API; never visible to the application. */
    private static void publish(Properties shared, String summary) {
        shared.setProperty(PROPERTY_OUTCOME, Version.text() + ": " + summary);
    }

    /** Records an attach's outcome where the attach command reads it: under its own key. */
    public static void publish(String attachId, Outcome outcome) {
        try {
            Properties shared = JdkAccess.current().agentProperties();
            shared.setProperty(PROPERTY_OUTCOME + "." + attachId + STATE, outcome.state.name());
            shared.setProperty(PROPERTY_OUTCOME + "." + attachId, outcome.text());
        } catch (Throwable e) {
            Log.debug(e, "could not publish the attach outcome in the agent properties");
        }
    }

    /** The agent's work with its own permissions; a failure is one line, never an exception into the JVM. */
    private static <T> T privileged(PrivilegedExceptionAction<T> work) {
        try {
            return Privileged.call(work);
        } catch (Throwable t) {
            Log.error(NOT_INSTALLED + t);
            return null;
        }
    }

    private static final String NOT_INSTALLED = "not installed, the program runs without it: ";

    /** Linux: the native path, or null (then the JDK's API applies and what needs the native path is named). */
    private static NativeCalls openNatives(JdkAccess jdk) {
        try {
            return jdk.nativeCalls();
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debug(e, "the JDK's native setsockopt is not reachable");
            return null;
        }
    }

    /**
     * Linux, where the kernel's option numbers the agent uses hold: told by the JDK's own epoll class (JDK 8 to
     * 27, Linux builds only), not by os.name, a system property the program may have changed by now.
     */
    static boolean isLinux() {
        return JdkAccess.jdkHas("sun.nio.ch.EPoll");
    }
}
