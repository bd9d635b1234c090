package io.github.keepaliveagent.launcher;

import java.io.IOException;
import java.net.URL;
import java.security.SecureClassLoader;

/**
 * A class loader that defines the agent's classes from their hidden place in the jar, with the
 * jar's code source (so that a SecurityManager policy granting the jar applies to them).
 */
final class IsolatedLoader extends SecureClassLoader {

    static {
        registerAsParallelCapable();
    }

    private static final String OWN = "io.github.keepaliveagent.";

    private final AgentJar jar;

    IsolatedLoader(AgentJar jar, ClassLoader parent) {
        super(parent);
        this.jar = jar;
    }

    /**
     * The agent's own classes first, from the jar: asking the parent first would throw (and catch) a
     * ClassNotFoundException for each of them, which -Xlog:exceptions shows in every host JVM.
     */
    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(OWN)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                type = findClass(name);
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes;
        try {
            bytes = jar.read(name.replace('.', '/') + ".class");
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        if (bytes == null) {
            throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length, jar.codeSource());
    }

    @Override
    protected URL findResource(String name) {
        return jar.url(name);
    }
}
