package io.github.keepaliveagent.core;

/**
 * The agent's version text, "keepalive-agent 1.1.0": the launcher reads it from the jar's manifest
 * (Implementation-Version, set from the pom: one place) and hands it over once.
 */
public final class Version {

    private static volatile String text = "keepalive-agent (development build)";

    private Version() {
    }

    public static String text() {
        return text;
    }

    /** Called by the entry points with what the launcher read. */
    public static void set(String version) {
        if (version != null) {
            text = version;
        }
    }
}
