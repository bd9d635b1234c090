package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * examples/kafka-old-client as its README tells it: the {@code java} commands of its {@code sh}
 * blocks, run as written from the repository root, with only the ports and the log directory
 * replaced (in a copy of server.properties). So the README cannot drift from what is tested.
 *
 * <p>Public, with the public static helpers below, for the network lab ({@code it.lab}), which runs
 * the same commands inside network namespaces.
 */
public final class KafkaExample implements AutoCloseable {

    static final Path DIRECTORY = Program.REPO_ROOT.resolve("examples/kafka-old-client");
    private static final String PROPERTIES = "examples/kafka-old-client/server.properties";
    private static final String BROKER_ADDRESS = "127.0.0.1:9092";
    private static final String CONTROLLER_ADDRESS = "127.0.0.1:9093";
    private static final String LOG_DIRS = "/tmp/kafka-old-client-demo";

    /** One shell command: leading NAME=value assignments, then the words. */
    public static final class Command {
        final Map<String, String> env;
        final List<String> words;

        Command(Map<String, String> env, List<String> words) {
            this.env = env;
            this.words = words;
        }

        public boolean mentions(String text) {
            return words.stream().anyMatch(word -> word.contains(text));
        }

        /** The same command without the agent: no -javaagent, no JAVA_TOOL_OPTIONS, no KEEP* values. */
        public Command withoutAgent() {
            Map<String, String> env = new LinkedHashMap<>(this.env);
            env.keySet().removeIf(name -> name.equals("JAVA_TOOL_OPTIONS") || name.startsWith("KEEP"));
            List<String> words = this.words.stream().filter(word -> !word.startsWith("-javaagent:"))
                    .collect(Collectors.toList());
            return new Command(env, words);
        }

        public Command replace(String from, String to) {
            Map<String, String> env = new LinkedHashMap<>();
            this.env.forEach((name, value) -> env.put(name, value.replace(from, to)));
            return new Command(env, words.stream().map(word -> word.replace(from, to)).collect(Collectors.toList()));
        }

        /** The same command with {@code NAME=value} set (replaced if there). */
        public Command withEnv(String name, String value) {
            Map<String, String> env = new LinkedHashMap<>(this.env);
            env.put(name, value);
            return new Command(env, words);
        }

        /** The same command with JVM options right after {@code java} (a heap limit, say). */
        public Command withJvmArgs(String... args) {
            List<String> words = new ArrayList<>(this.words);
            words.addAll(1, List.of(args));
            return new Command(env, words);
        }

        /**
         * A process builder for it, as {@link Program} runs it: in the repository root (the README's
         * paths are relative to it), with the command's variables and none of the machine's
         * agent-related ones.
         */
        public ProcessBuilder builder() {
            ProcessBuilder builder = Program.environment(new ProcessBuilder(argv()).directory(Program.REPO_ROOT.toFile()),
                    env);
            return builder;
        }

        /** The words, with {@code java} meaning this JDK's java. */
        public List<String> argv() {
            List<String> argv = new ArrayList<>(words);
            argv.set(0, Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            return argv;
        }

        public boolean hasAgent() {
            return mentions("-javaagent:") || env.getOrDefault("JAVA_TOOL_OPTIONS", "").contains("-javaagent:");
        }

        @Override
        public String toString() {
            return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue() + " ").collect(Collectors.joining())
                    + String.join(" ", words);
        }
    }

    /** Every {@code java} command in the README's {@code sh} blocks, in order. */
    static List<Command> readmeJavaCommands() throws IOException {
        List<String> lines = Files.readAllLines(DIRECTORY.resolve("README.md"), StandardCharsets.UTF_8);
        List<Command> commands = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder pending = new StringBuilder();
        for (String line : lines) {
            if (!inBlock) {
                inBlock = line.trim().equals("```sh");
                continue;
            }
            if (line.trim().equals("```")) {
                inBlock = false;
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            String text = pending.append(line).toString().trim();
            pending.setLength(0);
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            Command command = parse(text);
            if (!command.words.isEmpty() && command.words.get(0).equals("java")) {
                commands.add(command);
            }
        }
        return commands;
    }

    /** A plain command line: words, "double" and 'single' quotes; no expansions, pipes or redirections. */
    static Command parse(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : text.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    assertTrue(quote == '\'' || (c != '$' && c != '`' && c != '\\'),
                            "the test runs README commands without a shell; no expansions please: " + text);
                    word.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                assertTrue("$`|;&<>(){}\\*?".indexOf(c) < 0,
                        "the test runs README commands without a shell; quote '" + c + "': " + text);
                if (word == null) {
                    word = new StringBuilder();
                }
                if (c == '"' || c == '\'') {
                    quote = c;
                } else {
                    word.append(c);
                }
            }
        }
        assertEquals(0, quote, "unclosed quote: " + text);
        if (word != null) {
            words.add(word.toString());
        }
        Map<String, String> env = new LinkedHashMap<>();
        while (!words.isEmpty() && words.get(0).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
            String assignment = words.remove(0);
            env.put(assignment.substring(0, assignment.indexOf('=')), assignment.substring(assignment.indexOf('=') + 1));
        }
        return new Command(env, words);
    }

    /** The README's one command that matches. */
    static Command readmeCommand(Predicate<Command> which, String what) throws IOException {
        List<Command> matching = readmeJavaCommands().stream().filter(which).collect(Collectors.toList());
        assertEquals(1, matching.size(), "README.md should have exactly one " + what + " command: " + matching);
        return matching.get(0);
    }

    public static Command formatCommand() throws IOException {
        return readmeCommand(c -> c.mentions("kafka.tools.StorageTool"), "storage format");
    }

    public static Command brokerCommand() throws IOException {
        return readmeCommand(c -> c.words.contains("kafka.Kafka"), "broker");
    }

    public static Command clientCommand() throws IOException {
        return readmeCommand(c -> c.mentions("OldKafkaClient"), "old client");
    }

    private final Path temp;
    int brokerPort;
    int controllerPort;
    Program broker;

    /** Formats and starts the README's broker in a fresh directory, with or without its agent. */
    KafkaExample(boolean brokerAgent) throws Exception {
        temp = Files.createTempDirectory("kafka-old-client");
        try {
            brokerPort = freePort();
            int controller;
            do {
                controller = freePort();
            } while (controller == brokerPort);
            controllerPort = controller;
            writeServerProperties(temp, "127.0.0.1:" + brokerPort, "127.0.0.1:" + controllerPort);

            Command format = local(formatCommand());
            try (Program formatting = Program.start(format.argv(), format.env)) {
                assertEquals(0, formatting.waitFor(60), "storage format: " + formatting);
            }
            Command start = brokerCommand();
            assertTrue(start.hasAgent(), "the README starts the broker with the agent: " + start);
            start = local(brokerAgent ? start : start.withoutAgent());
            broker = Program.start(start.argv(), start.env);
            awaitListening(broker, brokerPort, 90);
        } catch (Throwable e) {
            close();
            throw e;
        }
    }

    /**
     * A copy of the README's server.properties in {@code directory}, with the client listener (and
     * the advertised one) on {@code brokerAddress}, the controller on {@code controllerAddress} and
     * the data in {@code directory/data}; returns the copy.
     */
    public static Path writeServerProperties(Path directory, String brokerAddress, String controllerAddress)
            throws IOException {
        String template = Files.readString(DIRECTORY.resolve("server.properties"));
        for (String expected : new String[] {BROKER_ADDRESS, CONTROLLER_ADDRESS, "log.dirs=" + LOG_DIRS}) {
            assertTrue(template.contains(expected), "server.properties should contain " + expected);
        }
        Path properties = directory.resolve("server.properties");
        Files.writeString(properties, template
                .replace(BROKER_ADDRESS, brokerAddress)
                .replace(CONTROLLER_ADDRESS, controllerAddress)
                .replace(LOG_DIRS, directory.resolve("data").toString()));
        return properties;
    }

    /** A README command aimed elsewhere: {@code properties} as its server.properties, {@code brokerAddress} as its broker. */
    public static Command retarget(Command command, Path properties, String brokerAddress) {
        return command.replace(PROPERTIES, properties.toString()).replace(BROKER_ADDRESS, brokerAddress);
    }

    /** The README's command, run here: the test's copy of server.properties and the test's ports. */
    Command local(Command command) {
        return retarget(command, temp.resolve("server.properties"), "127.0.0.1:" + brokerPort);
    }

    /** The README's old client, against this broker, with or without its agent. */
    Program startClient(boolean agent) throws Exception {
        Command client = clientCommand();
        assertTrue(client.hasAgent(), "the README runs the client with the agent: " + client);
        assertTrue(client.mentions(BROKER_ADDRESS), "the README's client talks to " + BROKER_ADDRESS + ": " + client);
        client = local(agent ? client : client.withoutAgent());
        return Program.start(client.argv(), client.env);
    }

    /** Connections of the broker process from a client process's connections to it. */
    Predicate<Ss.Connection> fromClient(List<Ss.Connection> clientConnections) {
        List<Integer> clientPorts = clientConnections.stream().map(c -> c.localPort).collect(Collectors.toList());
        return c -> c.localPort == brokerPort && clientPorts.contains(c.peerPort);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static void awaitListening(Program program, int port, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                if (!program.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("broker not listening on " + port + " after " + seconds + " s: " + program);
                }
                Thread.sleep(250);
            }
        }
    }

    /** Stops the broker (only the process this test started) and deletes its directory. */
    @Override
    public void close() throws Exception {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            try (Stream<Path> paths = Files.walk(temp)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
