package io.github.keepaliveagent.it;

import static io.github.keepaliveagent.it.AgentCli.asNobody;
import static io.github.keepaliveagent.it.AgentCli.cli;
import static io.github.keepaliveagent.it.AgentCli.cliWith;
import static io.github.keepaliveagent.it.AgentCli.retrofitted;
import static io.github.keepaliveagent.it.AgentCli.status;
import static io.github.keepaliveagent.it.TestFiles.compiled;
import static io.github.keepaliveagent.it.TestFiles.deleteTree;
import static io.github.keepaliveagent.it.TestFiles.listing;
import static io.github.keepaliveagent.it.TestFiles.ours;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code attach} into JVMs started without the agent, its error cases, and TCP_USER_TIMEOUT. */
class AttachTest {

    static List<String> jdks() {
        return ForkedJvm.jdks().toList();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void attachConfiguresOpenAndNewConnectionsAndASecondAttachUpdates(String jdk) throws Exception {
        Path cwd = Files.createTempDirectory(Paths.get("target"), "attach-cwd");
        try (Target target = Target.start(new ForkedJvm(jdk), cwd, List.of())) {
            assertTrue(target.round(0).stream().allMatch(l -> l.contains("keepalive=false")), target.log());
            assertTrue(status(target.pid).out.contains("keepalive on: 0, off: 4"), status(target.pid).out);
            Set<String> tmpBefore = ours(listing(Paths.get("/tmp")), target.pid);
            Set<String> cwdBefore = listing(cwd);

            ForkedJvm.Result attach = cli("attach", target.pid, "idle=40,interval=5,count=3");
            assertEquals(0, attach.exitCode, attach.toString());
            List<String> report = attach.out.lines().toList();
            assertEquals("keepalive-agent: attached to process " + target.pid, report.get(0), attach.out);
            assertTrue(report.get(1).startsWith("  installed: SO_KEEPALIVE on, idle=40s (agent argument idle),"
                    + " interval=5s (agent argument interval), count=3 (agent argument count)"), attach.out);
            // 4, or 5 when the agent's own self-check socket (Background, not connected) was open just then.
            assertTrue(report.get(2).matches("  retrofit: [45] connections changed, 2 listening sockets changed,"
                    + " 0 skipped \\(closed meanwhile\\), 0 failed"), attach.out);
            // No file of the agent's own: /tmp gains only the JVM's attach socket, the target's cwd nothing.
            Set<String> expected = new TreeSet<>(tmpBefore);
            expected.add(".java_pid" + target.pid);
            assertEquals(expected, ours(listing(Paths.get("/tmp")), target.pid));
            assertEquals(cwdBefore, listing(cwd));

            ForkedJvm.Result loaded = cli("status", target.pid, "--agent");
            assertEquals(0, loaded.exitCode, loaded.toString());
            assertTrue(loaded.out.contains("\nkeepalive-agent: loaded, keepalive-agent ")
                    && loaded.out.contains("SO_KEEPALIVE on, idle=40s"), loaded.out);

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
            assertTrue(again.out.contains("\n  updated: SO_KEEPALIVE on, idle=50s"), again.out);
            ForkedJvm.Result json = cli("status", target.pid, "--json", "--agent");
            assertTrue(json.out.startsWith("{\"pid\":" + target.pid + ",\"agent\":\"loaded, keepalive-agent ")
                    && json.out.contains("idle=50s"), json.out);
            for (String line : target.round(2)) {
                assertTrue(line.endsWith("keepalive=true idle=50 interval=5 count=3"), line + "\n" + target.log());
            }
            assertEquals(2, target.agentLines().stream().filter(l -> l.contains("retrofit:")).count(),
                    "installed once, updated once:\n" + target.log());
        } finally {
            deleteTree(cwd);
        }
    }

    @Test
    void statusAgentSeesAnAgentGivenAtStartUpAndAnAttachThatSwitchedItOff() throws Exception {
        ForkedJvm withAgent = new ForkedJvm(System.getProperty("java.home")).withAgent().keepalive60x10x5();
        try (Target target = Target.start(withAgent)) {
            ForkedJvm.Result status = cli("status", target.pid, "--agent");
            assertEquals(0, status.exitCode, status.toString());
            assertTrue(status.out.contains("\nkeepalive-agent: loaded, keepalive-agent ") && status.out.contains(
                    ": SO_KEEPALIVE on, idle=60s (KEEPIDLE), interval=10s (KEEPINTVL), count=5 (KEEPCNT)"), status.out);
            ForkedJvm.Result off = cli("attach", target.pid, "keepalive=off");
            assertEquals(0, off.exitCode, off.toString());
            assertTrue(off.out.contains("\n  off: new sockets are left alone"), off.out);
            ForkedJvm.Result after = cli("status", target.pid, "--agent");
            assertTrue(after.out.contains(": off (attach): new sockets are left alone\n"), after.out);
            // New clients are left alone (accepted ones still inherit keepalive from the configured listeners).
            assertTrue(target.round(1).stream().filter(l -> l.contains(".client ")).allMatch(
                    l -> l.contains("keepalive=false")), target.log());
        }
    }

    @Test
    void aThreadIdIsRefusedNamingItsProcess() throws Exception {
        try (Target target = Target.start(new ForkedJvm(System.getProperty("java.home")))) {
            String tid;
            try (Stream<Path> tasks = Files.list(Paths.get("/proc", target.pid, "task"))) {
                tid = tasks.map(t -> t.getFileName().toString()).filter(t -> !t.equals(target.pid)).findFirst()
                        .orElseThrow();
            }
            for (String command : List.of("attach", "status")) {
                ForkedJvm.Result thread = cli(command, tid);
                assertEquals(2, thread.exitCode, thread.toString());
                assertEquals("keepalive-agent: " + command + ": " + tid + " is a thread of process " + target.pid
                        + ", not a process id: use " + target.pid, thread.err.strip(), thread.toString());
            }
            assertTrue(target.round(1).stream().allMatch(l -> l.contains("keepalive=false")), "nothing loaded: "
                    + target.log());
        }
    }

    /**
     * A target with a /tmp of its own (a mount namespace, like systemd's PrivateTmp) and a cwd of its own:
     * attach reports through the attach connection, so it is reported correctly; status alone changes
     * nothing there; the agent creates no file in either place.
     */
    @Test
    void aTargetWithItsOwnTmpIsAttachedAndReportedAndNothingIsCreated() throws Exception {
        Path privateTmp = Files.createTempDirectory(Paths.get("target").toAbsolutePath(), "private-tmp");
        Path cwd = Files.createTempDirectory(Paths.get("target").toAbsolutePath(), "attach-cwd");
        List<String> ownTmp = List.of("unshare", "-m", "sh", "-c", Target.PRIVATE_TMP + " && exec \"$@\"",
                privateTmp.toString());
        String jdk25 = System.getProperty("jdk25.home");
        try (Target target = Target.start(new ForkedJvm(System.getProperty("java.home")), cwd, ownTmp)) {
            assertTrue(!Files.isSameFile(Paths.get("/proc", target.pid, "root", "tmp"), Paths.get("/tmp")),
                    "the target has a /tmp of its own");
            Set<String> tmpBefore = listing(privateTmp);
            Set<String> cwdBefore = listing(cwd);
            assertTrue(tmpBefore.stream().noneMatch(n -> n.startsWith(".java_pid")), tmpBefore.toString());

            ForkedJvm.Result status = cli("status", target.pid);
            assertEquals(0, status.exitCode, status.toString());
            assertEquals(tmpBefore, listing(privateTmp), "status alone is read-only");

            // JDK 17's attach API looks in the caller's /tmp (JDK-8327114): said at once, not after 10 s.
            ForkedJvm.Result old = cli("attach", target.pid, "idle=40");
            assertEquals(1, old.exitCode, old.toString());
            assertTrue(old.err.contains("has a /tmp of its own") && old.err.contains("JDK 23 or newer"), old.err);

            ForkedJvm.Result notYet = cliWith(jdk25, "status", target.pid, "--agent");
            assertEquals(0, notYet.exitCode, notYet.toString());
            assertTrue(notYet.out.endsWith("keepalive-agent: not loaded\n"), notYet.out);

            ForkedJvm.Result attach = cliWith(jdk25, "attach", target.pid, "idle=40,interval=5,count=3");
            assertEquals(0, attach.exitCode, attach.toString());
            assertTrue(attach.out.contains("\n  installed: SO_KEEPALIVE on, idle=40s (agent argument idle)"), attach.out);
            assertTrue(retrofitted(attach.out), attach.out);
            Set<String> expected = new TreeSet<>(tmpBefore);
            expected.add(".java_pid" + target.pid); // the JVM's own attach socket, made for status --agent
            assertEquals(expected, listing(privateTmp));
            assertEquals(cwdBefore, listing(cwd));
            assertTrue(target.round(1).stream().allMatch(l -> l.endsWith("keepalive=true idle=40 interval=5 count=3")),
                    target.log());
        } finally {
            deleteTree(privateTmp);
            deleteTree(cwd);
        }
    }

    /** Like a container: its own pid and mount namespaces, its own /tmp. JDK 17's attach API reaches it. */
    @Test
    void aTargetInItsOwnPidAndMountNamespacesIsAttachedByJdk17() throws Exception {
        Path privateTmp = Files.createTempDirectory(Paths.get("target").toAbsolutePath(), "private-tmp");
        List<String> container = List.of("unshare", "-m", "-p", "--fork", "--kill-child", "sh", "-c",
                Target.PRIVATE_TMP + " && exec \"$@\"", privateTmp.toString());
        try (Target target = Target.start(new ForkedJvm(System.getProperty("java.home")), null, container)) {
            assertTrue(Files.readString(Paths.get("/proc", target.pid, "status")).contains("\nNSpid:\t" + target.pid
                    + "\t1\n"), "pid 1 in its own pid namespace");
            ForkedJvm.Result attach = cli("attach", target.pid, "idle=40,interval=5,count=3");
            assertEquals(0, attach.exitCode, attach.toString());
            assertTrue(attach.out.contains("\n  installed: SO_KEEPALIVE on, idle=40s (agent argument idle)"), attach.out);
            assertTrue(retrofitted(attach.out), attach.out);
            assertTrue(listing(privateTmp).contains(".java_pid1"), "its attach socket is in its own /tmp: "
                    + listing(privateTmp));
            assertTrue(target.round(1).stream().allMatch(l -> l.endsWith("keepalive=true idle=40 interval=5 count=3")),
                    target.log());
        } finally {
            deleteTree(privateTmp);
        }
    }

    /**
     * Attach used to write its outcome to /tmp/keepalive-agent-attach*.txt: a symlink or a FIFO planted
     * there could redirect or block it. It no longer creates any file, so they are never touched.
     */
    @Test
    void plantedSymlinksAndFifosInTmpAreNeverTouched() throws Exception {
        Path dir = Files.createTempDirectory(Paths.get("target").toAbsolutePath(), "planted");
        Path sentinel = Files.writeString(dir.resolve("sentinel"), "untouched\n");
        FileTime sentinelTime = Files.getLastModifiedTime(sentinel);
        Path missing = dir.resolve("would-be-created");
        String tag = Long.toHexString(System.nanoTime());
        Path linkToFile = Paths.get("/tmp", "keepalive-agent-attach" + tag + ".txt");
        Path linkToMissing = Paths.get("/tmp", "keepalive-agent-attach" + tag + "-missing.txt");
        Path fifo = Paths.get("/tmp", "keepalive-agent-attach" + tag + "-fifo.txt");
        try (Target target = Target.start(new ForkedJvm(System.getProperty("java.home")))) {
            Files.createSymbolicLink(linkToFile, sentinel);
            Files.createSymbolicLink(linkToMissing, missing);
            Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
            assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo failed");

            ForkedJvm.Result attach = cli("attach", target.pid, "idle=40");
            assertEquals(0, attach.exitCode, attach.toString());
            assertTrue(attach.out.contains("\n  installed: SO_KEEPALIVE on, idle=40s"), attach.out);
            assertTrue(retrofitted(attach.out), attach.out);

            assertEquals("untouched\n", Files.readString(sentinel));
            assertEquals(sentinelTime, Files.getLastModifiedTime(sentinel));
            assertTrue(!Files.exists(missing, LinkOption.NOFOLLOW_LINKS), "nothing created through the link");
            assertEquals(sentinel, Files.readSymbolicLink(linkToFile));
            assertEquals(missing, Files.readSymbolicLink(linkToMissing));
            assertTrue(Files.readAttributes(fifo, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther(),
                    "still a FIFO");
        } finally {
            Files.deleteIfExists(linkToFile);
            Files.deleteIfExists(linkToMissing);
            Files.deleteIfExists(fifo);
            deleteTree(dir);
        }
    }

    /**
     * Retrofit looks only at the target's own descriptors: another process in the same network namespace
     * holding 19,000 loopback connections (38,000 rows in /proc/net/tcp) does not matter to a target with
     * an 8 MB heap. (19,000, not 20,000: a process may hold 20,000 descriptors here, RLIMIT_NOFILE.)
     */
    @Test
    void retrofitInATinyHeapWhileTheNamespaceHoldsManyConnections() throws Exception {
        Path binary = compiled("many_connections");
        Process holder = new ProcessBuilder(binary.toString(), "19000").redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (Target target = Target.start(new ForkedJvm(System.getProperty("java.home")).jvmArgs("-Xmx8m"))) {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready 19000", out.readLine());
            long rows;
            try (Stream<String> lines = Files.lines(Paths.get("/proc", target.pid, "net", "tcp"))) {
                rows = lines.count();
            }
            assertTrue(rows > 38_000, "the namespace's table is large: " + rows + " rows");

            ForkedJvm.Result attach = cli("attach", target.pid, "idle=40");
            assertEquals(0, attach.exitCode, attach.toString());
            assertTrue(retrofitted(attach.out), attach.out + "\n" + target.log());
            assertTrue(!target.log().contains("OutOfMemoryError"), target.log());
            assertTrue(target.round(1).stream().allMatch(l -> l.contains("keepalive=true idle=40")), target.log());
        } finally {
            holder.getOutputStream().close(); // its stdin ends: it exits, its child dies with it
            if (!holder.waitFor(10, TimeUnit.SECONDS)) {
                holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
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
            ForkedJvm.Result cannotTell = cli("status", target.pid, "--agent");
            assertEquals(4, cannotTell.exitCode, cannotTell.toString());
            assertTrue(cannotTell.out.contains("established: 4") && cannotTell.out.contains(
                    "\nkeepalive-agent: cannot tell: process " + target.pid + " runs with -XX:+DisableAttachMechanism"),
                    cannotTell.toString());
        }
    }

    @Test
    void notPermittedAsAnotherUser() throws Exception {
        CiAssumptions.rootWithSetpriv();
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
        Path binary = compiled("tcp_holder");
        Process holder = new ProcessBuilder(binary.toString()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            String pid = String.valueOf(holder.pid());
            ForkedJvm.Result text = status(pid);
            assertEquals(0, text.exitCode, text.toString());
            assertTrue(text.out.contains("established: 4 (keepalive on: 1, off: 3, unknown: 0)"), text.out);
            assertTrue(text.out.contains("LISTEN"), text.out);
            ForkedJvm.Result agent = cli("status", pid, "--agent");
            assertEquals(0, agent.exitCode, agent.toString());
            assertTrue(agent.out.endsWith("keepalive-agent: not loaded (not a JVM)\n"), agent.out);
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
        // 12 s: above 10 s and above idle + interval x count = 5 + 1 x 3 = 8 s.
        ForkedJvm with = new ForkedJvm(jdk).withAgent().jvmArgs(opens).env("KEEPIDLE", "5").env("KEEPINTVL", "1")
                .env("KEEPCNT", "3").env("KEEPALIVE_USER_TIMEOUT", "12s");
        ForkedJvm.Result result = with.run(with.command("io.github.keepaliveagent.it.apps.UserTimeoutApp", classpath));
        List<String> lines = result.out.lines().filter(l -> l.startsWith("fd ")).toList();
        assertEquals(6, lines.size(), result.toString());
        assertTrue(lines.stream().allMatch(l -> l.endsWith(" user_timeout=12000")), result.toString());
        assertTrue(result.agentLines().stream().anyMatch(l -> l.startsWith("keepalive-agent INFO:")
                && l.contains("user_timeout=12s (KEEPALIVE_USER_TIMEOUT)")), result.toString());
        assertTrue(!result.err.contains("ERROR") && !result.err.contains("WARN"), result.toString());

        // A bare number is milliseconds: 4321 ms would kill healthy connections. One error, not applied.
        ForkedJvm tooSmall = new ForkedJvm(jdk).withAgent().jvmArgs(opens).env("KEEPIDLE", "5").env("KEEPINTVL", "1")
                .env("KEEPCNT", "3").env("KEEPALIVE_USER_TIMEOUT", "4321");
        ForkedJvm.Result small = tooSmall.run(tooSmall.command("io.github.keepaliveagent.it.apps.UserTimeoutApp",
                classpath));
        assertEquals(1, small.agentLines().stream().filter(l -> l.contains("ERROR")).count(), small.toString());
        assertTrue(small.err.contains("KEEPALIVE_USER_TIMEOUT=\"4321\" is not valid: 4321ms is so small it breaks"
                + " healthy connections: a GC pause or a slow reader longer than that kills the connection"),
                small.toString());
        assertTrue(small.out.lines().filter(l -> l.startsWith("fd ")).allMatch(l -> l.endsWith(" user_timeout=0")),
                small.toString());

        // 12 s under the kernel's keepalive (7200 + 75 x 9 s): one lost probe would drop an idle connection.
        ForkedJvm underKeepalive = new ForkedJvm(jdk).withAgent().jvmArgs(opens).env("KEEPALIVE_USER_TIMEOUT", "12s");
        ForkedJvm.Result under = underKeepalive.run(underKeepalive.command(
                "io.github.keepaliveagent.it.apps.UserTimeoutApp", classpath));
        assertTrue(under.err.contains("KEEPALIVE_USER_TIMEOUT=12s is not valid: it is shorter than idle + interval x"
                + " count"), under.toString());
        assertTrue(under.out.lines().filter(l -> l.startsWith("fd ")).allMatch(l -> l.endsWith(" user_timeout=0")),
                under.toString());

        ForkedJvm without = new ForkedJvm(jdk).jvmArgs(opens);
        ForkedJvm.Result plain = without.run(without.command("io.github.keepaliveagent.it.apps.UserTimeoutApp",
                classpath));
        assertTrue(plain.out.lines().filter(l -> l.startsWith("fd ")).allMatch(l -> l.endsWith(" user_timeout=0")),
                plain.toString());
    }
}
