package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
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

    @ParameterizedTest
    @MethodSource("jdks")
    void theProgramCannotSwitchKeepaliveOffButItsOwnValuesWin(String jdk) throws Exception {
        // --app-sets: setKeepAlive(false) on socket.connect, its own TCP_KEEPIDLE=33 on channel.nonblocking.
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().keepalive60x10x5()
                .runExample("example.EverySocketKind", "--app-sets");
        assertEquals("keepalive=true idle=60 interval=10 count=5", result.line("socket.connect"), result.toString());
        assertEquals("keepalive=true idle=33 interval=10 count=5", result.line("channel.nonblocking"), result.toString());
        assertEquals("keepalive=true idle=60 interval=10 count=5", result.line("socket.client"), result.toString());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void withForceOffWhatTheProgramSetsItselfWins(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().keepalive60x10x5().env("KEEPALIVE_FORCE", "off")
                .runExample("example.EverySocketKind", "--app-sets");
        assertEquals("keepalive=false idle=60 interval=10 count=5", result.line("socket.connect"), result.toString());
        assertEquals("keepalive=true idle=33 interval=10 count=5", result.line("channel.nonblocking"), result.toString());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void withForceAllTheOperatorsValuesWinToo(String jdk) throws Exception {
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().keepalive60x10x5().env("KEEPALIVE_FORCE", "all")
                .runExample("example.EverySocketKind", "--app-sets");
        assertEquals("keepalive=true idle=60 interval=10 count=5", result.line("socket.connect"), result.toString());
        assertEquals("keepalive=true idle=60 interval=10 count=5", result.line("channel.nonblocking"), result.toString());
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
