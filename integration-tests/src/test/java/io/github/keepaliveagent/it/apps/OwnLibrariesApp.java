package io.github.keepaliveagent.it.apps;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import jdk.net.ExtendedSocketOptions;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.implementation.FixedValue;
import net.bytebuddy.matcher.ElementMatchers;
import org.tinylog.Logger;

/** An application that ships its own Byte Buddy (like Mockito does) and its own tinylog configuration. */
public final class OwnLibrariesApp {

    private OwnLibrariesApp() {
    }

    public static void main(String[] args) throws Exception {
        Object greeter = new ByteBuddy().subclass(Object.class)
                .method(ElementMatchers.named("toString")).intercept(FixedValue.value("hello from net.bytebuddy"))
                .make().load(OwnLibrariesApp.class.getClassLoader()).getLoaded().getDeclaredConstructor().newInstance();
        System.out.println("byte-buddy subclass says: " + greeter);
        Logger.info("the application's own tinylog");
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            System.out.println("socket keepalive=" + client.getKeepAlive() + " idle="
                    + client.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
        }
    }
}
