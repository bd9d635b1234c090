package io.github.keepaliveagent.jdk;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;

/** JDK 8: no modules; plain reflection, which is cheap up to JDK 17; sun.misc.Unsafe defines the dispatcher. */
final class Jdk8Access implements JdkAccess {

    @Override
    public Class<?> defineInJavaNet(byte[] classFile) throws Exception {
        Field field = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Object unsafe = field.get(null);
        Method define = unsafe.getClass().getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        return (Class<?>) define.invoke(unsafe, null, classFile, 0, classFile.length, null, null);
    }

    @Override
    public java.lang.invoke.MethodHandle privateStatic(Class<?> type, String name,
            java.lang.invoke.MethodType methodType) throws ReflectiveOperationException {
        Method method = type.getDeclaredMethod(name, methodType.parameterArray());
        method.setAccessible(true);
        return java.lang.invoke.MethodHandles.lookup().unreflect(method);
    }

    @Override
    public StaticField staticField(Class<?> type, String name, Class<?> fieldType) throws ReflectiveOperationException {
        return reflectiveField(type, name);
    }

    /** A static field through reflection: cheap up to JDK 17 (Unsafe accessors), no method handle is spun. */
    static StaticField reflectiveField(Class<?> type, String name) throws ReflectiveOperationException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return new StaticField() {
            @Override
            public Object get() {
                try {
                    return field.get(null);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void set(Object value) {
                try {
                    field.set(null, value);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    @Override
    public java.util.Properties agentProperties() throws Exception {
        return (java.util.Properties) Class.forName("sun.misc.VMSupport").getMethod("getAgentProperties")
                .invoke(null);
    }

    @Override
    public NativeCalls nativeCalls() throws ReflectiveOperationException {
        return reflectiveNatives();
    }

    /**
     * The natives and fields through reflection: up to JDK 17 a first Method.invoke is a native call and a
     * Field.get an Unsafe read, no method handle is spun (JDK 18+ reimplements reflection with them).
     */
    static NativeCalls reflectiveNatives() throws ReflectiveOperationException {
        // Not initialised here: a program that never opens a socket never pays for sun.nio.ch.Net.
        Class<?> net = Class.forName("sun.nio.ch.Net", false, null);
        Method set = net.getDeclaredMethod("setIntOption0",
                FileDescriptor.class, boolean.class, int.class, int.class, int.class, boolean.class);
        set.setAccessible(true);
        Method get = net.getDeclaredMethod("getIntOption0", FileDescriptor.class, boolean.class, int.class,
                int.class);
        get.setAccessible(true);
        Field fdNumber = FileDescriptor.class.getDeclaredField("fd");
        fdNumber.setAccessible(true);
        return new NativeCalls() {
            @Override
            public void setInt(FileDescriptor fd, int level, int option, int value) throws Exception {
                unwrap(set, fd, false, level, option, value, false);
            }

            @Override
            public int getInt(FileDescriptor fd, int level, int option) throws Exception {
                return (Integer) unwrap(get, fd, false, level, option);
            }

            @Override
            public Getter getter(Field field) {
                field.setAccessible(true);
                return new Getter() {
                    @Override
                    public Object get(Object target) throws IllegalAccessException {
                        return field.get(target);
                    }
                };
            }

            @Override
            public FileDescriptor wrap(int number) throws IllegalAccessException {
                FileDescriptor fd = new FileDescriptor();
                fdNumber.setInt(fd, number);
                return fd;
            }
        };
    }

    private static Object unwrap(Method method, Object... args) throws Exception {
        try {
            return method.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }
}
