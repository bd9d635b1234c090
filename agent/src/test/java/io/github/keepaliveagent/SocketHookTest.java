package io.github.keepaliveagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;

import org.junit.jupiter.api.Test;

/** Instruments the running JDK's own class files and counts the inserted dispatcher calls. */
class SocketHookTest {

    @Test
    void socketIsHookedWhereItsImplCreatesTheNativeSocket() throws IOException {
        // JDK 17: Socket.createImpl; JDK 25: the private connecting constructor and getImpl.
        int places = SocketHook.SOCKET_CLIENT.instrument(jdkClass("java/net/Socket")).insertions[0];
        assertEquals(Runtime.version().feature() >= 21 ? 2 : 1, places);
    }

    @Test
    void acceptIsHookedAtEachExitOfImplAccept() throws IOException {
        int places = SocketHook.SOCKET_ACCEPTED.instrument(jdkClass("java/net/ServerSocket")).insertions[0];
        assertEquals(true, places >= 1, "insertions: " + places);
    }

    @Test
    void onlyConstructorsThatDoNotDelegateAreHooked() throws IOException {
        // SocketChannelImpl(sp) delegates to (sp, family): hooking both would set the options twice.
        assertEquals(2, SocketHook.SOCKET_CHANNEL.instrument(jdkClass("sun/nio/ch/SocketChannelImpl")).insertions[0]);
        assertEquals(2, SocketHook.ASYNC_CHANNEL_UNIX.instrument(
                jdkClass("sun/nio/ch/UnixAsynchronousSocketChannelImpl")).insertions[0]);
    }

    @Test
    void everyHookOfAClassIsAppliedInOnePass() throws IOException {
        // ServerSocket: its accepted sockets (implAccept) and its own listening socket (impl.create).
        SocketHook.Result result = SocketHook.instrument(jdkClass("java/net/ServerSocket"),
                SocketHook.forClass("java/net/ServerSocket"));
        assertEquals(2, result.insertions.length);
        assertEquals(true, result.insertions[0] >= 1 && result.insertions[1] >= 1,
                java.util.Arrays.toString(result.insertions));
        for (SocketHook hook : SocketHook.values()) {
            if (!hook.name().contains("WINDOWS")) {
                assertEquals(true, SocketHook.instrument(jdkClass(hook.internalName), SocketHook.forClass(
                        hook.internalName)).insertions[SocketHook.forClass(hook.internalName).indexOf(hook)] >= 1,
                        hook.name());
            }
        }
    }

    @Test
    void classFilesNewerThanTheBundledAsmAreStillHooked() throws IOException {
        byte[] future = jdkClass("sun/nio/ch/SocketChannelImpl");
        future[6] = 0;
        future[7] = 75; // a class file from a JDK the bundled ASM does not know yet
        byte[] out = SocketHook.SOCKET_CHANNEL.instrument(future).bytes;
        assertEquals(75, out[7]);
        assertEquals(2, SocketHook.SOCKET_CHANNEL.instrument(future).insertions[0]);
    }

    private static byte[] jdkClass(String internalName) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            assertNotNull(in, internalName);
            return in.readAllBytes();
        }
    }
}
