package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The black-box check an operator makes in production: {@code ss -tnoe} shows a keepalive timer on
 * each of the program's connections, counting down from KEEPIDLE.
 */
class KernelViewTest {

    static List<String> jdks() {
        return ForkedJvm.jdks().toList();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void ssShowsAKeepaliveTimerCountingDownFromKeepidle(String jdk) throws Exception {
        List<SsLine> lines = connectionsOf(new ForkedJvm(jdk).withAgent().env("KEEPIDLE", "90"));
        // 6 connections: both ends of each are in this process.
        assertEquals(12, lines.size(), lines.toString());
        for (SsLine line : lines) {
            assertTrue(line.keepaliveTimer(), "no keepalive timer: " + line);
            long seconds = line.timerMillis / 1000;
            assertTrue(seconds > 60 && seconds <= 90, "timer counts down from 90 s: " + line);
            assertEquals(0, line.probes, "no probe sent yet: " + line);
        }
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void withoutTheAgentSsShowsNoTimer(String jdk) throws Exception {
        List<SsLine> lines = connectionsOf(new ForkedJvm(jdk).env("KEEPIDLE", "90"));
        assertEquals(12, lines.size(), lines.toString());
        for (SsLine line : lines) {
            assertTrue(!line.keepaliveTimer(), line.line);
        }
    }

    /** Starts EverySocketKind holding its connections, and returns ss's lines for that process. */
    private static List<SsLine> connectionsOf(ForkedJvm jvm) throws Exception {
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
            List<SsLine> lines = new ArrayList<>();
            for (SsLine line : SsLine.parseAll(output)) {
                if (line.ownedBy(Long.parseLong(pid))) {
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
