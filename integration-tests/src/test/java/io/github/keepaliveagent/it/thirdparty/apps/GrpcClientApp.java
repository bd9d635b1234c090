package io.github.keepaliveagent.it.thirdparty.apps;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.ClientCalls;

/**
 * A gRPC client on grpc-netty-shaded: one unary call to {@link GrpcServerApp}, then the channel
 * (one HTTP/2 connection) is held open. Args: port, {@code default|nio}, seconds to hold.
 */
public final class GrpcClientApp {

    private GrpcClientApp() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String transport = args[1];
        long holdSeconds = Long.parseLong(args[2]);
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext();
        String channelType;
        NioEventLoopGroup group = null;
        if (transport.equals("nio")) {
            group = new NioEventLoopGroup(1);
            builder.eventLoopGroup(group).channelType(NioSocketChannel.class);
            channelType = NioSocketChannel.class.getName();
        } else if (transport.equals("default")) {
            channelType = GrpcEcho.shadedDefault("DEFAULT_CLIENT_CHANNEL_TYPE");
        } else {
            throw new IllegalArgumentException("transport: default or nio, not " + transport);
        }
        ManagedChannel channel = builder.build();
        try {
            byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
            byte[] reply = ClientCalls.blockingUnaryCall(channel, GrpcEcho.ECHO,
                    CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), hello);
            if (!Arrays.equals(hello, reply)) {
                throw new IllegalStateException("echo: " + new String(reply, StandardCharsets.UTF_8));
            }
            System.out.println("transport client " + channelType + " epoll.isAvailable=" + GrpcEcho.epollAvailable());
            System.out.println("ready pid=" + ProcessHandle.current().pid() + " port=" + port);
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        } finally {
            channel.shutdownNow();
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
    }
}
