package bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * The process's own CPU time (user + system, every thread, children excluded) from /proc/self/stat, in
 * milliseconds (10 ms resolution at USER_HZ=100). No java.management: nothing the variants differ in is loaded.
 */
final class Cpu {

    private static final long TICK_MILLIS = 1000L / Long.getLong("bench.clktck", 100L);

    private Cpu() {
    }

    static long millis() {
        try {
            String stat = new String(Files.readAllBytes(Paths.get("/proc/self/stat")), StandardCharsets.US_ASCII);
            // fields after the ")" that ends comm: state is field 3; utime 14 and stime 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_MILLIS;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read /proc/self/stat", e);
        }
    }

    /**
     * Waits until the JVM is 1.5 s old: an agent's start-up work on its own thread (keepalive-agent warms up
     * ASM, then runs a self-check one second after premain) is start-up cost, measured apart, not the
     * per-connection cost of the phase that follows. Every variant waits alike.
     */
    static void settle() throws InterruptedException {
        long age = ProcessHandle.current().info().startInstant()
                .map(t -> System.currentTimeMillis() - t.toEpochMilli()).orElse(0L);
        if (age < 1500) {
            Thread.sleep(1500 - age);
        }
    }

    /** Prints one phase as key=value lines: NAME_cpu_ms and NAME_wall_ms. */
    static void print(String name, long cpuStart, long nanoStart) {
        System.out.println(name + "_cpu_ms=" + (millis() - cpuStart));
        System.out.println(name + "_wall_ms=" + (System.nanoTime() - nanoStart) / 1_000_000);
    }
}
