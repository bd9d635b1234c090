package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.keepaliveagent.it.ForkedJvm;

/**
 * A third-party program in its own JVM, started with or without the agent, that prints
 * {@code ready pid=<pid> [name=value...]} once its connections are up and then holds them for a
 * bounded time. Everything else about it is observed from outside (see {@link Ss}).
 */
final class Program implements AutoCloseable {

    /** The agent's values in every third-party test: distinct from the kernel's 7200/75/9. */
    static final int KEEPIDLE = 60;
    static final int KEEPINTVL = 10;
    static final int KEEPCNT = 5;

    static final Path AGENT_JAR = absolute(System.getProperty("agent.jar"));
    static final Path THIRDPARTY_DIR = absolute(System.getProperty("thirdparty.dir"));
    static final Path TEST_CLASSES = absolute(System.getProperty("test.classes"));
    static final Path REPO_ROOT = absolute(System.getProperty("repo.root"));

    /**
     * Variables of the machine's environment a program never inherits: the test decides them. Kept
     * for callers; the rule applied is {@link ForkedJvm#isScrubbed(String)} (every KEEP* variable
     * too), which covers this list.
     */
    static final List<String> CLEARED_ENVIRONMENT = List.of("KEEPIDLE", "KEEPINTVL", "KEEPCNT", "KEEPALIVE",
            "KEEPALIVE_LOG", "KEEPALIVE_STRICT", "KEEPALIVE_USER_TIMEOUT", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS", "LD_PRELOAD", "KAFKA_OPTS");

    /** How long a driver holds its connections at most, so that no program outlives a broken test. */
    static final String HOLD_SECONDS = "60";

    private static final long READY_TIMEOUT_SECONDS = 60;

    private static Path absolute(String path) {
        return Paths.get(path).toAbsolutePath().normalize();
    }

    /** The driver classes plus target/thirdparty/NAME/*: a program's own classpath, nothing else. */
    static String classpath(String name) {
        Path jars = THIRDPARTY_DIR.resolve(name);
        if (!Files.isDirectory(jars)) {
            throw new AssertionError("no jars for " + name + " at " + jars + " (mvn process-test-classes fills it)");
        }
        return TEST_CLASSES + File.pathSeparator + jars + File.separator + "*";
    }

    /** {@code java [-javaagent:...] -cp <driver classes> mainClass args...}: a program on the JDK alone. */
    static List<String> javaOnJdkOnly(boolean agent, String mainClass, String... args) {
        return command(agent, TEST_CLASSES.toString(), mainClass, args);
    }

    /** {@code java [-javaagent:...] -cp <classpath(name)> mainClass args...} on this JDK. */
    static List<String> java(boolean agent, String name, String mainClass, String... args) {
        return command(agent, classpath(name), mainClass, args);
    }

    private static List<String> command(boolean agent, String classpath, String mainClass, String[] args) {
        ForkedJvm jvm = new ForkedJvm(System.getProperty("java.home"));
        if (agent) {
            jvm.jvmArgs("-javaagent:" + AGENT_JAR);
        }
        return jvm.command(mainClass, classpath, args);
    }

    /** KEEPIDLE/KEEPINTVL/KEEPCNT for a program with the agent. */
    static Map<String, String> keepaliveEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("KEEPIDLE", String.valueOf(KEEPIDLE));
        env.put("KEEPINTVL", String.valueOf(KEEPINTVL));
        env.put("KEEPCNT", String.valueOf(KEEPCNT));
        return env;
    }

    /** The agent through JAVA_TOOL_OPTIONS, the way to reach a JVM whose command line one cannot edit. */
    static Map<String, String> keepaliveEnvWithToolOptions() {
        Map<String, String> env = keepaliveEnv();
        env.put("JAVA_TOOL_OPTIONS", "-javaagent:" + AGENT_JAR);
        return env;
    }

    private final List<String> command;
    private final Process process;
    private final File stdoutFile;
    private final File stderrFile;
    private final Thread reader;
    private final List<String> lines = new ArrayList<>();
    private Map<String, String> ready;

    private Program(List<String> command, Map<String, String> env, Path directory) throws IOException {
        this.command = command;
        // The test decides the agent's environment; the machine's must not leak in (ForkedJvm's rule).
        ProcessBuilder builder = environment(new ProcessBuilder(command).directory(directory.toFile()), env);
        stdoutFile = File.createTempFile("thirdparty", ".out");
        stderrFile = File.createTempFile("thirdparty", ".err");
        process = builder.redirectError(stderrFile).start();
        reader = new Thread(this::copyStdout, "stdout of " + command.get(command.size() - 1));
        reader.setDaemon(true);
        reader.start();
    }

    /** The machine's environment, {@linkplain ForkedJvm#scrubEnvironment scrubbed}, plus {@code env}. */
    static ProcessBuilder environment(ProcessBuilder builder, Map<String, String> env) {
        ForkedJvm.scrubEnvironment(builder.environment());
        builder.environment().putAll(env);
        return builder;
    }

    static Program start(List<String> command, Map<String, String> env) throws IOException {
        return new Program(command, env, REPO_ROOT);
    }

    static Program start(List<String> command, Map<String, String> env, Path directory) throws IOException {
        return new Program(command, env, directory);
    }

    private void copyStdout() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
                Files.writeString(stdoutFile.toPath(), line + "\n", StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /**
     * Waits (bounded) for the program's {@code ready pid=...} line and returns its fields. The pid
     * it prints must be the process this test started: ss is filtered by it.
     */
    Map<String, String> awaitReady() throws InterruptedException {
        if (ready != null) {
            return ready;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    String line = lines.get(seen);
                    if (line.startsWith("ready ")) {
                        ready = new LinkedHashMap<>();
                        for (String field : line.substring("ready ".length()).trim().split("\\s+")) {
                            int equals = field.indexOf('=');
                            ready.put(field.substring(0, equals), field.substring(equals + 1));
                        }
                        assertEquals(String.valueOf(process.pid()), ready.get("pid"), "the ready line's pid");
                        return ready;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && seen == lines.size())) {
                    throw new AssertionError((process.isAlive() ? "not ready after " + READY_TIMEOUT_SECONDS + " s"
                            : "ended before it was ready") + ": " + this);
                }
                lines.wait(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 500));
            }
        }
    }

    long pid() {
        return process.pid();
    }

    int port(String field) throws InterruptedException {
        return Integer.parseInt(awaitReady().get(field));
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Runs the program to its end (bounded) and returns its exit status. */
    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            close();
            throw new AssertionError("did not end within " + seconds + " s: " + this);
        }
        reader.join(5000);
        return process.exitValue();
    }

    /** What it printed so far, for assertion messages. */
    String output() {
        try {
            return "--- stdout\n" + Files.readString(stdoutFile.toPath()) + "--- stderr\n"
                    + Files.readString(stderrFile.toPath());
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    /** Ends the program (SIGTERM, then SIGKILL after 15 s) and deletes the captured output. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(5000);
        stdoutFile.delete();
        stderrFile.delete();
    }

    @Override
    public String toString() {
        return String.join(" ", command) + "\n" + output();
    }
}
