package io.github.keepaliveagent.jdk;

import java.lang.instrument.Instrumentation;

/**
 * Everything the agent needs from the JDK that differs between JDK 8 and JDK 9+ (modules). The JDK 9+
 * side is compiled separately, against the real module API, because reflection is slow at start-up
 * on recent JDKs (each first Method.invoke spins method handles: ~35 ms for these calls on JDK 25).
 */
public interface JdkAccess {

    /**
     * Opens java.net (the dispatcher's private state, SocketImpl's fields), java.io (FileDescriptor.fd)
     * and sun.nio.ch (the native setsockopt), and exports jdk.internal.vm (the agent properties), to the
     * agent's own module, and to nothing else.
     */
    void openJavaBase(Instrumentation inst);

    /** Defines the dispatcher class in java.base's package java.net. */
    Class<?> defineInJavaNet(byte[] classFile) throws Exception;

    /**
     * A private static method of a class the agent has opened (the dispatcher's install), to be called
     * with invokeExact: no adaptation is spun at start-up.
     */
    java.lang.invoke.MethodHandle privateStatic(Class<?> type, String name, java.lang.invoke.MethodType methodType)
            throws ReflectiveOperationException;

    /**
     * The JVM's agent properties: what {@code VirtualMachine.getAgentProperties()} shows to whoever
     * attaches (the same user or root), and which application code cannot see (they are not system
     * properties). The agent publishes what it applied there for {@code attach} and {@code status}.
     */
    java.util.Properties agentProperties() throws Exception;

    /** The JDK's native setsockopt and its socket fields (needs openJavaBase first). */
    NativeCalls nativeCalls() throws ReflectiveOperationException;

    /** The one for the running JDK. */
    static JdkAccess current() {
        return Holder.INSTANCE;
    }

    /** Created once, on first use. */
    final class Holder {
        static final JdkAccess INSTANCE = create();

        private Holder() {
        }

        private static JdkAccess create() {
            try {
                Class.class.getMethod("getModule");
            } catch (NoSuchMethodException jdk8) {
                return new Jdk8Access();
            }
            try {
                return (JdkAccess) Class.forName("io.github.keepaliveagent.jdk.Jdk9Access").getDeclaredConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("the agent's JDK 9+ classes are missing from its jar", e);
            }
        }
    }
}
