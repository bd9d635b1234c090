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

    private final AgentJar jar;

    IsolatedLoader(AgentJar jar, ClassLoader parent) {
        super(parent);
        this.jar = jar;
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
