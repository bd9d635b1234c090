package bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;

/** COUNT Netty epoll client connections to a port, opened one after another and held (IdleClient netty). */
final class NettyClients implements AutoCloseable {

    private final EventLoopGroup group;
    private final List<Channel> channels;

    private NettyClients(EventLoopGroup group, List<Channel> channels) {
        this.group = group;
        this.channels = channels;
    }

    /** Connects one after another, each connect started by the previous one's completion on the event loop. */
    static NettyClients open(int port, int count) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        List<Channel> channels = new ArrayList<>(count);
        Bootstrap b = new Bootstrap().group(group).channel(EpollSocketChannel.class).handler(NettyLoop.NOOP);
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (channels.size() == count) {
                done.countDown();
                return;
            }
            b.connect(to).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    channels.add(f.channel());
                    next[0].run();
                } else {
                    failure[0] = f.cause();
                    done.countDown();
                }
            });
        };
        group.next().execute(next[0]);
        if (!done.await(600, TimeUnit.SECONDS) || failure[0] != null) {
            throw new IllegalStateException("connecting did not finish", failure[0]);
        }
        return new NettyClients(group, channels);
    }

    String describeFirst() {
        return NettyLoop.describe(channels.get(0));
    }

    @Override
    public void close() throws Exception {
        for (Channel c : channels) {
            ((EpollSocketChannel) c).config().setSoLinger(0); // RST: no TIME_WAIT left for the next run
            c.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
