package io.github.keepaliveagent.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What {@code attach} and {@code status} accept: a process id, never a thread id. Linux answers
 * /proc/TID for any thread of any process (hidden from the listing, but there): taken for a process,
 * a thread id would show its process's sockets under a wrong name, or attach to its process behind
 * the operator's back. /proc/ID/status says which it is: its Tgid equals ID only for a process.
 */
final class ProcessId {

    private ProcessId() {
    }

    /**
     * @return {@link ExitCode#OK} when {@code pid} names a process (or where /proc cannot tell: not
     *         Linux), else the exit status after one message on {@code err}
     */
    static int check(String command, String pid, PrintStream err) {
        if (!pid.matches("[0-9]{1,10}")) {
            err.println("keepalive-agent: " + command + ": " + io.github.keepaliveagent.config.Settings.quote(pid)
                    + " is not a process id");
            return ExitCode.USAGE;
        }
        if (!Files.isDirectory(Paths.get("/proc/self"))) {
            return ExitCode.OK; // not Linux: the attach API or nothing tells
        }
        Path status = Paths.get("/proc", pid, "status");
        String tgid;
        try {
            tgid = tgid(status);
        } catch (NoSuchFileException e) {
            err.println("keepalive-agent: " + command + ": no such process: " + pid);
            return ExitCode.NO_SUCH_PROCESS;
        } catch (AccessDeniedException e) {
            return ExitCode.OK; // /proc/PID/status is world-readable; where it is not, the next step says why
        } catch (IOException e) {
            err.println("keepalive-agent: " + command + ": cannot read " + status + ": " + e);
            return ExitCode.FAILED;
        }
        if (tgid == null) {
            err.println("keepalive-agent: " + command + ": no such process: " + pid);
            return ExitCode.NO_SUCH_PROCESS;
        }
        if (!tgid.equals(pid)) {
            err.println("keepalive-agent: " + command + ": " + pid + " is a thread of process " + tgid
                    + ", not a process id: use " + tgid);
            return ExitCode.USAGE;
        }
        return ExitCode.OK;
    }

    /** The Tgid line of /proc/ID/status, or null if there is none (a zombie's status has one too). */
    private static String tgid(Path status) throws IOException {
        for (String line : new String(Files.readAllBytes(status), StandardCharsets.ISO_8859_1).split("\n")) {
            if (line.startsWith("Tgid:")) {
                return line.substring("Tgid:".length()).trim();
            }
        }
        return null;
    }
}
