package io.github.keepaliveagent.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs a real JVM with or without the agent jar, with a bounded wait, and captures what it printed.
 * Public so that the network lab ({@code it.lab}) can start the same JVMs inside namespaces.
 *
 * <p>The one launcher of the tests: {@code it.thirdparty.Program} and the Kafka example build their
 * commands and environments here. A forked JVM never inherits the machine's agent settings: see
 * {@link #isScrubbed(String)}.
 */
public final class ForkedJvm {

    /** The project's version, as the agent says it ("keepalive-agent 1.1.0"): from the pom, one place. */
    public static final String VERSION = System.getProperty("project.version");

    public static final Path AGENT_JAR = Paths.get(System.getProperty("agent.jar")).toAbsolutePath().normalize();
    public static final String EXAMPLES_JAR = Paths.get(System.getProperty("examples.jar")).toAbsolutePath().toString();

    /** Variables the rule of {@link #isScrubbed(String)} names besides every KEEP* one. */
    public static final List<String> SCRUBBED = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS",
            "LD_PRELOAD", "KAFKA_OPTS");

    /**
     * Whether a variable of the machine's environment is kept from every forked program: each one
     * starting with KEEP (the agent's KEEPIDLE..., KEEPALIVE_*, and any it may add later), and those that
     * put options or libraries into a JVM behind the test's back ({@link #SCRUBBED}). The test sets
     * what it wants explicitly.
     */
    public static boolean isScrubbed(String name) {
        return name.startsWith("KEEP") || SCRUBBED.contains(name);
    }

    /** Removes the {@linkplain #isScrubbed(String) scrubbed} variables from a process's environment. */
    public static void scrubEnvironment(Map<String, String> environment) {
        environment.keySet().removeIf(ForkedJvm::isScrubbed);
    }

    /** The JDK the tests run on (17) and the second one, JDK 25 ({@code -Djdk25.home}, from JDK25_HOME). */
    public static Stream<String> jdks() {
        return Stream.of(System.getProperty("java.home"), jdk25());
    }

    /**
     * The second JDK's home ({@code -Djdk25.home}; the parent pom takes it from JDK25_HOME, default
     * Temurin's path). Not checked here: a test forking it is skipped when it is missing (failed with
     * CI=true), see {@link #requireJdk(String)}.
     */
    public static String jdk25() {
        return System.getProperty("jdk25.home");
    }

    /**
     * A JDK home with a java launcher, or the test is skipped with the reason; with CI=true a missing
     * JDK fails the test (CI's machine has it: scripts/prereq/10-base.sh).
     */
    public static String requireJdk(String javaHome) {
        if (javaHome != null && Files.isExecutable(Paths.get(javaHome, "bin", "java"))) {
            return javaHome;
        }
        String why = "no JDK at " + javaHome + " (set JDK25_HOME to a JDK 25; Debian 12 packages none, see"
                + " scripts/prereq/10-base.sh)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true, so this JDK must be installed: " + why);
        }
        Assumptions.abort(why);
        return javaHome;
    }

    public static String javaAgent() {
        return "-javaagent:" + AGENT_JAR;
    }

    private final String javaHome;
    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();

    /** A JVM of {@code javaHome}; skipped (or failed with CI=true) when no java launcher is there. */
    public ForkedJvm(String javaHome) {
        this.javaHome = requireJdk(javaHome);
    }

    public ForkedJvm jvmArgs(String... args) {
        jvmArgs.addAll(Arrays.asList(args));
        return this;
    }

    public ForkedJvm withAgent() {
        return jvmArgs(javaAgent());
    }

    public ForkedJvm env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** The keepalive values most tests ask for. */
    ForkedJvm keepalive60x10x5() {
        return env("KEEPIDLE", "60").env("KEEPINTVL", "10").env("KEEPCNT", "5");
    }

    public List<String> command(String mainClass, String classpath, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(javaHome, "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** A process of {@code command} with the machine's environment, scrubbed, plus this JVM's variables. */
    public ProcessBuilder builder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        // The tests decide the agent's environment; the machine's must not leak in.
        scrubEnvironment(builder.environment());
        env.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        return builder;
    }

    Result runExample(String mainClass, String... args) throws IOException, InterruptedException {
        return run(command(mainClass, EXAMPLES_JAR, args));
    }

    public Result run(List<String> command) throws IOException, InterruptedException {
        File out = File.createTempFile("forked-jvm", ".out");
        File err = File.createTempFile("forked-jvm", ".err");
        try {
            Process process = builder(command).redirectOutput(out).redirectError(err).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("timed out after 60 s: " + command);
            }
            return new Result(process.exitValue(), read(out), read(err));
        } finally {
            out.delete();
            err.delete();
        }
    }

    private static String read(File file) throws IOException {
        return new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
    }

    public static final class Result {
        public final int exitCode;
        public final String out;
        public final String err;

        Result(int exitCode, String out, String err) {
            this.exitCode = exitCode;
            this.out = out;
            this.err = err;
        }

        /** The line of the program's output that starts with the given socket kind. */
        String line(String kind) {
            for (String line : out.split("\n")) {
                if (line.startsWith(kind + " ")) {
                    return line.substring(kind.length() + 1);
                }
            }
            throw new AssertionError("no line for " + kind + " in:\n" + this);
        }

        /** The agent's own lines on stderr. */
        List<String> agentLines() {
            List<String> lines = new ArrayList<>();
            for (String line : err.split("\n")) {
                if (line.startsWith("keepalive-agent ")) {
                    lines.add(line);
                }
            }
            return lines;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
