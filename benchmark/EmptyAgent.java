import java.lang.instrument.Instrumentation;

/**
 * The "empty agent" variant of benchmark/run: a premain that does nothing, so the benchmark can
 * tell what any -javaagent costs (opening the jar, loading java.instrument) from what
 * keepalive-agent itself costs. Compiled with javac --release 8 and jarred by benchmark/run.
 */
public final class EmptyAgent {

    private EmptyAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
    }

    public static void premain(String args) {
    }
}
