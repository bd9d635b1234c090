package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The files and directories of the attach tests: listings, clean-up, and the C programs they compile. */
final class TestFiles {

    private TestFiles() {
    }

    /** src/test/c/NAME.c compiled with gcc into target/NAME; returns the binary. */
    static Path compiled(String name) throws IOException, InterruptedException {
        Path binary = Paths.get("target", name).toAbsolutePath();
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(), "src/test/c/" + name + ".c")
                .inheritIO().start();
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "gcc failed");
        return binary;
    }

    static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** The entries of a shared /tmp that the agent or the attach of this target could have made. */
    static Set<String> ours(Set<String> names, String pid) {
        return names.stream().filter(n -> n.startsWith("keepalive-agent") || n.startsWith(".attach_pid")
                || n.matches("\\D*" + pid + "(\\D.*)?")).collect(Collectors.toCollection(TreeSet::new));
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
