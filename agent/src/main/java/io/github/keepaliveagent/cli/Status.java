package io.github.keepaliveagent.cli;

import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;

import io.github.keepaliveagent.proc.ProcTcp;

/**
 * {@code java -jar keepalive-agent.jar status PID [--json] [--agent]}: the TCP connections of any process,
 * Java or not, with their keepalive timers, read from /proc. How an operator proves that it worked.
 *
 * <p>Read-only by default: nothing but /proc is read, the process is not touched. {@code --agent} also
 * asks a JVM whether the agent is loaded and with which settings: that takes an attach connection (the
 * JVM starts its Attach Listener thread, which then stays, and creates its attach socket in its /tmp),
 * so it is asked for explicitly, never done behind the operator's back.
 */
final class Status {

    private Status() {
    }

    static int run(String pid, boolean json, boolean agent, PrintStream out, PrintStream err) {
        int checked = ProcessId.check("status", pid, err);
        if (checked != ExitCode.OK) {
            return checked;
        }
        List<ProcTcp.Connection> connections;
        try {
            connections = ProcTcp.of(pid);
        } catch (NoSuchFileException e) {
            err.println("keepalive-agent: status: no such process: " + pid);
            return ExitCode.NO_SUCH_PROCESS;
        } catch (AccessDeniedException e) {
            err.println("keepalive-agent: status: not permitted to read process " + pid
                    + "'s file descriptors: run as the user that owns it, or as root");
            return ExitCode.NOT_PERMITTED;
        } catch (Exception e) {
            err.println("keepalive-agent: status: cannot read process " + pid + ": " + e);
            return ExitCode.FAILED;
        }
        Attach.Problem loaded = agent ? Attach.agentIn(pid) : null;
        if (json) {
            printJson(pid, connections, loaded, out);
        } else {
            printTable(pid, connections, out);
            if (loaded != null) {
                out.println("keepalive-agent: " + (loaded.exitCode == ExitCode.OK ? loaded.message
                        : "cannot tell: " + loaded.message));
            }
        }
        if (loaded != null && loaded.exitCode != ExitCode.OK) {
            err.println("keepalive-agent: status: cannot tell whether the agent is loaded: " + loaded.message);
            return loaded.exitCode;
        }
        return ExitCode.OK;
    }

    private static void printTable(String pid, List<ProcTcp.Connection> connections, PrintStream out) {
        out.println("TCP sockets of process " + pid + ":");
        out.printf("%-5s %-12s %-30s %-30s %s%n", "FD", "STATE", "LOCAL", "REMOTE", "KEEPALIVE");
        int on = 0;
        int off = 0;
        int unknown = 0;
        for (ProcTcp.Connection c : connections) {
            String keepalive = "-";
            if (c.established()) {
                switch (c.keepalive()) {
                    case "on":
                        on++;
                        keepalive = "on, next probe in " + (c.timerMillis + 500) / 1000 + " s, " + c.probes
                                + " unanswered probes";
                        break;
                    case "off":
                        off++;
                        keepalive = "off";
                        break;
                    default:
                        unknown++;
                        keepalive = "unknown (a retransmission timer is running)";
                }
            }
            out.printf("%-5d %-12s %-30s %-30s %s%n", c.fd, c.state, c.local, c.remote, keepalive);
        }
        out.println("established: " + (on + off + unknown) + " (keepalive on: " + on + ", off: " + off
                + ", unknown: " + unknown + ")");
    }

    private static void printJson(String pid, List<ProcTcp.Connection> connections, Attach.Problem loaded,
            PrintStream out) {
        StringBuilder json = new StringBuilder("{\"pid\":").append(pid);
        if (loaded != null) {
            json.append(",\"agent\":").append(loaded.exitCode == ExitCode.OK ? jsonString(loaded.message) : "null");
        }
        json.append(",\"sockets\":[");
        for (int i = 0; i < connections.size(); i++) {
            ProcTcp.Connection c = connections.get(i);
            json.append(i == 0 ? "" : ",").append("{\"fd\":").append(c.fd)
                    .append(",\"state\":\"").append(c.state).append('"')
                    .append(",\"local\":\"").append(c.local).append('"')
                    .append(",\"remote\":\"").append(c.remote).append('"');
            if (c.established()) {
                json.append(",\"keepalive\":\"").append(c.keepalive()).append('"');
                if ("on".equals(c.keepalive())) {
                    json.append(",\"next_probe_ms\":").append(c.timerMillis).append(",\"unanswered_probes\":")
                            .append(c.probes);
                }
            }
            json.append('}');
        }
        out.println(json.append("]}"));
    }

    private static String jsonString(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }
}
