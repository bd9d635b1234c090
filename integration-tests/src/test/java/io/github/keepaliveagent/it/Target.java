package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** ConnectOnDemand running without the agent; "connect" on its stdin opens one more round. */
final class Target implements AutoCloseable {

    /**
     * The shell that gives a target the directory $0 as its /tmp. A checkout under /tmp (a CI clone) would
     * vanish with it, jars and all: it is bound into the private /tmp at the same path first.
     */
    static final String PRIVATE_TMP = privateTmpScript();

    private static String privateTmpScript() {
        Path repo = Paths.get("").toAbsolutePath().getParent();
        if (repo.startsWith("/tmp") && repo.getNameCount() > 1) {
            String top = "/tmp/" + repo.getName(1);
            String inside = "\"$0\"/" + repo.getName(1);
            // --rbind: the checkout's mount inside the private directory comes along.
            return "mkdir -p " + inside + " && mount --bind " + top + " " + inside + " && mount --rbind \"$0\" /tmp";
        }
        return "mount --bind \"$0\" /tmp";
    }

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
        String own = ready.substring("ready pid=".length());
        // In a pid namespace of its own (unshare -p --fork) it is 1 there: its pid here is unshare's child's.
        this.pid = own.equals("1") ? String.valueOf(process.children().findFirst().orElseThrow().pid()) : own;
    }

    static Target start(ForkedJvm jvm) throws Exception {
        return start(jvm, null, List.of());
    }

    /** In the directory {@code cwd} (null: this one), its command after {@code prefix} (e.g. unshare). */
    static Target start(ForkedJvm jvm, Path cwd, List<String> prefix) throws Exception {
        Path err = Files.createTempFile(Paths.get("target").toAbsolutePath(), "attach-target", ".err");
        List<String> command = new ArrayList<>(prefix);
        command.addAll(jvm.command("example.ConnectOnDemand", ForkedJvm.EXAMPLES_JAR));
        ProcessBuilder builder = jvm.builder(command).redirectError(err.toFile());
        if (cwd != null) {
            builder.directory(cwd.toFile());
        }
        return new Target(builder.start(), err);
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
        try {
            in.close(); // end of input: ConnectOnDemand ends, also where destroy() reaches only unshare
        } catch (IOException ignored) {
            // it ended already
        }
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
        Files.deleteIfExists(err);
    }
}
