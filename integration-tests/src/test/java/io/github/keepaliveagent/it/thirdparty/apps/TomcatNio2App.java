package io.github.keepaliveagent.it.thirdparty.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * Embedded Tomcat with its NIO2 connector (Http11Nio2Protocol: AsynchronousServerSocketChannel
 * and AsynchronousSocketChannel) on a free loopback port, one servlet answering "hello".
 * Args: seconds to run. Its base directory is a temporary one, deleted at exit.
 */
public final class TomcatNio2App {

    private TomcatNio2App() {
    }

    public static void main(String[] args) throws Exception {
        long holdSeconds = Long.parseLong(args[0]);
        Path base = Files.createTempDirectory("tomcat-nio2");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(base)));
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector("org.apache.coyote.http11.Http11Nio2Protocol");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        Tomcat.addServlet(context, "hello", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("text/plain");
                response.getWriter().write("hello\n");
            }
        });
        context.addServletMappingDecoded("/*", "hello");
        tomcat.start();
        try {
            System.out.println("ready pid=" + ProcessHandle.current().pid() + " port=" + connector.getLocalPort());
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + directory + ": " + e);
        }
    }
}
