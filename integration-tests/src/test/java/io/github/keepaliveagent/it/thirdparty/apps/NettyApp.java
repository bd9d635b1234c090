package io.github.keepaliveagent.it.thirdparty.apps;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty with its NIO transport, both ends: an echo server, and a client that opens two channels
 * to it and waits for each echo; then the four ends are held. Args: seconds to hold.
 */
public final class NettyApp {

    private static final int CHANNELS = 2;

    private NettyApp() {
    }

    public static void main(String[] args) throws Exception {
        long holdSeconds = Long.parseLong(args[0]);
        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup workers = new NioEventLoopGroup(2);
        try {
            Channel server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext context, Object message) {
                                    context.writeAndFlush(message);
                                }
                            });
                        }
                    })
                    .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();

            CountDownLatch echoes = new CountDownLatch(CHANNELS);
            Bootstrap client = new Bootstrap().group(workers).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext context, Object message) {
                                    ReferenceCountUtil.release(message);
                                    echoes.countDown();
                                }
                            });
                        }
                    });
            for (int i = 0; i < CHANNELS; i++) {
                Channel channel = client.connect(InetAddress.getLoopbackAddress(), port).sync().channel();
                ByteBuf hello = Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8);
                channel.writeAndFlush(hello).sync();
            }
            if (!echoes.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no echo");
            }
            System.out.println("ready pid=" + ProcessHandle.current().pid() + " port=" + port);
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        } finally {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
