package io.github.keepaliveagent.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import io.github.keepaliveagent.launcher.Selection;

/**
 * Every setting of the agent: its agent-argument name, its environment variable, what is valid, and
 * for the socket options their identity in the kernel and the JDK. The single source for parsing,
 * for {@code --help}, for the table in README.md, and for the options the agent sets.
 */
public enum Option {
    IDLE("idle", "KEEPIDLE", 1, 32767, "kernel default",
            "Seconds a connection is idle before the first probe (TCP_KEEPIDLE).",
            new Kernel(Kernel.IPPROTO_TCP, 4, "TCP_KEEPIDLE", "tcp_keepalive_time", 1, 32767)),
    INTERVAL("interval", "KEEPINTVL", 1, 32767, "kernel default",
            "Seconds between probes (TCP_KEEPINTVL).",
            new Kernel(Kernel.IPPROTO_TCP, 5, "TCP_KEEPINTERVAL", "tcp_keepalive_intvl", 1, 32767)),
    COUNT("count", "KEEPCNT", 1, 127, "kernel default",
            "Unanswered probes before the connection is dropped (TCP_KEEPCNT).",
            new Kernel(Kernel.IPPROTO_TCP, 6, "TCP_KEEPCOUNT", "tcp_keepalive_probes", 1, 127)),
    USER_TIMEOUT("user_timeout", "KEEPALIVE_USER_TIMEOUT", 10_000, Integer.MAX_VALUE, "off",
            "How long sent data may stay unacknowledged before the connection is dropped (TCP_USER_TIMEOUT,"
                    + " Linux only): a duration such as `120s`, `2m` or `90000ms`; a bare number is milliseconds"
                    + " (as in 1.0 and the kernel). At least 10 s and at least idle + interval x count. `auto`:"
                    + " idle + interval x count (at least 10 s), so that a peer gone with data in flight is dropped"
                    + " when an idle one would be.",
            new Kernel(Kernel.IPPROTO_TCP, 18, "TCP_USER_TIMEOUT", null, 0, Integer.MAX_VALUE)),
    RULES("rules", "KEEPALIVE_RULES", null, "none",
            "Connection rules, first match wins, e.g. `dir=out+addr=10.1.0.0/16+idle=30;port=5432+keepalive=off`."
                    + " A rule matches on `dir` (`in`: accepted by this JVM, `out`: connected by it), `addr` (the"
                    + " remote address: CIDR, IPv4 or IPv6) and `port` (`N` or `N-M`: the local port of an inbound"
                    + " connection, the remote port of an outbound one), and gives `idle`, `interval`, `count`,"
                    + " `user_timeout` (the others: the global values) or `keepalive=off` (the connection is left"
                    + " alone). No rule matching: the global values. Linux."),
    FORCE("force", "KEEPALIVE_FORCE", Arrays.asList("keepalive", "all", "off"), "keepalive",
            "`keepalive`: the program cannot switch keepalive off (its own idle/interval/count still win);"
                    + " `all`: the values here also replace the program's own; `off`: whatever the program sets"
                    + " wins (libkeepalive's rule). `true`/`false` (1.0) mean `keepalive`/`off`."),
    SCAN("scan", "KEEPALIVE_SCAN", 1, 3600, Collections.singletonList("off"), "60",
            "Seconds between looks at the process's own sockets for TCP connections no hook configured"
                    + " (created in native code): they get the settings and are reported (Linux); `off` disables."),
    KEEPALIVE("keepalive", "KEEPALIVE", Arrays.asList("on", "off"), "on",
            "`off` turns the agent off: no socket is changed."),
    LOG("log", "KEEPALIVE_LOG", Arrays.asList("debug", "info", "warn", "error", "off"), "info",
            "What the agent prints on stderr; `debug` adds one line per socket."),
    STRICT("strict", "KEEPALIVE_STRICT", Arrays.asList("true", "false"), "false",
            "`true`: an invalid value stops the JVM at start-up (exit status 78)."),
    RETROFIT("retrofit", null, Arrays.asList("true", "false"), "true",
            "`attach` only: also configure the connections already open in the target JVM (Linux)."),
    INCLUDE(Selection.INCLUDE, Selection.INCLUDE_ENV, "every program",
            "Only JVMs whose main class, jar file name or main module matches one of these globs get the agent"
                    + " (`*` any characters, `?` one); a JDK tool only when a pattern matches it. Decided at start-up,"
                    + " before anything else of the agent is loaded."),
    EXCLUDE(Selection.EXCLUDE, Selection.EXCLUDE_ENV, "none",
            "JVMs whose main class, jar file name or main module matches one of these globs get nothing (wins"
                    + " over `include`). JDK tools (keytool, jps, javac...), `java -version` and the agent's own"
                    + " command line are skipped anyway."),
    ;

    /** Where an option lives in the kernel and in the JDK's API. */
    public static final class Kernel {
        public static final int SOL_SOCKET = 1;
        public static final int SO_KEEPALIVE = 9;
        public static final int IPPROTO_TCP = 6;
        /** Where the kernel's defaults are. */
        public static final String PROC_DIR = "/proc/sys/net/ipv4/";

        public final int level;
        public final int option;
        /** The name of the JDK's (or Netty's) socket option, e.g. "TCP_KEEPIDLE". */
        public final String name;
        /** The kernel's default under {@link #PROC_DIR}, or null. */
        public final String procFile;

        /** The kernel's own range for the option's value (TCP_USER_TIMEOUT: any non-negative number). */
        private final int min;
        private final int max;

        Kernel(int level, int option, String name, String procFile, int min, int max) {
            this.min = min;
            this.max = max;
            this.level = level;
            this.option = option;
            this.name = name;
            this.procFile = procFile == null ? null : PROC_DIR + procFile;
        }

        /** Whether the kernel would take this value: a program's invalid value is not the agent's to fix. */
        public boolean accepts(int value) {
            return value >= min && value <= max;
        }
    }

    public final String argName;
    public final String envName;
    final int min;
    final int max;
    /** Words accepted instead of (or besides) a number; null for a plain number. */
    final List<String> words;
    public final String defaultText;
    public final String description;
    /** For the socket options: where they live in the kernel; null for the agent's own settings. */
    public final Kernel kernel;

    Option(String argName, String envName, int min, int max, String defaultText, String description,
            Kernel kernel) {
        this(argName, envName, min, max, null, defaultText, description, kernel);
    }

    Option(String argName, String envName, List<String> words, String defaultText, String description) {
        this(argName, envName, 0, -1, words, defaultText, description, null);
    }

    /** A list of program patterns: checked, and applied, by the launcher ({@link Selection}) before all else. */
    Option(String argName, String envName, String defaultText, String description) {
        this(argName, envName, 0, -1, null, defaultText, description, null);
    }

    Option(String argName, String envName, int min, int max, List<String> words, String defaultText,
            String description) {
        this(argName, envName, min, max, words, defaultText, description, null);
    }

    Option(String argName, String envName, int min, int max, List<String> words, String defaultText,
            String description, Kernel kernel) {
        this.argName = argName;
        this.envName = envName;
        this.min = min;
        this.max = max;
        this.words = words == null ? null : Collections.unmodifiableList(words);
        this.defaultText = defaultText;
        this.description = description;
        this.kernel = kernel;
    }

    /** The kernel's value for idle, interval or count, or null where it can't be read (not Linux). */
    public String kernelDefault() {
        String file = kernel == null ? null : kernel.procFile;
        if (file == null) {
            return null;
        }
        // One read: the kernel's sysctl files answer a read at a non-zero offset with end-of-file.
        byte[] buffer = new byte[64];
        try (java.io.FileInputStream in = new java.io.FileInputStream(file)) {
            int length = in.read(buffer);
            return length <= 0 ? null : new String(buffer, 0, length, java.nio.charset.StandardCharsets.US_ASCII).trim();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** The socket options the agent sets besides SO_KEEPALIVE, in the order it sets them. */
    public static final List<Option> SOCKET_OPTIONS = Collections.unmodifiableList(
            Arrays.asList(IDLE, INTERVAL, COUNT, USER_TIMEOUT));

    boolean takesNumber() {
        return max >= min;
    }

    /** The shortest TCP_USER_TIMEOUT accepted: below it a GC pause or a slow reader kills healthy connections. */
    static final int MIN_USER_TIMEOUT_MILLIS = 10_000;

    /** A duration in milliseconds as it is shown: "120s" when whole seconds, else "4321ms". */
    public static String durationText(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** The valid values, as they are written in messages and in the table. */
    public String validText() {
        if (checkedAtLaunch()) {
            return Selection.VALID;
        }
        if (this == USER_TIMEOUT) {
            return durationText(min) + ".." + max + "ms (120s, 2m, 90000ms), auto";
        }
        if (this == RULES) {
            return "rules separated by `;`, fields by `+`";
        }
        String numbers = min + ".." + max;
        if (words == null) {
            return numbers;
        }
        return (takesNumber() ? numbers + ", " : "") + String.join(", ", words);
    }

    /** Attach-only options mean nothing at start-up. */
    public boolean attachOnly() {
        return envName == null;
    }

    /** include and exclude: the launcher checks and applies them in premain; they mean nothing for attach. */
    public boolean checkedAtLaunch() {
        return this == INCLUDE || this == EXCLUDE;
    }

    /**
     * The parsed value: an Integer for a number, the word (lower case) otherwise.
     *
     * @throws IllegalArgumentException with the text of what is valid
     */
    Object parse(String value) {
        if (this == USER_TIMEOUT) {
            return parseDuration(value);
        }
        if (takesNumber() && !value.isEmpty() && Character.isDigit(value.charAt(0))) {
            // Decimal digits only: "1e3", "+5", "0x10" and "60s" are mistakes, not numbers.
            long number = 0;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < '0' || c > '9') {
                    throw new IllegalArgumentException(expectation());
                }
                number = Math.min(number * 10 + (c - '0'), Integer.MAX_VALUE + 1L); // leading zeros are fine
            }
            if (number < min || number > max) {
                throw new IllegalArgumentException(expectation());
            }
            return (int) number;
        }
        String word = value.toLowerCase(java.util.Locale.ROOT);
        if (this == FORCE && ("true".equals(word) || "false".equals(word))) {
            return "true".equals(word) ? "keepalive" : "off"; // the 1.0 spellings
        }
        if (words == null || !words.contains(word)) {
            throw new IllegalArgumentException(expectation());
        }
        return word;
    }

    /** Decimal digits and a unit (ms, s, m, h; none: milliseconds), in milliseconds. */
    private Object parseDuration(String value) {
        if ("auto".equals(value.toLowerCase(java.util.Locale.ROOT))) {
            return "auto"; // derived from idle, interval and count by Settings (and per rule)
        }
        int digits = 0;
        while (digits < value.length() && value.charAt(digits) >= '0' && value.charAt(digits) <= '9') {
            digits++;
        }
        long factor;
        switch (value.substring(digits).toLowerCase(java.util.Locale.ROOT)) {
            case "":
            case "ms":
                factor = 1;
                break;
            case "s":
                factor = 1000;
                break;
            case "m":
                factor = 60_000;
                break;
            case "h":
                factor = 3_600_000;
                break;
            default:
                throw new IllegalArgumentException(expectation());
        }
        if (digits == 0) {
            throw new IllegalArgumentException(expectation());
        }
        long number = 0;
        for (int i = 0; i < digits; i++) {
            number = Math.min(number * 10 + (value.charAt(i) - '0'), Integer.MAX_VALUE + 1L);
        }
        long millis = number * factor; // at most 2^31 x 3,600,000: no overflow
        if (millis > max) {
            throw new IllegalArgumentException(expectation());
        }
        if (millis < min) {
            throw new IllegalArgumentException(durationText(millis) + " is so small it breaks healthy connections:"
                    + " a GC pause or a slow reader longer than that kills the connection; use at least "
                    + durationText(min) + " (a bare number is milliseconds: write 120s or 2m)");
        }
        return (int) millis;
    }

    private String expectation() {
        if (this == USER_TIMEOUT) {
            return "expected a duration from " + durationText(min) + " to " + max + "ms with its unit, such as 120s,"
                    + " 2m or 90000ms (a bare number is milliseconds), or auto (idle + interval x count)";
        }
        if (words == null) {
            return "expected a whole number from " + min + " to " + max
                    + (kernel != null && kernel.procFile != null ? " (the kernel's limits)" : "");
        }
        if (takesNumber()) {
            return "expected a whole number from " + min + " to " + max + " or " + String.join(", ", words);
        }
        return "expected one of " + String.join(", ", words);
    }

    /** The options table in Markdown, as README.md shows it. */
    public static String markdownTable() {
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
