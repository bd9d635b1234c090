package io.github.keepaliveagent;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.tinylog.Logger;
import org.tinylog.configuration.Configuration;

/**
 * The agent's logging: its own relocated tinylog, configured from code, on stderr.
 *
 * <p>Levels are checked here first and tinylog is set up only when a message at an enabled level
 * needs it: initialising tinylog costs about 130 ms (it starts the JVM's management beans), which
 * every JVM on a host would pay at start-up. The one start-up summary at INFO is therefore printed
 * directly, in the same format; warnings, errors and debug lines go through tinylog.
 *
 * <p>{@code Configuration.replace} drops whatever tinylog found in the application's
 * tinylog.properties or -Dtinylog.* properties: the application's logging and the agent's never touch.
 */
final class Log {

    static final List<String> LEVELS = Arrays.asList("debug", "info", "warn", "error", "off");
    private static final String PREFIX = "keepalive-agent ";

    private static volatile int threshold = LEVELS.indexOf("info");
    private static boolean tinylogReady;

    private Log() {
    }

    static void setLevel(String level) {
        threshold = LEVELS.indexOf(level);
    }

    static boolean debugEnabled() {
        return threshold == 0;
    }

    /** A start-up summary line. */
    static void info(String message) {
        if (threshold <= 1) {
            System.err.println(PREFIX + "INFO: " + message);
        }
    }

    static void debug(String format, Object... args) {
        if (threshold <= 0 && tinylog()) {
            Logger.debug(format, args);
        }
    }

    static void debug(Throwable t, String format, Object... args) {
        if (threshold <= 0 && tinylog()) {
            Logger.debug(t, format, args);
        }
    }

    static void warn(String format, Object... args) {
        if (threshold <= 2 && tinylog()) {
            Logger.warn(format, args);
        }
    }

    static void warn(Throwable t, String format, Object... args) {
        if (threshold <= 2 && tinylog()) {
            Logger.warn(t, format, args);
        }
    }

    /** An invalid setting: printed even with log=off, through tinylog where it may print. */
    static void invalid(String message) {
        if (threshold <= 3 && tinylog()) {
            Logger.error(message);
        } else {
            System.err.println(PREFIX + "ERROR: " + message);
        }
    }

    static void error(String message) {
        if (threshold <= 3 && tinylog()) {
            Logger.error(message);
        }
    }

    private static synchronized boolean tinylog() {
        if (!tinylogReady) {
            tinylogReady = true;
            if (!Configuration.isFrozen()) {
                Map<String, String> config = new HashMap<>();
                config.put("writer", "console");
                config.put("writer.stream", "err");
                config.put("writer.level", "trace"); // levels are filtered above
                config.put("writer.format", PREFIX + "{level}: {message}");
                config.put("writingthread", "false");
                config.put("autoshutdown", "false"); // no shutdown hook in the host JVM
                Configuration.replace(config);
            }
        }
        return true;
    }
}
