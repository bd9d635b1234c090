package io.github.keepaliveagent.jdk;

/**
 * Everything the agent needs from the JDK that differs between JDK 8 and JDK 9+ (modules); the JDK 9+ side
 * is compiled separately, against the real module API. How the private fields and natives are reached
 * differs too, for start-up's sake: by reflection up to JDK 17, where it is the cheaper way for a handful of
 * calls; by method handles and VarHandles from JDK 18, where reflection is itself built on method handles
 * (JEP 416) and each first Method.invoke or Field.get spins classes of its own (measured on JDK 25: several
 * ms per first call, against one handle's cost).
 */
public interface JdkAccess {

    /** Defines the dispatcher class in java.base's package java.net. */
    Class<?> defineInJavaNet(byte[] classFile) throws Exception;

    /**
     * A private static method of a class the agent has opened (sun.nio.ch.Net's getsockname and getpeername,
     * for connection rules), to be called with invokeExact. Not on the start-up path: it spins method handles.
     */
    java.lang.invoke.MethodHandle privateStatic(Class<?> type, String name, java.lang.invoke.MethodType methodType)
            throws ReflectiveOperationException;

    /** A private static field of a class the agent has opened (the dispatcher's hooks), read and written volatile. */
    StaticField staticField(Class<?> type, String name, Class<?> fieldType) throws ReflectiveOperationException;

    /** One static field. */
    interface StaticField {
        Object get();

        void set(Object value);
    }

    /**
     * The JVM's agent properties: what {@code VirtualMachine.getAgentProperties()} shows to whoever
     * attaches (the same user or root), and which application code cannot see (they are not system
     * properties). The agent publishes what it applied there for {@code attach} and {@code status}.
     */
    java.util.Properties agentProperties() throws Exception;

    /**
     * The JDK's native setsockopt and its socket fields. On JDK 9+ java.net, java.io and sun.nio.ch are
     * open to the agent's module, and jdk.internal.vm exported to it, alone (boot/ModuleMaker).
     */
    NativeCalls nativeCalls() throws ReflectiveOperationException;

    /**
     * Whether the JDK has this class (in the boot loader), loaded but not initialised: how the agent tells
     * the JDK and the OS, never by system properties, which the program may have changed by an attach.
     */
    static boolean jdkHas(String className) {
        try {
            Class.forName(className, false, null);
            return true;
        } catch (ClassNotFoundException | LinkageError absent) {
            return false;
        }
    }

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
            // By loading a class, not Class.getMethod: that builds the reflection data of all of Class (~1 ms).
            if (!jdkHas("java.lang.Module")) {
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
