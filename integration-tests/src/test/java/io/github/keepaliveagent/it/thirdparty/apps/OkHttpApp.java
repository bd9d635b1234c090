package io.github.keepaliveagent.it.thirdparty.apps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** OkHttp: two requests at once, then the pooled connections are held. Args: URL, seconds to hold. */
public final class OkHttpApp {

    private OkHttpApp() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        long holdSeconds = Long.parseLong(args[1]);
        OkHttpClient client = new OkHttpClient();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            statuses.add(threads.submit(() -> {
                try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
                    response.body().string();
                    return response.code();
                }
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
