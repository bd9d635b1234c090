package io.github.keepaliveagent.jdk;

import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
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
    /** For connection rules: a listening socket was bound (JDK) or listens (Netty's descriptor). */
    public static final int LISTENER_BOUND = 4;
    public static final int NATIVE_LISTENING = 5;

    private final JdkAccess jdk;
    /** The dispatcher's private hooks: what a new socket goes to, and the filter of a program's own values. */
    private final JdkAccess.StaticField sockets;
    private final JdkAccess.StaticField options;
    /** With connection rules only (else null): connects, Netty's accepts. */
    private final JdkAccess.StaticField connects;
    private final JdkAccess.StaticField nativeAccepts;

    private Dispatcher(Class<?> type, JdkAccess jdk) throws ReflectiveOperationException {
        this.jdk = jdk;
        this.sockets = jdk.staticField(type, "sockets", ObjIntConsumer.class);
        this.options = jdk.staticField(type, "options", Function.class);
        this.connects = jdk.staticField(type, "connects", BiConsumer.class);
        this.nativeAccepts = jdk.staticField(type, "nativeAccepts", IntConsumer.class);
    }

    /** Defines the dispatcher (no hooks yet) from its class file, which the launcher read from the jar. */
    public static Dispatcher define(JdkAccess jdk, byte[] classFile) throws Exception {
        return new Dispatcher(jdk.defineInJavaNet(classFile), jdk);
    }

    /** The dispatcher an earlier copy of the agent defined (it said so in the agent properties). */
    public static Dispatcher existing(JdkAccess jdk) throws ReflectiveOperationException {
        return new Dispatcher(Class.forName(NAME, false, null), jdk);
    }

    /**
     * Hands the dispatcher the agent's hooks: new sockets, the filter of the program's own option values
     * ({socket, option, value} -> value), and with connection rules {connects (BiConsumer) or null, Netty's
     * accepts (IntConsumer) or null}, else null. The socket hook last: a socket handed over next finds the
     * rest in place.
     */
    public void install(ObjIntConsumer<Object> newSockets, Function<Object[], Object> newOptions, Object[] rules) {
        connects.set(rules == null ? null : rules[0]);
        nativeAccepts.set(rules == null ? null : rules[1]);
        options.set(newOptions);
        sockets.set(newSockets);
    }

    /** The hook installed now, or null (then the dispatcher does nothing). */
    public Object installed() {
        return sockets.get();
    }

    public JdkAccess jdk() {
        return jdk;
    }
}
