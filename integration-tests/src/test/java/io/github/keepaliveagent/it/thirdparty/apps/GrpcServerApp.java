package io.github.keepaliveagent.it.thirdparty.apps;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.stub.ServerCalls;

/**
 * A gRPC server on grpc-netty-shaded (Netty relocated to io.grpc.netty.shaded.io.netty), one
 * unary echo method. Args: {@code default|nio} and seconds to hold. {@code default} leaves the
 * transport to gRPC (epoll on Linux x86_64: the line "transport ..." says what it chose);
 * {@code nio} names NioEventLoopGroup and NioServerSocketChannel, as a program may.
 */
public final class GrpcServerApp {

    private GrpcServerApp() {
    }

    public static void main(String[] args) throws Exception {
        String transport = args[0];
        long holdSeconds = Long.parseLong(args[1]);
        ServerServiceDefinition service = ServerServiceDefinition.builder(GrpcEcho.SERVICE)
                .addMethod(GrpcEcho.ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                }))
                .build();
        NettyServerBuilder builder = NettyServerBuilder
                .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(service);
        String channel;
        if (transport.equals("nio")) {
            builder.bossEventLoopGroup(new NioEventLoopGroup(1)).workerEventLoopGroup(new NioEventLoopGroup(2))
                    .channelType(NioServerSocketChannel.class);
            channel = NioServerSocketChannel.class.getName();
        } else if (transport.equals("default")) {
            channel = GrpcEcho.shadedDefault("DEFAULT_SERVER_CHANNEL_FACTORY");
        } else {
            throw new IllegalArgumentException("transport: default or nio, not " + transport);
        }
        Server server = builder.build().start();
        try {
            System.out.println("transport server " + channel + " epoll.isAvailable=" + GrpcEcho.epollAvailable());
            System.out.println("ready pid=" + ProcessHandle.current().pid() + " port=" + server.getPort());
            server.awaitTermination(holdSeconds, TimeUnit.SECONDS);
        } finally {
            server.shutdownNow();
        }
    }
}
