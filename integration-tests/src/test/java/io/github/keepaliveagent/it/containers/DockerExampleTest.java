package io.github.keepaliveagent.it.containers;

import io.github.keepaliveagent.it.ForkedJvm;
import static io.github.keepaliveagent.it.containers.Containers.assertEverySocket;
import static io.github.keepaliveagent.it.containers.Containers.assertKeepaliveTimers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.MountableFile;

/**
 * examples/docker/Dockerfile, built FROM the locally built test image (standing in for an
 * application's existing image, with a JAVA_TOOL_OPTIONS of its own) and the agent image of
 * scripts/agent-image, and run unchanged; then its guard: the program starts without the agent
 * when the jar is missing or the Java runtime has no java.instrument.
 */
@Tag("docker")
class DockerExampleTest {

    private static final Path DOCKERFILE = Containers.ROOT.resolve("examples/docker/Dockerfile");
    private static final String EXISTING_OPTION = "-Dexisting.option=kept";

    private static String existing;
    private static String withAgent;

    @BeforeEach
    void docker() throws Exception {
        Containers.requireDockerAndImage();
        synchronized (DockerExampleTest.class) {
            if (withAgent == null) {
                // The "existing application image": a JVM, and a JAVA_TOOL_OPTIONS the application relies on.
                existing = new ImageFromDockerfile("keepalive-agent-it-existing-app", false)
                        .withDockerfileFromBuilder(b -> b.from(Containers.IMAGE)
                                .env("JAVA_TOOL_OPTIONS", EXISTING_OPTION).build())
                        .get();
                withAgent = new ImageFromDockerfile("keepalive-agent-it-docker-example", false)
                        .withFileFromPath("Dockerfile", DOCKERFILE)
                        .withBuildArg("AGENT_IMAGE", Containers.agentImage())
                        .withBuildArg("BASE_IMAGE", existing)
                        .get();
            }
        }
    }

    @AfterAll
    static void removeImages() {
        if (withAgent != null) {
            Containers.removeImage(withAgent);
        }
        if (existing != null) {
            Containers.removeImage(existing);
        }
    }

    @Test
    void theDockerfileAddsTheAgentToAnExistingJavaImage() throws Exception {
        Map<String, String> env = imageEnv(withAgent);
        assertEquals(EXISTING_OPTION, env.get("JAVA_TOOL_OPTIONS"), "the image's own option is left as it was: " + env);
        String idle = env.get("KEEPIDLE");
        String expected = "keepalive=true idle=" + idle + " interval=" + env.get("KEEPINTVL")
                + " count=" + env.get("KEEPCNT");

        // The image's default java (Debian's alternatives: the newest JDK), as the application would run.
        try (GenericContainer<?> container = Containers.holdingConnections(Containers.container(withAgent), "java")) {
            container.start();
            List<String> ss = Containers.ss(container);
            String out = Containers.stdout(container);
            String err = Containers.stderr(container);
            assertKeepaliveTimers(ss, Integer.parseInt(idle));
            assertEverySocket(expected, out, "\n--- stderr\n" + err);
            // keepalive-agent-env put the agent first and kept the image's option after it.
            assertTrue(err.startsWith("Picked up JAVA_TOOL_OPTIONS: -javaagent:" + Containers.AGENT_IN_CONTAINER + " "
                    + EXISTING_OPTION + "\n"
                    + "keepalive-agent INFO: keepalive-agent " + ForkedJvm.VERSION + ": SO_KEEPALIVE on, idle=" + idle + "s (KEEPIDLE)"), err);
            assertEquals(2, err.split("\n").length, err);
        }
    }

    /** The guard: the same image with the jar deleted; the program starts, without the agent. */
    @Test
    void withoutTheJarTheProgramStartsWithoutTheAgent() throws Exception {
        String noJar = new ImageFromDockerfile("keepalive-agent-it-docker-example-no-jar", false)
                .withDockerfileFromBuilder(b -> b.from(withAgent).run("rm " + Containers.AGENT_IN_CONTAINER).build())
                .get();
        try (GenericContainer<?> container = Containers.holdingConnections(Containers.container(noJar), "java")) {
            container.start();
            String out = Containers.stdout(container);
            String err = Containers.stderr(container);
            Containers.assertNoAgent(out, err, "without the jar");
            assertTrue(err.startsWith(Containers.GUARD_LINE + Containers.AGENT_IN_CONTAINER + " is not a readable file;"
                    + " starting without the agent\nPicked up JAVA_TOOL_OPTIONS: " + EXISTING_OPTION + "\n"), err);
        } finally {
            Containers.removeImage(noJar);
        }
    }

    /**
     * The guard: a Java runtime made by jlink without java.instrument. Without the guard such a JVM
     * stops ("Could not find agent library instrument"); the control below shows that it does.
     */
    @Test
    void aRuntimeWithoutJavaInstrumentStartsWithoutTheAgent() throws Exception {
        MountableFile runtime = MountableFile.forHostPath(Containers.runtimeWithoutInstrument());
        String java = Containers.RUNTIME_WITHOUT_INSTRUMENT + "/bin/java";
        try (GenericContainer<?> container = Containers.holdingConnections(Containers.container(withAgent), java)
                .withCopyFileToContainer(runtime, Containers.RUNTIME_WITHOUT_INSTRUMENT)
                .withEnv("JAVA_HOME", Containers.RUNTIME_WITHOUT_INSTRUMENT)) {
            container.start();
            String out = Containers.stdout(container);
            String err = Containers.stderr(container);
            Containers.assertNoAgent(out, err, "on a runtime without java.instrument");
            assertTrue(err.startsWith(Containers.GUARD_LINE + "the Java runtime " + Containers.RUNTIME_WITHOUT_INSTRUMENT
                    + " has no java.instrument module"), err);

            // The control: the same JVM given -javaagent: directly, past the guard, does not start.
            GenericContainer.ExecResult unguarded = container.execInContainer("env",
                    "JAVA_TOOL_OPTIONS=-javaagent:" + Containers.AGENT_IN_CONTAINER, java, "-version");
            assertNotEquals(0, unguarded.getExitCode(), "a JVM without java.instrument given -javaagent: should stop");
            // HotSpot prints this on stdout.
            String said = unguarded.getStdout() + unguarded.getStderr();
            assertTrue(said.contains("Could not find agent library instrument"), said);
        }
    }

    private static Map<String, String> imageEnv(String image) {
        String[] env = DockerClientFactory.instance().client().inspectImageCmd(image).exec().getConfig().getEnv();
        Map<String, String> map = new TreeMap<>();
        Arrays.stream(env).forEach(e -> map.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1)));
        return map;
    }
}
