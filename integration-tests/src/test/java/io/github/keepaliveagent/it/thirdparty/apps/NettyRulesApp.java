package io.github.keepaliveagent.it.thirdparty.apps;

import java.net.InetSocketAddress;

import io.github.keepaliveagent.it.apps.HeldOpen;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;

/**
 * Netty 4.2 on a native transport in the network lab, for the connection rules: {@code epoll|io_uring},
 * then {@code listen:PORT} (a server on every address) and {@code connect:HOST:PORT} items. It sets no
 * option. Prints {@code listening port=P} per server, {@code connected local=.. remote=..} per client
 * channel, {@code accepted local=.. remote=..} per accepted one, {@code ready pid=N}; holds everything
 * until stdin closes (at most 300 s). Exit 3 with "unavailable ..." when the transport cannot load.
 * Compiled against Netty 4.1, run on the 4.2 jars (4.2-only classes by name, as in {@link Netty42App}).
 */
public final class NettyRulesApp {

    private NettyRulesApp() {
    }

    public static void main(String[] args) throws Exception {
        String transport = args[0];
        String pkg = transport.equals("epoll") ? "io.netty.channel.epoll." : "io.netty.channel.uring.";
        String prefix = transport.equals("epoll") ? "Epoll" : "IoUring";
        Class<?> available = Class.forName(pkg + prefix);
        if (!(Boolean) available.getMethod("isAvailable").invoke(null)) {
            System.out.println("unavailable " + transport + ": " + available.getMethod("unavailabilityCause").invoke(null));
            System.exit(3);
        }
        Object factory = Class.forName(pkg + prefix + "IoHandler").getMethod("newFactory").invoke(null);
        Class<?> factoryType = Class.forName("io.netty.channel.IoHandlerFactory");
        EventLoopGroup group = (EventLoopGroup) Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup")
                .getConstructor(int.class, factoryType).newInstance(1, factory);
        @SuppressWarnings("unchecked")
        Class<? extends Channel> socketChannel = (Class<? extends Channel>) Class.forName(pkg + prefix + "SocketChannel");
        @SuppressWarnings("unchecked")
        Class<? extends ServerChannel> serverChannel =
                (Class<? extends ServerChannel>) Class.forName(pkg + prefix + "ServerSocketChannel");
        try {
            for (int i = 1; i < args.length; i++) {
                String[] item = args[i].split(":", 2);
                if (item[0].equals("listen")) {
                    int port = Integer.parseInt(item[1]);
                    new ServerBootstrap().group(group).channel(serverChannel).childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            say("accepted", channel);
                            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext context, Object message) {
                                    context.writeAndFlush(message);
                                }
                            });
                        }
                    }).bind(new InetSocketAddress(port)).sync();
                    System.out.println("listening port=" + port);
                } else {
                    int colon = item[1].lastIndexOf(':');
                    InetSocketAddress remote = new InetSocketAddress(item[1].substring(0, colon),
                            Integer.parseInt(item[1].substring(colon + 1)));
                    Channel channel = new Bootstrap().group(group).channel(socketChannel)
                            .handler(new ChannelInboundHandlerAdapter()).connect(remote).sync().channel();
                    say("connected", channel);
                }
            }
            System.out.println("ready pid=" + ProcessHandle.current().pid());
            System.out.flush();
            HeldOpen.untilStdinCloses(300);
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
        System.exit(0);
    }

    private static synchronized void say(String what, Channel channel) {
        System.out.println(what + " local=" + channel.localAddress() + " remote=" + channel.remoteAddress());
        System.out.flush();
    }
}
