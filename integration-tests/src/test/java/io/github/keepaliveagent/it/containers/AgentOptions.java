package io.github.keepaliveagent.it.containers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's environment variables and their valid values, read from the options table in
 * README.md (generated from Option.java, and kept identical to it by the agent's own test), so
 * that the examples are checked against the agent's real names, not against a copy here.
 */
final class AgentOptions {

    /** One table row: | `idle` | `KEEPIDLE` | 1..32767 | kernel default | meaning | */
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z]+)` \\| `([A-Z_]+)` \\| ([^|]+) \\|");
    private static final Pattern RANGE = Pattern.compile("(\\d+)\\.\\.(\\d+)");

    /** Environment variable name to its valid values as written in the table ("1..32767", "on, off"). */
    static Map<String, String> fromReadme() throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String line : Containers.read(Containers.ROOT.resolve("README.md")).split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                options.put(row.group(2), row.group(3).trim());
            }
        }
        assertTrue(options.keySet().containsAll(List.of("KEEPIDLE", "KEEPINTVL", "KEEPCNT")),
                "README.md's options table: " + options);
        return options;
    }

    /** Asserts that every variable is one of the agent's and its value is valid for it. */
    static void assertValid(Map<String, String> env, String where) throws Exception {
        Map<String, String> options = fromReadme();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String valid = options.get(e.getKey());
            assertTrue(valid != null, where + ": " + e.getKey() + " is not one of the agent's variables " + options.keySet());
            Matcher range = RANGE.matcher(valid);
            if (range.matches()) {
                assertTrue(e.getValue().matches("[0-9]+"), where + ": " + e + " is not a whole number");
                long value = Long.parseLong(e.getValue());
                assertTrue(value >= Long.parseLong(range.group(1)) && value <= Long.parseLong(range.group(2)),
                        where + ": " + e + " is outside " + valid);
            } else {
                assertTrue(Arrays.asList(valid.split(",\\s*")).contains(e.getValue()),
                        where + ": " + e + " is not one of " + valid);
            }
        }
    }

    private AgentOptions() {
    }
}
