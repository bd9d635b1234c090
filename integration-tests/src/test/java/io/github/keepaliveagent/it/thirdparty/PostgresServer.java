package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assertions;

/**
 * A real PostgreSQL server of the machine's Debian package (scripts/prereq/40-postgresql.sh), a
 * cluster of its own: initdb into a temporary directory (trust authentication), the postmaster
 * started as the postgres user on 127.0.0.1 and a free port, and stopped by {@link #close()} (fast
 * shutdown, then SIGKILL of its PID) whatever happened. The system's own cluster is never touched.
 * Needs root (to become postgres); without root, or without the package, the tests are skipped,
 * except under {@code CI=true}, where that is a failure.
 */
final class PostgresServer implements AutoCloseable {

    private final Path directory;
    private final Path bin;
    private final Process postmaster;
    private final Thread shutdownHook;
    final int port;

    private PostgresServer(Path directory, Path bin, Process postmaster, int port) {
        this.directory = directory;
        this.bin = bin;
        this.postmaster = postmaster;
        this.port = port;
        // A killed test JVM still ends its postmaster.
        this.shutdownHook = new Thread(postmaster::destroyForcibly, "postgres " + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** jdbc:postgresql://127.0.0.1:PORT/postgres?user=postgres (trust authentication). */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    static PostgresServer start() throws Exception {
        Path bin = binDirectory();
        prerequisite(bin != null, "no PostgreSQL server here (/usr/lib/postgresql/*/bin/initdb): "
                + "run scripts/prereq/40-postgresql.sh");
        prerequisite("root".equals(System.getProperty("user.name")),
                "the PostgreSQL test needs root to run initdb and postgres as the postgres user");
        Path directory = Files.createTempDirectory("keepalive-pg");
        run(List.of("chown", "postgres:postgres", directory.toString()), directory, 30);
        Process postmaster = null;
        try {
            Path data = directory.resolve("data");
            run(asPostgres(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--no-sync"), directory, 120);
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            // setpriv execs postgres itself: this Process is the postmaster, its PID is the server's.
            postmaster = new ProcessBuilder(asPostgres(bin.resolve("postgres").toString(), "-D", data.toString(),
                    "-p", String.valueOf(port), "-k", directory.toString(), "-c", "listen_addresses=127.0.0.1",
                    "-c", "fsync=off"))
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("postgres.log").toFile())
                    .start();
            PostgresServer server = new PostgresServer(directory, bin, postmaster, port);
            try {
                server.awaitAccepting();
            } catch (Throwable e) {
                server.close();
                throw e;
            }
            return server;
        } catch (Throwable e) {
            if (postmaster != null) {
                postmaster.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            deleteTree(directory);
            throw e;
        }
    }

    private static void prerequisite(boolean met, String why) {
        if (!met && "true".equals(System.getenv("CI"))) {
            Assertions.fail(why + "; CI=true, so a missing prerequisite is a failure, not a skip");
        }
        assumeTrue(met, why);
    }

    private static List<String> asPostgres(String... command) {
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
        full.addAll(List.of(command));
        return full;
    }

    /** The newest /usr/lib/postgresql/N/bin that has initdb and postgres, or null. */
    static Path binDirectory() throws IOException {
        Path root = Paths.get("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
                    .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())))
                    .orElse(null);
        }
    }

    private static int version(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void run(List<String> command, Path directory, long seconds) throws Exception {
        File log = File.createTempFile("keepalive-pg", ".log");
        try {
            Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(log).start();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(command + " did not end in " + seconds + " s:\n" + Files.readString(log.toPath()));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(command + " exited " + process.exitValue() + ":\n"
                        + Files.readString(log.toPath()));
            }
        } finally {
            log.delete();
        }
    }

    /** Bounded: the log says "ready to accept connections" and the port answers. */
    private void awaitAccepting() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!postmaster.isAlive()) {
                throw new AssertionError("postgres ended (status " + postmaster.exitValue() + "):\n" + log());
            }
            if (log().contains("ready to accept connections")) {
                try (Socket probe = new Socket()) {
                    probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    return;
                } catch (IOException notYet) {
                    // retried below
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("postgres not accepting connections after 60 s:\n" + log());
            }
            Thread.sleep(100);
        }
    }

    String log() {
        try {
            return Files.readString(directory.resolve("postgres.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    long pid() {
        return postmaster.pid();
    }

    /** Fast shutdown (SIGINT to the postmaster's PID), SIGKILL if it has not ended in 30 s; the directory goes. */
    @Override
    public void close() throws Exception {
        try {
            if (postmaster.isAlive()) {
                new ProcessBuilder("kill", "-INT", String.valueOf(postmaster.pid())).start().waitFor(10, TimeUnit.SECONDS);
                if (!postmaster.waitFor(30, TimeUnit.SECONDS)) {
                    postmaster.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            deleteTree(directory);
        }
    }

    private static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }

    @Override
    public String toString() {
        return "PostgreSQL " + bin + " on 127.0.0.1:" + port + " (pid " + postmaster.pid() + ")\n" + log();
    }
}
