package io.github.keepaliveagent.it.containers;

import static io.github.keepaliveagent.it.containers.Containers.assertEverySocket;
import static io.github.keepaliveagent.it.containers.Containers.assertKeepaliveTimers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * examples/docker/Dockerfile, built FROM the locally built test image (standing in for an
 * application's existing image, with a JAVA_TOOL_OPTIONS of its own) and run unchanged.
 */
class DockerExampleTest {

    private static final Path DOCKERFILE = Containers.ROOT.resolve("examples/docker/Dockerfile");

    @BeforeEach
    void docker() {
        Containers.requireDockerAndImage();
    }

    @Test
    void theDockerfileAddsTheAgentToAnExistingJavaImage() throws Exception {
        // The "existing application image": a JVM, and a JAVA_TOOL_OPTIONS the application relies on.
        String existing = new ImageFromDockerfile("keepalive-agent-it-existing-app", true)
                .withDockerfileFromBuilder(b -> b.from(Containers.IMAGE)
                        .env("JAVA_TOOL_OPTIONS", "-Dexisting.option=kept").build())
                .get();
        try {
            String withAgent = new ImageFromDockerfile("keepalive-agent-it-docker-example", true)
                    .withFileFromPath("Dockerfile", DOCKERFILE)
                    .withFileFromPath("keepalive-agent.jar", Containers.AGENT_JAR)
                    .withBuildArg("BASE_IMAGE", existing)
                    .get();
            try {
                runsWithTheAgent(withAgent);
            } finally {
                Containers.removeImage(withAgent);
            }
        } finally {
            Containers.removeImage(existing);
        }
    }

    private static void runsWithTheAgent(String withAgent) throws Exception {
        Map<String, String> env = imageEnv(withAgent);
        assertEquals("-javaagent:" + Containers.AGENT_IN_CONTAINER + " -Dexisting.option=kept",
                env.get("JAVA_TOOL_OPTIONS"), "the agent first, the image's own option kept: " + env);
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
            assertTrue(err.startsWith("Picked up JAVA_TOOL_OPTIONS: " + env.get("JAVA_TOOL_OPTIONS") + "\n"
                    + "keepalive-agent INFO: keepalive-agent 1.0.0: SO_KEEPALIVE on, idle=" + idle + "s (KEEPIDLE)"), err);
            assertEquals(2, err.split("\n").length, err);
        }
    }

    private static Map<String, String> imageEnv(String image) {
        String[] env = DockerClientFactory.instance().client().inspectImageCmd(image).exec().getConfig().getEnv();
        Map<String, String> map = new TreeMap<>();
        Arrays.stream(env).forEach(e -> map.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1)));
        return map;
    }
}
