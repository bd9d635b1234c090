package io.github.keepaliveagent.jdk;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.security.CodeSource;
import java.util.function.BiFunction;
import java.util.function.ObjIntConsumer;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The dispatcher that instrumented code calls, {@code java.net.KeepAliveAgentDispatcher} (source in
 * {@code src/main/dispatcher}): defined once per JVM inside java.base, where every module can call it
 * and only the agent can set its hooks. The agent never links against it: it holds the Class.
 */
public final class Dispatcher {

    public static final String NAME = "java.net.KeepAliveAgentDispatcher";
    public static final String INTERNAL_NAME = "java/net/KeepAliveAgentDispatcher";
    /** Where the build stores its class file in the agent jar: not a class path entry (java.* can't be). */
    static final String JAR_ENTRY = "keepalive-agent/KeepAliveAgentDispatcher.class";

    /** The kinds the dispatcher hands over with each socket (its constants). */
    public static final int SOCKET = 0;
    public static final int LISTENER = 1;
    public static final int NATIVE_SOCKET = 2;
    public static final int OVERRIDDEN = 3;
    /** With connection rules only: a listening socket was bound (JDK) or listens (Netty's descriptor). */
    public static final int LISTENER_BOUND = 4;
    public static final int NATIVE_LISTENING = 5;

    private final Class<?> type;
    private final JdkAccess jdk;
    private volatile MethodHandle installed;

    private Dispatcher(Class<?> type, JdkAccess jdk) {
        this.type = type;
        this.jdk = jdk;
    }

    /** The dispatcher an earlier copy of the agent defined in this JVM, or null. */
    public static Dispatcher find(Instrumentation inst) {
        for (Class<?> loaded : inst.getAllLoadedClasses()) {
            if (loaded.getClassLoader() == null && NAME.equals(loaded.getName())) {
                JdkAccess jdk = JdkAccess.current();
                jdk.openJavaBase(inst); // this copy's module too
                return new Dispatcher(loaded, jdk);
            }
        }
        return null;
    }

    /** Defines the dispatcher (no hooks yet) after opening what the agent needs in java.base to its module. */
    public static Dispatcher define(Instrumentation inst) throws Exception {
        JdkAccess jdk = JdkAccess.current();
        jdk.openJavaBase(inst);
        return new Dispatcher(jdk.defineInJavaNet(classFile()), jdk);
    }

    /** Hands the dispatcher the agent's hooks: new sockets, and the filter of the program's own option values. */
    public void install(ObjIntConsumer<Object> sockets, BiFunction<String, Object, Object> options) throws Exception {
        MethodHandle install = jdk.privateStatic(type, "install",
                MethodType.methodType(void.class, ObjIntConsumer.class, BiFunction.class));
        try {
            install.invokeExact(sockets, options);
        } catch (Throwable t) {
            throw Handles.rethrow(t);
        }
    }

    /** The hook installed now, or null (then the dispatcher does nothing). */
    public Object installed() throws Exception {
        if (installed == null) {
            installed = jdk.privateStatic(type, "installed", MethodType.methodType(Object.class));
        }
        try {
            return (Object) installed.invokeExact();
        } catch (Throwable t) {
            throw Handles.rethrow(t);
        }
    }

    public JdkAccess jdk() {
        return jdk;
    }

    /**
     * The class file from the agent's own jar: a resource lookup through the class loader first searches
     * every module of the JDK image, which cost ~30 ms at start-up here.
     */
    private static byte[] classFile() throws IOException, java.net.URISyntaxException {
        CodeSource source = Dispatcher.class.getProtectionDomain().getCodeSource();
        File location = source == null ? null : new File(source.getLocation().toURI());
        if (location != null && location.isFile()) {
            try (JarFile jar = new JarFile(location, false)) {
                JarEntry found = jar.getJarEntry(JAR_ENTRY);
                if (found != null) {
                    return readAll(jar.getInputStream(found));
                }
            }
        }
        InputStream in = ClassLoader.getSystemResourceAsStream(INTERNAL_NAME + ".class"); // unit tests: no jar
        if (in == null) {
            throw new IOException(JAR_ENTRY + " is missing from the agent jar");
        }
        return readAll(in);
    }

    private static byte[] readAll(InputStream stream) throws IOException {
        try (InputStream in = stream) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }
}
