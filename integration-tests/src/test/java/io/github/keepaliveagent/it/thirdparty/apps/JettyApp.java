package io.github.keepaliveagent.it.thirdparty.apps;

import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/** A Jetty 12 server on a free loopback port answering "hello". Args: seconds to run. */
public final class JettyApp {

    private JettyApp() {
    }

    public static void main(String[] args) throws Exception {
        long holdSeconds = Long.parseLong(args[0]);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Sink.write(response, true, "hello\n", callback);
                return true;
            }
        });
        server.start();
        try {
            System.out.println("ready pid=" + ProcessHandle.current().pid() + " port=" + connector.getLocalPort());
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        } finally {
            server.stop();
        }
    }
}
