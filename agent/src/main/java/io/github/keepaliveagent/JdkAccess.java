package io.github.keepaliveagent;

import java.lang.instrument.Instrumentation;

/**
 * What the agent needs from the JDK that differs between JDK 8 and JDK 9+ (modules). The JDK 9+
 * side is compiled separately, against the real module API, because reflection is slow at start-up
 * on recent JDKs (each first Method.invoke spins method handles: ~35 ms for these calls on JDK 25).
 */
interface JdkAccess {

    /**
     * Opens java.net (SocketImpl's protected setOption), java.io and sun.nio.ch (native setsockopt on a
     * file descriptor) and exports jdk.internal.misc (Unsafe) to the agent.
     */
    void openJavaBase(Instrumentation inst);

    /** Defines a class in the bootstrap class loader. */
    Class<?> defineInBootLoader(String name, byte[] bytes) throws Exception;

    /** Lets code in java.base call the given class, which lives in the boot loader's unnamed module. */
    void letJavaBaseRead(Instrumentation inst, Class<?> type);

    /** setsockopt through sun.nio.ch.Net and reads of the JDK's socket fields (needs openJavaBase first). */
    NativeSockets.Access nativeAccess() throws ReflectiveOperationException;

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
                return (JdkAccess) Class.forName("io.github.keepaliveagent.Jdk9Access").getDeclaredConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("the agent's JDK 9+ classes are missing from its jar", e);
            }
        }
    }
}
