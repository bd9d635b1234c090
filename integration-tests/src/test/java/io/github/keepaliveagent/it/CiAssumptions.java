package io.github.keepaliveagent.it;

/** Preconditions that CI must have; elsewhere the test is skipped with the reason. */
final class CiAssumptions {

    private CiAssumptions() {
    }

    static void rootWithSetpriv() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean setpriv = new ProcessBuilder("sh", "-c", "command -v setpriv").start().waitFor() == 0;
        String why = !root ? "needs root (to run the CLI as another user)" : "needs setpriv (util-linux)";
        if (root && setpriv) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI must run this test: " + why);
        }
        org.junit.jupiter.api.Assumptions.abort(why);
    }
}
