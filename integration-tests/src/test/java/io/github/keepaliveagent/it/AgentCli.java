package io.github.keepaliveagent.it;

import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The agent jar's command line ({@code attach}, {@code status}), each run in a process of its own. */
final class AgentCli {

    private static final String CLI_JAVA = Paths.get(System.getProperty("java.home"), "bin", "java").toString();

    private AgentCli() {
    }

    static ForkedJvm.Result cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CLI_JAVA, "-jar", ForkedJvm.AGENT_JAR.toString()));
        command.addAll(List.of(args));
        return new ForkedJvm(System.getProperty("java.home")).run(command);
    }

    /** The CLI run by another JDK's java. */
    static ForkedJvm.Result cliWith(String javaHome, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Paths.get(javaHome, "bin", "java").toString(), "-jar",
                ForkedJvm.AGENT_JAR.toString()));
        command.addAll(List.of(args));
        return new ForkedJvm(javaHome).run(command);
    }

    static ForkedJvm.Result status(String pid) throws IOException, InterruptedException {
        return cli("status", pid);
    }

    /** The CLI run as user nobody (see {@link CiAssumptions#rootWithSetpriv}). */
    static ForkedJvm.Result asNobody(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", CLI_JAVA, "-jar", ForkedJvm.AGENT_JAR.toString()));
        command.addAll(List.of(args));
        return new ForkedJvm(System.getProperty("java.home")).run(command);
    }

    /**
     * ConnectOnDemand's 4 connections and 2 listening sockets were retrofitted, nothing failed. 5 connections
     * when the agent's own self-check socket (core/Background, never connected) was open at that moment.
     */
    static boolean retrofitted(String out) {
        return Pattern.compile("\n  retrofit: [45] connections changed, 2 listening sockets changed, 0 skipped"
                + " \\(closed meanwhile\\), 0 failed\n").matcher(out).find();
    }
}
