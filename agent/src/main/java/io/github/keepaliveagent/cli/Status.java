package io.github.keepaliveagent.cli;

import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;

import io.github.keepaliveagent.proc.ProcTcp;

/**
 * {@code java -jar keepalive-agent.jar status PID [--json]}: the TCP connections of any process, Java
 * or not, with their keepalive timers, read from /proc. How an operator proves that it worked.
 */
final class Status {

    private Status() {
    }

    static int run(String pid, boolean json, PrintStream out, PrintStream err) {
        if (!pid.matches("[0-9]+")) {
            err.println("keepalive-agent: status: \"" + pid + "\" is not a process id");
            return Attach.USAGE;
        }
        List<ProcTcp.Connection> connections;
        try {
            connections = ProcTcp.of(pid);
        } catch (NoSuchFileException e) {
            err.println("keepalive-agent: status: no such process: " + pid);
            return Attach.NO_SUCH_PROCESS;
        } catch (AccessDeniedException e) {
            err.println("keepalive-agent: status: not permitted to read process " + pid
                    + "'s file descriptors: run as the user that owns it, or as root");
            return Attach.NOT_PERMITTED;
        } catch (Exception e) {
            err.println("keepalive-agent: status: cannot read process " + pid + ": " + e);
            return Attach.FAILED;
        }
        if (json) {
            printJson(pid, connections, out);
        } else {
            printTable(pid, connections, out);
        }
        return Attach.OK;
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

    private static void printJson(String pid, List<ProcTcp.Connection> connections, PrintStream out) {
        StringBuilder json = new StringBuilder("{\"pid\":").append(pid).append(",\"sockets\":[");
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
}
