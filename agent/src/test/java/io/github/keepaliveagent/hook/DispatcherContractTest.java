package io.github.keepaliveagent.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

import io.github.keepaliveagent.jdk.Dispatcher;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The inserted calls name the dispatcher's methods by name and descriptor (SocketHook.Dispatch), and the
 * agent reads its kinds by value (jdk/Dispatcher): a name that does not exist is a NoSuchMethodError inside
 * java.net.Socket, in the program. The compiled dispatcher is read as it is, for every one of them.
 */
class DispatcherContractTest {

    @Test
    void everyCallTheHooksInsertExistsInTheDispatcherAsAPublicStaticMethod() throws IOException {
        Map<String, Integer> methods = new HashMap<>();
        Map<String, Object> constants = new HashMap<>();
        Map<String, String> hooks = new HashMap<>();
        new ClassReader(Files.readAllBytes(Paths.get("target/classes/java/net/KeepAliveAgentDispatcher.class")))
                .accept(new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public MethodVisitor visitMethod(int access, String name, String desc, String signature,
                            String[] exceptions) {
                        methods.put(name + desc, access);
                        return null;
                    }

                    @Override
                    public FieldVisitor visitField(int access, String name, String desc, String signature,
                            Object value) {
                        if (value == null) {
                            hooks.put(name, access + " " + desc);
                        }
                        if (value != null) {
                            constants.put(name, value);
                        }
                        return null;
                    }
                }, ClassReader.SKIP_CODE);
        for (SocketHook.Dispatch dispatch : SocketHook.Dispatch.values()) {
            Integer access = methods.get(dispatch.method + dispatch.desc);
            assertTrue(access != null, dispatch + ": no " + dispatch.method + dispatch.desc + " in " + methods.keySet());
            assertEquals(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, access & (Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC),
                    dispatch + " must be public static: it is called from every module and class loader");
        }
        assertEquals(Map.of("SOCKET", Dispatcher.SOCKET, "LISTENER", Dispatcher.LISTENER, "NATIVE_SOCKET",
                Dispatcher.NATIVE_SOCKET, "LISTENER_BOUND",
                Dispatcher.LISTENER_BOUND, "NATIVE_LISTENING", Dispatcher.NATIVE_LISTENING), constants,
                "the kinds the dispatcher hands over, as the agent reads them");
        // The agent's hooks, set through jdk/Dispatcher: private (no one else may replace them), volatile, JDK types.
        String hidden = (Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_VOLATILE) + " ";
        assertEquals(Map.of("sockets", hidden + "Ljava/util/function/ObjIntConsumer;",
                "options", hidden + "Ljava/util/function/Function;",
                "connects", hidden + "Ljava/util/function/BiConsumer;",
                "nativeAccepts", hidden + "Ljava/util/function/IntConsumer;"), hooks);
        assertEquals(Rewriter.DISPATCHER, Dispatcher.INTERNAL_NAME);
        assertEquals(Dispatcher.NAME.replace('.', '/'), Dispatcher.INTERNAL_NAME);
    }
}
