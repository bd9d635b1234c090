package bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * Connect + accept + close on loopback through Netty's native epoll transport: an epoll server and an
 * epoll client (one event loop each), one connection at a time. Arguments: warm-up count, measured count;
 * or "check": one connection, then the options of both ends as the kernel reports them.
 */
public final class NettyLoop {

    private NettyLoop() {
    }

    public static void main(String[] args) throws Exception {
        boolean check = args[0].equals("check");
        EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        try {
            Channel server = new ServerBootstrap().group(serverGroup).channel(EpollServerSocketChannel.class)
                    .childHandler(new Accepted(accepted))
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            InetSocketAddress to = (InetSocketAddress) server.localAddress();
            Bootstrap client = new Bootstrap().group(clientGroup).channel(EpollSocketChannel.class)
                    .option(ChannelOption.SO_LINGER, 0) // RST on close: no TIME_WAIT pile-up
                    .handler(NOOP);
            if (check) {
                Channel c = client.connect(to).sync().channel();
                Channel a = take(accepted);
                System.out.println("client " + describe(c));
                System.out.println("accepted " + describe(a));
                c.close().sync();
                a.close().sync();
            } else {
                int warmUp = Integer.parseInt(args[0]);
                int measured = Integer.parseInt(args[1]);
                run(client, to, accepted, warmUp);
                long cpu = Cpu.millis();
                long start = System.nanoTime();
                run(client, to, accepted, measured);
                Cpu.print("loop", cpu, start);
                System.out.println("connections=" + measured);
            }
            server.close().sync();
        } finally {
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void run(Bootstrap client, InetSocketAddress to, BlockingQueue<Channel> accepted, int count)
            throws Exception {
        for (int i = 0; i < count; i++) {
            Channel c = client.connect(to).sync().channel();
            Channel a = take(accepted);
            c.close().sync();
            a.close().sync();
        }
    }

    private static Channel take(BlockingQueue<Channel> accepted) throws Exception {
        Channel a = accepted.poll(10, TimeUnit.SECONDS);
        if (a == null) {
            throw new IllegalStateException("no connection accepted within 10 s");
        }
        return a;
    }

    static String describe(Channel ch) {
        EpollSocketChannel c = (EpollSocketChannel) ch;
        return "keepalive=" + c.config().getOption(ChannelOption.SO_KEEPALIVE)
                + " idle=" + c.config().getOption(EpollChannelOption.TCP_KEEPIDLE)
                + " interval=" + c.config().getOption(EpollChannelOption.TCP_KEEPINTVL)
                + " count=" + c.config().getOption(EpollChannelOption.TCP_KEEPCNT);
    }

    /** A client channel's whole pipeline: nothing to do (one instance for every channel). */
    static final ChannelHandler NOOP = new Noop();

    @ChannelHandler.Sharable
    private static final class Noop extends ChannelInboundHandlerAdapter {
    }

    @ChannelHandler.Sharable
    private static final class Accepted extends ChannelInboundHandlerAdapter {
        private final BlockingQueue<Channel> accepted;

        Accepted(BlockingQueue<Channel> accepted) {
            this.accepted = accepted;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted.add(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset from the client's linger-0 close: nothing to report
        }
    }
}
