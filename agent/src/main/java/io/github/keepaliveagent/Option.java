package io.github.keepaliveagent;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every setting of the agent, with its agent-argument name, its environment variable and what
 * is valid. The single source for parsing, for {@code --help} and for the table in README.md.
 */
enum Option {
    IDLE("idle", "KEEPIDLE", 1, 32767, "kernel default",
            "Seconds a connection is idle before the first probe (TCP_KEEPIDLE)."),
    INTERVAL("interval", "KEEPINTVL", 1, 32767, "kernel default",
            "Seconds between probes (TCP_KEEPINTVL)."),
    COUNT("count", "KEEPCNT", 1, 127, "kernel default",
            "Unanswered probes before the connection is dropped (TCP_KEEPCNT)."),
    USER_TIMEOUT("user_timeout", "KEEPALIVE_USER_TIMEOUT", 1, Integer.MAX_VALUE, "off",
            "Milliseconds unacknowledged data may stay unacknowledged before the connection is dropped"
                    + " (TCP_USER_TIMEOUT, Linux only)."),
    FORCE("force", "KEEPALIVE_FORCE", Arrays.asList("true", "false"), "false",
            "`true`: `java.net.Socket.setKeepAlive(false)` from the program (Apache HttpClient's default) is"
                    + " ignored."),
    KEEPALIVE("keepalive", "KEEPALIVE", Arrays.asList("on", "off"), "on",
            "`off` turns the agent off: no socket is changed."),
    LOG("log", "KEEPALIVE_LOG", Log.LEVELS, "info",
            "What the agent prints on stderr; `debug` adds one line per socket."),
    STRICT("strict", "KEEPALIVE_STRICT", Arrays.asList("true", "false"), "false",
            "`true`: an invalid value stops the JVM at start-up (exit status 78)."),
    RETROFIT("retrofit", null, Arrays.asList("true", "false"), "true",
            "`attach` only: also configure the connections already open in the target JVM (Linux)."),
    ;

    /** Where the agent reads the kernel's own values, shown when an option is left unset. */
    static final String PROC_DIR = "/proc/sys/net/ipv4/";

    final String argName;
    final String envName;
    final int min;
    final int max;
    final List<String> words;
    final String defaultText;
    final String description;

    Option(String argName, String envName, int min, int max, String defaultText, String description) {
        this(argName, envName, min, max, null, defaultText, description);
    }

    Option(String argName, String envName, List<String> words, String defaultText, String description) {
        this(argName, envName, 0, 0, words, defaultText, description);
    }

    Option(String argName, String envName, int min, int max, List<String> words, String defaultText,
            String description) {
        this.argName = argName;
        this.envName = envName;
        this.min = min;
        this.max = max;
        this.words = words;
        this.defaultText = defaultText;
        this.description = description;
    }

    boolean isNumber() {
        return words == null;
    }

    /** The valid values, as they are written in messages and in the table. */
    String validText() {
        return isNumber() ? min + ".." + max : String.join(", ", words);
    }

    /** The kernel's file for a TCP_KEEP* option, or null. */
    String procFile() {
        switch (this) {
            case IDLE: return PROC_DIR + "tcp_keepalive_time";
            case INTERVAL: return PROC_DIR + "tcp_keepalive_intvl";
            case COUNT: return PROC_DIR + "tcp_keepalive_probes";
            default: return null;
        }
    }

    /**
     * The parsed value: an Integer for numbers, the lower-case word otherwise.
     *
     * @throws IllegalArgumentException with the text of what is valid
     */
    Object parse(String raw) {
        String value = raw.trim();
        if (isNumber()) {
            // Digits only: "1e3", "+5", "0x10" and "60s" are mistakes, not numbers of seconds.
            boolean digits = !value.isEmpty() && value.length() <= 12;
            for (int i = 0; i < value.length() && digits; i++) {
                digits = value.charAt(i) >= '0' && value.charAt(i) <= '9';
            }
            if (!digits) {
                throw new IllegalArgumentException(expectation());
            }
            long number = Long.parseLong(value);
            if (number < min || number > max) {
                throw new IllegalArgumentException(expectation());
            }
            return (int) number;
        }
        String word = value.toLowerCase(Locale.ROOT);
        if (!words.contains(word)) {
            throw new IllegalArgumentException(expectation());
        }
        return word;
    }

    private String expectation() {
        return isNumber()
                ? "expected a whole number from " + min + " to " + max + " (the kernel's limits)"
                : "expected one of " + String.join(", ", words);
    }

    /** The options table in Markdown, as README.md shows it. */
    static String markdownTable() {
        StringBuilder table = new StringBuilder();
        table.append("| agent argument | environment | valid values | default | meaning |\n");
        table.append("|---|---|---|---|---|\n");
        for (Option option : values()) {
            table.append("| `").append(option.argName).append("` | ")
                    .append(option.envName == null ? "-" : "`" + option.envName + "`").append(" | ")
                    .append(option.validText()).append(" | ").append(option.defaultText).append(" | ")
                    .append(option.description).append(" |\n");
        }
        return table.toString();
    }

    static Option byArgName(String name) {
        for (Option option : values()) {
            if (option.argName.equals(name)) {
                return option;
            }
        }
        return null;
    }

    static String argNames() {
        StringBuilder names = new StringBuilder();
        for (Option option : values()) {
            names.append(names.length() == 0 ? "" : ", ").append(option.argName);
        }
        return names.toString();
    }
}
