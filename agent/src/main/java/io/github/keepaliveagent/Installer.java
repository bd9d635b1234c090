package io.github.keepaliveagent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ObjIntConsumer;

import io.github.keepaliveagent.bootstrap.KeepAliveDispatcher;


/** Validates the settings, puts the dispatcher into the bootstrap loader and hooks the JDK's socket classes. */
final class Installer {

    /** Exit status when strict mode finds an invalid value (sysexits' EX_CONFIG). */
    static final int EXIT_CONFIG = 78;

    private Installer() {
    }

    /**
     * Installs the agent, or with {@code attached} updates the settings of an agent already installed.
     *
     * @return what was done, one line each: for the attach command's report
     */
    static synchronized String install(String args, Map<String, String> env, Instrumentation inst, boolean attached)
            throws Exception {
        Settings settings = Settings.resolve(args, env);
        Log.setLevel(settings.logLevel());
        List<String> outcome = new ArrayList<>();
        for (String problem : settings.problems()) {
            Log.invalid(problem); // printed whatever the log level: an invalid value is never silent
            outcome.add("error: " + problem);
        }
        if (settings.strict() && !settings.problems().isEmpty()) {
            if (attached) {
                Log.invalid("strict mode: not loaded because of the invalid value(s) above");
                outcome.add("error: strict mode: not loaded");
                return String.join("\n", outcome);
            }
            Log.invalid("strict mode: stopping the JVM because of the invalid value(s) above");
            System.exit(EXIT_CONFIG);
        }
        for (String warning : settings.warnings()) {
            Log.warn(warning);
            outcome.add("warning: " + warning);
        }
        Class<?>[] loaded = inst.getAllLoadedClasses();
        Class<?> dispatcher = bootClass(loaded, Bootstrap.DISPATCHER);
        boolean first = dispatcher == null;
        if (!first && dispatcher.getField("hook").get(null) != null && !attached) { // rare: no fast path needed
            Log.debug("already installed in this JVM; this copy does nothing");
            return "already installed";
        }
        if (!settings.enabled()) {
            if (!first) {
                setHook(dispatcher, null, false); // attach keepalive=off: new sockets are left alone
            }
            Log.info(version() + " is off (" + settings.source(Option.KEEPALIVE) + "): no socket is changed");
            outcome.add("off: new sockets are left alone");
            return String.join("\n", outcome);
        }
        if (first) {
            if (!attached) {
                startWarmUp();
            }
            dispatcher = Bootstrap.defineDispatcher(inst);
        }
        List<String> missing = new ArrayList<>();
        NativeSockets natives = NativeSockets.isLinux() ? openNatives() : null;
        if (attached && settings.retrofit() && natives == null) {
            missing.add("the retrofit of open connections (Linux, native setsockopt)");
        }
        ObjIntConsumer<Object> applier = KeepAliveApplier.create(settings, missing, natives);
        setHook(dispatcher, applier, settings.force());
        if (first) {
            hookSocketClasses(inst);
        }
        String summary = version() + (attached && !first ? " (settings updated)" : "") + ": " + settings.describe();
        Log.info(summary);
        outcome.add((first ? "installed: " : "updated: ") + settings.describe());
        if (!missing.isEmpty()) {
            String warning = "this JDK/OS cannot set " + String.join(", ", missing)
                    + ": those sockets get SO_KEEPALIVE with the kernel's values instead";
            Log.warn(warning);
            outcome.add("warning: " + warning);
        }
        if (attached && settings.retrofit() && natives != null) {
            String retrofit = Retrofit.run(settings, natives);
            Log.info(retrofit);
            outcome.add(retrofit);
        }
        return String.join("\n", outcome);
    }

    /** ASM's classes load on a background thread while the JVM goes on starting the program. */
    private static void startWarmUp() {
        try {
            Thread warmUp = new Thread(new WarmUp(), "keepalive-agent warm-up");
            warmUp.setDaemon(true);
            warmUp.start();
        } catch (Throwable e) {
            Log.debug(e, "no warm-up thread; ASM loads on the first socket class instead");
        }
    }

    /** A class rather than a lambda: the first lambda would start the JDK's lambda machinery. */
    private static final class WarmUp implements Runnable {
        @Override
        public void run() {
            SocketHook.warmUp();
        }
    }

    /**
     * Hands the applier to the dispatcher. Directly when this class sees the boot loader's dispatcher
     * (reflective field access spins method handles on recent JDKs: milliseconds at start-up).
     */
    private static void setHook(Class<?> dispatcher, ObjIntConsumer<Object> applier, boolean force)
            throws ReflectiveOperationException {
        if (KeepAliveDispatcher.class == dispatcher) {
            KeepAliveDispatcher.forceKeepAlive = force;
            KeepAliveDispatcher.hook = applier;
        } else {
            dispatcher.getField("forceKeepAlive").setBoolean(null, force);
            dispatcher.getField("hook").set(null, applier);
        }
    }

    /** Linux: the native path, or null (then the JDK's API applies and what needs the native path is named). */
    private static NativeSockets openNatives() {
        try {
            return NativeSockets.open(JdkAccess.current());
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debug(e, "the JDK's native setsockopt is not reachable");
            return null;
        }
    }

    static String version() {
        String version = Installer.class.getPackage().getImplementationVersion();
        return "keepalive-agent " + (version == null ? "(development build)" : version);
    }

    /** A class of the bootstrap loader among those already loaded, found without provoking an exception. */
    private static Class<?> bootClass(Class<?>[] loaded, String name) {
        for (Class<?> type : loaded) {
            if (type.getClassLoader() == null && type.getName().equals(name)) {
                return type;
            }
        }
        return null;
    }

    /** Hooks the socket classes loaded from now on, and those loaded already (some JDKs load them early). */
    private static void hookSocketClasses(Instrumentation inst) {
        inst.addTransformer(new Transformer(), true);
        // Listed after the transformer is in place: a class loaded in between is caught by one or the other.
        Class<?>[] loaded = inst.getAllLoadedClasses();
        List<Class<?>> early = new ArrayList<>();
        for (SocketHook hook : SocketHook.values()) {
            Class<?> type = bootClass(loaded, hook.className());
            if (type != null && inst.isModifiableClass(type) && !early.contains(type)) {
                early.add(type);
            }
        }
        if (!early.isEmpty()) {
            try {
                inst.retransformClasses(early.toArray(new Class<?>[0]));
            } catch (Throwable t) {
                Log.warn("could not hook {} (loaded before the agent): {}", early, t);
            }
        }
    }

    /** Hands each hooked JDK class to {@link SocketHook}; everything else passes untouched. */
    private static final class Transformer implements ClassFileTransformer {
        @Override
        public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
                byte[] classFile) {
            if (loader != null || className == null) {
                return null; // every hooked class belongs to the bootstrap loader
            }
            List<SocketHook> hooks = SocketHook.forClass(className);
            if (hooks.isEmpty()) {
                return null;
            }
            try {
                SocketHook.Result result = SocketHook.instrument(classFile, hooks);
                for (int i = 0; i < hooks.size(); i++) {
                    if (result.insertions[i] == 0) {
                        Log.warn("found no place to hook in {} on this JDK: {} sockets get no keepalive",
                                hooks.get(i).className(), hooks.get(i).name());
                    }
                }
                if (Log.debugEnabled()) {
                    Log.debug("hooked {}: {} at {} place(s)", className, hooks, Arrays.toString(result.insertions));
                }
                return result.bytes;
            } catch (Throwable t) {
                Log.warn(t, "could not hook {}: its sockets get no keepalive", className);
                return null;
            }
        }
    }
}
