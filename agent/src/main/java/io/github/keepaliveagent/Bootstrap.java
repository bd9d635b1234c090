package io.github.keepaliveagent;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Makes the dispatcher visible to code in java.base by defining it in the bootstrap class loader.
 *
 * <p>The class is defined directly rather than through a jar appended to the bootstrap class path:
 * appending disables class data sharing for the application's classes and makes the JVM print a
 * warning, in every JVM the agent is injected into. The jar remains as a fallback.
 */
final class Bootstrap {

    static final String DISPATCHER = SocketHook.DISPATCHER.replace('/', '.');

    private Bootstrap() {
    }

    static Class<?> defineDispatcher(Instrumentation inst) throws Exception {
        JdkAccess jdk = JdkAccess.current();
        jdk.openJavaBase(inst);
        byte[] bytes = dispatcherBytes();
        Class<?> dispatcher;
        try {
            dispatcher = jdk.defineInBootLoader(DISPATCHER, bytes);
        } catch (Throwable t) {
            Log.debug(t, "could not define the dispatcher directly; appending a jar to the bootstrap class path");
            dispatcher = defineWithJar(inst, bytes);
        }
        jdk.letJavaBaseRead(inst, dispatcher);
        return dispatcher;
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

    /**
     * The dispatcher's class file, read from the agent's own jar: a resource lookup through the class
     * loader first searches every module of the JDK image, which cost ~30 ms at start-up here.
     */
    private static byte[] dispatcherBytes() throws Exception {
        String entry = SocketHook.DISPATCHER + ".class";
        File location = new File(Bootstrap.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (location.isFile()) {
            try (JarFile jar = new JarFile(location)) {
                JarEntry found = jar.getJarEntry(entry);
                if (found != null) {
                    return readAll(jar.getInputStream(found));
                }
            }
        }
        InputStream in = Bootstrap.class.getResourceAsStream("/" + entry); // the unit tests: classes, no jar
        if (in == null) {
            throw new IOException(entry + " is missing from the agent jar");
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
