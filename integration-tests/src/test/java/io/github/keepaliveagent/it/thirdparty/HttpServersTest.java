package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP servers, each in its own JVM; this (agent-less) JVM is the client: two keep-alive requests
 * on two connections, left open, and ss shows the server process's accepted ends.
 */
@Tag("thirdparty")
class HttpServersTest {

    private static final int CONNECTIONS = 2;

    /** display name, jar directory, driver class, whether the agent comes by JAVA_TOOL_OPTIONS. */
    static List<Arguments> servers() {
        return List.of(
                Arguments.of("Jetty 12 (ServerConnector, NIO)", "jetty", "JettyApp", false),
                Arguments.of("Tomcat 10.1 NIO2 connector (AsynchronousSocketChannel)", "tomcat", "TomcatNio2App", true));
    }

    private static Program start(String jars, String driver, boolean agent, boolean toolOptions) throws Exception {
        Map<String, String> env = !agent ? Map.of()
                : toolOptions ? Program.keepaliveEnvWithToolOptions() : Program.keepaliveEnv();
        return Program.start(Program.java(agent && !toolOptions, jars,
                "io.github.keepaliveagent.it.thirdparty.apps." + driver, Program.HOLD_SECONDS), env);
    }

    /** Opens connections to the server and makes one request on each; the caller closes them. */
    private static List<Socket> connect(int port) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket socket = new Socket();
            sockets.add(socket);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            while (!response.toString(StandardCharsets.US_ASCII).contains("hello\n")) {
                int n = in.read(buffer);
                assertTrue(n > 0, "response ended early: " + response);
                response.write(buffer, 0, n);
            }
            assertTrue(response.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"), response.toString());
        }
        return sockets;
    }

    private static void close(List<Socket> sockets) throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void withTheAgentEveryAcceptedConnectionHasTheTimer(String name, String jars, String driver, boolean toolOptions)
            throws Exception {
        try (Program server = start(jars, driver, true, toolOptions)) {
            int port = server.port("port");
            List<Socket> clients = connect(port);
            try {
                Ss.assertAgentTimers(server.pid(), c -> c.localPort == port, CONNECTIONS, server);
            } finally {
                close(clients);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void withoutTheAgentNoAcceptedConnectionHasATimer(String name, String jars, String driver, boolean toolOptions)
            throws Exception {
        try (Program server = start(jars, driver, false, toolOptions)) {
            int port = server.port("port");
            List<Socket> clients = connect(port);
            try {
                Ss.assertNoKeepalive(server.pid(), c -> c.localPort == port, CONNECTIONS, server);
            } finally {
                close(clients);
            }
        }
    }
}
