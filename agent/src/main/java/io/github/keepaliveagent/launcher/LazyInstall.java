package io.github.keepaliveagent.launcher;

import java.io.File;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The transformer premain registers: until a class where TCP sockets come into being loads, it only
 * compares names, so a JVM that never makes a socket pays nothing more. The first such class installs the
 * agent (its module, the dispatcher, the hooks), on the thread that loads it, and from then on every class
 * goes to the agent's own transformer. A thread of its own installs it too, after the scan period, in a
 * JVM whose only TCP sockets were made in native code ({@link #run}).
 *
 * <p>It holds the Instrumentation in a field of its own, never in a static one: nothing the application
 * can reach leads to it.
 */
final class LazyInstall implements ClassFileTransformer, Runnable {

    /**
     * The classes the agent hooks (hook/SocketHook, the one table; a unit test keeps this list equal to it):
     * JDK classes by their exact name in the bootstrap loader... Unmodifiable: the launcher's classes are
     * on the application's class path, and nothing there may be state the application can change.
     */
    static final Set<String> JDK_CLASSES = Collections.unmodifiableSet(new HashSet<>(Arrays.asList(
            "java/net/Socket", "java/net/ServerSocket",
            "sun/nio/ch/SocketChannelImpl", "sun/nio/ch/ServerSocketChannelImpl",
            "sun/nio/ch/AsynchronousSocketChannelImpl", "sun/nio/ch/AsynchronousServerSocketChannelImpl",
            "sun/nio/ch/UnixAsynchronousSocketChannelImpl",
            "sun/nio/ch/UnixAsynchronousServerSocketChannelImpl", "sun/nio/ch/WindowsAsynchronousSocketChannelImpl")));
    /** ...and Netty's native sockets in any loader by the tail of their name (relocated copies too). */
    static final List<String> LIBRARY_TAILS = Collections.unmodifiableList(Arrays.asList(
            "/channel/unix/Socket", "/channel/epoll/LinuxSocket",
            "/channel/uring/LinuxSocket", "/channel/uring/AbstractIoUringChannel",
            "/channel/uring/IoUringServerSocketChannel"));

    private final Instrumentation inst;
    private final AgentJar jar;
    private final ClassLoader loader;
    /**
     * JDK 9+: the loader that defines the class making the agent's module; made here, before any SecurityManager;
     * dropped once used (guarded by this).
     */
    private ClassLoader makerLoader;
    private final Object settings;
    private final String version;
    private volatile ClassFileTransformer agent;
    /** Guarded by this: the install was tried (once), and is being tried now. */
    private boolean tried;
    private boolean installing;
    /** Hooked classes that loaded on this thread while the agent was being installed: hooked right after. */
    private final List<Object[]> during = new ArrayList<>(0);


    private LazyInstall(Instrumentation inst, AgentJar jar, ClassLoader loader, Object settings, String version) {
        this.inst = inst;
        this.jar = jar;
        this.loader = loader;
        this.makerLoader = modules() ? new IsolatedLoader(jar, null) : null;
        this.settings = settings;
        this.version = version;
    }

    /**
     * -javaagent, for a JVM the selection chose: the settings parser, defined in the agent's own loader,
     * validates and reports the settings; then this transformer waits for the first socket class.
     *
     * @return the settings as the start-up line said them (a second copy compares its own), "" when off
     */
    static String premain(String args, Map<String, String> env, Selection selection, File file,
            Instrumentation inst) throws Exception {
        AgentJar jar = AgentJar.open(file);
        ClassLoader loader = new IsolatedLoader(jar, ClassLoader.getSystemClassLoader().getParent());
        String version = version();
        Object[] started = (Object[]) door(Layout.STARTUP, loader, Function.class)
                .apply(new Object[] {args, env, selection.problems, version, selection.program, null});
        if (started == null) {
            return ""; // KEEPALIVE=off
        }
        LazyInstall lazy = new LazyInstall(inst, jar, loader, started[0], version);
        inst.addTransformer(lazy, true);
        lazy.watch((Integer) started[1]);
        return (String) started[2];
    }

    /** A second -javaagent of this jar: it changes nothing, and says so when its settings differ. */
    static void secondCopy(String args, Map<String, String> env, Selection selection, File file, String first)
            throws Exception {
        ClassLoader loader = new IsolatedLoader(AgentJar.open(file), ClassLoader.getSystemClassLoader().getParent());
        door(Layout.STARTUP, loader, Function.class)
                .apply(new Object[] {args, env, selection.problems, version(), selection.program, first});
    }

    /** attach: everything at once, into a JVM that runs already. */
    static void attach(String args, File file, Instrumentation inst) throws Exception {
        AgentJar jar = AgentJar.open(file);
        ClassLoader loader = new IsolatedLoader(jar, ClassLoader.getSystemClassLoader().getParent());
        if (modules()) {
            defineModule(inst, jar, loader, new IsolatedLoader(jar, null));
        }
        entry(loader).apply("agentmain", new Object[] {args, inst, jar.dispatcher(), version()});
    }

    /** The command line, in a JVM of its own: no module, and the application loader (the JDK's attach API). */
    static void command(String[] args, File file) throws Exception {
        entry(new IsolatedLoader(AgentJar.open(file), ClassLoader.getSystemClassLoader()))
                .apply("main", new Object[] {args, version()});
    }

    /** The agent's entry points ({@code entry.Entry}). */
    @SuppressWarnings("unchecked")
    private static BiFunction<String, Object[], Object> entry(ClassLoader loader) throws Exception {
        return door(Layout.ENTRY, loader, BiFunction.class);
    }

    /**
     * A door into the agent's loader: an instance of a class there, called through a JDK interface. A
     * reflective call would spin method handles on JDK 18+ (~10 ms for each first call, measured on JDK 25).
     */
    @SuppressWarnings("unchecked")
    private static <T> T door(String className, ClassLoader loader, Class<T> type) throws Exception {
        return (T) Class.forName(className, true, loader).getConstructor().newInstance();
    }

    /** JDK 9+: the agent's module, defined through {@code AgentModule} (compiled for JDK 9). */
    @SuppressWarnings("unchecked")
    private static void defineModule(Instrumentation inst, AgentJar jar, ClassLoader loader, ClassLoader makerLoader)
            throws Exception {
        door("io.github.keepaliveagent.launcher.AgentModule", LazyInstall.class.getClassLoader(), Consumer.class)
                .accept(new Object[] {inst, jar, loader, makerLoader});
    }

    /** JDK 9+: the agent's classes form a named module (JDK 8 has no modules: its own loader is the fence). */
    private static boolean modules() {
        // Not java.specification.version: at attach, the program may have changed its system properties.
        try {
            Class.forName("java.lang.Module", false, null);
            return true;
        } catch (ClassNotFoundException jdk8) {
            return false;
        }
    }

    /** "keepalive-agent 1.1.0": Implementation-Version of the jar's manifest, which the JVM has read already. */
    private static String version() {
        Package own = LazyInstall.class.getPackage();
        String version = own == null ? null : own.getImplementationVersion();
        return "keepalive-agent " + (version == null ? "(development build)" : version);
    }

    /** Whether the agent hooks a class of this name (internal form) and loader kind. */
    static boolean hooked(String className, boolean bootLoader) {
        if (bootLoader) {
            // Every class the JVM loads comes here: two suffix checks instead of hashing each whole name.
            return (className.endsWith("Socket") || className.endsWith("Impl")) && JDK_CLASSES.contains(className);
        }
        if (!className.endsWith("Socket") && !className.endsWith("Channel")) {
            return false;
        }
        for (String tail : LIBRARY_TAILS) {
            if (className.endsWith(tail)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public byte[] transform(ClassLoader classLoader, String className, Class<?> redefined, ProtectionDomain domain,
            byte[] classFile) throws IllegalClassFormatException {
        ClassFileTransformer installed = agent;
        if (installed == null) {
            if (className == null || !hooked(className, classLoader == null)) {
                return null;
            }
            installed = install(className, classLoader, true);
            if (installed == null) {
                return null;
            }
        }
        return installed.transform(classLoader, className, redefined, domain, classFile);
    }

    /** The agent's transformer once installed; null when it failed, or when this is the nested load of a class. */
    private synchronized ClassFileTransformer install(String className, ClassLoader classLoader, boolean atFirstClass) {
        if (agent != null || (tried && !installing)) {
            return agent;
        }
        if (installing) {
            during.add(new Object[] {className, classLoader}); // loaded by the install itself: hooked after it
            return null;
        }
        tried = true;
        installing = true;
        try {
            if (makerLoader != null) {
                ClassLoader maker = makerLoader;
                makerLoader = null; // jdk.internal.module is exported to it: not kept a moment longer
                defineModule(inst, jar, loader, maker);
            }
            ClassFileTransformer installed = (ClassFileTransformer) entry(loader).apply("install",
                    new Object[] {settings, inst, jar.dispatcher(), version, atFirstClass});
            agent = installed;
            if (installed != null) {
                hookLoadedMeanwhile();
            }
        } catch (Throwable t) {
            Launcher.notInstalled(t);
        } finally {
            installing = false;
        }
        return agent;
    }

    /** The classes that loaded during the install went past unhooked: they are hooked now. */
    private void hookLoadedMeanwhile() {
        List<Class<?>> classes = new ArrayList<>(during.size());
        for (Object[] loaded : during) {
            try {
                Class<?> type = Class.forName(((String) loaded[0]).replace('/', '.'), false, (ClassLoader) loaded[1]);
                if (inst.isModifiableClass(type)) {
                    classes.add(type);
                }
            } catch (Throwable e) {
                // not loaded after all: the transformer sees it when it is
            }
        }
        during.clear();
        if (!classes.isEmpty()) {
            try {
                inst.retransformClasses(classes.toArray(new Class<?>[0]));
            } catch (Throwable t) {
                System.err.println("keepalive-agent WARN: could not hook " + classes + ": " + t);
            }
        }
    }

    /** Starts the thread that installs the agent for sockets made in native code: after the first scan period. */
    void watch(int scanSeconds) {
        if (scanSeconds <= 0 || !new File("/proc/self/fd").isDirectory()) {
            return; // no scan (or not Linux, where the scan does not run): nothing to wait for
        }
        this.scanSeconds = scanSeconds;
        Thread thread = new Thread(this, "keepalive-agent");
        thread.setDaemon(true);
        thread.setContextClassLoader(null);
        thread.start();
    }

    private volatile int scanSeconds;

    /**
     * A JVM whose TCP sockets all come from native code (JNI) loads no hooked class: once a scan period has
     * passed and the process holds a socket, the agent is installed, and its scan finds those connections.
     */
    @Override
    public void run() {
        try {
            while (agent == null) {
                Thread.sleep(scanSeconds * 1000L);
                synchronized (this) {
                    if (tried) {
                        return; // installed by the first socket class (or it failed, and said so)
                    }
                }
                if (holdsSocket()) {
                    install(null, null, false);
                    return;
                }
            }
        } catch (InterruptedException e) {
            // only code with access to every thread interrupts this one
        }
    }

    private static boolean holdsSocket() {
        String[] fds = new File("/proc/self/fd").list();
        for (int i = 0; fds != null && i < fds.length; i++) {
            try {
                if (java.nio.file.Files.readSymbolicLink(java.nio.file.Paths.get("/proc/self/fd", fds[i])).toString()
                        .startsWith("socket:[")) {
                    return true;
                }
            } catch (Exception | LinkageError gone) {
                // closed meanwhile, or not readable: look at the next one
            }
        }
        return false;
    }
}
