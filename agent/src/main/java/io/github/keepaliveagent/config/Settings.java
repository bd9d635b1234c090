package io.github.keepaliveagent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's settings: resolved and validated once, then never changed. Agent arguments win over
 * the environment; an invalid value is reported in {@link #problems()} and that option keeps its
 * default, so the other options still apply.
 *
 * <p>The grammar, stated in README and {@code --help}: agent arguments are {@code name=value} pairs
 * separated by commas, with no spaces; names are lower case; each name at most once; words in
 * values ({@code off}, {@code DEBUG}) are matched ignoring case; numbers are decimal digits; user_timeout
 * is a duration with its unit ({@code 120s}, {@code 2m}, {@code 90000ms}; bare: milliseconds). An empty
 * pair, an unknown or repeated name, or any whitespace in a value is an error naming the input.
 */
public final class Settings {

    /** What becomes of a program's own keepalive choices. */
    public enum Force {
        /** The program cannot switch keepalive off; its own idle/interval/count/user timeout win. */
        KEEPALIVE,
        /** Also the program's own idle/interval/count/user timeout are replaced by the configured ones. */
        ALL,
        /** libkeepalive's rule: whatever the program sets afterwards wins. */
        OFF
    }

    /** Longest echo of a value in a message: a 10,000-character value does not make a 10,000-character line. */
    private static final int ECHO_LIMIT = 60;

    private final Map<Option, Object> values;
    private final Map<Option, String> sources;
    private final List<String> problems;
    private final List<String> notes;
    /** user_timeout=auto: the value in {@link #values} was derived from idle, interval and count. */
    private boolean userTimeoutAuto;
    /** The global values as one {@link Values}, and the rules: set once {@link #resolve} has checked everything. */
    private Values globals;
    /** Null without rules: then nothing of Rules is loaded (start-up path). */
    private Rules rules;

    private Settings(Map<Option, Object> values, Map<Option, String> sources, List<String> problems,
            List<String> notes) {
        this.values = values;
        this.sources = sources;
        this.problems = Collections.unmodifiableList(problems);
        this.notes = Collections.unmodifiableList(notes);
    }

    /**
     * @param agentArgs the text after {@code -javaagent:keepalive-agent.jar=}, may be null
     * @param env the environment (empty for attach: only the arguments count there)
     * @param attach whether this is for {@code attach} (then attach-only options are expected)
     */
    public static Settings resolve(String agentArgs, Map<String, String> env, boolean attach) {
        return resolve(agentArgs, env, attach, Collections.<String[]>emptyList());
    }

    /**
     * @param launchProblems what the launcher found wrong with include/exclude, each {source, value, why}
     */
    public static Settings resolve(String agentArgs, Map<String, String> env, boolean attach,
            List<String[]> launchProblems) {
        Map<Option, Object> values = new EnumMap<>(Option.class);
        Map<Option, String> sources = new EnumMap<>(Option.class);
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<Option, String> args = parseArgs(agentArgs, problems, attach);
        for (Option option : Option.values()) {
            String raw;
            String source;
            if (args.containsKey(option)) {
                raw = args.get(option);
                source = "agent argument " + option.argName;
                if (raw == null) {
                    continue; // repeated: reported by parseArgs, the default stays
                }
                if (option.attachOnly() && !attach) {
                    notes.add(source + " means something only for attach: ignored at start-up");
                    continue;
                }
                if (option.checkedAtLaunch() && attach) {
                    notes.add(source + " chooses programs at start-up: attach is given to one process, ignored");
                    continue;
                }
            } else if (option.envName != null && env.containsKey(option.envName)) {
                raw = env.get(option.envName);
                source = option.envName;
            } else {
                continue;
            }
            if (option.checkedAtLaunch()) {
                String problem = launchProblem(launchProblems, source);
                if (problem == null) {
                    values.put(option, raw);
                    sources.put(option, source);
                } else {
                    problems.add(source + "=" + quote(raw) + " is not valid: " + problem + "; it is ignored and "
                            + option.argName + " stays " + option.defaultText);
                }
                continue;
            }
            try {
                if (hasWhitespace(raw)) {
                    throw new IllegalArgumentException("no spaces, tabs or line breaks are allowed");
                }
                if (option == Option.RULES) {
                    List<String> ruleProblems = new ArrayList<>();
                    Rules parsed = Rules.parse(source, raw, ruleProblems);
                    for (String problem : ruleProblems) {
                        problems.add(problem + (attach ? "" : RULES_IGNORED));
                    }
                    if (parsed != null) {
                        values.put(option, parsed);
                        sources.put(option, source);
                    }
                    continue;
                }
                values.put(option, option.parse(raw));
                sources.put(option, source);
            } catch (IllegalArgumentException e) {
                problems.add(source + "=" + quote(raw) + " is not valid: " + e.getMessage()
                        + (attach ? "" : "; it is ignored and " + option.argName + " stays " + option.defaultText));
            }
        }
        Settings settings = new Settings(values, sources, problems, notes);
        settings.resolveAutoUserTimeout(problems, attach);
        settings.checkUserTimeout(problems, attach);
        settings.globals = new Values(settings.intValue(Option.IDLE), settings.intValue(Option.INTERVAL),
                settings.intValue(Option.COUNT), settings.intValue(Option.USER_TIMEOUT), false);
        settings.resolveRules(problems, attach);
        return settings;
    }

    /** The launcher's reason against the value from {@code source}, or null. */
    private static String launchProblem(List<String[]> launchProblems, String source) {
        for (String[] problem : launchProblems) {
            if (problem[0].equals(source)) {
                return problem[2];
            }
        }
        return null;
    }

    /** Appended to each problem of the rules at start-up: one bad rule and none applies. */
    private static final String RULES_IGNORED = "; no rule is applied: every connection gets the global values";

    private int intValue(Option socketOption) {
        Integer value = value(socketOption);
        return value == null ? Values.UNSET : value;
    }

    /** user_timeout=auto: idle + interval x count of the global values (the kernel's where unset). */
    private void resolveAutoUserTimeout(List<String> problems, boolean attach) {
        if (!"auto".equals(values.get(Option.USER_TIMEOUT))) {
            return;
        }
        long idle = effective(Option.IDLE);
        long interval = effective(Option.INTERVAL);
        long count = effective(Option.COUNT);
        if (idle < 0 || interval < 0 || count < 0) {
            problems.add(source(Option.USER_TIMEOUT) + "=auto is not valid here: the kernel's keepalive values are"
                    + " unknown (not Linux?), so idle + interval x count cannot be derived; give idle, interval and count"
                    + (attach ? "" : "; it is ignored and user_timeout stays off"));
            values.remove(Option.USER_TIMEOUT);
            sources.remove(Option.USER_TIMEOUT);
            return;
        }
        values.put(Option.USER_TIMEOUT, Rules.autoUserTimeout(1000 * (idle + interval * count)));
        userTimeoutAuto = true;
    }

    /** Each rule's values, the global ones filled in; a problem in any rule and no rule applies. */
    private void resolveRules(List<String> problems, boolean attach) {
        if (!values.containsKey(Option.RULES)) {
            return;
        }
        Rules parsed = (Rules) values.get(Option.RULES);
        List<String> ruleProblems = new ArrayList<>();
        parsed.resolve(source(Option.RULES), this, ruleProblems);
        for (String problem : ruleProblems) {
            problems.add(problem + (attach ? "" : RULES_IGNORED));
        }
        if (ruleProblems.isEmpty()) {
            rules = parsed;
        } else {
            values.remove(Option.RULES);
            sources.remove(Option.RULES);
        }
    }

    private static Map<Option, String> parseArgs(String agentArgs, List<String> problems, boolean attach) {
        Map<Option, String> args = new LinkedHashMap<>();
        if (agentArgs == null || agentArgs.isEmpty()) {
            return args;
        }
        String[] pairs = agentArgs.split(",", -1);
        for (int i = 0; i < pairs.length; i++) {
            String pair = pairs[i];
            int equals = pair.indexOf('=');
            Option option = equals < 0 ? null : Option.byArgName(pair.substring(0, equals));
            if (pair.isEmpty()) {
                problems.add("agent arguments " + quote(agentArgs) + ": entry " + (i + 1) + " of " + pairs.length
                        + " is empty (a stray comma)");
            } else if (option == null) {
                problems.add("agent argument " + quote(pair) + " is not valid: expected name=value with a name from "
                        + Option.argNames() + " (lower case)" + (attach ? "" : "; it is ignored"));
            } else if (args.containsKey(option)) {
                String first = args.get(option);
                problems.add("agent argument " + option.argName + " is given more than once ("
                        + (first == null ? "" : quote(first) + ", ") + quote(pair.substring(equals + 1))
                        + ")" + (attach ? "" : "; it is ignored and " + option.argName + " stays " + option.defaultText));
                args.put(option, null);
            } else {
                args.put(option, pair.substring(equals + 1));
            }
        }
        return args;
    }

    private static boolean hasWhitespace(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isWhitespace(value.charAt(i)) || Character.isSpaceChar(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A value as it may be echoed into a log line: quoted, control characters escaped (a newline in a
     * value cannot forge a second line, an escape sequence cannot reach the terminal), and cut short.
     */
    public static String quote(String value) {
        StringBuilder text = new StringBuilder("\"");
        int shown = Math.min(value.length(), ECHO_LIMIT);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                text.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                text.append(String.format("\\u%04x", (int) c));
            } else {
                text.append(c);
            }
        }
        text.append('"');
        if (value.length() > shown) {
            text.append(" (cut: ").append(value.length()).append(" characters)");
        }
        return text.toString();
    }

    public boolean enabled() {
        return !"off".equals(values.get(Option.KEEPALIVE));
    }

    public boolean strict() {
        return "true".equals(values.get(Option.STRICT));
    }

    public String logLevel() {
        Object level = values.get(Option.LOG);
        return level == null ? "info" : (String) level;
    }

    public Force force() {
        Object force = values.get(Option.FORCE);
        // Not Force.valueOf: Enum.valueOf reflects on the enum (method handles spun at start-up on JDK 18+).
        return "all".equals(force) ? Force.ALL : "off".equals(force) ? Force.OFF : Force.KEEPALIVE;
    }

    /** Seconds between scans for sockets no hook configured, or 0 for none. */
    public int scanSeconds() {
        Object scan = values.get(Option.SCAN);
        if (scan == null) {
            return 60;
        }
        return scan instanceof Integer ? (Integer) scan : 0;
    }

    /** For attach: configure the connections already open too. */
    public boolean retrofit() {
        return !"false".equals(values.get(Option.RETROFIT));
    }

    /**
     * The configured value of a socket option (idle, interval, count in seconds or probes,
     * user_timeout in milliseconds), or null: the kernel's value stays.
     */
    public Integer value(Option socketOption) {
        Object value = values.get(socketOption);
        return socketOption.kernel == null || !(value instanceof Integer) ? null : (Integer) value;
    }

    /** The global values: what a connection no rule matches gets. */
    public Values values() {
        return globals;
    }

    /** The connection rules; {@link Rules#NONE} when none is set (or one was invalid). */
    public Rules rules() {
        return rules == null ? Rules.NONE : rules;
    }

    /** Whether there are connection rules (a question that loads nothing of them). */
    public boolean hasRules() {
        return rules != null;
    }

    /** Whether user_timeout is auto (its value derived from idle, interval and count). */
    public boolean userTimeoutAuto() {
        return userTimeoutAuto;
    }

    /** A value as it was given (include, exclude), or null when unset or invalid. */
    public String text(Option option) {
        Object value = values.get(option);
        return value instanceof String ? (String) value : null;
    }

    /** Where an option's value came from: "KEEPIDLE", "agent argument idle", or null for the default. */
    public String source(Option option) {
        return sources.get(option);
    }

    /** One message for each invalid input, naming the input, the value and what is valid. */
    public List<String> problems() {
        return problems;
    }

    /** Valid settings that deserve a word: they work against each other, or mean nothing here. */
    public List<String> warnings() {
        return notes;
    }

    /**
     * TCP_USER_TIMEOUT also bounds keepalive (tcp(7)): below idle + interval x count it drops an idle
     * connection after the first unanswered probe, which keepalive alone would survive. The kernel's
     * values count where none is set. Such a value is a problem: it is not applied.
     */
    private void checkUserTimeout(List<String> problems, boolean attach) {
        Integer timeout = value(Option.USER_TIMEOUT);
        if (timeout == null || userTimeoutAuto) {
            return; // auto is at least idle + interval x count by construction
        }
        long idle = effective(Option.IDLE);
        long interval = effective(Option.INTERVAL);
        long count = effective(Option.COUNT);
        long keepaliveMillis = 1000 * (idle + interval * count);
        if (idle < 0 || interval < 0 || count < 0 || timeout >= keepaliveMillis) {
            return;
        }
        problems.add(source(Option.USER_TIMEOUT) + "=" + Option.durationText(timeout) + " is not valid: it is"
                + " shorter than idle + interval x count = " + idle + "s + " + interval + "s x " + count + " = "
                + Option.durationText(keepaliveMillis) + " (" + origin() + "), and TCP_USER_TIMEOUT overrides"
                + " keepalive (tcp(7)): an idle connection whose peer misses a single probe would be dropped"
                + " although it is healthy. Use at least " + Option.durationText(keepaliveMillis)
                + ", or shorter idle/interval/count" + (attach ? "" : "; it is ignored and user_timeout stays off"));
        values.remove(Option.USER_TIMEOUT);
        sources.remove(Option.USER_TIMEOUT);
    }

    /** Where idle, interval and count come from, for the message above. */
    private String origin() {
        int configured = 0;
        for (Option option : new Option[] {Option.IDLE, Option.INTERVAL, Option.COUNT}) {
            configured += value(option) == null ? 0 : 1;
        }
        return configured == 3 ? "as configured" : configured == 0 ? "the kernel's defaults"
                : "configured, else the kernel's defaults";
    }

    /** The value that applies: the configured one, else the kernel's; -1 where unknown. */
    long effective(Option option) {
        Integer value = value(option);
        if (value != null) {
            return value;
        }
        String kernel = option.kernelDefault();
        try {
            return kernel == null ? -1 : Long.parseLong(kernel);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** What is applied, e.g. "SO_KEEPALIVE on, idle=60s (KEEPIDLE), interval=75s (kernel default), ...". */
    public String describe() {
        StringBuilder text = new StringBuilder("SO_KEEPALIVE on");
        for (Option option : new Option[] {Option.IDLE, Option.INTERVAL, Option.COUNT}) {
            Integer value = value(option);
            String unit = option == Option.COUNT ? "" : "s";
            text.append(", ").append(option.argName).append('=');
            if (value != null) {
                text.append(value).append(unit).append(" (").append(source(option)).append(')');
            } else {
                String kernel = option.kernelDefault();
                text.append(kernel == null ? "unchanged" : kernel + unit).append(" (kernel default)");
            }
        }
        if (value(Option.USER_TIMEOUT) != null) {
            text.append(", user_timeout=").append(Option.durationText(value(Option.USER_TIMEOUT))).append(" (")
                    .append(userTimeoutAuto ? "auto: idle + interval x count, " : "")
                    .append(source(Option.USER_TIMEOUT)).append(')');
        }
        Force force = force(); // if, not switch: a switch on an enum costs a class of its own
        if (force == Force.ALL) {
            text.append("; force=all (").append(source(Option.FORCE))
                    .append("): the program can neither switch keepalive off nor change these values");
        } else if (force == Force.OFF) {
            text.append("; force=off (").append(source(Option.FORCE)).append("): what the program sets afterwards wins");
        } else {
            text.append("; the program cannot switch keepalive off");
        }
        if (rules != null && !rules.isEmpty()) {
            text.append("; rules (").append(source(Option.RULES)).append("), first match wins: ")
                    .append(rules.describe()).append("; other connections: the values above");
        }
        return text.toString();
    }
}
