package io.github.keepaliveagent.launcher;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which JVMs get the agent, decided in premain before any other class of the agent is defined: on a
 * host where every JVM loads the agent (JAVA_TOOL_OPTIONS), the JDK's own tools, {@code java -version}
 * and the agent's own command line get nothing, and the operator can choose programs by main class,
 * jar file name or main module ({@code include} / {@code exclude}, globs separated by ':').
 *
 * <p>What a JVM runs is read from what its launcher recorded: {@code sun.java.command} (the main class,
 * {@code module/class}, or the jar given to {@code -jar}, followed by the program's arguments),
 * {@code jdk.module.main} and {@code java.class.path} (the jar itself with {@code -jar}). Pure: no file
 * is read, nothing is kept.
 */
public final class Selection {

    public static final String INCLUDE = "include";
    public static final String EXCLUDE = "exclude";
    public static final String INCLUDE_ENV = "KEEPALIVE_INCLUDE";
    public static final String EXCLUDE_ENV = "KEEPALIVE_EXCLUDE";
    /** The valid values, as the option table shows them. */
    public static final String VALID = "globs separated by ':' (kafka*.jar:org.apache.zookeeper.*)";

    /**
     * Main classes of the JDK's tools on JDK 8, where they have no module: keytool, jarsigner, javac, jar,
     * jps, jcmd, jstack, jmap, jinfo, jstat, jdb, serialver, rmiregistry, jrunscript, jhsdb...
     */
    private static final String[] JDK8_TOOLS = {"sun.tools.", "com.sun.tools.", "sun.security.tools.",
        "sun.rmi.registry.", "sun.jvm.hotspot.", "jdk.jfr.internal.tool."};
    /** The source-file launcher (java Foo.java): a program, not a tool, named by its source file. */
    private static final String SOURCE_LAUNCHER = "com.sun.tools.javac.launcher.";
    private static final String OWN_MAIN = "io.github.keepaliveagent.launcher.Launcher";

    /** Null when the JVM gets the agent; otherwise why not, for the debug line and status. */
    public final String skipped;
    /** What the JVM runs, as the patterns see it: "main class X", "jar x.jar", "module m". */
    public final String program;
    /**
     * Each invalid include/exclude value, which is then ignored, as {where it came from, the value, why it
     * is not valid}: the agent's settings say it in the words of every other invalid value.
     */
    public final List<String[]> problems;

    private Selection(String skipped, String program, List<String[]> problems) {
        this.skipped = skipped;
        this.program = program;
        this.problems = problems;
    }

    /**
     * @param agentArgs the -javaagent arguments (name=value pairs), may be null
     * @param env the environment
     * @param command {@code sun.java.command}
     * @param mainModule {@code jdk.module.main}
     * @param classPath {@code java.class.path}
     * @param ownJar the agent's own jar, or null
     */
    public static Selection decide(String agentArgs, Map<String, String> env, String command, String mainModule,
            String classPath, File ownJar) {
        List<String[]> problems = new ArrayList<>(0);
        String[] include = patterns(INCLUDE, INCLUDE_ENV, agentArgs, env, problems);
        String[] exclude = patterns(EXCLUDE, EXCLUDE_ENV, agentArgs, env, problems);
        problems = problems.isEmpty() ? Collections.<String[]>emptyList() : Collections.unmodifiableList(problems);
        if (command == null || command.trim().isEmpty()) {
            return new Selection("no program: the JVM runs no main class (java -version and the like)", "none",
                    problems);
        }
        String[] names = names(command, mainModule, classPath); // main class, jar or source file, module
        String program = describe(names);
        if (OWN_MAIN.equals(names[0]) || names[1] != null && sameFile(classPath, ownJar)) {
            return new Selection("the agent's own command line", program, problems);
        }
        String match = firstMatch(exclude, names);
        if (match != null) {
            return new Selection("excluded by " + source(EXCLUDE, EXCLUDE_ENV, agentArgs) + " pattern \"" + match
                    + "\"", program, problems);
        }
        if (include != null) {
            return firstMatch(include, names) != null ? new Selection(null, program, problems)
                    : new Selection("not included by " + source(INCLUDE, INCLUDE_ENV, agentArgs), program, problems);
        }
        if (isJdkTool(names)) {
            return new Selection("a JDK tool (" + program + "); include it by name to give it the agent", program,
                    problems);
        }
        return new Selection(null, program, problems);
    }

    /** The JVM as the JDK launcher recorded it, from the system properties. */
    public static Selection decide(String agentArgs, Map<String, String> env, File ownJar) {
        return decide(agentArgs, env, System.getProperty("sun.java.command"), System.getProperty("jdk.module.main"),
                System.getProperty("java.class.path"), ownJar);
    }

    /** {main class, jar or source file name, main module}, each null where the JVM has none. */
    private static String[] names(String command, String mainModule, String classPath) {
        String first = command.trim();
        int space = first.indexOf(' ');
        String[] names = new String[3];
        boolean jarMode = classPath != null && classPath.toLowerCase(Locale.ROOT).endsWith(".jar")
                && command.startsWith(classPath)
                && (command.length() == classPath.length() || command.charAt(classPath.length()) == ' ');
        if (jarMode) {
            names[1] = new File(classPath).getName(); // java -jar: the jar's file name (its path may hold spaces)
            return names;
        }
        String main = space < 0 ? first : first.substring(0, space);
        int slash = main.indexOf('/');
        if (slash >= 0) { // module/class: java -m, a JDK tool, or the source-file launcher
            names[2] = mainModule != null ? mainModule : main.substring(0, slash);
            main = main.substring(slash + 1);
        }
        names[0] = main;
        if (main.startsWith(SOURCE_LAUNCHER) && mainModule == null) {
            String rest = space < 0 ? "" : first.substring(space + 1).trim();
            int end = rest.indexOf(' ');
            names[0] = null;
            names[1] = new File(end < 0 ? rest : rest.substring(0, end)).getName(); // java Foo.java: Foo.java
            names[2] = null;
        }
        return names;
    }

    private static String describe(String[] names) {
        StringBuilder text = new StringBuilder();
        if (names[0] != null) {
            text.append("main class ").append(names[0]);
        }
        if (names[1] != null) {
            text.append(text.length() == 0 ? "" : ", ").append(names[1].endsWith(".java") ? "source file " : "jar ")
                    .append(names[1]);
        }
        if (names[2] != null) {
            text.append(text.length() == 0 ? "" : ", ").append("module ").append(names[2]);
        }
        return text.toString();
    }

    private static boolean isJdkTool(String[] names) {
        if (names[2] != null) {
            return names[2].startsWith("java.") || names[2].startsWith("jdk."); // the JDK's own modules
        }
        if (names[0] == null || names[1] != null) {
            return false;
        }
        for (String prefix : JDK8_TOOLS) {
            if (names[0].startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameFile(String classPath, File ownJar) {
        if (ownJar == null) {
            return false;
        }
        File main = new File(classPath).getAbsoluteFile();
        if (main.equals(ownJar.getAbsoluteFile())) {
            return true;
        }
        try {
            return main.getCanonicalFile().equals(ownJar.getCanonicalFile());
        } catch (java.io.IOException | SecurityException e) {
            return false;
        }
    }

    private static String firstMatch(String[] patterns, String[] names) {
        if (patterns == null) {
            return null;
        }
        for (String pattern : patterns) {
            for (String name : names) {
                if (name != null && glob(pattern, name)) {
                    return pattern;
                }
            }
        }
        return null;
    }

    /** '*' any run of characters (dots included), '?' one character, the rest literally; linear, no recursion. */
    static boolean glob(String pattern, String name) {
        int p = 0;
        int n = 0;
        int star = -1;
        int resume = 0;
        while (n < name.length()) {
            char c = p < pattern.length() ? pattern.charAt(p) : 0;
            if (p < pattern.length() && (c == '?' || c == name.charAt(n)) && c != '*') {
                p++;
                n++;
            } else if (c == '*') {
                star = p++;
                resume = n;
            } else if (star >= 0) {
                p = star + 1;
                n = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    /** The value of include or exclude (agent argument over environment), parsed; null when unset or invalid. */
    private static String[] patterns(String arg, String envName, String agentArgs, Map<String, String> env,
            List<String[]> problems) {
        String value = argument(agentArgs, arg);
        String source = "agent argument " + arg;
        if (value == null) {
            value = env.get(envName);
            source = envName;
        } else if (value.isEmpty() && repeated(agentArgs, arg)) {
            return null; // given twice: the agent's grammar check reports it, the default stays
        }
        if (value == null) {
            return null;
        }
        String problem = check(value);
        if (problem != null) {
            problems.add(new String[] {source, value, problem});
            return null;
        }
        return value.split(":", -1);
    }

    /** Why a list of patterns is not valid, or null. */
    static String check(String value) {
        if (value.isEmpty()) {
            return "expected " + VALID;
        }
        String[] entries = value.split(":", -1);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i];
            String where = entries.length == 1 ? "the pattern " : "entry " + (i + 1) + " of " + entries.length + " ";
            if (entry.isEmpty()) {
                return where + "is empty (a stray ':'); expected " + VALID;
            }
            for (int c = 0; c < entry.length(); c++) {
                char ch = entry.charAt(c);
                if (Character.isWhitespace(ch) || Character.isISOControl(ch) || Character.isSpaceChar(ch)) {
                    return where + "holds a space or a control character; expected " + VALID;
                }
                if (ch == '/' || ch == '\\') {
                    return where + "holds '" + ch + "': a pattern matches a main class, a jar's file name (without"
                            + " its directory) or a module name, never a path";
                }
            }
        }
        return null;
    }

    /** Where the value came from, as messages name it. */
    private static String source(String arg, String envName, String agentArgs) {
        return argument(agentArgs, arg) != null ? "agent argument " + arg : envName;
    }

    /** The value of name=... among the agent arguments; "" when the name is given more than once. */
    static String argument(String agentArgs, String name) {
        if (agentArgs == null || agentArgs.isEmpty()) {
            return null;
        }
        String found = null;
        for (String pair : agentArgs.split(",", -1)) {
            if (pair.startsWith(name) && pair.length() > name.length() && pair.charAt(name.length()) == '=') {
                if (found != null) {
                    return "";
                }
                found = pair.substring(name.length() + 1);
            }
        }
        return found;
    }

    private static boolean repeated(String agentArgs, String name) {
        int count = 0;
        for (String pair : agentArgs.split(",", -1)) {
            if (pair.startsWith(name + "=")) {
                count++;
            }
        }
        return count > 1;
    }
}
