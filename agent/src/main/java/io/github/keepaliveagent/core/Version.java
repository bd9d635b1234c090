package io.github.keepaliveagent.core;

import java.io.File;
import java.security.CodeSource;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** The agent's version, from its jar's manifest (Implementation-Version, set from the pom: one place). */
public final class Version {

    private static volatile String text;

    private Version() {
    }

    /** "keepalive-agent 1.1.0", or "keepalive-agent (development build)" outside the jar. */
    public static String text() {
        String known = text;
        if (known == null) {
            text = known = "keepalive-agent " + read();
        }
        return known;
    }

    private static String read() {
        try {
            CodeSource source = Version.class.getProtectionDomain().getCodeSource();
            File jar = source == null ? null : new File(source.getLocation().toURI());
            if (jar != null && jar.isFile()) {
                try (JarFile file = new JarFile(jar, false)) {
                    Manifest manifest = file.getManifest();
                    String version = manifest == null ? null
                            : manifest.getMainAttributes().getValue("Implementation-Version");
                    if (version != null) {
                        return version;
                    }
                }
            }
        } catch (Exception | LinkageError e) {
            // not from the jar: a development build
        }
        return "(development build)";
    }
}
