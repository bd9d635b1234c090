package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** The rule that keeps a developer's shell (KEEPALIVE_FORCE=..., _JAVA_OPTIONS=...) out of every forked JVM. */
class ForkedJvmEnvironmentTest {

    @Test
    void everyKeepVariableAndTheJvmInjectionVariablesAreScrubbed() {
        Map<String, String> env = new HashMap<>();
        for (String name : List.of("KEEPIDLE", "KEEPINTVL", "KEEPCNT", "KEEPALIVE", "KEEPALIVE_FORCE",
                "KEEPALIVE_USER_TIMEOUT", "KEEPALIVE_SOMETHING_NEW", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
                "_JAVA_OPTIONS", "LD_PRELOAD", "KAFKA_OPTS", "PATH", "HOME", "JAVA_HOME", "MY_KEEPIDLE", "CI")) {
            env.put(name, "x");
        }
        ForkedJvm.scrubEnvironment(env);
        assertEquals(Map.of("PATH", "x", "HOME", "x", "JAVA_HOME", "x", "MY_KEEPIDLE", "x", "CI", "x"), new TreeMap<>(env));
    }

    @Test
    void theThirdPartyListIsCoveredByTheRule() {
        // it.thirdparty.Program.CLEARED_ENVIRONMENT, kept for its callers, must not name anything the rule misses.
        for (String name : List.of("KEEPIDLE", "KEEPINTVL", "KEEPCNT", "KEEPALIVE", "KEEPALIVE_LOG", "KEEPALIVE_STRICT",
                "KEEPALIVE_USER_TIMEOUT", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "LD_PRELOAD",
                "KAFKA_OPTS")) {
            assertEquals(true, ForkedJvm.isScrubbed(name), name);
        }
    }
}
