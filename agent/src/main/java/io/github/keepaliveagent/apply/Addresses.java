package io.github.keepaliveagent.apply;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.net.InetSocketAddress;

import io.github.keepaliveagent.jdk.JdkAccess;
import io.github.keepaliveagent.log.Log;

/**
 * getsockname and getpeername of a descriptor, through the JDK's own {@code sun.nio.ch.Net.localAddress}
 * and {@code remoteAddress} (static methods over the natives of the same name, JDK 8 to 27): what the
 * connection rules need for a socket known only by its descriptor (Netty's, the scan's, the retrofit's).
 */
final class Addresses {

    private static final MethodType TYPE = MethodType.methodType(InetSocketAddress.class, FileDescriptor.class);

    private final MethodHandle local;
    private final MethodHandle remote;

    private Addresses(MethodHandle local, MethodHandle remote) {
        this.local = local;
        this.remote = remote;
    }

    /** Null when this JDK does not have them (then the rules apply only where the JDK objects tell). */
    static Addresses resolve() {
        try {
            Class<?> net = Class.forName("sun.nio.ch.Net", false, null);
            JdkAccess jdk = JdkAccess.current();
            return new Addresses(jdk.privateStatic(net, "localAddress", TYPE), jdk.privateStatic(net, "remoteAddress",
                    TYPE));
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debug(e, "getsockname/getpeername (sun.nio.ch.Net) are not reachable");
            return null;
        }
    }

    /** The socket's own address (getsockname). */
    InetSocketAddress local(FileDescriptor fd) throws Exception {
        try {
            return (InetSocketAddress) local.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The peer's address (getpeername); throws when the socket is not connected. */
    InetSocketAddress remote(FileDescriptor fd) throws Exception {
        try {
            return (InetSocketAddress) remote.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static Exception rethrow(Throwable thrown) {
        if (thrown instanceof Error) {
            throw (Error) thrown;
        }
        return thrown instanceof Exception ? (Exception) thrown : new IllegalStateException(thrown);
    }
}
