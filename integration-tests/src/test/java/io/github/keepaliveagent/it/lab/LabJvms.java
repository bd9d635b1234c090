package io.github.keepaliveagent.it.lab;


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

    /** JDK 25's home; the test is skipped (failed with CI=true) without it. */
    static String jdk25() {
        return ForkedJvm.requireJdk(ForkedJvm.jdk25());
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
