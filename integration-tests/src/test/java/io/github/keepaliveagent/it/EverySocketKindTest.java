package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every TCP socket kind of an unmodified program, read back from the kernel, on JDK 17 and 25. */
class EverySocketKindTest {

    static final List<String> TCP_KINDS = List.of("socket.client", "socket.accepted", "socket.connect",
            "channel.client", "channel.accepted", "channel.nonblocking", "channel.accepted.nonblocking",
            "channel.adaptor", "async.client", "async.accepted");

    static List<String> jdks() {
        return ForkedJvm.jdks().toList();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void everyTcpSocketGetsTheOptions(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().keepalive60x10x5()
                .runExample("example.EverySocketKind");
        assertEquals(0, result.exitCode, result.toString());
        for (String kind : TCP_KINDS) {
            assertEquals("keepalive=true idle=60 interval=10 count=5", result.line(kind), kind + "\n" + result);
        }
        assertEquals(List.of("keepalive-agent INFO: keepalive-agent " + ForkedJvm.VERSION + ": SO_KEEPALIVE on, idle=60s (KEEPIDLE),"
                + " interval=10s (KEEPINTVL), count=5 (KEEPCNT); the program cannot switch keepalive off"),
                result.agentLines(), "exactly one line, no noise");
        assertEquals("", result.err.replace(result.agentLines().get(0) + "\n", ""), "nothing else on stderr");
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void withoutTheAgentNothingHasKeepalive(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).keepalive60x10x5().runExample("example.EverySocketKind");
        for (String kind : TCP_KINDS) {
            assertTrue(result.line(kind).startsWith("keepalive=false "), kind + "\n" + result);
        }
    }

    static final String AGENTS = "keepalive=true idle=60 interval=10 count=5";
    static final String PROGRAMS_OFF = "keepalive=false idle=60 interval=10 count=5";
    static final String PROGRAMS_IDLE = "keepalive=true idle=33 interval=10 count=5";

    /**
     * Each KEEPALIVE_FORCE mode on each JDK, with what the kernel must then hold per socket kind. The
     * program runs with --app-sets: setKeepAlive(false) on socket.connect, its own TCP_KEEPIDLE=33 on
     * channel.nonblocking.
     */
    static Stream<Arguments> forceModes() {
        return ForkedJvm.jdks().flatMap(jdk -> Stream.of(
                // Unset (keepalive): the program cannot switch keepalive off, but its own values win.
                Arguments.of(jdk, Named.of("unset", null),
                        expect("socket.connect", AGENTS, "channel.nonblocking", PROGRAMS_IDLE, "socket.client", AGENTS)),
                // off: what the program sets itself wins.
                Arguments.of(jdk, Named.of("off", "off"),
                        expect("socket.connect", PROGRAMS_OFF, "channel.nonblocking", PROGRAMS_IDLE)),
                // all: the operator's values win too.
                Arguments.of(jdk, Named.of("all", "all"),
                        expect("socket.connect", AGENTS, "channel.nonblocking", AGENTS))));
    }

    private static Map<String, String> expect(String... kindThenLine) {
        Map<String, String> expected = new LinkedHashMap<>();
        for (int i = 0; i < kindThenLine.length; i += 2) {
            expected.put(kindThenLine[i], kindThenLine[i + 1]);
        }
        return expected;
    }

    @ParameterizedTest(name = "KEEPALIVE_FORCE {1} on {0}")
    @MethodSource("forceModes")
    void whatTheProgramSetsItselfAgainstEachForceMode(String jdk, String force, Map<String, String> expected)
            throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent().keepalive60x10x5();
        if (force != null) {
            jvm.env("KEEPALIVE_FORCE", force);
        }
        ForkedJvm.Result result = jvm.runExample("example.EverySocketKind", "--app-sets");
        expected.forEach((kind, line) -> assertEquals(line, result.line(kind), result.toString()));
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void udpAndUnixDomainSocketsAreLeftAloneSilently(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().env("KEEPALIVE_LOG", "warn").keepalive60x10x5()
                .runExample("example.EverySocketKind");
        assertEquals(0, result.exitCode, result.toString());
        assertEquals("keepalive=not-applicable", result.line("udp.channel"));
        assertEquals("keepalive=not-applicable", result.line("unix.channel"));
        assertEquals("", result.err, "no warning, no error");
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void unsetOptionsKeepTheKernelValues(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().env("KEEPIDLE", "45")
                .runExample("example.EverySocketKind");
        String kernelInterval;
        // One read: sysctl files answer a read at a non-zero offset with end-of-file (Files.readString gets "7").
        try (var in = new java.io.FileInputStream("/proc/sys/net/ipv4/tcp_keepalive_intvl")) {
            kernelInterval = new String(in.readNBytes(64)).trim();
        }
        assertTrue(result.line("channel.client").startsWith("keepalive=true idle=45 interval=" + kernelInterval + " "),
                result.toString());
    }
}
