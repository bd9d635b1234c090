package io.github.keepaliveagent.jdk;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.function.BiFunction;
import java.util.function.ObjIntConsumer;

/**
 * The dispatcher that instrumented code calls, {@code java.net.KeepAliveAgentDispatcher} (source in
 * {@code src/main/dispatcher}): defined once per JVM inside java.base, where every module can call it
 * and only the agent can set its hooks. The agent never links against it: it holds the Class.
 */
public final class Dispatcher {

    public static final String NAME = "java.net.KeepAliveAgentDispatcher";
    public static final String INTERNAL_NAME = "java/net/KeepAliveAgentDispatcher";

    /** The kinds the dispatcher hands over with each socket (its constants; a unit test compares them). */
    public static final int SOCKET = 0;
    public static final int LISTENER = 1;
    public static final int NATIVE_SOCKET = 2;
    public static final int OVERRIDDEN = 3;

    private final Class<?> type;
    private final JdkAccess jdk;
    private volatile MethodHandle installed;

    private Dispatcher(Class<?> type, JdkAccess jdk) {
        this.type = type;
        this.jdk = jdk;
    }

    /** Defines the dispatcher (no hooks yet) from its class file, which the launcher read from the jar. */
    public static Dispatcher define(JdkAccess jdk, byte[] classFile) throws Exception {
        return new Dispatcher(jdk.defineInJavaNet(classFile), jdk);
    }

    /** The dispatcher an earlier copy of the agent defined (it said so in the agent properties). */
    public static Dispatcher existing(JdkAccess jdk) throws ClassNotFoundException {
        return new Dispatcher(Class.forName(NAME, false, null), jdk);
    }

    /** Hands the dispatcher the agent's hooks: new sockets, and the filter of the program's own option values. */
    public void install(ObjIntConsumer<Object> sockets, BiFunction<String, Object, Object> options) throws Exception {
        MethodHandle install = jdk.privateStatic(type, "install",
                MethodType.methodType(void.class, ObjIntConsumer.class, BiFunction.class));
        try {
            install.invokeExact(sockets, options);
        } catch (Throwable t) {
            throw Handles.rethrow(t);
        }
    }

    /** The hook installed now, or null (then the dispatcher does nothing). */
    public Object installed() throws Exception {
        if (installed == null) {
            installed = jdk.privateStatic(type, "installed", MethodType.methodType(Object.class));
        }
        try {
            return (Object) installed.invokeExact();
        } catch (Throwable t) {
            throw Handles.rethrow(t);
        }
    }

    public JdkAccess jdk() {
        return jdk;
    }
}
