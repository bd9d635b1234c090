package io.github.keepaliveagent.it.thirdparty.apps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * Apache HttpClient 5 (classic, blocking): two requests at once through the default pooling
 * client, then the pooled connections are held. Args: URL, seconds to hold, and optionally
 * {@code so-keepalive}: the application's own {@code SocketConfig.setSoKeepAlive(true)}, the one
 * keepalive setting most HttpClient users know (it sets no idle time).
 */
public final class ApacheHttpClientApp {

    private ApacheHttpClientApp() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        long holdSeconds = Long.parseLong(args[1]);
        boolean soKeepAlive = args.length > 2 && args[2].equals("so-keepalive");
        try (CloseableHttpClient client = soKeepAlive
                ? HttpClients.custom().setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultSocketConfig(SocketConfig.custom().setSoKeepAlive(true).build()).build()).build()
                : HttpClients.createDefault()) {
            ExecutorService threads = Executors.newFixedThreadPool(2);
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                statuses.add(threads.submit(() -> client.execute(new HttpGet(url), response -> {
                    EntityUtils.consume(response.getEntity());
                    return response.getCode();
                })));
            }
            for (Future<Integer> status : statuses) {
                System.out.println("status " + status.get(30, TimeUnit.SECONDS));
            }
            threads.shutdown();
            System.out.println("ready pid=" + ProcessHandle.current().pid());
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        }
    }
}
