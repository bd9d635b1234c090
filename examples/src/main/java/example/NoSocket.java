package example;

/** Opens no socket and exits: what a JVM that never makes a connection pays for the agent (benchmark/run). */
public final class NoSocket {

    private NoSocket() {
    }

    public static void main(String[] args) {
        StringBuilder work = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            work.append(i);
        }
        if (work.length() == 0) {
            throw new IllegalStateException("no work done");
        }
    }
}
