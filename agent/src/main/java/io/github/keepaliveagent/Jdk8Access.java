package io.github.keepaliveagent;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;

/** JDK 8: no modules; sun.misc.Unsafe still defines classes. */
final class Jdk8Access implements JdkAccess {

    @Override
    public void openJavaBase(Instrumentation inst) {
    }

    @Override
    public Class<?> defineInBootLoader(String name, byte[] bytes) throws Exception {
        Field field = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Object unsafe = field.get(null);
        Method define = unsafe.getClass().getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        return (Class<?>) define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
    }

    @Override
    public NativeSockets.Access nativeAccess() throws ReflectiveOperationException {
        return NativeSockets.reflection();
    }

    @Override
    public void letJavaBaseRead(Instrumentation inst, Class<?> type) {
    }
}
