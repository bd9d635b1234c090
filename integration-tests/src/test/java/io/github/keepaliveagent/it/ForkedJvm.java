package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * Runs a real JVM with or without the agent jar, with a bounded wait, and captures what it printed.
 * Public so that the network lab ({@code it.lab}) can start the same JVMs inside namespaces.
 */
public final class ForkedJvm {

    public static final Path AGENT_JAR = Paths.get(System.getProperty("agent.jar")).toAbsolutePath().normalize();
    public static final String EXAMPLES_JAR = Paths.get(System.getProperty("examples.jar")).toAbsolutePath().toString();

    /** The JDKs every machine here has: the default 17 and Temurin 25. */
    public static Stream<String> jdks() {
        String jdk25 = System.getProperty("jdk25.home");
        assertTrue(Files.isExecutable(Paths.get(jdk25, "bin", "java")), "JDK 25 expected at " + jdk25);
        return Stream.of(System.getProperty("java.home"), jdk25);
    }

    public static String javaAgent() {
        return "-javaagent:" + AGENT_JAR;
    }

    private final String javaHome;
    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();

    public ForkedJvm(String javaHome) {
        this.javaHome = javaHome;
        // The tests decide the agent's environment; the machine's must not leak in.
        for (String name : new String[] {"KEEPIDLE", "KEEPINTVL", "KEEPCNT", "KEEPALIVE", "KEEPALIVE_LOG",
                "KEEPALIVE_STRICT", "JAVA_TOOL_OPTIONS", "LD_PRELOAD"}) {
            env.put(name, null);
        }
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

    public ProcessBuilder builder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
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
