package io.github.keepaliveagent.config;

/**
 * What one connection gets from the agent: SO_KEEPALIVE with idle, interval, count and user timeout
 * (each unset one keeps the kernel's value), or nothing at all ({@link #off()}: a {@code keepalive=off}
 * rule). Immutable; the global values and each rule's are built once, so that the per-connection path
 * only reads them.
 */
public final class Values {

    /** A value that is not set: the kernel's stays. */
    public static final int UNSET = -1;

    /** idle, interval, count (seconds, probes) and user_timeout (milliseconds), in {@link Option#SOCKET_OPTIONS} order. */
    private final int[] values;
    private final boolean off;

    Values(int idle, int interval, int count, int userTimeoutMillis, boolean off) {
        this.values = new int[] {idle, interval, count, userTimeoutMillis};
        this.off = off;
    }

    /** A {@code keepalive=off} rule: the connection is left alone. */
    static Values leftAlone() {
        return new Values(UNSET, UNSET, UNSET, UNSET, true);
    }

    /** Whether the connection is left alone entirely (a {@code keepalive=off} rule). */
    public boolean off() {
        return off;
    }

    /**
     * The value of one of {@link Option#SOCKET_OPTIONS}, or {@link #UNSET}. An if, not a switch: a switch on an
     * enum compiles to a class of its own, loaded with the first socket.
     */
    public int get(Option socketOption) {
        int index = Option.SOCKET_OPTIONS.indexOf(socketOption);
        return index < 0 ? UNSET : values[index];
    }

    /** The value at {@code index} of {@link Option#SOCKET_OPTIONS}, or {@link #UNSET}. */
    public int get(int index) {
        return values[index];
    }

    /** Whether a socket configured with {@code other} already has exactly these values. */
    public boolean sameAs(Values other) {
        if (other == this) {
            return true;
        }
        if (other == null || other.off != off) {
            return false;
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] != other.values[i]) {
                return false;
            }
        }
        return true;
    }

    /** "idle=30s, interval=10s, count=5, user_timeout=125s" (unset ones left out), or "keepalive off". */
    public String describe() {
        if (off) {
            return "keepalive off (left alone)";
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (values[i] == UNSET) {
                continue;
            }
            Option option = Option.SOCKET_OPTIONS.get(i);
            text.append(text.length() == 0 ? "" : ", ").append(option.argName).append('=')
                    .append(option == Option.USER_TIMEOUT ? Option.durationText(values[i])
                            : values[i] + (option == Option.COUNT ? "" : "s"));
        }
        return text.length() == 0 ? "the kernel's values" : text.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
