package io.github.keepaliveagent.it.lab;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.keepaliveagent.it.ForkedJvm;
import io.github.keepaliveagent.it.SsLine;

/**
 * Connection rules on Netty 4.2's native transports (epoll, io_uring), whose sockets the JDK never sees:
 * a Netty client with outbound rules by port, a Netty server with inbound rules by local port (on the
 * listener, inherited) and by remote address (at accept), in two namespaces, read back with ss.
 */
@Tag("lab")
@Tag("thirdparty")
class RulesNettyLabTest {

    private static final String APP = "io.github.keepaliveagent.it.thirdparty.apps.NettyRulesApp";

    private static LabProcess start(NetLab lab, String namespace, String name, String rules, String... args)
            throws Exception {
        Path jars = Paths.get(System.getProperty("thirdparty.dir"), "netty42");
        String classpath = System.getProperty("test.classes") + File.pathSeparator + jars + File.separator + "*";
        ForkedJvm jvm = RulesLabTest.jvm(LabJvms.JDK17, true).env("KEEPALIVE_RULES", rules);
        return lab.start(namespace, name, jvm.builder(jvm.command(APP, classpath, args)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"epoll", "io_uring"})
    @Timeout(180)
    void nettyClientsAndServersGetTheirRules(String transport) throws Exception {
        if (transport.equals("io_uring")) {
            Path disabled = Paths.get("/proc/sys/kernel/io_uring_disabled");
            String value = Files.exists(disabled) ? Files.readString(disabled, StandardCharsets.US_ASCII).trim() : "0";
            assumeTrue(value.equals("0"), "io_uring is disabled here: " + disabled + " = " + value);
        }
        try (NetLab lab = NetLab.open()) {
            NetLab.ServerAndClient hosts = lab.serverAndClient(23);
            LabProcess server = start(lab, hosts.server(), "netty server", "dir=in+port=7501+idle=30;dir=in+addr="
                    + "10.200.23.2+port=7502+idle=50;dir=in+port=7503+keepalive=off", transport, "listen:7501",
                    "listen:7502", "listen:7503", "listen:7504");
            try {
                server.await("^ready pid=", RulesLabTest.START);
            } catch (AssertionError notReady) {
                assumeTrue(!server.toString().contains("unavailable " + transport), server.toString());
                throw notReady;
            }
            LabProcess client = start(lab, hosts.client(), "netty client", "dir=out+port=7503+keepalive=off;"
                    + "dir=out+port=7502+idle=40", transport, "connect:10.200.23.1:7501", "connect:10.200.23.1:7502",
                    "connect:10.200.23.1:7503", "connect:10.200.23.1:7504");
            client.await("^ready pid=", RulesLabTest.START);
            server.awaitCount("^accepted ", 4, RulesLabTest.START);

            // Client side, by the remote port: no rule (7501, 7504), a rule (7502), excluded (7503).
            Map<String, Integer> outbound = Map.of("7501", RulesLabTest.GLOBAL_IDLE, "7502", 40, "7503", 0,
                    "7504", RulesLabTest.GLOBAL_IDLE);
            // Server side, by the local port: the listener's rule (7501), the remote address's (7502, at
            // accept), excluded listener (7503), no rule (7504).
            Map<Integer, Integer> inbound = Map.of(7501, 30, 7502, 50, 7503, 0, 7504, RulesLabTest.GLOBAL_IDLE);
            List<Executable> checks = new ArrayList<>();
            for (SsLine socket : lab.established(hosts.client())) {
                checks.add(() -> RulesLabTest.assertTimer(socket, outbound.get(socket.peerPort),
                        transport + " client to port " + socket.peerPort));
            }
            for (SsLine socket : lab.established(hosts.server())) {
                checks.add(() -> RulesLabTest.assertTimer(socket, inbound.get(socket.localPort),
                        transport + " server, accepted on port " + socket.localPort));
            }
            assertEquals(8, checks.size(), client + "\n" + server);
            assertAll(checks);
        }
    }
}
