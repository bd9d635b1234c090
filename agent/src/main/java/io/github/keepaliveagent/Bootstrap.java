package io.github.keepaliveagent;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

import org.tinylog.Logger;

/**
 * Makes the dispatcher visible to code in java.base: defines it in the bootstrap class loader and
 * opens what the agent needs of java.base (JDK 9+, done through reflection: the agent is Java 8 code).
 *
 * <p>The class is defined directly rather than through a jar appended to the bootstrap class path:
 * appending disables class data sharing for the application's classes and makes the JVM print a
 * warning, in every JVM the agent is injected into. The jar remains as a fallback.
 */
final class Bootstrap {

    static final String DISPATCHER = SocketHook.DISPATCHER.replace('/', '.');

    private Bootstrap() {
    }

    /** The dispatcher if an earlier install in this JVM defined it, else null. */
    static Class<?> loadedDispatcher() {
        try {
            return Class.forName(DISPATCHER, false, null);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    static Class<?> defineDispatcher(Instrumentation inst) throws Exception {
        Object agentModule = module(Bootstrap.class);
        // java.net: SocketImpl's protected setOption; jdk.internal.misc: Unsafe.defineClass.
        redefineJavaBase(inst, Collections.<Object>emptySet(), Collections.<String, Set<Object>>singletonMap(
                "jdk.internal.misc", Collections.singleton(agentModule)),
                Collections.<String, Set<Object>>singletonMap("java.net", Collections.singleton(agentModule)));
        byte[] bytes = dispatcherBytes();
        Class<?> dispatcher;
        try {
            dispatcher = defineWithUnsafe(bytes);
        } catch (Throwable t) {
            Logger.debug(t, "could not define the dispatcher directly; appending a jar to the bootstrap class path");
            dispatcher = defineWithJar(inst, bytes);
        }
        if (agentModule != null) {
            // Instrumented java.base code calls the dispatcher, which lives in the boot loader's unnamed module.
            redefineJavaBase(inst, Collections.singleton(module(dispatcher)), Collections.<String, Set<Object>>emptyMap(),
                    Collections.<String, Set<Object>>emptyMap());
        }
        return dispatcher;
    }

    private static Class<?> defineWithUnsafe(byte[] bytes) throws Exception {
        Object unsafe;
        try {
            Class<?> type = Class.forName("jdk.internal.misc.Unsafe");
            unsafe = type.getMethod("getUnsafe").invoke(null);
        } catch (ClassNotFoundException jdk8) {
            Field field = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = field.get(null);
        }
        Method define = unsafe.getClass().getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        return (Class<?>) define.invoke(unsafe, DISPATCHER, bytes, 0, bytes.length, null, null);
    }

    private static Class<?> defineWithJar(Instrumentation inst, byte[] bytes) throws Exception {
        File jar = File.createTempFile("keepalive-agent-bootstrap", ".jar");
        try {
            try (OutputStream file = Files.newOutputStream(jar.toPath());
                    JarOutputStream out = new JarOutputStream(file)) {
                out.putNextEntry(new JarEntry(SocketHook.DISPATCHER + ".class"));
                out.write(bytes);
                out.closeEntry();
            }
            inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
            return Class.forName(DISPATCHER, true, null);
        } finally {
            // The JVM holds the jar open: deleting it now leaves nothing behind, even after kill -9.
            if (!jar.delete()) {
                jar.deleteOnExit();
            }
        }
    }

    private static byte[] dispatcherBytes() throws IOException {
        String entry = "/" + SocketHook.DISPATCHER + ".class";
        try (InputStream in = Bootstrap.class.getResourceAsStream(entry)) {
            if (in == null) {
                throw new IOException(entry + " is missing from the agent jar");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    /** The class's java.lang.Module, or null on JDK 8. */
    private static Object module(Class<?> type) throws ReflectiveOperationException {
        try {
            return Class.class.getMethod("getModule").invoke(type);
        } catch (NoSuchMethodException jdk8) {
            return null;
        }
    }

    private static void redefineJavaBase(Instrumentation inst, Set<Object> reads, Map<String, Set<Object>> exports,
            Map<String, Set<Object>> opens) throws ReflectiveOperationException {
        Object javaBase = module(Object.class);
        if (javaBase == null) {
            return;
        }
        Method redefine = Instrumentation.class.getMethod("redefineModule", javaBase.getClass(), Set.class, Map.class,
                Map.class, Set.class, Map.class);
        redefine.invoke(inst, javaBase, reads, new HashMap<>(exports), new HashMap<>(opens), Collections.emptySet(),
                Collections.emptyMap());
    }
}
