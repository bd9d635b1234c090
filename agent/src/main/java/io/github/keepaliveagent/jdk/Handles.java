package io.github.keepaliveagent.jdk;

/** What a method handle threw, as the agent's callers see it: an Exception or Error as it is, nothing else. */
final class Handles {

    private Handles() {
    }

    /** {@code catch (Throwable t) { throw Handles.rethrow(t); }} */
    static Exception rethrow(Throwable thrown) {
        if (thrown instanceof Error) {
            throw (Error) thrown;
        }
        return thrown instanceof Exception ? (Exception) thrown : new IllegalStateException(thrown);
    }
}
