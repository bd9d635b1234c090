package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.github.keepaliveagent.it.apps.ProbeApp;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With the agent, application code can do exactly what it could do without it: the same answers to a
 * set of probes into the JDK's internals and the agent's, after -javaagent and after attach; the agent's
 * logging never reads the application's configuration.
 */
class ConfinementTest {

    private static final String PROBE = "io.github.keepaliveagent.it.apps.ProbeApp";
    private static final String CLASSES = System.getProperty("test.classes");

    static List<String> jdks() {
        return ForkedJvm.jdks().collect(Collectors.toList());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void theProbesAnswerTheSameWithAndWithoutTheAgent(String jdk) throws Exception {
        ForkedJvm without = new ForkedJvm(jdk);
        List<String> plain = probes(without.run(without.command(PROBE, CLASSES)), "before");
        ForkedJvm with = new ForkedJvm(jdk).withAgent();
        ForkedJvm.Result result = with.run(with.command(PROBE, CLASSES));
        assertTrue(result.err.contains("keepalive-agent INFO"), result.toString());
        assertEquals(plain, probes(result, "before"), result.toString());
        assertTrue(plain.contains("probe before FileDescriptor.fd DENIED"), plain.toString());
        assertTrue(plain.stream().allMatch(l -> l.endsWith(" DENIED")), "every probe is denied: " + plain);
    }

    /**
     * The probes can tell: with java.net opened to the application (what the agent must never do), every probe
     * of the dispatcher's state is allowed; the stack walk meets an agent class to probe; the jar holds the
     * classes the by-name probes ask for. A probe denied for another reason (a field renamed, a method gone)
     * fails here, not silently above.
     */
    @ParameterizedTest
    @MethodSource("jdks")
    void theProbesAreAllowedWhereConfinementIsBroken(String jdk) throws Exception {
        ForkedJvm opened = new ForkedJvm(jdk).withAgent().jvmArgs("--add-opens", "java.base/java.net=ALL-UNNAMED",
                "--add-exports", "java.base/jdk.internal.module=ALL-UNNAMED",
                "--add-exports", "java.base/jdk.internal.access=ALL-UNNAMED");
        ForkedJvm.Result result = opened.run(opened.command(PROBE, CLASSES));
        assertTrue(probes(result, "before").contains("probe before jdk.internal.module.Modules addOpens ALLOWED"),
                result.toString());
        assertTrue(probes(result, "before").contains("probe before jdk.internal.access.SharedSecrets ALLOWED"),
                result.toString());
        List<String> dispatcher = probes(result, "before").stream()
                .filter(l -> l.startsWith("probe before dispatcher ")).collect(Collectors.toList());
        assertTrue(!dispatcher.isEmpty() && dispatcher.stream().allMatch(l -> l.endsWith(" ALLOWED")),
                result.toString());
        assertTrue(result.out.lines().anyMatch(l -> l.startsWith("walk met io.github.keepaliveagent.")),
                result.toString());
        Set<String> hidden = JarContentsTest.classes().keySet();
        for (String name : List.of(ProbeApp.AGENT, ProbeApp.BYTE_BUDDY_AGENT, ProbeApp.TINYLOG)) {
            assertTrue(hidden.contains(name), name + " is not in the agent jar");
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void theProbesAnswerTheSameAfterAttach(String jdk, @TempDir Path dir) throws Exception {
        Path signal = dir.resolve("attached");
        ForkedJvm jvm = new ForkedJvm(jdk);
        Process target = jvm.builder(jvm.command(PROBE, CLASSES, "--again", signal.toString()))
                .redirectErrorStream(true).start();
        try {
            List<String> lines = new ArrayList<>();
            BufferedReader out = new BufferedReader(new InputStreamReader(target.getInputStream(),
                    StandardCharsets.UTF_8));
            String pid = null;
            for (String line; pid == null && (line = out.readLine()) != null; ) {
                lines.add(line);
                if (line.startsWith("ready pid=")) {
                    pid = line.substring("ready pid=".length());
                }
            }
            assertTrue(pid != null, String.join("\n", lines));
            Process attach = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", ForkedJvm.AGENT_JAR.toString(), "attach", pid, "idle=40").redirectErrorStream(true).start();
            String attached = new String(attach.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(attach.waitFor(60, TimeUnit.SECONDS) && attach.exitValue() == 0, attached);
            Files.createFile(signal);
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
            }
            assertTrue(target.waitFor(60, TimeUnit.SECONDS), String.join("\n", lines));
            List<String> before = lines.stream().filter(l -> l.startsWith("probe before "))
                    .map(l -> l.substring("probe before ".length())).collect(Collectors.toList());
            List<String> after = lines.stream().filter(l -> l.startsWith("probe after "))
                    .map(l -> l.substring("probe after ".length())).collect(Collectors.toList());
            assertEquals(before, after, attached + "\n" + String.join("\n", lines));
            assertTrue(lines.stream().anyMatch(l -> l.contains("keepalive-agent INFO")), String.join("\n", lines));
        } finally {
            target.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * tinylog, relocated, still knows its property names: the agent must never let it read them. A URL in
     * -Dtinylog.configuration is not fetched, a server that never answers does not delay start-up, and the
     * agent's ERROR line (an invalid value makes one) and DEBUG lines are its own.
     */
    @ParameterizedTest
    @MethodSource("jdks")
    void theApplicationsLoggingConfigurationNeverReachesTheAgent(String jdk, @TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tinylog.properties"), "writer = console\nwriter.format = APP {message}\n");
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                List<Socket> held = new ArrayList<>();
                try {
                    while (held.size() < 10) {
                        held.add(silent.accept()); // accepted and never answered
                        connections.incrementAndGet();
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            ForkedJvm jvm = new ForkedJvm(jdk).withAgent().env("KEEPIDLE", "abc").env("KEEPALIVE_LOG", "debug")
                    .jvmArgs("-Dtinylog.configuration=http://127.0.0.1:" + silent.getLocalPort() + "/tinylog.properties",
                            "-Dtinylog.writer=console", "-Dtinylog.writer.format=APP {message}",
                            "-Xlog:class+load=info:file=" + dir.resolve("classes.log"));
            ForkedJvm.Result result = jvm.run(jvm.command("example.OneSocket",
                    dir + java.io.File.pathSeparator + ForkedJvm.EXAMPLES_JAR));
            assertEquals(0, result.exitCode, result.toString());
            assertEquals(0, connections.get(), "the agent fetched the application's tinylog.configuration URL");
            assertTrue(result.err.contains("keepalive-agent ERROR: KEEPIDLE=\"abc\" is not valid"), result.toString());
            assertTrue(result.err.contains("keepalive-agent DEBUG: configured"), result.toString());
            assertTrue(result.err.lines().filter(l -> !l.isBlank()).allMatch(l -> l.startsWith("keepalive-agent ")),
                    "every line the agent prints is its own:\n" + result);
            String classes = Files.readString(dir.resolve("classes.log"));
            assertTrue(!classes.contains("java.lang.management"), "the agent loaded java.management");
            assertTrue(!classes.contains("tinylog.configuration.Configuration"), "tinylog's Configuration was loaded");
        }
    }

    private static List<String> probes(ForkedJvm.Result result, String round) {
        return result.out.lines().filter(l -> l.startsWith("probe " + round + " ")).collect(Collectors.toList());
    }
}
