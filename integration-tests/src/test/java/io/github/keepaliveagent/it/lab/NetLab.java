package io.github.keepaliveagent.it.lab;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import io.github.keepaliveagent.it.ForkedJvm;
import io.github.keepaliveagent.it.SsLine;

/**
 * A network lab made of Linux network namespaces joined by veth pairs, torn down by
 * {@link #close()} whatever happened (use it in try-with-resources).
 *
 * <p>Safety: the namespaces are joined only to each other, never to the host namespace, and every
 * program that sends traffic runs inside one of them ({@code ip netns exec}); before anything runs
 * "in" a namespace, the lab checks that the namespace exists, is one it created, and is not the
 * host's. Namespaces are named {@code ka<pid>-<lab><role>} (pid of this test JVM), so parallel runs
 * never clash; at start the lab deletes namespaces with that pattern whose JVM is gone.
 *
 * <p>Needs Linux, root, {@code ip}, {@code iptables}, {@code conntrack}, {@code ss}
 * (scripts/prereq/20-netlab.sh installs them). Without them the tests are skipped, except with
 * {@code CI=true}, where a missing prerequisite fails them.
 */
public final class NetLab implements AutoCloseable {

    /** The lab's namespace names: {@code ka<pid>-<lab number><role>}. */
    static final Pattern OURS = Pattern.compile("ka(\\d+)-\\d+[a-z]+");
    static final List<String> TOOLS = List.of("ip", "iptables", "conntrack", "ss", "sh");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    private static final AtomicInteger LABS = new AtomicInteger();
    private static final Map<String, String> RESOLVED = new LinkedHashMap<>();

    private final String prefix;
    private final List<String> namespaces = new ArrayList<>();
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final List<LabProcess> processes = new ArrayList<>();
    private final Thread shutdownHook;
    private boolean closed;

    private NetLab() {
        prefix = "ka" + ProcessHandle.current().pid() + "-" + LABS.incrementAndGet();
        shutdownHook = new Thread(this::closeQuietly, "netlab teardown " + prefix);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Checks the prerequisites (skip or fail, see the class comment), removes stale namespaces, opens a lab. */
    public static NetLab open() throws IOException, InterruptedException {
        requirePrerequisites();
        removeStaleNamespaces();
        return new NetLab();
    }

    // ---------------------------------------------------------------- prerequisites

    static synchronized void requirePrerequisites() {
        List<String> missing = new ArrayList<>();
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            missing.add("Linux");
        } else {
            if (!isRoot()) {
                missing.add("root");
            }
            for (String tool : TOOLS) {
                Optional<String> path = find(tool);
                if (path.isPresent()) {
                    RESOLVED.put(tool, path.get());
                } else {
                    missing.add(tool);
                }
            }
        }
        verdict(missing, System.getenv("CI"));
    }

    /** No-op when nothing is missing; else a skip, or a failure when {@code ci} is "true". */
    static void verdict(List<String> missing, String ci) {
        if (missing.isEmpty()) {
            return;
        }
        String why = "the network lab needs " + String.join(", ", missing)
                + " (as root: bash scripts/prereq/20-netlab.sh)";
        if ("true".equalsIgnoreCase(ci)) {
            Assertions.fail(why + "; CI=true, so a missing prerequisite is a failure, not a skip");
        }
        Assumptions.abort("skipped: " + why);
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return "0".equals(line.split("\\s+")[2]); // real, effective, ...
                }
            }
        } catch (IOException e) {
            // not Linux-like
        }
        return false;
    }

    private static Optional<String> find(String tool) {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            Path candidate = Paths.get(dir.isEmpty() ? "." : dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath().toString());
            }
        }
        return Optional.empty();
    }

    private static String tool(String name) {
        String path = RESOLVED.get(name);
        if (path == null) {
            throw new IllegalStateException(name + " was not checked by requirePrerequisites()");
        }
        return path;
    }

    // ---------------------------------------------------------------- namespaces

    /** The names {@code ip netns list} shows. */
    static List<String> namespaceNames() throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        for (String line : check(tool("ip"), "netns", "list").split("\n")) {
            if (!line.isBlank()) {
                names.add(line.trim().split("\\s+")[0]);
            }
        }
        return names;
    }

    /**
     * Deletes the namespaces of earlier runs that did not tear down (a test JVM killed with SIGKILL):
     * names {@code ka<pid>-...} whose pid is no longer a running java process. Processes still inside
     * such a namespace are not ours: they are left alone (the lab programs end when their stdin closes).
     */
    static synchronized List<String> removeStaleNamespaces() throws IOException, InterruptedException {
        List<String> removed = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        for (String name : namespaceNames()) {
            Matcher matcher = OURS.matcher(name);
            if (!matcher.matches()) {
                continue;
            }
            long pid = Long.parseLong(matcher.group(1));
            if (pid == self || isRunningJava(pid)) {
                continue;
            }
            check(tool("ip"), "netns", "delete", name);
            removed.add(name); // silently: only ka<pid>-... of a test JVM that is gone (the caller gets the list)
        }
        return removed;
    }

    private static boolean isRunningJava(long pid) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return false;
        }
        // Alive: stale only if we can see that the pid now belongs to something else than a JVM.
        return process.get().info().command().map(command -> command.contains("java")).orElse(true);
    }

    /** Creates a namespace {@code <prefix><role>} with loopback up and returns its name. */
    public String namespace(String role) throws IOException, InterruptedException {
        if (!role.matches("[a-z]+")) {
            throw new IllegalArgumentException("role: lower-case letters only, not " + role);
        }
        String name = prefix + role;
        if (namespaceNames().contains(name)) {
            throw new IllegalStateException("namespace " + name + " exists already");
        }
        namespaces.add(name); // before creating: close() deletes whatever exists of it
        check(tool("ip"), "netns", "add", name);
        in(name, "ip", "link", "set", "lo", "up");
        return name;
    }

    /** The namespace's own network-namespace inode, after checking that it is one of ours and not the host's. */
    long requireNamespace(String name) throws IOException {
        if (closed) {
            throw new IllegalStateException("the lab is closed");
        }
        if (!namespaces.contains(name)) {
            throw new IllegalStateException("namespace " + name + " was not created by this lab (" + namespaces + ")");
        }
        Path path = Paths.get("/run/netns", name);
        if (!Files.exists(path)) {
            throw new IllegalStateException("namespace " + name + " does not exist (" + path + " is missing)");
        }
        long inode = inode(path);
        if (inode == inode(Paths.get("/proc/self/ns/net"))) {
            throw new IllegalStateException("namespace " + name + " is the host's network namespace");
        }
        return inode;
    }

    static long inode(Path namespaceFile) throws IOException {
        return ((Number) Files.getAttribute(namespaceFile, "unix:ino")).longValue();
    }

    /**
     * A veth pair: {@code deviceA} with {@code cidrA} in {@code a}, {@code deviceB} with {@code cidrB}
     * in {@code b}, both up. The devices are created directly inside the namespaces.
     */
    public void veth(String a, String deviceA, String cidrA, String b, String deviceB, String cidrB)
            throws IOException, InterruptedException {
        requireNamespace(a);
        requireNamespace(b);
        check(tool("ip"), "link", "add", deviceA, "netns", a, "type", "veth", "peer", "name", deviceB, "netns", b);
        address(a, deviceA, cidrA);
        address(b, deviceB, cidrB);
    }

    private void address(String namespace, String device, String cidr) throws IOException, InterruptedException {
        in(namespace, "ip", "addr", "add", cidr, "dev", device);
        in(namespace, "ip", "link", "set", device, "up");
        addresses.putIfAbsent(namespace, cidr.substring(0, cidr.indexOf('/')));
    }

    /**
     * One more address on a device of the lab: IPv4, or IPv6 without duplicate address detection (usable at
     * once). Returns the address, after checking that the namespace holds it.
     */
    public String addAddress(String namespace, String device, String cidr) throws IOException, InterruptedException {
        boolean ipv6 = cidr.contains(":");
        List<String> command = new ArrayList<>(List.of("ip", ipv6 ? "-6" : "-4", "addr", "add", cidr, "dev", device));
        if (ipv6) {
            command.add("nodad");
        }
        in(namespace, command.toArray(new String[0]));
        String address = cidr.substring(0, cidr.indexOf('/'));
        String shown = in(namespace, "ip", ipv6 ? "-6" : "-4", "-o", "addr", "show", "dev", device);
        if (!shown.contains(" " + address + "/")) {
            throw new IllegalStateException(namespace + " does not hold " + address + ":\n" + shown);
        }
        return address;
    }

    /** The namespace's established TCP connections as {@code ss -tnoeH state established} shows them. */
    public List<SsLine> established(String namespace) throws IOException, InterruptedException {
        return SsLine.parseAll(in(namespace, "ss", "-tnoeH", "state", "established"));
    }

    /** A server and a client namespace of this lab, joined by one veth pair. */
    public record ServerAndClient(String server, String client) {
    }

    /** Two namespaces on 10.200.SUBNET.0/24: the server at .1 (device s0), the client at .2 (device c0). */
    public ServerAndClient serverAndClient(int subnet) throws IOException, InterruptedException {
        String server = namespace("s");
        String client = namespace("c");
        veth(server, "s0", "10.200." + subnet + ".1/24", client, "c0", "10.200." + subnet + ".2/24");
        return new ServerAndClient(server, client);
    }

    /**
     * {@code ip:port} of a namespace's first address, after checking that the namespace exists and
     * holds it: what a program in another lab namespace connects to.
     */
    public String endpoint(String namespace, int port) throws IOException, InterruptedException {
        String address = addresses.get(namespace);
        if (address == null) {
            throw new IllegalStateException("namespace " + namespace + " has no address of the lab");
        }
        String shown = in(namespace, "ip", "-4", "-o", "addr", "show");
        if (!shown.contains(" " + address + "/")) {
            throw new IllegalStateException(namespace + " does not hold " + address + ":\n" + shown);
        }
        return address + ":" + port;
    }

    /** Runs a command inside a namespace of the lab and returns its stdout; a failure throws. */
    public String in(String namespace, String... command) throws IOException, InterruptedException {
        requireNamespace(namespace);
        List<String> full = new ArrayList<>(List.of(tool("ip"), "netns", "exec", namespace));
        List<String> rest = new ArrayList<>(Arrays.asList(command));
        if (RESOLVED.containsKey(rest.get(0))) {
            rest.set(0, tool(rest.get(0)));
        }
        full.addAll(rest);
        return check(full.toArray(new String[0]));
    }

    /** Writes {@code /proc/sys/<key>} inside the namespace (no procps needed) and reads it back. */
    public void sysctl(String namespace, String key, String value) throws IOException, InterruptedException {
        String file = "/proc/sys/" + key.replace('.', '/');
        in(namespace, "sh", "-c", "printf '%s\\n' \"$1\" > \"$2\"", "sysctl", value, file);
        String now = in(namespace, "sh", "-c", "cat \"$1\"", "sysctl", file).trim();
        if (!now.equals(value)) {
            throw new IllegalStateException(namespace + ": " + key + " is " + now + " after writing " + value);
        }
    }

    // ---------------------------------------------------------------- making a peer vanish

    /**
     * Makes the namespace silent: every packet in and out is dropped, nothing is sent (no FIN, no
     * RST), as when a machine loses power or its cable.
     */
    public void silence(String namespace) throws IOException, InterruptedException {
        in(namespace, "iptables", "-I", "INPUT", "-j", "DROP");
        in(namespace, "iptables", "-I", "OUTPUT", "-j", "DROP");
    }

    /** Takes a device down: the link is gone without a word, as when a cable is pulled. */
    public void linkDown(String namespace, String device) throws IOException, InterruptedException {
        in(namespace, "ip", "link", "set", device, "down");
    }

    /**
     * Turns a namespace into a router whose connection tracking forgets an established TCP
     * connection after {@code seconds} idle and drops the packets of connections it does not know:
     * an LVS/NAT/firewall idle timeout in miniature.
     */
    public void idleTimeoutMiddlebox(String router, int seconds) throws IOException, InterruptedException {
        // The rule first: it loads connection tracking in the namespace, which creates the sysctls below.
        in(router, "iptables", "-A", "FORWARD", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP");
        sysctl(router, "net.ipv4.ip_forward", "1");
        sysctl(router, "net.netfilter.nf_conntrack_tcp_loose", "0");
        sysctl(router, "net.netfilter.nf_conntrack_tcp_timeout_established", String.valueOf(seconds));
    }

    // ---------------------------------------------------------------- programs and what the kernel shows

    /** Starts an example program with {@code jvm} inside the namespace ({@code ip netns exec}, same pid). */
    public LabProcess start(String namespace, ForkedJvm jvm, String name, String mainClass, String... args)
            throws IOException {
        requireNamespace(namespace);
        List<String> command = new ArrayList<>(List.of(tool("ip"), "netns", "exec", namespace));
        command.addAll(jvm.command(mainClass, ForkedJvm.EXAMPLES_JAR, args));
        LabProcess process = new LabProcess(name + " [" + namespace + "]", jvm.builder(command));
        processes.add(process);
        return process;
    }

    /**
     * Starts any program inside the namespace: {@code builder}'s command, with its environment and
     * directory, under {@code ip netns exec} (same pid). Ended by {@link #close()} like the others.
     */
    public LabProcess start(String namespace, String name, ProcessBuilder builder) throws IOException {
        requireNamespace(namespace);
        List<String> command = new ArrayList<>(List.of(tool("ip"), "netns", "exec", namespace));
        command.addAll(builder.command());
        LabProcess process = new LabProcess(name + " [" + namespace + "]", builder.command(command));
        processes.add(process);
        return process;
    }

    /** One TCP socket as {@code ss -tanoH} shows it (parsed by {@link SsLine}, the one ss parser). */
    public record TcpSocket(String state, String local, int localPort, String peer, String peerPort, String rest) {

        static Optional<TcpSocket> parse(String line) {
            return SsLine.parse(line).filter(s -> s.state != null)
                    .map(s -> new TcpSocket(s.state, s.localAddress, s.localPort, s.peerAddress, s.peerPort, s.rest));
        }

        public boolean established() {
            return "ESTAB".equals(state);
        }

        public boolean keepaliveTimer() {
            return rest.contains("timer:(keepalive,");
        }

        public boolean touchesPort(int port) {
            return localPort == port || peerPort.equals(String.valueOf(port));
        }

        @Override
        public String toString() {
            return state + " " + local + ":" + localPort + " " + peer + ":" + peerPort + " " + rest;
        }
    }

    /** Every TCP socket in the namespace except listeners, as {@code ss -tanoH} shows them. */
    public List<TcpSocket> tcpSockets(String namespace) throws IOException, InterruptedException {
        List<TcpSocket> sockets = new ArrayList<>();
        for (String line : in(namespace, "ss", "-tanoH").split("\n")) {
            TcpSocket.parse(line).filter(s -> !"LISTEN".equals(s.state())).ifPresent(sockets::add);
        }
        return sockets;
    }

    /** The sockets of {@link #tcpSockets} whose local or peer port is {@code port}. */
    public List<TcpSocket> tcpSockets(String namespace, int port) throws IOException, InterruptedException {
        List<TcpSocket> sockets = new ArrayList<>(tcpSockets(namespace));
        sockets.removeIf(s -> !s.touchesPort(port));
        return sockets;
    }

    /** The router's TCP connection-tracking entries, one {@code conntrack -L} line each. */
    public List<String> conntrack(String router) throws IOException, InterruptedException {
        List<String> entries = new ArrayList<>();
        for (String line : in(router, "conntrack", "-L", "-p", "tcp").split("\n")) {
            if (line.startsWith("tcp")) {
                entries.add(line);
            }
        }
        return entries;
    }

    // ---------------------------------------------------------------- teardown

    /** Ends the lab's programs (by their handles), then deletes its namespaces; checks that none is left. */
    @Override
    public synchronized void close() throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        List<Exception> errors = new ArrayList<>();
        for (LabProcess process : processes) {
            process.closeStdin(); // all at once: they end together
        }
        for (LabProcess process : processes) {
            try {
                process.close();
            } catch (Exception e) {
                errors.add(e);
            }
        }
        List<String> reversed = new ArrayList<>(namespaces);
        Collections.reverse(reversed);
        for (String name : reversed) {
            try {
                if (Files.exists(Paths.get("/run/netns", name))) {
                    check(tool("ip"), "netns", "delete", name);
                }
            } catch (Exception e) {
                errors.add(e);
            }
        }
        List<String> left = new ArrayList<>(namespaceNames());
        left.retainAll(namespaces);
        if (!left.isEmpty()) {
            errors.add(new IllegalStateException("namespaces left after teardown: " + left));
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: this is the hook running
        }
        if (!errors.isEmpty()) {
            IllegalStateException failure = new IllegalStateException("network lab teardown failed");
            errors.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (Exception e) {
            System.err.println("netlab: teardown in shutdown hook failed: " + e);
        }
    }

    // ---------------------------------------------------------------- commands

    /** Runs {@code ip} (outside any namespace: only for {@code ip netns} itself). */
    static String ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tool("ip")));
        command.addAll(Arrays.asList(args));
        return check(command.toArray(new String[0]));
    }

    /** Runs a command with a bounded wait; returns stdout, throws with stderr when it fails. */
    static String check(String... command) throws IOException, InterruptedException {
        File out = File.createTempFile("netlab", ".out");
        File err = File.createTempFile("netlab", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out).redirectError(err).start();
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("timed out after " + COMMAND_TIMEOUT.toSeconds() + " s: "
                        + String.join(" ", command));
            }
            String stdout = Files.readString(out.toPath(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("exit " + process.exitValue() + ": " + String.join(" ", command) + "\n"
                        + stdout + Files.readString(err.toPath(), StandardCharsets.UTF_8));
            }
            return stdout;
        } finally {
            out.delete();
            err.delete();
        }
    }
}
