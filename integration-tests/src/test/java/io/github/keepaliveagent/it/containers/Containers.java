package io.github.keepaliveagent.it.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import io.github.keepaliveagent.it.SsLine;

/**
 * What the container tests share: the locally built image (scripts/build-test-images), where the
 * agent and the example program go in a container, and the rule for a machine without Docker.
 *
 * <p>No image is ever pulled: every image is built on this machine, and Testcontainers' own helper
 * image (Ryuk) is turned off. Containers run with network mode {@code none}: the program's traffic
 * stays on the container's own loopback, and the host never connects to a container address.
 */
final class Containers {

    /** The image with OpenJDK 8, 11, 17, 21, 25, 26, 27 and iproute2; the same variable names it in scripts/build-test-images. */
    static final String IMAGE = env("KEEPALIVE_TEST_IMAGE", "keepalive-agent-jdks:local");
    /** The same list as {@code jdks=} in scripts/build-test-images (26 and 27 need glibc 2.38+: image only). */
    static final int[] JDKS = {8, 11, 17, 21, 25, 26, 27};

    static final Path AGENT_JAR = Paths.get(System.getProperty("agent.jar")).toAbsolutePath().normalize();
    static final Path EXAMPLES_JAR = Paths.get(System.getProperty("examples.jar")).toAbsolutePath().normalize();
    /** The project's root directory (README.md, examples/). */
    static final Path ROOT = AGENT_JAR.getParent().getParent().getParent();

    /** Where the tests put the agent in a container: the path the examples use too. */
    static final String AGENT_IN_CONTAINER = "/opt/keepalive-agent/keepalive-agent.jar";
    static final String EXAMPLES_IN_CONTAINER = "/opt/example/keepalive-examples.jar";

    /** The ten TCP sockets EverySocketKind prints, as in the forked-JVM tests. */
    static final List<String> TCP_KINDS = List.of("socket.client", "socket.accepted", "socket.connect",
            "channel.client", "channel.accepted", "channel.nonblocking", "channel.accepted.nonblocking",
            "channel.adaptor", "async.client", "async.accepted");

    static {
        // Testcontainers logs every container's start at INFO: keep the build's output to warnings.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }

    private static String unavailable;
    private static boolean checked;

    private Containers() {
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    /**
     * Called before each test that needs Docker, so that each is reported. Without Docker or without
     * the image the tests are skipped with the reason, except on CI ({@code CI=true}), where that is
     * a failure: CI installs both (scripts/prereq/30-docker.sh).
     */
    static synchronized void requireDockerAndImage() {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (!checked) {
            checked = true;
            unavailable = whyUnavailable();
            if (unavailable != null) {
                System.err.println((ci ? "container tests FAIL (CI=true): " : "container tests SKIPPED: ")
                        + unavailable + " (run: bash scripts/prereq/30-docker.sh)");
            }
        }
        if (unavailable == null) {
            return;
        }
        String reason = unavailable + " (run: bash scripts/prereq/30-docker.sh)";
        if (ci) {
            fail("CI=true, so the container tests must run, but " + reason);
        }
        Assumptions.abort("container tests skipped: " + reason);
    }

    private static String whyUnavailable() {
        // Set by surefire (integration-tests/pom.xml): without them Testcontainers 1.21.3 tries to pull
        // its Ryuk image, and on this machine (which has /.dockerenv) looks for a "bridge" network.
        if (!"true".equals(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))
                || System.getenv("TESTCONTAINERS_HOST_OVERRIDE") == null) {
            return "TESTCONTAINERS_RYUK_DISABLED=true and TESTCONTAINERS_HOST_OVERRIDE=localhost are not set"
                    + " (run the tests through Maven)";
        }
        try {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                return "no Docker engine answers here";
            }
        } catch (RuntimeException e) {
            return "no Docker engine answers here (" + e.getMessage() + ")";
        }
        try {
            DockerClientFactory.instance().client().inspectImageCmd(IMAGE).exec();
        } catch (RuntimeException e) {
            return "Docker runs but the test image " + IMAGE + " is not built (" + e.getClass().getSimpleName() + ")";
        }
        return null;
    }

    /** The java launcher of OpenJDK {@code version} in the image (Debian's layout). */
    static String java(int version) {
        String arch = System.getProperty("os.arch");
        String debianArch = arch.equals("aarch64") ? "arm64" : arch.equals("x86_64") ? "amd64" : arch;
        return "/usr/lib/jvm/java-" + version + "-openjdk-" + debianArch + "/bin/java";
    }

    /** A container of the test image, on its own loopback only, with the example program copied in. */
    @SuppressWarnings("resource")
    static GenericContainer<?> container(String image) {
        return new GenericContainer<>(DockerImageName.parse(image))
                .withNetworkMode("none")
                .withCopyFileToContainer(MountableFile.forHostPath(EXAMPLES_JAR), EXAMPLES_IN_CONTAINER);
    }

    /** The same, plus the agent jar: the only change a container needs, with JAVA_TOOL_OPTIONS set. */
    static GenericContainer<?> withAgentJar(GenericContainer<?> container) {
        return container.withCopyFileToContainer(MountableFile.forHostPath(AGENT_JAR), AGENT_IN_CONTAINER);
    }

    /** Runs EverySocketKind holding its connections; the container is up once the program printed "ready". */
    static GenericContainer<?> holdingConnections(GenericContainer<?> container, String java) {
        return container.withCommand(java, "-cp", EXAMPLES_IN_CONTAINER, "example.EverySocketKind", "--hold", "600")
                .waitingFor(Wait.forLogMessage("ready pid=.*", 1).withStartupTimeout(Duration.ofSeconds(90)));
    }

    /**
     * Removes an image a test built. Testcontainers' own removal at JVM exit (deleteOnExit) was seen
     * not to happen in Surefire's forked JVM, which left ~1 GB images behind on every run.
     */
    static void removeImage(String image) {
        try {
            DockerClientFactory.instance().client().removeImageCmd(image).withForce(true).exec();
        } catch (RuntimeException e) {
            System.err.println("could not remove image " + image + ": " + e);
        }
    }

    /** The agent image of scripts/agent-image (what scripts/release builds), tagged for the tests only. */
    static final String AGENT_IMAGE = "keepalive-agent-it:local";
    /** Where the examples put the agent's files: the jar, keepalive-agent-env and the static busybox. */
    static final String AGENT_DIR = "/opt/keepalive-agent";
    private static boolean agentImageBuilt;

    /** Builds the agent image from the jar under test, once per test JVM (a few seconds). */
    static synchronized String agentImage() throws Exception {
        if (!agentImageBuilt) {
            Process build = new ProcessBuilder("bash", ROOT.resolve("scripts/agent-image").toString(),
                    AGENT_JAR.toString(), AGENT_IMAGE).redirectErrorStream(true).start();
            String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(build.waitFor(300, TimeUnit.SECONDS), "scripts/agent-image did not end: " + output);
            assertEquals(0, build.exitValue(), "scripts/agent-image failed:\n" + output);
            agentImageBuilt = true;
        }
        return AGENT_IMAGE;
    }

    /**
     * A Java runtime made by jlink without java.instrument (java.base and java.management, all that
     * EverySocketKind needs), built once from the JDK running the tests: a JVM given -javaagent: with
     * it stops at start-up. Skipped (or failed with CI=true) when this JDK has no jlink.
     */
    static synchronized Path runtimeWithoutInstrument() throws Exception {
        Path runtime = ROOT
                .resolve("integration-tests/target/jre17-without-instrument");
        if (Files.isExecutable(runtime.resolve("bin/java"))) {
            return runtime;
        }
        Path jlink = Paths.get(System.getProperty("java.home"), "bin", "jlink");
        if (!Files.isExecutable(jlink)) {
            String why = "no jlink in " + System.getProperty("java.home") + " (a JDK, not a JRE, runs the tests)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        Process build = new ProcessBuilder(jlink.toString(), "--add-modules", "java.base,java.management",
                "--no-header-files", "--no-man-pages", "--output", runtime.toString()).redirectErrorStream(true).start();
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(build.waitFor(120, TimeUnit.SECONDS), "jlink did not end: " + output);
        assertEquals(0, build.exitValue(), "jlink failed:\n" + output);
        return runtime;
    }

    /** Where a test puts that runtime in a container. */
    static final String RUNTIME_WITHOUT_INSTRUMENT = "/opt/jre-without-instrument";

    /** The line keepalive-agent-env prints when it leaves the agent out. */
    static final String GUARD_LINE = "keepalive-agent-env: ";

    /** Every TCP socket of the program, as it reads its options back, has keepalive off: no agent. */
    static void assertNoAgent(String out, String err, String context) {
        for (String kind : TCP_KINDS) {
            assertTrue(line(out, kind).startsWith("keepalive=false "), kind + " " + context + "\n--- stdout\n" + out
                    + "--- stderr\n" + err);
        }
        assertTrue(!err.contains("keepalive-agent INFO"), "no agent line expected " + context + ":\n" + err);
    }

    static String stdout(GenericContainer<?> container) {
        return container.getLogs(OutputType.STDOUT);
    }

    static String stderr(GenericContainer<?> container) {
        return container.getLogs(OutputType.STDERR);
    }

    /** The line of the program's output that starts with the given socket kind, without the kind. */
    static String line(String out, String kind) {
        for (String line : out.split("\n")) {
            if (line.startsWith(kind + " ")) {
                return line.substring(kind.length() + 1);
            }
        }
        throw new AssertionError("no line for " + kind + " in:\n" + out);
    }

    /** Every TCP socket of the program, as it reads its options back. */
    static void assertEverySocket(String expected, String out, String context) {
        for (String kind : TCP_KINDS) {
            assertEquals(expected, line(out, kind), kind + " " + context + "\n--- stdout\n" + out);
        }
        assertEquals("keepalive=not-applicable", line(out, "udp.channel"), out);
    }

    /** {@code ss -tnoe} inside the container: its ESTABLISHED TCP sockets, all of them the program's. */
    static List<String> ss(GenericContainer<?> container) throws Exception {
        GenericContainer.ExecResult result = container.execInContainer("ss", "-tnoeH", "state", "established");
        assertEquals(0, result.getExitCode(), result.getStderr());
        List<String> lines = new ArrayList<>();
        for (String line : result.getStdout().split("\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        // 6 connections, both ends in the program: 12 sockets.
        assertEquals(12, lines.size(), result.getStdout());
        return lines;
    }

    /** Each line has a keepalive timer counting down from {@code idle} seconds, no probe sent yet. */
    static void assertKeepaliveTimers(List<String> ssLines, int idle) {
        for (String line : ssLines) {
            SsLine socket = SsLine.parse(line).orElseThrow(() -> new AssertionError("not an ss line: " + line));
            assertTrue(socket.keepaliveTimer(), "no keepalive timer: " + line);
            long seconds = socket.timerMillis / 1000;
            assertTrue(seconds > idle - 30 && seconds <= idle, "timer counts down from " + idle + " s: " + line);
            assertEquals(0, socket.probes, "no probe sent yet: " + line);
        }
    }

    static void assertNoKeepaliveTimer(List<String> ssLines) {
        for (String line : ssLines) {
            SsLine socket = SsLine.parse(line).orElseThrow(() -> new AssertionError("not an ss line: " + line));
            assertTrue(!socket.keepaliveTimer(), line);
        }
    }

    static String read(Path file) throws Exception {
        assertTrue(Files.isRegularFile(file), file + " missing");
        return Files.readString(file);
    }
}
