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
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * Apache HttpClient 5 (classic, blocking): two requests at once through the default pooling
 * client, then the pooled connections are held. Args: URL, seconds to hold.
 */
public final class ApacheHttpClientApp {

    private ApacheHttpClientApp() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        long holdSeconds = Long.parseLong(args[1]);
        try (CloseableHttpClient client = HttpClients.createDefault()) {
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
