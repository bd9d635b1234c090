package io.github.keepaliveagent.it.apps;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A program that runs under a SecurityManager with socket permissions only: one Socket and one
 * SocketChannel connection on loopback, each side's SO_KEEPALIVE printed as the program reads it.
 */
public final class SecuredApp {

    private SecuredApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("security manager " + (System.getSecurityManager() != null));
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 5, loopback);
                Socket client = new Socket(loopback, server.getLocalPort());
                Socket accepted = server.accept()) {
            System.out.println("socket.client keepalive=" + client.getKeepAlive());
            System.out.println("socket.accepted keepalive=" + accepted.getKeepAlive());
        }
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(loopback, 0));
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept()) {
            System.out.println("channel.client keepalive=" + client.getOption(StandardSocketOptions.SO_KEEPALIVE));
            System.out.println("channel.accepted keepalive=" + accepted.getOption(StandardSocketOptions.SO_KEEPALIVE));
        }
    }
}
