package io.github.keepaliveagent.jdk;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.security.PrivilegedExceptionAction;

/**
 * JDK 9 and later: the module API called directly. Up to JDK 17 the natives and fields through
 * reflection, which spins nothing there. From JDK 18, where reflection is built on method handles, fields
 * through VarHandles (linked through the JDK's pregenerated guards, where a method handle getter spins a
 * LambdaForm class for each new shape: 17 of them at start-up before, ~0.5-1 ms each, JDK 17 and 25), and
 * the two natives through method handles called with invokeExact: nothing else calls a private static
 * method of sun.nio.ch.Net.
 */
final class Jdk9Access implements JdkAccess {

    /** Up to JDK 17 reflection spins nothing (JDK 18+ reimplements it with method handles, JEP 416). */
    private static final boolean REFLECTION_IS_CHEAP = Runtime.version().feature() < 18;

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
    public StaticField staticField(Class<?> type, String name, Class<?> fieldType)
            throws ReflectiveOperationException {
        if (REFLECTION_IS_CHEAP) {
            return Jdk8Access.reflectiveField(type, name);
        }
        VarHandle field = MethodHandles.privateLookupIn(type, MethodHandles.lookup())
                .findStaticVarHandle(type, name, fieldType);
        return new StaticField() {
            @Override
            public Object get() {
                return field.getVolatile();
            }

            @Override
            public void set(Object value) {
                field.setVolatile(value);
            }
        };
    }

    @Override
    public java.util.Properties agentProperties() {
        return jdk.internal.vm.VMSupport.getAgentProperties();
    }

    @Override
    public NativeCalls nativeCalls() throws ReflectiveOperationException {
        if (REFLECTION_IS_CHEAP) {
            return Jdk8Access.reflectiveNatives();
        }
        // Not initialised here: a program that never opens a socket never pays for sun.nio.ch.Net.
        Class<?> net = Class.forName("sun.nio.ch.Net", false, null);
        MethodHandles.Lookup inNet = MethodHandles.privateLookupIn(net, MethodHandles.lookup());
        MethodHandle setIntOption = inNet.findStatic(net, "setIntOption0", MethodType.methodType(void.class,
                FileDescriptor.class, boolean.class, int.class, int.class, int.class, boolean.class));
        MethodHandles.Lookup inFileDescriptor = MethodHandles.privateLookupIn(FileDescriptor.class,
                MethodHandles.lookup());
        return new NativeCalls() {
            /**
             * Made on first use: a program whose sockets are all the JDK's, with no rules, never reads an
             * option nor wraps a number (~1.3 ms of method-handle set-up at the first socket class on JDK 25).
             */
            private volatile MethodHandle getIntOption;
            private volatile VarHandle fdNumber;

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
                MethodHandle get = getIntOption;
                if (get == null) { // privileged: with connection rules, the program's frames may be below
                    getIntOption = get = Privileged.call(new PrivilegedExceptionAction<MethodHandle>() {
                        @Override
                        public MethodHandle run() throws ReflectiveOperationException {
                            return inNet.findStatic(net, "getIntOption0", MethodType.methodType(int.class,
                                    FileDescriptor.class, boolean.class, int.class, int.class));
                        }
                    });
                }
                try {
                    return (int) get.invokeExact(fd, false, level, option);
                } catch (Throwable t) {
                    throw Handles.rethrow(t);
                }
            }

            @Override
            public Getter getter(Field field) throws IllegalAccessException {
                VarHandle get = MethodHandles.privateLookupIn(field.getDeclaringClass(), MethodHandles.lookup())
                        .unreflectVarHandle(field);
                return new Getter() { // a class, not a lambda: no lambda machinery at start-up
                    @Override
                    public Object get(Object target) {
                        return get.get(target);
                    }
                };
            }

            @Override
            public FileDescriptor wrap(int number) throws Exception {
                VarHandle handle = fdNumber;
                if (handle == null) {
                    fdNumber = handle = Privileged.call(new PrivilegedExceptionAction<VarHandle>() {
                        @Override
                        public VarHandle run() throws ReflectiveOperationException {
                            return inFileDescriptor.findVarHandle(FileDescriptor.class, "fd", int.class);
                        }
                    });
                }
                FileDescriptor fd = new FileDescriptor();
                handle.set(fd, number);
                return fd;
            }
        };
    }
}
