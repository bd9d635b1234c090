package bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
 * epoll client sharing one event loop, one connection at a time. Arguments: warm-up count, measured count;
 * or "check": one connection, then the options of both ends as the kernel reports them.
 */
public final class NettyLoop {

    private NettyLoop() {
    }

    public static void main(String[] args) throws Exception {
        boolean check = args[0].equals("check");
        // One event loop for both ends: fewer thread hand-offs per connection, so less noise between runs.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        try {
            Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(new Accepted(accepted))
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            InetSocketAddress to = (InetSocketAddress) server.localAddress();
            Bootstrap client = new Bootstrap().group(group).channel(EpollSocketChannel.class)
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
                Cpu.settle();
                long cpu = Cpu.millis();
                long start = System.nanoTime();
                run(client, to, accepted, measured);
                Cpu.print("loop", cpu, start);
                System.out.println("connections=" + measured);
            }
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * COUNT connections, driven from the event loop itself (the main thread only waits): connect; once the
     * client is connected and the server has its accepted channel, close both; when both are closed, the next.
     * Every step runs on the one event loop thread, so no thread hand-off adds scheduler noise.
     */
    private static void run(Bootstrap client, InetSocketAddress to, BlockingQueue<Channel> accepted, int count)
            throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        Runnable[] next = new Runnable[1];
        int[] left = {count};
        next[0] = () -> {
            if (left[0]-- == 0) {
                done.countDown();
                return;
            }
            client.connect(to).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    failure[0] = f.cause();
                    done.countDown();
                    return;
                }
                Channel a = accepted.poll();
                if (a == null) { // the accept not seen yet: it is the loop's next event; come back after it
                    f.channel().eventLoop().execute(() -> closeBoth(f.channel(), accepted, next[0], failure, done));
                } else {
                    closeBoth(f.channel(), a, next[0]);
                }
            });
        };
        client.config().group().next().execute(next[0]);
        if (!done.await(600, TimeUnit.SECONDS) || failure[0] != null) {
            throw new IllegalStateException("the loop did not finish", failure[0]);
        }
    }

    private static void closeBoth(Channel c, BlockingQueue<Channel> accepted, Runnable next, Throwable[] failure,
            CountDownLatch done) {
        Channel a = accepted.poll();
        if (a == null) {
            c.eventLoop().execute(() -> closeBoth(c, accepted, next, failure, done));
            return;
        }
        closeBoth(c, a, next);
    }

    private static void closeBoth(Channel c, Channel a, Runnable next) {
        c.close().addListener(f -> a.close().addListener(g -> next.run()));
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
