package io.github.keepaliveagent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's settings: resolved and validated once, at start-up, then never changed.
 * Agent arguments win over the environment; an invalid value is reported in {@link #problems()}
 * and that option keeps its default, so the other options still apply.
 */
final class Settings {

    private final Map<Option, Object> values;
    private final Map<Option, String> sources;
    private final List<String> problems;

    private Settings(Map<Option, Object> values, Map<Option, String> sources, List<String> problems) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
        this.problems = Collections.unmodifiableList(problems);
    }

    /**
     * @param agentArgs the text after {@code -javaagent:keepalive-agent.jar=}, may be null
     * @param env the environment (KEEPIDLE, KEEPINTVL, KEEPCNT, KEEPALIVE, KEEPALIVE_LOG, KEEPALIVE_STRICT)
     */
    static Settings resolve(String agentArgs, Map<String, String> env) {
        Map<Option, Object> values = new EnumMap<>(Option.class);
        Map<Option, String> sources = new EnumMap<>(Option.class);
        List<String> problems = new ArrayList<>();
        Map<Option, String> args = parseArgs(agentArgs, problems);
        for (Option option : Option.values()) {
            String raw;
            String source;
            if (args.containsKey(option)) {
                raw = args.get(option);
                source = "agent argument " + option.argName;
            } else if (option.envName != null && env.containsKey(option.envName)) {
                raw = env.get(option.envName);
                source = option.envName;
            } else {
                continue;
            }
            try {
                values.put(option, option.parse(raw));
                sources.put(option, source);
            } catch (IllegalArgumentException e) {
                problems.add(source + "=\"" + raw + "\" is not valid: " + e.getMessage()
                        + "; it is ignored and " + option.argName + " stays " + option.defaultText);
            }
        }
        return new Settings(values, sources, problems);
    }

    private static Map<Option, String> parseArgs(String agentArgs, List<String> problems) {
        Map<Option, String> args = new EnumMap<>(Option.class);
        if (agentArgs == null || agentArgs.trim().isEmpty()) {
            return args;
        }
        for (String pair : agentArgs.split(",")) {
            int equals = pair.indexOf('=');
            String name = (equals < 0 ? pair : pair.substring(0, equals)).trim();
            Option option = Option.byArgName(name);
            if (equals < 0 || option == null) {
                problems.add("agent argument \"" + pair + "\" is not valid: expected name=value with a name from "
                        + Option.argNames() + "; it is ignored");
            } else {
                args.put(option, pair.substring(equals + 1));
            }
        }
        return args;
    }

    boolean enabled() {
        return !"off".equals(values.get(Option.KEEPALIVE));
    }

    boolean strict() {
        return "true".equals(values.get(Option.STRICT));
    }

    String logLevel() {
        Object level = values.get(Option.LOG);
        return level == null ? "info" : (String) level;
    }

    /** The value for idle, interval, count or user_timeout; null leaves the kernel's value in place. */
    Integer seconds(Option option) {
        return (Integer) values.get(option);
    }

    /** TCP_USER_TIMEOUT in milliseconds, or null (off). */
    Integer userTimeout() {
        return (Integer) values.get(Option.USER_TIMEOUT);
    }

    /** Socket.setKeepAlive(false) from the program is ignored. */
    boolean force() {
        return "true".equals(values.get(Option.FORCE));
    }

    /** For attach: configure the connections already open too. */
    boolean retrofit() {
        return !"false".equals(values.get(Option.RETROFIT));
    }

    /** Where an option's value came from: "KEEPIDLE", "agent argument idle", or null for the default. */
    String source(Option option) {
        return sources.get(option);
    }

    /**
     * Valid values that work against each other: TCP_USER_TIMEOUT also bounds keepalive (tcp(7)), so
     * below idle + interval x count it drops an idle connection after a single unanswered probe.
     */
    List<String> warnings() {
        Integer timeout = userTimeout();
        if (timeout == null) {
            return Collections.emptyList();
        }
        long idle = effective(Option.IDLE);
        long interval = effective(Option.INTERVAL);
        long count = effective(Option.COUNT);
        long keepaliveMillis = 1000 * (idle + interval * count);
        if (idle < 0 || interval < 0 || count < 0 || timeout >= keepaliveMillis) {
            return Collections.emptyList();
        }
        return Collections.singletonList("user_timeout=" + timeout + "ms is shorter than idle + interval x count = "
                + keepaliveMillis + "ms: it overrides keepalive (tcp(7)) and drops an idle connection after the"
                + " first unanswered probe; use at least " + keepaliveMillis + "ms");
    }

    /** The value that applies: the configured one, else the kernel's; -1 where unknown. */
    private long effective(Option option) {
        Integer value = seconds(option);
        if (value != null) {
            return value;
        }
        String kernel = KernelDefaults.read(option);
        try {
            return kernel == null ? -1 : Long.parseLong(kernel);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One message for each invalid input, naming the input, the value and what is valid. */
    List<String> problems() {
        return problems;
    }

    /** What is applied, e.g. "SO_KEEPALIVE on, idle=60s (KEEPIDLE), interval=75s (kernel default), ...". */
    String describe() {
        StringBuilder text = new StringBuilder("SO_KEEPALIVE on");
        for (Option option : new Option[] {Option.IDLE, Option.INTERVAL, Option.COUNT}) {
            Integer value = seconds(option);
            String unit = option == Option.COUNT ? "" : "s";
            text.append(", ").append(option.argName).append('=');
            if (value != null) {
                text.append(value).append(unit).append(" (").append(source(option)).append(')');
            } else {
                String kernel = KernelDefaults.read(option);
                text.append(kernel == null ? "unchanged" : kernel + unit).append(" (kernel default)");
            }
        }
        if (force()) {
            text.append(", force=true (").append(source(Option.FORCE)).append("): setKeepAlive(false) is ignored");
        }
        if (userTimeout() != null) {
            text.append(", user_timeout=").append(userTimeout()).append("ms (").append(source(Option.USER_TIMEOUT))
                    .append(')');
        }
        return text.toString();
    }
}
