package io.github.keepaliveagent.it.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small helpers of the lab tests: deadlines on {@link System#nanoTime()} and fields of the programs' lines. */
final class Waits {

    private static final Pattern LOCAL_PORT = Pattern.compile("local=\\S+:(\\d+)");
    private static final Pattern AFTER = Pattern.compile(" after (\\d+) ms");

    private Waits() {
    }

    static long deadline(long fromNanos, Duration duration) {
        return fromNanos + duration.toNanos();
    }

    /** What is left until the deadline (zero or negative when it has passed). */
    static Duration until(long deadlineNanos) {
        return Duration.ofNanos(deadlineNanos - System.nanoTime());
    }

    static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    static double secondsBetween(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    /** The local ports in lines such as {@code connected local=10.200.3.2:41234 remote=...}. */
    static List<Integer> localPorts(List<LabProcess.Line> lines) {
        List<Integer> ports = new ArrayList<>();
        for (LabProcess.Line line : lines) {
            Matcher m = LOCAL_PORT.matcher(line.text());
            if (!m.find()) {
                throw new AssertionError("no local=IP:PORT in: " + line);
            }
            ports.add(Integer.valueOf(m.group(1)));
        }
        return ports;
    }

    /** N of {@code ... after N ms ...}. */
    static long afterMillis(LabProcess.Line line) {
        Matcher m = AFTER.matcher(line.text());
        if (!m.find()) {
            throw new AssertionError("no 'after N ms' in: " + line);
        }
        return Long.parseLong(m.group(1));
    }
}
