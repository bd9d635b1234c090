package io.github.keepaliveagent.it.thirdparty;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * smart-socket (aio-core), a library built on the AsynchronousSocketChannel API, both ends in one
 * JVM of their own: its clients use the JDK's AsynchronousSocketChannel, its server its own
 * channel provider over ServerSocketChannel/SocketChannel. ss shows both ends of each connection.
 */
@Tag("thirdparty")
class SmartSocketTest {

    private static final String DRIVER = "io.github.keepaliveagent.it.thirdparty.apps.SmartSocketApp";

    @Test
    void withTheAgentClientAndServerSessionsHaveTheTimer() throws Exception {
        try (Program program = Program.start(Program.java(true, "smart-socket", DRIVER, Program.HOLD_SECONDS),
                Program.keepaliveEnv())) {
            int port = program.port("port");
            Ss.assertAgentTimers(program.pid(), c -> c.peerPort == port, 2, program);
            Ss.assertAgentTimers(program.pid(), c -> c.localPort == port, 2, program);
        }
    }

    @Test
    void withoutTheAgentNoSessionHasATimer() throws Exception {
        try (Program program = Program.start(Program.java(false, "smart-socket", DRIVER, Program.HOLD_SECONDS),
                Map.of())) {
            int port = program.port("port");
            Ss.assertNoKeepalive(program.pid(), c -> c.peerPort == port, 2, program);
            Ss.assertNoKeepalive(program.pid(), c -> c.localPort == port, 2, program);
        }
    }
}
