package io.github.keepaliveagent.it.thirdparty;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP client libraries, each in its own JVM, against a tiny HTTP/1.1 server in this (agent-less)
 * JVM: after two concurrent requests each client holds its pooled connections, and ss shows the
 * client process's ends. (Apache HttpClient, which turns keepalive off itself, is in
 * {@link ApacheHttpClientTest}.)
 */
@Tag("thirdparty")
class HttpClientsTest {

    private static HttpServer server;
    private static ExecutorService serverThreads;
    static String url;

    /** name of the jar directory (null: the JDK alone), driver class, whether the agent comes by JAVA_TOOL_OPTIONS. */
    static List<Arguments> clients() {
        return List.of(
                Arguments.of("JDK java.net.http.HttpClient", null, "JdkHttpClientApp", false),
                Arguments.of("JDK HttpURLConnection", null, "HttpUrlConnectionApp", false),
                Arguments.of("OkHttp 4", "okhttp", "OkHttpApp", true));
    }

    @BeforeAll
    static void startTinyServer() throws Exception {
        startServer();
    }

    /** The tiny server, in this JVM (no agent): HTTP/1.1, 300 ms per answer, keep-alive 120 s. */
    static void startServer() throws Exception {
        serverThreads = Executors.newFixedThreadPool(4);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        server.setExecutor(serverThreads);
        server.createContext("/", exchange -> {
            try {
                // Long enough for both requests to be in flight at once: two connections.
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
            // HttpURLConnection keeps an idle connection 5 s unless the server says longer.
            exchange.getResponseHeaders().add("Keep-Alive", "timeout=120");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hello";
    }

    static int serverPort() {
        return server.getAddress().getPort();
    }

    @AfterAll
    static void stopTinyServer() throws Exception {
        if (server != null) {
            server.stop(0);
            serverThreads.shutdownNow();
            serverThreads.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static Program start(String jars, String driver, boolean agent, boolean toolOptions) throws Exception {
        String mainClass = "io.github.keepaliveagent.it.thirdparty.apps." + driver;
        Map<String, String> env = !agent ? Map.of()
                : toolOptions ? Program.keepaliveEnvWithToolOptions() : Program.keepaliveEnv();
        List<String> command = jars == null
                ? Program.javaOnJdkOnly(agent && !toolOptions, mainClass, url, Program.HOLD_SECONDS)
                : Program.java(agent && !toolOptions, jars, mainClass, url, Program.HOLD_SECONDS);
        return Program.start(command, env);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void withTheAgentEveryClientConnectionHasTheTimer(String name, String jars, String driver, boolean toolOptions)
            throws Exception {
        try (Program client = start(jars, driver, true, toolOptions)) {
            client.awaitReady();
            Ss.assertAgentTimers(client.pid(), c -> c.peerPort == server.getAddress().getPort(), 1, client);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void withoutTheAgentNoClientConnectionHasATimer(String name, String jars, String driver, boolean toolOptions)
            throws Exception {
        try (Program client = start(jars, driver, false, toolOptions)) {
            client.awaitReady();
            Ss.assertNoKeepalive(client.pid(), c -> c.peerPort == server.getAddress().getPort(), 1, client);
        }
    }
}
