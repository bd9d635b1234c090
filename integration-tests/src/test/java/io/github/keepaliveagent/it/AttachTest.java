package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code attach} into JVMs started without the agent, its error cases, and TCP_USER_TIMEOUT. */
class AttachTest {

    private static final String CLI_JAVA = Paths.get(System.getProperty("java.home"), "bin", "java").toString();

    static List<String> jdks() {
        return ForkedJvm.jdks().toList();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void attachConfiguresOpenAndNewConnectionsAndASecondAttachUpdates(String jdk) throws Exception {
        try (Target target = Target.start(new ForkedJvm(jdk))) {
            assertTrue(target.round(0).stream().allMatch(l -> l.contains("keepalive=false")), target.log());
            assertTrue(status(target.pid).out.contains("keepalive on: 0, off: 4"), status(target.pid).out);

            ForkedJvm.Result attach = cli("attach", target.pid, "idle=40,interval=5,count=3");
            assertEquals(0, attach.exitCode, attach.toString());
            assertTrue(attach.out.contains("installed: SO_KEEPALIVE on, idle=40s"), attach.out);
            Matcher retrofit = Pattern.compile("retrofit: (\\d+) connections changed, (\\d+) listening sockets changed,"
                    + " \\d+ skipped \\(closing\\), 0 failed").matcher(attach.out);
            assertTrue(retrofit.find() && Integer.parseInt(retrofit.group(1)) == 4
                    && Integer.parseInt(retrofit.group(2)) == 2, attach.out);

            ForkedJvm.Result status = status(target.pid);
            assertTrue(status.out.contains("keepalive on: 4, off: 0"), status.out);
            Matcher probe = Pattern.compile("next probe in (\\d+) s").matcher(status.out);
            while (probe.find()) {
                int seconds = Integer.parseInt(probe.group(1));
                assertTrue(seconds > 25 && seconds <= 40, "counts down from the retrofitted idle 40 s: " + status.out);
            }
            for (String line : target.round(1)) {
                assertTrue(line.endsWith("keepalive=true idle=40 interval=5 count=3"), line + "\n" + target.log());
            }

            ForkedJvm.Result again = cli("attach", target.pid, "idle=50,interval=5,count=3");
            assertEquals(0, again.exitCode, again.toString());
            assertTrue(again.out.contains("updated: SO_KEEPALIVE on, idle=50s"), again.out);
            for (String line : target.round(2)) {
                assertTrue(line.endsWith("keepalive=true idle=50 interval=5 count=3"), line + "\n" + target.log());
            }
            assertEquals(2, target.agentLines().stream().filter(l -> l.contains("retrofit:")).count(),
                    "installed once, updated once:\n" + target.log());
        }
    }

    @Test
    void retrofitFalseLeavesOpenConnectionsAlone() throws Exception {
        try (Target target = Target.start(new ForkedJvm(System.getProperty("java.home")))) {
            ForkedJvm.Result attach = cli("attach", target.pid, "idle=40,retrofit=false");
            assertEquals(0, attach.exitCode, attach.toString());
            assertTrue(!attach.out.contains("retrofit:"), attach.out);
            assertTrue(status(target.pid).out.contains("keepalive on: 0, off: 4"), status(target.pid).out);
            assertTrue(target.round(1).stream().allMatch(l -> l.contains("keepalive=true idle=40")), target.log());
        }
    }

    @Test
    void anInvalidValueLoadsNothing() throws Exception {
        try (Target target = Target.start(new ForkedJvm(System.getProperty("java.home")))) {
            ForkedJvm.Result attach = cli("attach", target.pid, "idle=abc");
            assertEquals(2, attach.exitCode, attach.toString());
            assertTrue(attach.err.contains("agent argument idle=\"abc\" is not valid"), attach.err);
            assertTrue(target.round(1).stream().allMatch(l -> l.contains("keepalive=false")), target.log());
        }
    }

    @Test
    void clearErrorsForWhatCannotBeAttached() throws Exception {
        ForkedJvm.Result missing = cli("attach", "999999999");
        assertEquals(3, missing.exitCode, missing.toString());
        assertTrue(missing.err.contains("no such process: 999999999"), missing.err);

        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            ForkedJvm.Result notJava = cli("attach", String.valueOf(sleep.pid()));
            assertEquals(4, notJava.exitCode, notJava.toString());
            assertTrue(notJava.err.contains("is not a JVM"), notJava.err);
        } finally {
            sleep.destroy();
        }

        ForkedJvm disabled = new ForkedJvm(System.getProperty("java.home")).jvmArgs("-XX:+DisableAttachMechanism");
        try (Target target = Target.start(disabled)) {
            ForkedJvm.Result refused = cli("attach", target.pid);
            assertEquals(4, refused.exitCode, refused.toString());
            assertTrue(refused.err.contains("-XX:+DisableAttachMechanism"), refused.err);
        }
    }

    @Test
    void notPermittedAsAnotherUser() throws Exception {
        Assumptions.rootWithSetpriv();
        try (Target target = Target.start(new ForkedJvm(System.getProperty("java.home")))) {
            ForkedJvm.Result attach = asNobody("attach", target.pid);
            assertEquals(5, attach.exitCode, attach.toString());
            assertTrue(attach.err.contains("not permitted"), attach.err);
            ForkedJvm.Result status = asNobody("status", target.pid);
            assertEquals(5, status.exitCode, status.toString());
            assertTrue(status.err.contains("not permitted"), status.err);
        }
    }

    @Test
    void aJvmWithoutJavaInstrument() throws Exception {
        String jdk25 = ForkedJvm.requireJdk(ForkedJvm.jdk25());
        Path image = Paths.get("target", "jre-without-instrument").toAbsolutePath();
        if (!Files.isExecutable(image.resolve("bin/java"))) {
            Process jlink = new ProcessBuilder(jdk25 + "/bin/jlink", "--add-modules", "java.base,java.management",
                    "--output", image.toString()).inheritIO().start();
            assertTrue(jlink.waitFor(120, TimeUnit.SECONDS) && jlink.exitValue() == 0, "jlink failed");
        }
        try (Target target = Target.start(new ForkedJvm(image.toString()))) {
            ForkedJvm.Result attach = cli("attach", target.pid);
            assertEquals(6, attach.exitCode, attach.toString());
            assertTrue(attach.err.contains("no java.instrument"), attach.err);
        }
    }

    @Test
    void statusOfANonJavaProcessInTextAndJson() throws Exception {
        Path binary = Paths.get("target", "tcp_holder").toAbsolutePath();
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(), "src/test/c/tcp_holder.c")
                .inheritIO().start();
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "gcc failed");
        Process holder = new ProcessBuilder(binary.toString()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            String pid = String.valueOf(holder.pid());
            ForkedJvm.Result text = status(pid);
            assertEquals(0, text.exitCode, text.toString());
            assertTrue(text.out.contains("established: 4 (keepalive on: 1, off: 3, unknown: 0)"), text.out);
            assertTrue(text.out.contains("LISTEN"), text.out);
            ForkedJvm.Result json = cli("status", pid, "--json");
            assertEquals(0, json.exitCode, json.toString());
            Matcher on = Pattern.compile("\"keepalive\":\"on\",\"next_probe_ms\":(\\d+),\"unanswered_probes\":0")
                    .matcher(json.out);
            assertTrue(on.find(), json.out);
            long millis = Long.parseLong(on.group(1));
            assertTrue(millis > 60_000 && millis <= 77_000, "counts down from TCP_KEEPIDLE 77 s: " + json.out);
            assertTrue(json.out.startsWith("{\"pid\":" + pid + ",\"sockets\":["), json.out);
        } finally {
            holder.destroy();
        }
        ForkedJvm.Result missing = status("999999999");
        assertEquals(3, missing.exitCode, missing.toString());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void userTimeoutIsSetOnEverySocketKind(String jdk) throws Exception {
        String classpath = System.getProperty("test.classes");
        String[] opens = {"--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens",
            "java.base/java.io=ALL-UNNAMED"};
        ForkedJvm with = new ForkedJvm(jdk).withAgent().jvmArgs(opens).env("KEEPALIVE_USER_TIMEOUT", "4321");
        ForkedJvm.Result result = with.run(with.command("io.github.keepaliveagent.it.apps.UserTimeoutApp", classpath));
        List<String> lines = result.out.lines().filter(l -> l.startsWith("fd ")).toList();
        assertEquals(6, lines.size(), result.toString());
        assertTrue(lines.stream().allMatch(l -> l.endsWith(" user_timeout=4321")), result.toString());
        assertTrue(result.agentLines().stream().anyMatch(l -> l.startsWith("keepalive-agent INFO:")
                && l.contains("user_timeout=4321ms (KEEPALIVE_USER_TIMEOUT)")), result.toString());
        // The kernel's idle time (7200 s) is far above 4.321 s: the agent says the two work against each other.
        assertTrue(result.err.contains("WARN: user_timeout=4321ms is shorter than idle + interval x count"),
                result.toString());

        ForkedJvm without = new ForkedJvm(jdk).jvmArgs(opens);
        ForkedJvm.Result plain = without.run(without.command("io.github.keepaliveagent.it.apps.UserTimeoutApp",
                classpath));
        assertTrue(plain.out.lines().filter(l -> l.startsWith("fd ")).allMatch(l -> l.endsWith(" user_timeout=0")),
                plain.toString());
    }

    static ForkedJvm.Result cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CLI_JAVA, "-jar", ForkedJvm.AGENT_JAR.toString()));
        command.addAll(List.of(args));
        return new ForkedJvm(System.getProperty("java.home")).run(command);
    }

    static ForkedJvm.Result status(String pid) throws IOException, InterruptedException {
        return cli("status", pid);
    }

    private static ForkedJvm.Result asNobody(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", CLI_JAVA, "-jar", ForkedJvm.AGENT_JAR.toString()));
        command.addAll(List.of(args));
        return new ForkedJvm(System.getProperty("java.home")).run(command);
    }

    /** ConnectOnDemand running without the agent; "connect" on its stdin opens one more round. */
    static final class Target implements AutoCloseable {
        final Process process;
        final String pid;
        private final Writer in;
        private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(1000);
        private final List<String> seen = new ArrayList<>();
        private final Path err;

        private Target(Process process, Path err) throws Exception {
            this.process = process;
            this.err = err;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        lines.offer(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
            String ready = next(line -> line.startsWith("ready pid="));
            this.pid = ready.substring("ready pid=".length());
        }

        static Target start(ForkedJvm jvm) throws Exception {
            Path err = Files.createTempFile("attach-target", ".err");
            Process process = jvm.builder(jvm.command("example.ConnectOnDemand", ForkedJvm.EXAMPLES_JAR))
                    .redirectError(err.toFile()).start();
            return new Target(process, err);
        }

        /** The four option lines of round N; asks for the round first when N > 0. */
        List<String> round(int n) throws Exception {
            if (n > 0) {
                in.write("connect\n");
                in.flush();
            }
            if (!seen.contains(n + " done")) {
                next(line -> line.equals(n + " done"));
            }
            List<String> round = new ArrayList<>();
            for (String line : seen) {
                if (line.startsWith(n + " ") && !line.endsWith("done")) {
                    round.add(line);
                }
            }
            assertEquals(4, round.size(), log());
            return round;
        }

        private String next(java.util.function.Predicate<String> wanted) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen.add(line);
                    if (wanted.test(line)) {
                        return line;
                    }
                }
            }
            throw new AssertionError("timed out waiting for the target:\n" + log());
        }

        List<String> agentLines() throws IOException {
            return Files.readAllLines(err).stream().filter(l -> l.startsWith("keepalive-agent ")).toList();
        }

        String log() {
            try {
                return String.join("\n", seen) + "\n--- stderr\n" + Files.readString(err);
            } catch (IOException e) {
                return String.join("\n", seen);
            }
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(err);
        }
    }

    /** Preconditions that CI must have; elsewhere the test is skipped with the reason. */
    static final class Assumptions {
        static void rootWithSetpriv() throws Exception {
            boolean root = "root".equals(System.getProperty("user.name"));
            boolean setpriv = new ProcessBuilder("sh", "-c", "command -v setpriv").start().waitFor() == 0;
            String why = !root ? "needs root (to run the CLI as another user)" : "needs setpriv (util-linux)";
            if (root && setpriv) {
                return;
            }
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI must run this test: " + why);
            }
            org.junit.jupiter.api.Assumptions.abort(why);
        }
    }
}
