package io.github.keepaliveagent.it.lab;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import io.github.keepaliveagent.it.ForkedJvm;
import io.github.keepaliveagent.it.SsLine;

/**
 * {@code attach PID ...,rules=...} into a client and a server started without the agent, their connections
 * already open in the lab: the retrofit gives each open connection the rule of its peer (an accepted one:
 * of its local port, told from an outbound one by the process's listening sockets) and leaves the ones a
 * {@code keepalive=off} rule names alone.
 */
@Tag("lab")
class RulesAttachLabTest {

    private static ForkedJvm.Result attach(long pid, String args) throws Exception {
        List<String> command = List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                ForkedJvm.AGENT_JAR.toString(), "attach", String.valueOf(pid), args);
        return new ForkedJvm(System.getProperty("java.home")).run(command);
    }

    private static long pid(LabProcess process) {
        String ready = process.all("^ready pid=").get(0).text();
        return Long.parseLong(ready.replaceAll("^ready pid=(\\d+).*$", "$1"));
    }

    @Test
    @Timeout(180)
    void attachWithRulesRetrofitsOpenConnectionsByTheirPeer() throws Exception {
        try (NetLab lab = NetLab.open()) {
            NetLab.ServerAndClient hosts = lab.serverAndClient(24);
            String first = "10.200.24.1";
            String second = lab.addAddress(hosts.server(), "s0", "10.200.24.3/24");
            LabProcess server = RulesLabTest.startApp(lab, hosts.server(), RulesLabTest.jvm(LabJvms.JDK17, false),
                    "server", "io.github.keepaliveagent.it.apps.RulesServerApp", List.of("socket:7601", "channel:7602"));
            server.await("^ready pid=", RulesLabTest.START);
            LabProcess client = RulesLabTest.startApp(lab, hosts.client(), RulesLabTest.jvm(LabJvms.JDK17, false),
                    "client", "io.github.keepaliveagent.it.apps.RulesClientApp", List.of("socket@" + first + ":7601",
                            "channel@" + second + ":7601", "socket@" + first + ":7602", "async@" + second + ":7602"));
            client.await("^ready pid=\\d+ connections=4$", RulesLabTest.START);
            server.awaitCount("^accepted ", 4, RulesLabTest.START);
            for (SsLine socket : lab.established(hosts.client())) {
                assertTrue(socket.timer == null, "no keepalive before attach: " + socket);
            }

            ForkedJvm.Result toClient = attach(pid(client), "idle=20,interval=2,count=3,rules=dir=out+port=7602"
                    + "+keepalive=off;dir=out+addr=" + first + "+idle=30;dir=out+addr=" + second + "+idle=50");
            assertEquals(0, toClient.exitCode, toClient.toString());
            assertTrue(toClient.out.contains("\n  retrofit: 2 connections changed, 0 listening sockets changed, 0 skipped"
                    + " (closed meanwhile), 0 failed, 2 left alone (keepalive=off rules); by the connection rules\n"),
                    toClient.out);
            ForkedJvm.Result toServer = attach(pid(server), "idle=20,interval=2,count=3,rules=dir=in+port=7601+idle=40;"
                    + "dir=in+port=7602+keepalive=off");
            assertEquals(0, toServer.exitCode, toServer.toString());
            assertTrue(toServer.out.contains("\n  retrofit: 2 connections changed, 1 listening socket changed, 0 skipped"
                    + " (closed meanwhile), 0 failed, 3 left alone (keepalive=off rules); by the connection rules\n"),
                    "the listener on 7602 and its two connections are left alone: " + toServer.out);

            List<Executable> checks = new ArrayList<>();
            Map<String, Integer> outbound = Map.of(first + ":7601", 30, second + ":7601", 50, first + ":7602", 0,
                    second + ":7602", 0);
            for (SsLine socket : lab.established(hosts.client())) {
                String peer = socket.peerAddress.replaceAll("^\\[::ffff:|\\]$", "") + ":" + socket.peerPort;
                checks.add(() -> RulesLabTest.assertTimer(socket, outbound.get(peer), "client to " + peer));
            }
            Map<Integer, Integer> inbound = Map.of(7601, 40, 7602, 0);
            for (SsLine socket : lab.established(hosts.server())) {
                checks.add(() -> RulesLabTest.assertTimer(socket, inbound.get(socket.localPort),
                        "server, accepted on " + socket.localPort));
            }
            assertEquals(8, checks.size());
            assertAll(checks);
        }
    }
}
