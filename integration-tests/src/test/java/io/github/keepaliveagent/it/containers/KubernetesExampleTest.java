package io.github.keepaliveagent.it.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.yaml.snakeyaml.Yaml;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;

/**
 * examples/kubernetes: the manifest's paths and variables match the agent and its image, and the
 * pod it describes works when played with Docker (a named volume standing in for the emptyDir).
 */
class KubernetesExampleTest {

    private static final Path DIR = Containers.ROOT.resolve("examples/kubernetes");

    /** The manifest's pod template, read with SnakeYAML. */
    private static final class Pod {
        final Map<String, Object> init;
        final Map<String, Object> app;
        final String volume;

        @SuppressWarnings("unchecked")
        Pod() throws Exception {
            Map<String, Object> deployment = new Yaml().load(new StringReader(Containers.read(DIR.resolve("deployment.yaml"))));
            assertEquals("Deployment", deployment.get("kind"));
            Map<String, Object> spec = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment
                    .get("spec")).get("template")).get("spec");
            List<Map<String, Object>> volumes = (List<Map<String, Object>>) spec.get("volumes");
            assertEquals(1, volumes.size(), "one volume: " + volumes);
            assertTrue(volumes.get(0).containsKey("emptyDir"), "an emptyDir: " + volumes);
            volume = (String) volumes.get(0).get("name");
            List<Map<String, Object>> inits = (List<Map<String, Object>>) spec.get("initContainers");
            List<Map<String, Object>> apps = (List<Map<String, Object>>) spec.get("containers");
            assertEquals(1, inits.size());
            assertEquals(1, apps.size());
            init = inits.get(0);
            app = apps.get(0);
        }

        @SuppressWarnings("unchecked")
        List<String> initCommand() {
            return (List<String>) init.get("command");
        }

        /** Where a container mounts the emptyDir. */
        @SuppressWarnings("unchecked")
        Map<String, Object> mount(Map<String, Object> container) {
            for (Map<String, Object> mount : (List<Map<String, Object>>) container.get("volumeMounts")) {
                if (volume.equals(mount.get("name"))) {
                    return mount;
                }
            }
            throw new AssertionError(container.get("name") + " does not mount " + volume);
        }

        @SuppressWarnings("unchecked")
        Map<String, String> appEnv() {
            Map<String, String> env = new LinkedHashMap<>();
            for (Map<String, Object> var : (List<Map<String, Object>>) app.get("env")) {
                env.put((String) var.get("name"), (String) var.get("value"));
            }
            return env;
        }
    }

    @Test
    void pathsAndVariablesMatchTheAgent() throws Exception {
        Pod pod = new Pod();
        String jarName = Containers.AGENT_JAR.getFileName().toString();

        // Dockerfile: COPY <the agent jar> <source of the init container's cp>
        Matcher copy = Pattern.compile("(?m)^COPY (\\S+) (\\S+)$").matcher(Containers.read(DIR.resolve("Dockerfile")));
        assertTrue(copy.find(), "COPY in the agent image's Dockerfile");
        assertEquals(jarName, copy.group(1), "the Dockerfile copies the jar the build makes");

        List<String> cp = pod.initCommand();
        assertEquals(List.of("cp", copy.group(2)), cp.subList(0, 2), "the init container copies the image's jar: " + cp);
        assertEquals(3, cp.size(), cp.toString());
        Path target = Paths.get(cp.get(2));
        assertEquals(Paths.get((String) pod.mount(pod.init).get("mountPath")), target.getParent(),
                "the init container copies into the emptyDir");

        Map<String, Object> appMount = pod.mount(pod.app);
        assertEquals(Boolean.TRUE, appMount.get("readOnly"), "the application only reads the agent");
        Map<String, String> env = pod.appEnv();
        assertEquals("-javaagent:" + appMount.get("mountPath") + "/" + target.getFileName(), env.get("JAVA_TOOL_OPTIONS"),
                "JAVA_TOOL_OPTIONS names the copied jar where the application mounts the emptyDir");
        assertEquals(jarName, target.getFileName().toString());

        env.remove("JAVA_TOOL_OPTIONS");
        assertEquals(List.of("KEEPIDLE", "KEEPINTVL", "KEEPCNT"), List.copyOf(env.keySet()));
        AgentOptions.assertValid(env, "deployment.yaml");
    }

    /** The pod, played with Docker: the init container's command, then the application with the manifest's env. */
    @Test
    void thePodWorks() throws Exception {
        Containers.requireDockerAndImage();
        Pod pod = new Pod();
        String agentImage = new ImageFromDockerfile("keepalive-agent-it-k8s-agent", true)
                .withFileFromPath("Dockerfile", DIR.resolve("Dockerfile"))
                .withFileFromPath("keepalive-agent.jar", Containers.AGENT_JAR)
                .withBuildArg("BASE_IMAGE", Containers.IMAGE) // busybox can't be pulled here; any image with cp does
                .get();
        DockerClient docker = DockerClientFactory.instance().client();
        String emptyDir = docker.createVolumeCmd().withName("keepalive-agent-it-" + System.nanoTime()).exec().getName();
        try {
            String initMount = (String) pod.mount(pod.init).get("mountPath");
            try (GenericContainer<?> init = new GenericContainer<>(agentImage)
                    .withNetworkMode("none")
                    .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                            .withBinds(new Bind(emptyDir, new Volume(initMount))))
                    .withCommand(pod.initCommand().toArray(new String[0]))
                    .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)))) {
                init.start(); // fails unless the command exits with status 0
            }

            Map<String, String> env = pod.appEnv();
            String appMount = (String) pod.mount(pod.app).get("mountPath");
            GenericContainer<?> app = Containers.holdingConnections(Containers.container(Containers.IMAGE), "java")
                    .withEnv(env)
                    .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                            .withBinds(new Bind(emptyDir, new Volume(appMount), AccessMode.ro)));
            try (app) {
                app.start();
                Containers.assertKeepaliveTimers(Containers.ss(app), Integer.parseInt(env.get("KEEPIDLE")));
                String err = Containers.stderr(app);
                Containers.assertEverySocket("keepalive=true idle=" + env.get("KEEPIDLE") + " interval="
                        + env.get("KEEPINTVL") + " count=" + env.get("KEEPCNT"), Containers.stdout(app), err);
                assertTrue(err.contains("keepalive-agent INFO: keepalive-agent 1.0.0: SO_KEEPALIVE on, idle="
                        + env.get("KEEPIDLE") + "s (KEEPIDLE)"), err);
            }
        } finally {
            docker.removeVolumeCmd(emptyDir).exec();
            Containers.removeImage(agentImage);
        }
    }
}
