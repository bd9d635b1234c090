package io.github.keepaliveagent.config;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What premain does with the settings, before anything else of the agent is loaded: parse and validate
 * them, say what is wrong and what will be applied, and stop the JVM in strict mode. Called by the
 * launcher; the rest of the agent is installed when the first socket class loads.
 *
 * <p>It prints directly: at premain no program code has run, so System.err is the JDK's own stream.
 */
public final class Startup implements Function<Object[], Object[]> {

    /** Every line the agent prints starts with it. */
    public static final String PREFIX = "keepalive-agent ";
    /** Exit status when strict mode finds an invalid value (sysexits' EX_CONFIG). */
    public static final int EXIT_CONFIG = 78;

    /**
     * The launcher calls the door through a JDK interface: a reflective call spins method handles on JDK 18+
     * (~10 ms measured here on JDK 25); a constructor and an interface call spin nothing.
     *
     * @param in {agent arguments, the environment, the launcher's findings against include/exclude (each
     *        {source, value, why}), the version text, what the JVM runs as the launcher's selection saw it,
     *        the first copy's settings when this is a second -javaagent of the jar (else null)}
     * @return {the Settings, the scan period in seconds (0: none), the settings as the start-up line says
     *         them}, or null when the agent is off (or this is a second copy)
     */
    @Override
    @SuppressWarnings("unchecked")
    public Object[] apply(Object[] in) {
        if (in[5] != null) {
            secondCopy((String) in[0], (Map<String, String>) in[1], (String) in[5]);
            return null;
        }
        return premain((String) in[0], (Map<String, String>) in[1], (List<String[]>) in[2], (String) in[3],
                (String) in[4]);
    }

    /** A second -javaagent of the jar: it changes nothing (not even strict mode), and warns when it differs. */
    private static void secondCopy(String agentArgs, Map<String, String> env, String first) {
        Settings settings = Settings.resolve(agentArgs, env, false);
        if (settings.enabled() && !first.isEmpty() && !first.equals(settings.describe())
                && level(settings.logLevel()) <= WARN) {
            print("WARN", "the agent was given twice (-javaagent); the first one's settings stay (" + first
                    + "), this one's are ignored (" + settings.describe() + ")");
        }
    }

    static Object[] premain(String agentArgs, Map<String, String> env, List<String[]> launchProblems,
            String version, String program) {
        Settings settings = Settings.resolve(agentArgs, env, false, launchProblems);
        for (String problem : settings.problems()) {
            print("ERROR", problem); // whatever the log level: an invalid value is never silent
        }
        if (settings.strict() && !settings.problems().isEmpty()) {
            print("ERROR", "strict mode: stopping the JVM because of the invalid value(s) above");
            System.exit(EXIT_CONFIG);
        }
        int level = level(settings.logLevel());
        if (level <= WARN) {
            for (String warning : settings.warnings()) {
                print("WARN", warning);
            }
        }
        if (!settings.enabled()) {
            if (level <= INFO) {
                print("INFO", version + " is off (" + settings.source(Option.KEEPALIVE) + "): no socket is changed");
            }
            return null;
        }
        if (level <= DEBUG) {
            print("DEBUG", "this JVM gets the agent (" + program + "); it is installed when the first socket class"
                    + " loads");
        }
        String description = settings.describe();
        if (level <= INFO) {
            print("INFO", version + ": " + description);
        }
        return new Object[] {settings, Integer.valueOf(settings.scanSeconds()), description};
    }

    private static void print(String level, String message) {
        System.err.println(PREFIX + level + ": " + message);
    }

    /** The log levels by rank, as {@link Option#LOG} names them. */
    public static final int DEBUG = 0;
    public static final int INFO = 1;
    public static final int WARN = 2;
    public static final int ERROR = 3;
    private static final String[] LEVELS = {"debug", "info", "warn", "error", "off"};

    /** The rank of a level's name (info when unknown). */
    public static int level(String name) {
        for (int i = 0; i < LEVELS.length; i++) {
            if (LEVELS[i].equals(name)) {
                return i;
            }
        }
        return INFO;
    }
}
