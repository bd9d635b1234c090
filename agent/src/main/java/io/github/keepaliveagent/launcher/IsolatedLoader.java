package io.github.keepaliveagent.launcher;

import java.io.IOException;
import java.security.ProtectionDomain;

/**
 * The agent's own class loader: it defines the agent's classes from their hidden place in the jar
 * ({@link Layout}), each with the jar's static AllPermission domain, and asks its parent for every other
 * class. In a host JVM the parent is the platform loader (JDK 9+; JDK 8: the extension loader), so the
 * application's classes are never seen; the command line's parent is the application loader.
 */
final class IsolatedLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private static final String OWN = "io.github.keepaliveagent.";
    private static final String LAUNCHER = Layout.VISIBLE.replace('/', '.');

    private final AgentJar jar;
    /**
     * The parent, kept: ClassLoader.getParent() asks a SecurityManager, and a program's (one it installs
     * later) refuses it with the program's frames on the stack, where the JVM asks this loader for a class.
     */
    private final ClassLoader parent;

    IsolatedLoader(AgentJar jar, ClassLoader parent) {
        super(parent);
        this.jar = jar;
        this.parent = parent;
    }

    /**
     * The agent's own classes first, from the jar: asking the parent first would throw (and catch) a
     * ClassNotFoundException for each of them, which -Xlog:exceptions shows in every host JVM.
     */
    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(OWN) || name.startsWith(LAUNCHER)) {
            // Straight to the parent, which locks and looks for itself: the JVM asks this loader once per name
            // the agent's code uses (~80 JDK classes at the first socket, each through ClassLoader's code
            // running interpreted), and remembers the answer.
            return parent != null && !resolve ? parent.loadClass(name) : super.loadClass(name, resolve);
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
        Class<?> type;
        try {
            type = jar.define(this, name);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        if (type == null) {
            throw new ClassNotFoundException(name);
        }
        return type;
    }

    Class<?> define(String name, byte[] bytes, int offset, int length, ProtectionDomain domain) {
        return defineClass(name, bytes, offset, length, domain);
    }
}
