package io.github.keepaliveagent.jdk;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;

/**
 * JDK 9 and later: direct calls to the module API, and method handles called with invokeExact for
 * the native path (a first Method.invoke or Field.get spins a chain of method handles on recent JDKs:
 * ~50 ms at start-up on JDK 25 for the few calls the agent makes).
 */
final class Jdk9Access implements JdkAccess {

    private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);

    @Override
    public Class<?> defineInJavaNet(byte[] classFile) throws IllegalAccessException {
        // Any class of java.net names the package; URL is loaded long before any agent, Socket must not be:
        // a hooked class loaded here would have to be retransformed at start-up (~70 ms).
        return MethodHandles.privateLookupIn(java.net.URL.class, MethodHandles.lookup()).defineClass(classFile);
    }

    @Override
    public MethodHandle privateStatic(Class<?> type, String name, MethodType methodType)
            throws ReflectiveOperationException {
        return MethodHandles.privateLookupIn(type, MethodHandles.lookup()).findStatic(type, name, methodType);
    }

    @Override
    public java.util.Properties agentProperties() {
        return jdk.internal.vm.VMSupport.getAgentProperties();
    }

    @Override
    public NativeCalls nativeCalls() throws ReflectiveOperationException {
        // Not initialised here: a program that never opens a socket never pays for sun.nio.ch.Net.
        Class<?> net = Class.forName("sun.nio.ch.Net", false, null);
        MethodHandles.Lookup inNet = MethodHandles.privateLookupIn(net, MethodHandles.lookup());
        MethodHandle setIntOption = inNet.findStatic(net, "setIntOption0", MethodType.methodType(void.class,
                FileDescriptor.class, boolean.class, int.class, int.class, int.class, boolean.class));
        MethodHandle getIntOption = inNet.findStatic(net, "getIntOption0", MethodType.methodType(int.class,
                FileDescriptor.class, boolean.class, int.class, int.class));
        MethodHandle setFd = MethodHandles.privateLookupIn(FileDescriptor.class, MethodHandles.lookup())
                .findSetter(FileDescriptor.class, "fd", int.class);
        return new NativeCalls() {
            @Override
            public void setInt(FileDescriptor fd, int level, int option, int value) throws Exception {
                try {
                    setIntOption.invokeExact(fd, false, level, option, value, false);
                } catch (Throwable t) {
                    throw Handles.rethrow(t);
                }
            }

            @Override
            public int getInt(FileDescriptor fd, int level, int option) throws Exception {
                try {
                    return (int) getIntOption.invokeExact(fd, false, level, option);
                } catch (Throwable t) {
                    throw Handles.rethrow(t);
                }
            }

            @Override
            public Getter getter(Field field) throws IllegalAccessException {
                MethodHandle get = MethodHandles.privateLookupIn(field.getDeclaringClass(), MethodHandles.lookup())
                        .unreflectGetter(field).asType(GETTER);
                return new Getter() { // a class, not a lambda: no lambda machinery at start-up
                    @Override
                    public Object get(Object target) throws Exception {
                        try {
                            return (Object) get.invokeExact(target);
                        } catch (Throwable t) {
                            throw Handles.rethrow(t);
                        }
                    }
                };
            }

            @Override
            public FileDescriptor wrap(int number) throws Exception {
                FileDescriptor fd = new FileDescriptor();
                try {
                    setFd.invokeExact(fd, number);
                } catch (Throwable t) {
                    throw Handles.rethrow(t);
                }
                return fd;
            }
        };
    }
}
