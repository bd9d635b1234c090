package io.github.keepaliveagent.cli;

/** The exit status of {@code attach} and {@code status}, as {@code --help} and README list them. */
final class ExitCode {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NO_SUCH_PROCESS = 3;
    static final int NOT_ATTACHABLE = 4;
    static final int NOT_PERMITTED = 5;
    static final int NO_INSTRUMENT = 6;

    private ExitCode() {
    }
}
