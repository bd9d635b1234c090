package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The black-box check an operator makes in production: {@code ss -tnoe} shows a keepalive timer on
 * each of the program's connections, counting down from KEEPIDLE.
 */
class KernelViewTest {

    private static final Pattern TIMER = Pattern.compile("timer:\\(keepalive,(\\d+)(?:min(\\d+))?sec,(\\d+)\\)");

    static List<String> jdks() {
        return ForkedJvm.jdks().toList();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void ssShowsAKeepaliveTimerCountingDownFromKeepidle(String jdk) throws Exception {
        List<String> lines = connectionsOf(new ForkedJvm(jdk).withAgent().env("KEEPIDLE", "90"));
        // 6 connections: both ends of each are in this process.
        assertEquals(12, lines.size(), String.join("\n", lines));
        for (String line : lines) {
            Matcher timer = TIMER.matcher(line);
            assertTrue(timer.find(), "no keepalive timer: " + line);
            int seconds = Integer.parseInt(timer.group(1)) * (timer.group(2) == null ? 1 : 60)
                    + (timer.group(2) == null ? 0 : Integer.parseInt(timer.group(2)));
            assertTrue(seconds > 60 && seconds <= 90, "timer counts down from 90 s: " + line);
            assertEquals("0", timer.group(3), "no probe sent yet: " + line);
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void withoutTheAgentSsShowsNoTimer(String jdk) throws Exception {
        List<String> lines = connectionsOf(new ForkedJvm(jdk).env("KEEPIDLE", "90"));
        assertEquals(12, lines.size(), String.join("\n", lines));
        for (String line : lines) {
            assertTrue(!line.contains("keepalive"), line);
        }
    }

    /** Starts EverySocketKind holding its connections, and returns ss's lines for that process. */
    private static List<String> connectionsOf(ForkedJvm jvm) throws Exception {
        Process program = jvm.builder(jvm.command("example.EverySocketKind", ForkedJvm.EXAMPLES_JAR, "--hold", "20"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(program.getInputStream(),
                StandardCharsets.UTF_8))) {
            String pid = null;
            for (String line; pid == null && (line = out.readLine()) != null; ) {
                if (line.startsWith("ready pid=")) {
                    pid = line.substring("ready pid=".length());
                }
            }
            assertTrue(pid != null, "the program did not get ready");
            Process ss = new ProcessBuilder("ss", "-tnoepH", "state", "established").redirectErrorStream(true).start();
            String output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(ss.waitFor(10, TimeUnit.SECONDS));
            List<String> lines = new ArrayList<>();
            for (String line : output.split("\n")) {
                if (line.contains("pid=" + pid + ",")) {
                    lines.add(line);
                }
            }
            return lines;
        } finally {
            program.destroy();
            program.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
