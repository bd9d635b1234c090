package io.github.keepaliveagent.it.containers;

import io.github.keepaliveagent.it.ForkedJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
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

        @SuppressWarnings("unchecked")
        List<String> appCommand() {
            return (List<String>) app.get("command");
        }

        @SuppressWarnings("unchecked")
        List<String> appArgs() {
            return (List<String>) app.get("args");
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
        String dir = Containers.AGENT_DIR;

        // The init container: the agent image's three files into the emptyDir, mounted where the app mounts it.
        assertEquals(List.of("cp", "/keepalive-agent.jar", "/keepalive-agent-env", "/bin/busybox", dir + "/"),
                pod.initCommand(), "the init container copies the agent image's files");
        assertEquals(dir, pod.mount(pod.init).get("mountPath"), "the init container copies into the emptyDir");
        assertTrue(((String) pod.init.get("image")).endsWith("/keepalive-agent:" + ForkedJvm.VERSION), "the agent image: " + pod.init);

        Map<String, Object> appMount = pod.mount(pod.app);
        assertEquals(dir, appMount.get("mountPath"), "the jar is at " + Containers.AGENT_IN_CONTAINER + " in the app");
        assertEquals(Boolean.TRUE, appMount.get("readOnly"), "the application only reads the agent");
        assertEquals(List.of(dir + "/busybox", "sh", dir + "/keepalive-agent-env"), pod.appCommand(),
                "the application starts through keepalive-agent-env");
        assertTrue(!pod.appArgs().isEmpty(), "the application's own command follows: " + pod.app);

        Map<String, String> env = pod.appEnv();
        assertEquals(List.of("KEEPIDLE", "KEEPINTVL", "KEEPCNT"), List.copyOf(env.keySet()),
                "JAVA_TOOL_OPTIONS is keepalive-agent-env's to set");
        AgentOptions.assertValid(env, "deployment.yaml");
    }

    /** The pod, played with Docker: the init container's command, then the application with the manifest's env. */
    @Test
    @Tag("docker")
    void thePodWorks() throws Exception {
        Containers.requireDockerAndImage();
        String out = playThePod(false);
        assertTrue(out.contains("ready pid="), out);
    }

    /** The guard: the jar gone from the volume; the application still starts, without the agent. */
    @Test
    @Tag("docker")
    void withoutTheJarTheApplicationStartsWithoutTheAgent() throws Exception {
        Containers.requireDockerAndImage();
        playThePod(true);
    }

    private static String playThePod(boolean removeTheJar) throws Exception {
        Pod pod = new Pod();
        String agentImage = Containers.agentImage();
        DockerClient docker = DockerClientFactory.instance().client();
        String emptyDir = docker.createVolumeCmd().withName("keepalive-agent-it-" + System.nanoTime()).exec().getName();
        try {
            String initMount = (String) pod.mount(pod.init).get("mountPath");
            List<String> initCommand = new ArrayList<>(pod.initCommand());
            if (removeTheJar) {
                // The same copy, then the jar removed: what the application finds when the volume lacks it.
                initCommand = List.of("sh", "-c", String.join(" ", initCommand) + " && rm " + initMount
                        + "/keepalive-agent.jar");
            }
            try (GenericContainer<?> init = new GenericContainer<>(agentImage)
                    .withNetworkMode("none")
                    .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                            .withBinds(new Bind(emptyDir, new Volume(initMount))))
                    .withCommand(initCommand.toArray(new String[0]))
                    .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)))) {
                init.start(); // fails unless the command exits with status 0
            }

            Map<String, String> env = pod.appEnv();
            String appMount = (String) pod.mount(pod.app).get("mountPath");
            // The manifest's command, then EverySocketKind in place of the manifest's placeholder args.
            List<String> entrypoint = pod.appCommand();
            GenericContainer<?> app = Containers.holdingConnections(Containers.container(Containers.IMAGE), "java")
                    .withEnv(env)
                    .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint(entrypoint.toArray(new String[0]))
                            .getHostConfig().withBinds(new Bind(emptyDir, new Volume(appMount), AccessMode.ro)));
            try (app) {
                app.start();
                String out = Containers.stdout(app);
                String err = Containers.stderr(app);
                if (removeTheJar) {
                    Containers.assertNoAgent(out, err, "without the jar in the volume");
                    assertTrue(err.startsWith(Containers.GUARD_LINE + Containers.AGENT_IN_CONTAINER
                            + " is not a readable file; starting without the agent"), err);
                    return out;
                }
                Containers.assertKeepaliveTimers(Containers.ss(app), Integer.parseInt(env.get("KEEPIDLE")));
                Containers.assertEverySocket("keepalive=true idle=" + env.get("KEEPIDLE") + " interval="
                        + env.get("KEEPINTVL") + " count=" + env.get("KEEPCNT"), out, err);
                assertTrue(err.startsWith("Picked up JAVA_TOOL_OPTIONS: -javaagent:" + Containers.AGENT_IN_CONTAINER
                        + "\nkeepalive-agent INFO: keepalive-agent " + ForkedJvm.VERSION + ": SO_KEEPALIVE on, idle=" + env.get("KEEPIDLE")
                        + "s (KEEPIDLE)"), err);
                return out;
            }
        } finally {
            docker.removeVolumeCmd(emptyDir).exec();
        }
    }
}
