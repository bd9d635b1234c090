package io.github.keepaliveagent.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * Rewrites the running JDK's and Netty's own class files, counts the inserted dispatcher calls, and
 * verifies every rewritten class with ASM's CheckClassAdapter (stack and locals included).
 */
class RewriterTest {

    @Test
    void socketIsHookedWhereItsImplCreatesTheNativeSocket() throws IOException {
        // JDK 17: Socket.createImpl; JDK 21+: the private connecting constructor and getImpl.
        assertEquals(Runtime.version().feature() >= 21 ? 2 : 1, count("java/net/Socket", SocketHook.SOCKET_CLIENT));
    }

    @Test
    void acceptIsHookedAtEachExitOfImplAccept() throws IOException {
        assertTrue(count("java/net/ServerSocket", SocketHook.SOCKET_ACCEPTED) >= 1);
    }

    @Test
    void onlyConstructorsThatDoNotDelegateAreHooked() throws IOException {
        // SocketChannelImpl(sp) delegates to (sp, family): hooking both would set the options twice.
        assertEquals(2, count("sun/nio/ch/SocketChannelImpl", SocketHook.SOCKET_CHANNEL));
        assertEquals(2, count("sun/nio/ch/UnixAsynchronousSocketChannelImpl", SocketHook.ASYNC_CHANNEL_UNIX));
    }

    @Test
    void everyWayOfSwitchingKeepaliveOffIsFiltered() throws IOException {
        assertEquals(1, count("java/net/Socket", SocketHook.SOCKET_KEEPALIVE_OFF));
        assertTrue(count("java/net/Socket", SocketHook.SOCKET_OPTION) >= 1);
        assertTrue(count("sun/nio/ch/SocketChannelImpl", SocketHook.CHANNEL_OPTION) >= 1);
        assertTrue(count("sun/nio/ch/AsynchronousSocketChannelImpl", SocketHook.ASYNC_OPTION) >= 1);
    }

    @Test
    void everyHookOfAJdkClassIsAppliedInOnePassAndTheResultVerifies() throws IOException {
        for (SocketHook hook : SocketHook.values()) {
            if (hook.byTail() || hook.name().contains("WINDOWS") || hook.optional) {
                continue;
            }
            List<SocketHook> hooks = SocketHook.forClass(hook.name, true);
            Rewriter.Result result = Rewriter.rewrite(classFile(hook.name), hooks);
            assertTrue(result.insertions[hooks.indexOf(hook)] >= 1, hook.name());
            verify(result.bytes);
        }
    }

    @Test
    void nettysNativeSocketsAreHookedWhereverNettyIsRelocated() throws IOException {
        assertEquals(Arrays.asList(SocketHook.NETTY_STREAM, SocketHook.NETTY_KEEPALIVE_OFF, SocketHook.NETTY_RAW_OPTION,
                SocketHook.NETTY_CONNECT, SocketHook.NETTY_LISTEN, SocketHook.NETTY_ACCEPT),
                SocketHook.forClass("io/netty/channel/unix/Socket", false));
        assertEquals(SocketHook.forClass("io/netty/channel/unix/Socket", false),
                SocketHook.forClass("io/grpc/netty/shaded/io/netty/channel/unix/Socket", false));
        assertEquals(4, SocketHook.forClass("io/netty/incubator/channel/uring/LinuxSocket", false).size());
        assertTrue(SocketHook.forClass("io/netty/channel/unix/Socket", true).isEmpty(), "not in the boot loader");
        assertTrue(SocketHook.forClass("com/example/MySocket", false).isEmpty());
        assertTrue(SocketHook.forClass("java/net/Socket", false).isEmpty(), "the JDK's only in the boot loader");

        Rewriter.Result socket = Rewriter.rewrite(classFile("io/netty/channel/unix/Socket"),
                SocketHook.forClass("io/netty/channel/unix/Socket", false));
        assertEquals("[1, 1, 1, 1, 1, 2]", Arrays.toString(socket.insertions),
                "newSocketStream0(Z)I, setKeepAlive, setIntOpt, connect, listen, accept (two returns of a descriptor)");
        verify(socket.bytes);
        for (String linuxSocket : new String[] {"io/netty/channel/epoll/LinuxSocket",
            "io/netty/channel/uring/LinuxSocket"}) {
            Rewriter.Result result = Rewriter.rewrite(classFile(linuxSocket), SocketHook.forClass(linuxSocket, false));
            assertEquals("[1, 1, 1, 1]", Arrays.toString(result.insertions), linuxSocket + ": the four setters");
            verify(result.bytes);
        }
    }

    @Test
    void everyConnectIsHookedBeforeItConnectsAndEveryBindAfterItBound() throws IOException {
        // Socket.connect(SocketAddress, int) calls its SocketImpl's connect once.
        assertEquals(1, count("java/net/Socket", SocketHook.SOCKET_CONNECT));
        assertEquals(1, count("sun/nio/ch/SocketChannelImpl", SocketHook.CHANNEL_CONNECT));
        assertEquals(1, count("sun/nio/ch/SocketChannelImpl", SocketHook.CHANNEL_BLOCKING_CONNECT));
        assertEquals(1, count("sun/nio/ch/UnixAsynchronousSocketChannelImpl", SocketHook.ASYNC_CONNECT_UNIX));
        assertTrue(count("java/net/ServerSocket", SocketHook.SERVER_SOCKET_BIND) >= 1);
        assertTrue(count("sun/nio/ch/ServerSocketChannelImpl", SocketHook.SERVER_CHANNEL_BIND) >= 1);
        assertTrue(count("sun/nio/ch/AsynchronousServerSocketChannelImpl", SocketHook.ASYNC_SERVER_BIND) >= 1);
    }

    @Test
    void nettysIoUringChannelsAreHookedWhereTheyConnectAndAccept() throws IOException {
        String channel = "io/netty/channel/uring/AbstractIoUringChannel";
        assertEquals(Arrays.asList(SocketHook.NETTY_URING_CONNECT), SocketHook.forClass(channel, false));
        assertEquals(SocketHook.forClass(channel, false),
                SocketHook.forClass("io/grpc/netty/shaded/" + channel, false));
        Rewriter.Result result = Rewriter.rewrite(classFile(channel), SocketHook.forClass(channel, false));
        assertEquals("[1]", Arrays.toString(result.insertions));
        verify(result.bytes);
        assertTrue(SocketHook.forClass("io/netty/channel/uring/IoUringSocketChannel", false).isEmpty());
        String server = "io/netty/channel/uring/IoUringServerSocketChannel";
        assertEquals(Arrays.asList(SocketHook.NETTY_URING_ACCEPT), SocketHook.forClass(server, false));
        Rewriter.Result accept = Rewriter.rewrite(classFile(server), SocketHook.forClass(server, false));
        assertEquals("[1]", Arrays.toString(accept.insertions), "newChildChannel(int fd, ByteBuffer)");
        verify(accept.bytes);
    }

    @Test
    void classFilesOfNewerJdksAreStillHooked() throws IOException {
        byte[] future = classFile("sun/nio/ch/SocketChannelImpl");
        future[6] = 0;
        future[7] = 75; // a class file from a JDK newer than the tests' ASM knows
        Rewriter.Result result = Rewriter.rewrite(future, SocketHook.SOCKET_CHANNEL);
        assertEquals(75, result.bytes[7]);
        assertEquals(2, result.insertions[0]);
    }

    /**
     * The oracle: Byte Buddy's ASM, as the agent used it until 1.1, applied to the same class with the same
     * hooks. Both outputs, read back by ASM, must show the same instructions, frames, handlers, line numbers
     * and local variables (the padding NOPs aside).
     */
    @Test
    void everyHookedClassGetsWhatAsmWouldMakeOfIt() throws IOException {
        int compared = 0;
        for (SocketHook hook : SocketHook.values()) {
            if (!hook.byTail() && !hook.name().contains("WINDOWS") && !hook.optional) {
                sameAsAsm(hook.name, SocketHook.forClass(hook.name, true));
                compared++;
            }
        }
        for (String netty : new String[] {"io/netty/channel/unix/Socket", "io/netty/channel/epoll/LinuxSocket",
            "io/netty/channel/uring/LinuxSocket", "io/netty/channel/uring/AbstractIoUringChannel",
            "io/netty/channel/uring/IoUringServerSocketChannel"}) {
            sameAsAsm(netty, SocketHook.forClass(netty, false));
            compared++;
        }
        assertTrue(compared >= 10, "compared " + compared);
    }

    /** Methods shaped to be hard to relocate (Fixture), through every kind of insertion. */
    @Test
    void hardShapesAreRelocatedAsAsmDoesIt() throws IOException {
        String fixture = "io/github/keepaliveagent/hook/Fixture";
        List<SocketHook> hooks = Arrays.asList(SocketHook.SOCKET_CHANNEL, SocketHook.SOCKET_KEEPALIVE_OFF,
                SocketHook.NETTY_RAW_OPTION, SocketHook.NETTY_STREAM);
        Rewriter.Result result = sameAsAsm(fixture, hooks);
        // Two constructors that do not delegate (3 returns, 1 return), setKeepAlive, setIntOpt, two ireturns.
        assertEquals("[4, 1, 1, 2]", Arrays.toString(result.insertions));
    }

    /**
     * Every constructor of every class of java.base, hooked at each return (the kind of insertion that moves
     * the most offsets: in the middle of switches, handlers and loops), against the oracle.
     */
    @Test
    void everyConstructorOfJavaBaseIsRelocatedAsAsmDoesIt() throws IOException {
        java.nio.file.FileSystem jrt = java.nio.file.FileSystems.getFileSystem(java.net.URI.create("jrt:/"));
        List<java.nio.file.Path> classes;
        try (java.util.stream.Stream<java.nio.file.Path> walk = java.nio.file.Files.walk(jrt.getPath("/modules/java.base"))) {
            classes = walk.filter(p -> p.toString().endsWith(".class") && !p.toString().endsWith("module-info.class"))
                    .collect(java.util.stream.Collectors.toList());
        }
        int changed = 0;
        for (java.nio.file.Path path : classes) {
            byte[] bytes = java.nio.file.Files.readAllBytes(path);
            Rewriter.Result ours = Rewriter.rewrite(bytes, SocketHook.SOCKET_CHANNEL);
            Rewriter.Result asm = AsmRewriter.rewrite(bytes, SocketHook.SOCKET_CHANNEL);
            assertEquals(asm.insertions[0], ours.insertions[0], path.toString());
            if (ours.insertions[0] > 0) {
                assertEquals(text(asm.bytes), text(ours.bytes), path.toString());
                changed++;
            }
        }
        assertTrue(changed > 3000, "classes with a constructor hooked: " + changed);
    }

    private static Rewriter.Result sameAsAsm(String internalName, List<SocketHook> hooks) throws IOException {
        byte[] bytes = classFile(internalName);
        Rewriter.Result ours = Rewriter.rewrite(bytes, hooks);
        Rewriter.Result asm = AsmRewriter.rewrite(bytes, hooks);
        assertEquals(Arrays.toString(asm.insertions), Arrays.toString(ours.insertions), internalName);
        assertEquals(text(asm.bytes), text(ours.bytes), internalName);
        verify(ours.bytes);
        return ours;
    }

    /** The class as ASM reads it, in text: instructions, frames, handlers, lines, locals; no NOPs. */
    private static String text(byte[] classFile) {
        StringWriter text = new StringWriter();
        new ClassReader(classFile).accept(new org.objectweb.asm.util.TraceClassVisitor(new PrintWriter(text)), 0);
        StringBuilder kept = new StringBuilder();
        for (String line : text.toString().split("\n")) {
            if (!line.trim().equals("NOP") && !line.trim().startsWith("MAXSTACK")) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }

    private static int count(String internalName, SocketHook hook) throws IOException {
        Rewriter.Result result = Rewriter.rewrite(classFile(internalName), hook);
        verify(result.bytes);
        return result.insertions[0];
    }

    /** ASM's own verifier, with data flow: a broken stack (a missing DUP, a wrong store) fails here. */
    private static void verify(byte[] classFile) {
        StringWriter problems = new StringWriter();
        CheckClassAdapter.verify(new ClassReader(classFile), RewriterTest.class.getClassLoader(), false,
                new PrintWriter(problems));
        assertEquals("", problems.toString(), "the rewritten class does not verify");
    }

    private static byte[] classFile(String internalName) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            assertNotNull(in, internalName);
            return in.readAllBytes();
        }
    }
}
