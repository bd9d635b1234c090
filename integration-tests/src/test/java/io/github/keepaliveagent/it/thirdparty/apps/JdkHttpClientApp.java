package io.github.keepaliveagent.it.thirdparty.apps;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@code java.net.http.HttpClient} as an application uses it: two requests at once,
 * then the idle pooled connections are held. Args: URL, seconds to hold.
 */
public final class JdkHttpClientApp {

    private JdkHttpClientApp() {
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        long holdSeconds = Long.parseLong(args[1]);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            System.out.println("status " + response.get(30, TimeUnit.SECONDS).statusCode());
        }
        System.out.println("ready pid=" + ProcessHandle.current().pid());
        Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        System.exit(0);
    }
}
