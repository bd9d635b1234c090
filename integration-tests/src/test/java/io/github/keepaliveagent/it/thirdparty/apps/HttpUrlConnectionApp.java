package io.github.keepaliveagent.it.thirdparty.apps;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@code HttpURLConnection}: two requests at once from two threads, bodies read and
 * closed, so the connections go back to the JDK's keep-alive cache, then held. Args: URL, seconds to hold.
 */
public final class HttpUrlConnectionApp {

    private HttpUrlConnectionApp() {
    }

    public static void main(String[] args) throws Exception {
        URL url = new URL(args[0]);
        long holdSeconds = Long.parseLong(args[1]);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            statuses.add(threads.submit(() -> {
                HttpURLConnection connection = (HttpURLConnection) url.openConnection();
                try (InputStream body = connection.getInputStream()) {
                    body.readAllBytes();
                }
                return connection.getResponseCode();
            }));
        }
        for (Future<Integer> status : statuses) {
            System.out.println("status " + status.get(30, TimeUnit.SECONDS));
        }
        threads.shutdown();
        System.out.println("ready pid=" + ProcessHandle.current().pid());
        Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        System.exit(0);
    }
}
