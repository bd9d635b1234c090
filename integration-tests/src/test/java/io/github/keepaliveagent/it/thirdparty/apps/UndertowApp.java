package io.github.keepaliveagent.it.thirdparty.apps;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.undertow.Undertow;
import io.undertow.util.Headers;

/**
 * An Undertow HTTP server with its defaults (XNIO's NIO worker; XNIO's NioTcpServer calls
 * {@code accepted.socket().setKeepAlive(false)} on each accepted channel unless the program sets
 * Options.KEEP_ALIVE). Answers "hello". Args: seconds to hold.
 */
public final class UndertowApp {

    private UndertowApp() {
    }

    public static void main(String[] args) throws Exception {
        long holdSeconds = Long.parseLong(args[0]);
        Undertow server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(exchange -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
                    exchange.getResponseSender().send("hello\n");
                })
                .build();
        server.start();
        try {
            int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
            System.out.println("ready pid=" + ProcessHandle.current().pid() + " port=" + port);
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        } finally {
            server.stop();
        }
    }
}
