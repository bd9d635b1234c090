package io.github.keepaliveagent.it.thirdparty.apps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;

/**
 * Apache HttpAsyncClient 5 with its defaults ({@code HttpAsyncClients.createDefault()}; its
 * IOReactor calls {@code socketChannel.socket().setKeepAlive(IOReactorConfig.isSoKeepAlive())},
 * false by default): two concurrent GETs (so two pooled connections), then held. Args: URL,
 * seconds to hold.
 */
public final class HttpAsyncClientApp {

    private static final int REQUESTS = 2;

    private HttpAsyncClientApp() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        long holdSeconds = Long.parseLong(args[1]);
        try (CloseableHttpAsyncClient client = HttpAsyncClients.createDefault()) {
            client.start();
            List<Future<SimpleHttpResponse>> responses = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                SimpleHttpRequest request = SimpleRequestBuilder.get(url).build();
                responses.add(client.execute(request, null));
            }
            for (Future<SimpleHttpResponse> response : responses) {
                SimpleHttpResponse answer = response.get(30, TimeUnit.SECONDS);
                if (answer.getCode() != 200) {
                    throw new IllegalStateException("status " + answer.getCode());
                }
            }
            System.out.println("ready pid=" + ProcessHandle.current().pid());
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        }
    }
}
