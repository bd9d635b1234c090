package io.github.keepaliveagent.it.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A program the lab started inside a namespace: its stdout lines with the time each arrived, its
 * stderr, and its stdin (the lab programs end when stdin closes). Every wait is bounded; the only
 * process it ever stops is its own, through its {@link Process} handle.
 */
public final class LabProcess implements AutoCloseable {

    /** One line of stdout and when the test saw it ({@link System#nanoTime()}). */
    public record Line(long nanos, String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final Process process;
    private final List<Line> lines = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private boolean stdoutEnded;

    LabProcess(String name, ProcessBuilder builder) throws IOException {
        this.name = name;
        this.process = builder.redirectInput(ProcessBuilder.Redirect.PIPE).start();
        Thread out = new Thread(this::readStdout, "lab stdout " + name);
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(this::readStderr, "lab stderr " + name);
        err.setDaemon(true);
        err.start();
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    private void readStdout() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (lines) {
                    lines.add(new Line(System.nanoTime(), line));
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process is gone; what it printed is kept
        } finally {
            synchronized (lines) {
                stdoutEnded = true;
                lines.notifyAll();
            }
        }
    }

    private void readStderr() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (stderr) {
                    stderr.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** The first line matching {@code regex} (found anywhere in the line), waiting at most {@code timeout}. */
    public Line await(String regex, Duration timeout) {
        return awaitCount(regex, 1, timeout).get(0);
    }

    /**
     * The first {@code count} lines matching {@code regex}, waiting at most {@code timeout} (lines
     * already there count, even when the timeout is zero or negative).
     */
    public List<Line> awaitCount(String regex, int count, Duration timeout) {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                List<Line> found = matching(pattern);
                if (found.size() >= count) {
                    return found.subList(0, count);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || stdoutEnded) {
                    throw new AssertionError(name + ": expected " + count + " line(s) matching /" + regex + "/ within "
                            + Math.max(0, timeout.toMillis()) + " ms, found " + found.size()
                            + (stdoutEnded ? " (its stdout ended)" : "") + "\n" + this);
                }
                try {
                    lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(name + ": interrupted while waiting for /" + regex + "/", e);
                }
            }
        }
    }

    /** Every line so far that matches {@code regex} (found anywhere in the line). */
    public List<Line> all(String regex) {
        synchronized (lines) {
            return matching(Pattern.compile(regex));
        }
    }

    private List<Line> matching(Pattern pattern) {
        List<Line> found = new ArrayList<>();
        for (Line line : lines) {
            if (pattern.matcher(line.text()).find()) {
                found.add(line);
            }
        }
        return found;
    }

    /** Waits (bounded) for the program to end and returns its exit status; fails if it is still running. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + ": still running after " + timeout.toSeconds() + " s\n" + this);
        }
        return process.exitValue();
    }

    /** Writes one line to the program's stdin. */
    public void send(String line) throws IOException {
        OutputStream stdin = process.getOutputStream();
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Closes stdin: the lab programs end when it closes. */
    void closeStdin() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already closed or the process is gone
        }
    }

    /** Ends the program: stdin closed, then SIGTERM, then SIGKILL, each with a bounded wait. */
    @Override
    public void close() throws InterruptedException {
        closeStdin();
        if (process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            return;
        }
        process.destroy();
        if (process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            return;
        }
        process.destroyForcibly();
        if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") did not end after SIGKILL");
        }
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("--- ").append(name).append(" (pid ").append(process.pid())
                .append(process.isAlive() ? ", running" : ", exit " + process.exitValue()).append(") stdout:\n");
        synchronized (lines) {
            for (Line line : lines) {
                text.append(line.text()).append('\n');
            }
        }
        synchronized (stderr) {
            text.append("--- ").append(name).append(" stderr:\n").append(stderr);
        }
        return text.toString();
    }
}
