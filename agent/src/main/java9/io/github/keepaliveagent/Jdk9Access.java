package io.github.keepaliveagent;

import java.io.FileDescriptor;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JDK 9 and later: direct calls to the module API and to jdk.internal.misc.Unsafe, and method handles
 * called with invokeExact for the native path (a first Method.invoke or Field.get spins a chain of
 * method handles on recent JDKs: ~50 ms at start-up on JDK 25 for the few calls the agent makes).
 */
final class Jdk9Access implements JdkAccess {

    private static final Module JAVA_BASE = Object.class.getModule();
    private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);

    @Override
    public void openJavaBase(Instrumentation inst) {
        Set<Module> agent = Set.of(Jdk9Access.class.getModule());
        inst.redefineModule(JAVA_BASE, Set.of(), Map.of("jdk.internal.misc", agent),
                Map.of("java.net", agent, "java.io", agent, "sun.nio.ch", agent), Set.of(), Map.of());
    }

    @Override
    public Class<?> defineInBootLoader(String name, byte[] bytes) {
        return jdk.internal.misc.Unsafe.getUnsafe().defineClass(name, bytes, 0, bytes.length, null, null);
    }

    @Override
    public void letJavaBaseRead(Instrumentation inst, Class<?> type) {
        inst.redefineModule(JAVA_BASE, Set.of(type.getModule()), Map.of(), Map.of(), Set.of(),
                Collections.<Class<?>, List<Class<?>>>emptyMap());
    }

    @Override
    public NativeSockets.Access nativeAccess() throws ReflectiveOperationException {
        // Not initialised here: a program that never opens a socket never pays for sun.nio.ch.Net.
        Class<?> net = Class.forName("sun.nio.ch.Net", false, null);
        MethodHandles.Lookup inNet = MethodHandles.privateLookupIn(net, MethodHandles.lookup());
        MethodHandle setIntOption = inNet.findStatic(net, "setIntOption0", MethodType.methodType(void.class,
                FileDescriptor.class, boolean.class, int.class, int.class, int.class, boolean.class));
        MethodHandle getIntOption = inNet.findStatic(net, "getIntOption0", MethodType.methodType(int.class,
                FileDescriptor.class, boolean.class, int.class, int.class));
        return new NativeSockets.Access() {
            @Override
            public void setIntOption(FileDescriptor fd, int level, int option, int value) throws Throwable {
                setIntOption.invokeExact(fd, false, level, option, value, false);
            }

            @Override
            public int getIntOption(FileDescriptor fd, int level, int option) throws Throwable {
                return (int) getIntOption.invokeExact(fd, false, level, option);
            }

            @Override
            public NativeSockets.Getter getter(Field field) throws IllegalAccessException {
                MethodHandle get = MethodHandles.privateLookupIn(field.getDeclaringClass(), MethodHandles.lookup())
                        .unreflectGetter(field).asType(GETTER);
                return new NativeSockets.Getter() {
                    @Override
                    public Object get(Object target) throws Throwable {
                        return (Object) get.invokeExact(target);
                    }
                };
            }
        };
    }
}
