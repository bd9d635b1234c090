package io.github.keepaliveagent.it.thirdparty.apps;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.Version;

/**
 * Netty 4.2 on a native transport, both ends in this JVM: an echo server and a client with two
 * channels to it, each echo awaited, then the four ends held. Args: {@code epoll|io_uring},
 * {@code default|keepalive-false} (the latter sets {@code ChannelOption.SO_KEEPALIVE=false} on the
 * client and on the accepted channels, which Netty applies through its native
 * {@code unix.Socket.setKeepAlive(false)}), seconds to hold.
 *
 * <p>The module compiles against Netty 4.1 (its other tests' version); this runs on the 4.2 jars of
 * target/thirdparty/netty42. So the 4.2-only classes (MultiThreadIoEventLoopGroup, the IoHandler
 * factories, the io_uring transport) are reached by name; everything else is the API both share.
 * Exit status 3 with a line "unavailable ..." when the transport cannot load here.
 */
public final class Netty42App {

    private static final int CHANNELS = 2;

    private Netty42App() {
    }

    public static void main(String[] args) throws Exception {
        String transport = args[0];
        boolean keepAliveFalse = args[1].equals("keepalive-false");
        long holdSeconds = Long.parseLong(args[2]);
        String pkg;
        String prefix;
        String availability;
        if (transport.equals("epoll")) {
            pkg = "io.netty.channel.epoll.";
            prefix = "Epoll";
            availability = "Epoll";
        } else if (transport.equals("io_uring")) {
            pkg = "io.netty.channel.uring.";
            prefix = "IoUring";
            availability = "IoUring";
        } else {
            throw new IllegalArgumentException("transport: epoll or io_uring, not " + transport);
        }
        Class<?> available = Class.forName(pkg + availability);
        if (!(Boolean) available.getMethod("isAvailable").invoke(null)) {
            System.out.println("unavailable " + transport + ": " + available.getMethod("unavailabilityCause").invoke(null));
            System.exit(3);
        }
        Object factory = Class.forName(pkg + prefix + "IoHandler").getMethod("newFactory").invoke(null);
        Class<?> factoryType = Class.forName("io.netty.channel.IoHandlerFactory");
        Class<?> groupType = Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup");
        EventLoopGroup boss = (EventLoopGroup) groupType.getConstructor(int.class, factoryType).newInstance(1, factory);
        EventLoopGroup workers = (EventLoopGroup) groupType.getConstructor(int.class, factoryType).newInstance(2, factory);
        @SuppressWarnings("unchecked")
        Class<? extends Channel> socketChannel = (Class<? extends Channel>) Class.forName(pkg + prefix + "SocketChannel");
        @SuppressWarnings("unchecked")
        Class<? extends ServerChannel> serverChannel =
                (Class<? extends ServerChannel>) Class.forName(pkg + prefix + "ServerSocketChannel");
        Set<String> acceptedTypes = ConcurrentHashMap.newKeySet();
        try {
            ServerBootstrap serverBootstrap = new ServerBootstrap().group(boss, workers).channel(serverChannel)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            acceptedTypes.add(channel.getClass().getName());
                            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext context, Object message) {
                                    context.writeAndFlush(message);
                                }
                            });
                        }
                    });
            if (keepAliveFalse) {
                serverBootstrap.childOption(ChannelOption.SO_KEEPALIVE, false);
            }
            Channel server = serverBootstrap.bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();

            CountDownLatch echoes = new CountDownLatch(CHANNELS);
            Bootstrap client = new Bootstrap().group(workers).channel(socketChannel)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext context, Object message) {
                                    ReferenceCountUtil.release(message);
                                    echoes.countDown();
                                }
                            });
                        }
                    });
            if (keepAliveFalse) {
                client.option(ChannelOption.SO_KEEPALIVE, false);
            }
            String clientType = null;
            for (int i = 0; i < CHANNELS; i++) {
                Channel channel = client.connect(InetAddress.getLoopbackAddress(), port).sync().channel();
                clientType = channel.getClass().getName();
                channel.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8)).sync();
            }
            if (!echoes.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no echo");
            }
            System.out.println("transport netty-transport=" + Version.identify().get("netty-transport").artifactVersion()
                    + " client=" + clientType + " accepted=" + acceptedTypes);
            System.out.println("ready pid=" + ProcessHandle.current().pid() + " port=" + port);
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        } finally {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
