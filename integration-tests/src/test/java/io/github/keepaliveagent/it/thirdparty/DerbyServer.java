package io.github.keepaliveagent.it.thirdparty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Apache Derby 10.15's network server, started with its own main in a JVM of its own
 * ({@code NetworkServerControl start -h 127.0.0.1 -p PORT}, jars in target/thirdparty/derby-server),
 * in a temporary working directory (where it writes derby.log). On JDK 17 it installs its own
 * SecurityManager with its "Basic server security policy" right at start-up, unless given
 * {@code -noSecurityManager}. {@link #close()} shuts it down with {@code NetworkServerControl
 * shutdown}, then ends the process (SIGTERM, then SIGKILL) if it is still there.
 */
final class DerbyServer implements AutoCloseable {

    static final String CONTROL = "org.apache.derby.drda.NetworkServerControl";
    private static final String READY = "started and ready to accept connections";
    private static final long READY_TIMEOUT_SECONDS = 90;

    final int port;
    final Program server;
    private final Path directory;

    private DerbyServer(int port, Program server, Path directory) {
        this.port = port;
        this.server = server;
        this.directory = directory;
    }

    /** Starts the server with or without the agent; {@code options} go after {@code start -h -p}. */
    static DerbyServer start(boolean agent, Map<String, String> env, String... options) throws Exception {
        Path directory = Files.createTempDirectory("keepalive-derby");
        int port = KafkaExample.freePort();
        List<String> args = new ArrayList<>(List.of("start", "-h", "127.0.0.1", "-p", String.valueOf(port)));
        args.addAll(List.of(options));
        Program server = Program.start(Program.java(agent, "derby-server", CONTROL, args.toArray(new String[0])), env,
                directory);
        DerbyServer derby = new DerbyServer(port, server, directory);
        try {
            derby.awaitReady();
        } catch (Throwable e) {
            derby.close();
            throw e;
        }
        return derby;
    }

    long pid() {
        return server.pid();
    }

    /** jdbc:derby://127.0.0.1:PORT/memory:db;create=true: an in-memory database, nothing on disk but derby.log. */
    String jdbcUrl() {
        return "jdbc:derby://127.0.0.1:" + port + "/memory:db;create=true";
    }

    boolean securityManagerInstalled() {
        return server.output().contains("Security manager installed");
    }

    /** Bounded: Derby's console line "... started and ready to accept connections on port PORT". */
    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
        while (!server.output().contains(READY)) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("Derby's network server did not say '" + READY + "' within "
                        + READY_TIMEOUT_SECONDS + " s: " + server);
            }
            Thread.sleep(250);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (server.isAlive()) {
                try (Program shutdown = Program.start(Program.java(false, "derby-server", CONTROL, "shutdown", "-h",
                        "127.0.0.1", "-p", String.valueOf(port)), Map.of(), directory)) {
                    shutdown.waitFor(60);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (server.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
            }
        } finally {
            server.close(); // SIGTERM, then SIGKILL: only this server's own process
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
}
