package io.github.keepaliveagent.cli;

import io.github.keepaliveagent.config.Option;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class CliTest {

    @Test
    void helpShowsEveryOptionTheEffectiveSettingsAndTheKernelDefaults() {
        String help = run(Map.of("KEEPIDLE", "60", "KEEPCNT", "abc"), "--help");
        for (Option option : Option.values()) {
            assertTrue((option.envName == null || help.contains(option.envName)) && help.contains(option.argName),
                    option.name());
        }
        assertTrue(help.contains("idle=60s (KEEPIDLE)"), help);
        assertTrue(help.contains("ERROR: KEEPCNT=\"abc\" is not valid"), help);
        assertTrue(help.contains("idle = " + Option.IDLE.kernelDefault()), help);
    }

    @Test
    void unknownCommandIsAnError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Cli.run(new String[] {"--frobnicate"}, Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err));
        assertEquals(2, status);
        assertTrue(err.toString().contains("unknown command \"--frobnicate\""));
    }

    @Test
    void readmeHasTheSameOptionsTableAsTheCode() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(readme.contains(Option.markdownTable()),
                "README.md must contain exactly this table (generated from Option):\n" + Option.markdownTable());
    }

    @Test
    void attachAndStatusRefuseAThreadIdNamingItsProcess() throws Exception {
        String pid = String.valueOf(ProcessHandle.current().pid());
        String tid;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", pid, "task"))) {
            tid = tasks.map(p -> p.getFileName().toString()).filter(t -> !t.equals(pid)).findFirst().orElseThrow();
        }
        assertTrue(Files.isDirectory(Path.of("/proc", tid)), "Linux answers /proc/TID for a thread too");
        for (String command : new String[] {"attach", "status"}) {
            Outcome thread = outcome(command, tid);
            assertEquals(2, thread.status, thread.err);
            assertEquals("keepalive-agent: " + command + ": " + tid + " is a thread of process " + pid
                    + ", not a process id: use " + pid + "\n", thread.err);
            assertEquals("", thread.out);
        }
        assertEquals(0, outcome("status", pid).status, "the process id itself is fine");
        assertEquals(3, outcome("status", "999999999").status);
        assertEquals(2, outcome("status", "12ab").status);
    }

    @Test
    void versionHasThreeSpellings() {
        for (String spelling : new String[] {"--version", "-v", "version"}) {
            Outcome version = outcome(spelling);
            assertEquals(0, version.status, spelling);
            assertTrue(version.out.startsWith("keepalive-agent "), version.out);
        }
    }

    @Test
    void statusNamesAnUnknownFlag() {
        String pid = String.valueOf(ProcessHandle.current().pid());
        Outcome typo = outcome("status", pid, "--jsn");
        assertEquals(2, typo.status, typo.err);
        assertTrue(typo.err.contains("unknown option \"--jsn\": expected --json or --agent"), typo.err);
        Outcome twice = outcome("status", pid, "--json", "--json");
        assertEquals(2, twice.status, twice.err);
        assertTrue(twice.err.contains("--json is given twice"), twice.err);
        assertTrue(outcome("status", pid, "--json").out.startsWith("{\"pid\":" + pid + ",\"sockets\":["));
    }

    @Test
    void attachWithAnInvalidValueSaysOnceThatNothingWasLoaded() {
        String pid = String.valueOf(ProcessHandle.current().pid());
        Outcome invalid = outcome("attach", pid, "idle=abc");
        assertEquals(2, invalid.status, invalid.err);
        assertEquals(List.of("keepalive-agent: attach: agent argument idle=\"abc\" is not valid: expected a whole"
                + " number from 1 to 32767 (the kernel's limits)",
                "keepalive-agent: attach: nothing was loaded into process " + pid), invalid.err.lines().toList());
        for (String args : new String[] {"idle=60,idle=70", "bogus=1", "idle=60,,count=2"}) {
            Outcome wrong = outcome("attach", pid, args);
            assertEquals(2, wrong.status, wrong.err);
            assertEquals(2, wrong.err.lines().count(), wrong.err);
            assertFalse(wrong.err.contains("ignored") || wrong.err.contains("stays"), wrong.err);
            assertTrue(wrong.err.endsWith("keepalive-agent: attach: nothing was loaded into process " + pid + "\n"));
        }
        Outcome shortTimeout = outcome("attach", pid, "idle=60,interval=10,count=5,user_timeout=60s");
        assertEquals(2, shortTimeout.status, shortTimeout.err);
        assertEquals(2, shortTimeout.err.lines().count(), shortTimeout.err);
        assertTrue(shortTimeout.err.contains("Use at least 110s"), shortTimeout.err);
        assertFalse(shortTimeout.err.contains("ignored"), shortTimeout.err);
    }

    @Test
    void helpStatesTheGrammarOnce() {
        String help = run(Map.of(), "--help");
        assertTrue(help.contains("name=value pairs separated by commas, no spaces; names in lower case, each at"
                + " most\nonce; words (on, OFF, Debug) in any case; numbers in decimal digits; user_timeout a"
                + " duration\nwith its unit (120s, 2m, 90000ms; a bare number is milliseconds)"), help);
        assertTrue(help.contains("status PID [--json] [--agent]"), help);
        assertTrue(help.contains("--agent also asks the JVM whether the agent is loaded"), help);
    }

    private record Outcome(int status, String out, String err) {
    }

    private static Outcome outcome(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Cli.run(args, Map.of(), new PrintStream(out, true), new PrintStream(err, true));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, Cli.run(args, env, new PrintStream(out, true), System.err));
        return out.toString(StandardCharsets.UTF_8);
    }
}
