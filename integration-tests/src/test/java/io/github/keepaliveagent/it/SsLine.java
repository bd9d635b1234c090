package io.github.keepaliveagent.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One TCP socket as {@code ss -t[a]no[e][p]H [state established]} prints it: the one parser of ss
 * output for every test ({@code it.thirdparty.Ss}, {@code it.lab.NetLab}, {@code it.containers},
 * {@code KernelViewTest} use it).
 *
 * <p>Layout: {@code [State] Recv-Q Send-Q Local:Port Peer:Port [users:(...)] [timer:(...)] ...}. The
 * State column is there unless ss was asked for one state ({@code state established}).
 */
public final class SsLine {

    private static final Pattern LINE =
            Pattern.compile("^(?:([A-Z][A-Z0-9-]*)\\s+)?(\\d+)\\s+(\\d+)\\s+(\\S+):(\\d+)\\s+(\\S+):(\\S+)(.*)$");
    private static final Pattern TIMER = Pattern.compile("timer:\\((\\w+),([^,]+),(\\d+)\\)");
    private static final Pattern PID = Pattern.compile("pid=(\\d+),");
    /** ss prints a timer as "119min", "1min5sec", "59sec", "5.123ms" (5 s 123 ms) or "123ms". */
    private static final Pattern DURATION =
            Pattern.compile("(?:(\\d+)min)?(?:(\\d+)sec)?(?:(\\d+)\\.(\\d+)ms)?(?:(\\d+)ms)?");

    /** "ESTAB", "LISTEN", ... or null when ss printed no State column. */
    public final String state;
    public final String localAddress;
    public final int localPort;
    public final String peerAddress;
    /** A number, or "*" for a listener. */
    public final String peerPort;
    /** The pids of {@code users:(...)} (with -p), empty without. */
    public final List<Long> pids;
    /** "keepalive", "on" (retransmission), "persist", ... or null when the kernel runs no timer. */
    public final String timer;
    /** The timer's time left, or -1 without a timer. */
    public final long timerMillis;
    /** Unanswered probes or retransmissions, or -1 without a timer. */
    public final int probes;
    /** Everything after the peer column. */
    public final String rest;
    public final String line;

    private SsLine(Matcher m, String line) {
        this.line = line;
        state = m.group(1);
        localAddress = m.group(4);
        localPort = Integer.parseInt(m.group(5));
        peerAddress = m.group(6);
        peerPort = m.group(7);
        rest = m.group(8).trim();
        List<Long> found = new ArrayList<>();
        Matcher pid = PID.matcher(rest);
        while (pid.find()) {
            found.add(Long.parseLong(pid.group(1)));
        }
        pids = List.copyOf(found);
        Matcher t = TIMER.matcher(rest);
        if (t.find()) {
            timer = t.group(1);
            timerMillis = millis(t.group(2));
            probes = Integer.parseInt(t.group(3));
        } else {
            timer = null;
            timerMillis = -1;
            probes = -1;
        }
    }

    /** The socket of one ss line, or empty for a header, a blank or a non-TCP line. */
    public static Optional<SsLine> parse(String line) {
        Matcher m = LINE.matcher(line.trim());
        return m.matches() ? Optional.of(new SsLine(m, line)) : Optional.empty();
    }

    /** Every socket line of ss's output. */
    public static List<SsLine> parseAll(String output) {
        List<SsLine> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            parse(line).ifPresent(lines::add);
        }
        return lines;
    }

    /** The milliseconds of an ss duration ("1min5sec", "59sec", "5.123ms", "123ms"). */
    public static long millis(String duration) {
        Matcher m = DURATION.matcher(duration);
        if (!m.matches() || duration.isEmpty()) {
            throw new AssertionError("unknown ss duration: " + duration);
        }
        long millis = 0;
        millis += m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 60_000;
        millis += m.group(2) == null ? 0 : Long.parseLong(m.group(2)) * 1000;
        millis += m.group(3) == null ? 0 : Long.parseLong(m.group(3)) * 1000 + Long.parseLong(m.group(4));
        millis += m.group(5) == null ? 0 : Long.parseLong(m.group(5));
        return millis;
    }

    public boolean keepaliveTimer() {
        return "keepalive".equals(timer);
    }

    /** A keepalive timer counting down from at most {@code idleSeconds}, no probe sent yet. */
    public boolean keepaliveTimerFrom(long idleSeconds) {
        return keepaliveTimer() && timerMillis > 0 && timerMillis <= idleSeconds * 1000 && probes == 0;
    }

    public boolean ownedBy(long pid) {
        return pids.contains(pid);
    }

    @Override
    public String toString() {
        return line;
    }
}
