package io.github.keepaliveagent.cli;

import java.io.PrintStream;
import java.util.Map;

import io.github.keepaliveagent.config.Option;
import io.github.keepaliveagent.config.Settings;
import io.github.keepaliveagent.core.Version;
import io.github.keepaliveagent.launcher.Selection;

/** {@code java -jar keepalive-agent.jar [--help | --version | attach PID [ARGS] | status PID [--json] [--agent]]}. */
public final class Cli {

    private Cli() {
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "--help" : args[0];
        switch (command) {
            case "--help":
            case "-h":
            case "help":
                printHelp(env, out);
                return 0;
            case "--version":
            case "-v":
            case "version":
                out.println(Version.text());
                return 0;
            case "attach":
                if (args.length < 2 || args.length > 3) {
                    err.println("usage: java -jar keepalive-agent.jar attach PID [name=value,...]");
                    return ExitCode.USAGE;
                }
                return Attach.run(args[1], args.length == 3 ? args[2] : "", out, err);
            case "status":
                return status(args, out, err);
            default:
                err.println("keepalive-agent: unknown command " + Settings.quote(command) + "; try --help");
                return ExitCode.USAGE;
        }
    }

    private static int status(String[] args, PrintStream out, PrintStream err) {
        String usage = "usage: java -jar keepalive-agent.jar status PID [--json] [--agent]";
        if (args.length < 2) {
            err.println(usage);
            return ExitCode.USAGE;
        }
        boolean json = false;
        boolean agent = false;
        for (int i = 2; i < args.length; i++) {
            if ("--json".equals(args[i]) && !json) {
                json = true;
            } else if ("--agent".equals(args[i]) && !agent) {
                agent = true;
            } else {
                err.println("keepalive-agent: status: " + ("--json".equals(args[i]) || "--agent".equals(args[i])
                        ? args[i] + " is given twice" : "unknown option " + Settings.quote(args[i])
                        + ": expected --json or --agent"));
                err.println(usage);
                return ExitCode.USAGE;
            }
        }
        return Status.run(args[1], json, agent, out, err);
    }

    static void printHelp(Map<String, String> env, PrintStream out) {
        out.println(Version.text() + ": TCP keepalive for every socket of an unmodified JVM program.");
        out.println();
        out.println("Usage:");
        out.println("  KEEPIDLE=60 KEEPINTVL=10 KEEPCNT=5 java -javaagent:keepalive-agent.jar -jar app.jar");
        out.println("  java -javaagent:keepalive-agent.jar=idle=60,interval=10,count=5 -jar app.jar");
        out.println("  JAVA_TOOL_OPTIONS=-javaagent:/path/keepalive-agent.jar   (any JVM started with it)");
        out.println("  java -jar keepalive-agent.jar attach PID [idle=60,interval=10,count=5,...]");
        out.println("      loads the agent into a running JVM (only these arguments count, not the target's");
        out.println("      environment); open connections get the settings too unless retrofit=false (Linux)");
        out.println("      PID is a process id (a thread id is refused, naming its process)");
        out.println("  java -jar keepalive-agent.jar status PID [--json] [--agent]");
        out.println("      the TCP sockets of any process and their keepalive timers, read-only from /proc (Linux);");
        out.println("      --agent also asks the JVM whether the agent is loaded and with which settings: that");
        out.println("      opens an attach connection (the JVM starts its Attach Listener thread, which stays)");
        out.println("  java -jar keepalive-agent.jar --help | --version (-v, version)");
        out.println();
        out.println("Every new TCP socket (Socket, ServerSocket.accept, SocketChannel, AsynchronousSocketChannel)");
        out.println("gets SO_KEEPALIVE on and the TCP_KEEP* values below when it is created; whatever the");
        out.println("program sets afterwards wins. Agent arguments win over the environment.");
        out.println();
        out.println("Options: name=value pairs separated by commas, no spaces; names in lower case, each at most");
        out.println("once; words (on, OFF, Debug) in any case; numbers in decimal digits; user_timeout a duration");
        out.println("with its unit (120s, 2m, 90000ms; a bare number is milliseconds) or auto. The environment");
        out.println("variables take the same values. rules: separated by ';' (quote them in a shell), the fields");
        out.println("of a rule by '+', first match wins, e.g. dir=out+addr=10.1.0.0/16+idle=30;port=5432+keepalive=off");
        out.print(textTable());
        out.println();
        Selection selection = Selection.decide(null, env, "", null, null, null);
        Settings settings = Settings.resolve(null, env, false, selection.problems);
        out.println("From this environment the agent would apply:");
        out.println("  " + (settings.enabled() ? settings.describe() : "nothing (KEEPALIVE=off)"));
        out.println("  to " + programs(settings) + "; JDK tools (keytool, jps, javac...), java -version and this"
                + " command line are skipped");
        for (String problem : settings.problems()) {
            out.println("  ERROR: " + problem);
        }
        out.println();
        out.println("Exit status of attach and status: 0 done, 1 failed, 2 invalid usage or value, 3 no such");
        out.println("process, 4 not an attachable JVM, 5 not permitted, 6 the target JVM has no java.instrument.");
        out.println();
        out.println("Kernel defaults (" + Option.Kernel.PROC_DIR + "tcp_keepalive_*), used for unset options:");
        for (Option option : new Option[] {Option.IDLE, Option.INTERVAL, Option.COUNT}) {
            String value = option.kernelDefault();
            out.println("  " + option.argName + " = " + (value == null ? "unknown (not Linux?)" : value));
        }
    }

    /** Which programs the agent would go to, as include and exclude say. */
    private static String programs(Settings settings) {
        String include = settings.text(Option.INCLUDE);
        String exclude = settings.text(Option.EXCLUDE);
        return (include == null ? "every program" : "the programs matching " + include)
                + (exclude == null ? "" : " but those matching " + exclude);
    }

    private static String textTable() {
        StringBuilder table = new StringBuilder();
        for (Option option : Option.values()) {
            table.append(String.format("  %-13s %-23s %-30s (default: %s)%n", option.argName,
                    option.envName == null ? "-" : option.envName,
                    option.validText(), option.defaultText));
            table.append(String.format("  %-13s %s%n", "", option.description.replace("`", "")));
        }
        return table.toString();
    }
}
