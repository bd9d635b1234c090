package io.github.keepaliveagent;

import java.util.HashMap;
import java.util.Map;

import org.tinylog.configuration.Configuration;

/**
 * Sets up the agent's own (relocated) tinylog from code. {@code Configuration.replace} drops
 * whatever tinylog found in the application's tinylog.properties or -Dtinylog.* properties, so
 * the application's logging configuration and the agent's never touch.
 */
final class Log {

    private Log() {
    }

    static synchronized void configure(String level) {
        if (Configuration.isFrozen()) {
            return; // already configured by an earlier install in this JVM
        }
        Map<String, String> config = new HashMap<>();
        config.put("writer", "console");
        config.put("writer.stream", "err");
        config.put("writer.level", level);
        config.put("writer.format", "keepalive-agent {level}: {message}");
        config.put("writingthread", "false");
        // The console writer needs no flushing; no shutdown hook in the host JVM.
        config.put("autoshutdown", "false");
        Configuration.replace(config);
    }
}
