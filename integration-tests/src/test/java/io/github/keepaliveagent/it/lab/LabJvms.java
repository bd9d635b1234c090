package io.github.keepaliveagent.it.lab;

import java.nio.file.Files;
import java.nio.file.Paths;

import io.github.keepaliveagent.it.ForkedJvm;

/** The JVMs the lab runs: small, and with or without the agent under the same environment. */
final class LabJvms {

    /** idle + interval x count = 5 s: a dead peer is detected about 5 s after it went silent. */
    static final int IDLE = 2;
    static final int INTERVAL = 1;
    static final int COUNT = 3;

    static final String JDK17 = System.getProperty("java.home");

    private LabJvms() {
    }

    static String jdk25() {
        String home = System.getProperty("jdk25.home");
        if (home == null || !Files.isExecutable(Paths.get(home, "bin", "java"))) {
            throw new AssertionError("JDK 25 expected at " + home + " (scripts/prereq/10-base.sh)");
        }
        return home;
    }

    /** The agent with KEEPIDLE=2 KEEPINTVL=1 KEEPCNT=3. */
    static ForkedJvm withAgent(String jdk) {
        return small(new ForkedJvm(jdk).withAgent());
    }

    /** The same JVM and environment (KEEPIDLE...), without {@code -javaagent}: the variables alone do nothing. */
    static ForkedJvm withoutAgent(String jdk) {
        return small(new ForkedJvm(jdk));
    }

    private static ForkedJvm small(ForkedJvm jvm) {
        // Up to eight JVMs run at once on two cores: keep each one light.
        return jvm.jvmArgs("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                .env("KEEPIDLE", String.valueOf(IDLE)).env("KEEPINTVL", String.valueOf(INTERVAL))
                .env("KEEPCNT", String.valueOf(COUNT));
    }
}
