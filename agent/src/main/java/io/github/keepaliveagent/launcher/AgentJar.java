package io.github.keepaliveagent.launcher;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.cert.Certificate;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The agent jar as the launcher reads it. The agent proper is stored under {@link #HIDDEN} with the
 * suffix {@link #SUFFIX} (the build moves it there), where the application's class loader, which has
 * the jar on its class path, never finds a class: only the agent's own loader defines them.
 */
public final class AgentJar {

    /** Where the agent's classes are stored in the jar. */
    public static final String HIDDEN = "keepalive-agent/";
    public static final String SUFFIX = ".classdata";

    private final File file;
    private final JarFile jar;
    private final CodeSource codeSource;

    private AgentJar(File file) throws IOException {
        this.file = file;
        this.jar = new JarFile(file, false);
        this.codeSource = new CodeSource(file.toURI().toURL(), (Certificate[]) null);
    }

    /** The jar this class was loaded from. */
    static AgentJar open() throws Exception {
        CodeSource source = AgentJar.class.getProtectionDomain().getCodeSource();
        File file = source == null ? null : new File(source.getLocation().toURI());
        if (file == null || !file.isFile()) {
            throw new IOException("the agent must be run from its jar, not from " + file);
        }
        return new AgentJar(file);
    }

    /**
     * The loader of the agent proper, a class loader of its own whose parent is the platform loader (JDK
     * 9+) or the extension loader (JDK 8): the application's classes are never seen. On JDK 9+ its
     * classes form the named module {@code AgentModule}, which opens nothing: the confinement holds even
     * when application code gets hold of one of the agent's classes.
     */
    ClassLoader agentLoader() throws Exception {
        ClassLoader loader = new IsolatedLoader(this, ClassLoader.getSystemClassLoader().getParent());
        try {
            Class.class.getMethod("getModule");
        } catch (NoSuchMethodException jdk8) {
            return loader; // no modules: nothing to confine the agent's classes beyond its own loader
        }
        try {
            java.lang.invoke.MethodHandles.publicLookup().findStatic(
                    Class.forName("io.github.keepaliveagent.launcher.AgentModule"), "define",
                    java.lang.invoke.MethodType.methodType(void.class, AgentJar.class, ClassLoader.class))
                    .invokeExact(this, loader);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return loader;
    }

    /** The command line: a JVM of its own, where nothing needs confining; it sees the JDK's attach API. */
    ClassLoader commandLineLoader() {
        return new IsolatedLoader(this, ClassLoader.getSystemClassLoader());
    }

    public File file() {
        return file;
    }

    public CodeSource codeSource() {
        return codeSource;
    }

    /** The packages of the agent proper, e.g. "io.github.keepaliveagent.core": listed by the build. */
    public Set<String> packages() throws IOException {
        JarEntry list = jar.getJarEntry(HIDDEN + "packages");
        if (list != null) {
            try (InputStream in = jar.getInputStream(list)) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                byte[] buffer = new byte[4096];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    bytes.write(buffer, 0, n);
                }
                return new LinkedHashSet<>(java.util.Arrays.asList(
                        new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.US_ASCII).split("\n")));
            }
        }
        Set<String> packages = new LinkedHashSet<>(); // a jar from before the list: scan it
        for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
            String name = entries.nextElement().getName();
            if (name.startsWith(HIDDEN) && name.endsWith(SUFFIX)) {
                int slash = name.lastIndexOf('/');
                if (slash > HIDDEN.length()) {
                    packages.add(name.substring(HIDDEN.length(), slash).replace('/', '.'));
                }
            }
        }
        return packages;
    }

    /** The jar entry of a resource of the agent proper ("a/b/C.class"), or null. */
    JarEntry entry(String resource) {
        if (!resource.endsWith(".class")) {
            return null;
        }
        return jar.getJarEntry(HIDDEN + resource.substring(0, resource.length() - ".class".length()) + SUFFIX);
    }

    /** The bytes of a resource of the agent proper ("a/b/C.class"), or null. */
    public byte[] read(String resource) throws IOException {
        JarEntry entry = entry(resource);
        if (entry == null) {
            return null;
        }
        try (InputStream in = jar.getInputStream(entry)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(entry.getSize(), 512));
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    /** A URL for a resource of the agent proper, or null. */
    public URL url(String resource) {
        JarEntry entry = entry(resource);
        try {
            return entry == null ? null : new URL("jar:" + file.toURI() + "!/" + entry.getName());
        } catch (MalformedURLException e) {
            return null;
        }
    }

}
