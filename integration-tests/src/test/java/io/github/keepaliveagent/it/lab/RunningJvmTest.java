package io.github.keepaliveagent.it.lab;

import static io.github.keepaliveagent.it.lab.ServerClientLab.greet;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.keepaliveagent.it.ForkedJvm;
import io.github.keepaliveagent.it.lab.LabProcess.Line;
import io.github.keepaliveagent.it.lab.NetLab.TcpSocket;

/**
 * Issue 5 in the lab. A server that has run without the agent holds connections to clients that
 * vanished: {@code attach} retrofits them and they are reaped within idle + interval x count. And
 * TCP_USER_TIMEOUT: a write to a peer that went silent fails within the timeout, where keepalive
 * alone would not help (data in flight) and the kernel would retransmit for ~15 minutes.
 */
@Tag("lab")
class RunningJvmTest {

    @Test
    @Timeout(120)
    void attachRetrofitsAServerStartedWithoutTheAgentAndItsDeadConnectionsAreReaped() throws Exception {
        try (ServerClientLab hosts = ServerClientLab.open(4)) {
            NetLab lab = hosts.lab();
            String server = hosts.server();
            String client = hosts.client();
            LabProcess echo = hosts.echoServer(LabJvms.withoutAgent(LabJvms.JDK17), "server started without the agent",
                    7200);
            LabProcess clients = hosts.startClients(LabJvms.withoutAgent(LabJvms.JDK17), "clients", "--each", "2",
                    hosts.endpoint(7200));
            greet(clients, 2);
            List<TcpSocket> before = lab.tcpSockets(server, 7200);
            assertTrue(before.stream().filter(TcpSocket::established).noneMatch(TcpSocket::keepaliveTimer),
                    "no keepalive before attach: " + before);

            ForkedJvm.Result attach = new ForkedJvm(LabJvms.JDK17).run(List.of(
                    java.nio.file.Paths.get(LabJvms.JDK17, "bin", "java").toString(), "-jar",
                    ForkedJvm.AGENT_JAR.toString(), "attach", String.valueOf(echo.pid()),
                    "idle=" + LabJvms.IDLE + ",interval=" + LabJvms.INTERVAL + ",count=" + LabJvms.COUNT));
            assertEquals(0, attach.exitCode, attach.toString());
            assertTrue(attach.out.contains("retrofit: 2 connections changed, 1 listening socket changed"), attach.out);
            List<TcpSocket> after = lab.tcpSockets(server, 7200);
            assertTrue(after.stream().filter(TcpSocket::established).allMatch(TcpSocket::keepaliveTimer),
                    "keepalive timers after attach: " + after);

            long silencing = System.nanoTime();
            lab.silence(client);
            List<Line> failed = echo.awaitCount(DeadPeerTest.TIMED_OUT, 2,
                    Waits.until(Waits.deadline(silencing, DeadPeerTest.REAPED_WITHIN)));
            System.out.printf("attach: the dead connections were reaped %.1f s after the clients went silent%n",
                    Waits.secondsBetween(silencing, failed.get(1).nanos()));
            long deadline = Waits.deadline(silencing, DeadPeerTest.REAPED_WITHIN);
            while (lab.tcpSockets(server, 7200).stream().anyMatch(TcpSocket::established)
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(List.of(), lab.tcpSockets(server, 7200).stream().filter(TcpSocket::established).toList(),
                    "ss no longer lists them");
        }
    }

    @Test
    @Timeout(120)
    void userTimeoutFailsAWriteToAPeerThatWentSilent() throws Exception {
        try (ServerClientLab hosts = ServerClientLab.open(5)) {
            NetLab lab = hosts.lab();
            String server = hosts.server();
            hosts.echoServer(LabJvms.withoutAgent(LabJvms.JDK17), "server", 7300);
            String target = hosts.endpoint(7300);
            // The data in flight stops keepalive (it never probes a connection that retransmits): only
            // TCP_USER_TIMEOUT can end the connection here. 10 s, the shortest accepted, is above
            // idle + interval x count = 2 + 1 x 3 = 5 s, as the agent requires.
            ForkedJvm withTimeout = LabJvms.withAgent(LabJvms.jdk25()).env("KEEPALIVE_USER_TIMEOUT", "10s");
            ForkedJvm withoutTimeout = LabJvms.withAgent(LabJvms.jdk25());
            LabProcess with = hosts.startClients(withTimeout, "client with user_timeout=10s", target);
            LabProcess without = hosts.startClients(withoutTimeout, "client without user_timeout", target);
            for (LabProcess process : List.of(with, without)) {
                greet(process, 1);
            }
            lab.silence(server);
            long sending = System.nanoTime();
            with.send("lost");
            without.send("lost");
            assertAll(
                    () -> {
                        Line failed = with.await("read failed .*Connection timed out",
                                Waits.until(Waits.deadline(sending, Duration.ofSeconds(30))));
                        double seconds = Waits.secondsBetween(sending, failed.nanos());
                        System.out.printf("user timeout: the write to the silent peer failed after %.1f s%n", seconds);
                        assertTrue(seconds >= 9, "not before the 10 s user timeout: " + failed);
                    },
                    () -> {
                        Waits.sleepUntil(Waits.deadline(sending, Duration.ofSeconds(35)));
                        assertEquals(List.of(), without.all("read failed|closed by peer"),
                                "without TCP_USER_TIMEOUT the kernel still retransmits after 35 s\n" + without);
                    });
        }
    }
}
