package io.github.keepaliveagent;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;

/**
 * setsockopt on a file descriptor, through the JDK's own native {@code sun.nio.ch.Net.setIntOption0}
 * (JDK 8 to 25 on Linux): for options the JDK has no API for (TCP_USER_TIMEOUT) and for sockets the
 * JVM already holds when the agent is attached (found by number in /proc/self/fd).
 */
final class NativeSockets {

    static final int SOL_SOCKET = 1;
    static final int SO_KEEPALIVE = 9;
    static final int IPPROTO_TCP = 6;
    static final int TCP_KEEPIDLE = 4;
    static final int TCP_KEEPINTVL = 5;
    static final int TCP_KEEPCNT = 6;
    static final int TCP_USER_TIMEOUT = 18;

    /** How the JDK's internals are called: reflection on JDK 8, method handles on 9+ (see JdkAccess). */
    interface Access {
        void setIntOption(FileDescriptor fd, int level, int option, int value) throws Throwable;

        int getIntOption(FileDescriptor fd, int level, int option) throws Throwable;

        Getter getter(Field field) throws IllegalAccessException;
    }

    /** Reads one (accessible) field. */
    interface Getter {
        Object get(Object target) throws Throwable;
    }

    private final Access access;
    private final Field fdNumber;
    /**
     * Per socket class: how to read the field that holds its FileDescriptor, or the SocketImpl that does.
     * A ClassValue, so that an application's own Socket subclass does not pin its class loader.
     */
    private final ClassValue<Getter> getters = new ClassValue<Getter>() {
        @Override
        protected Getter computeValue(Class<?> type) {
            Field field = findField(type);
            if (field == null) {
                return NO_DESCRIPTOR;
            }
            try {
                return access.getter(field);
            } catch (IllegalAccessException | RuntimeException e) {
                Log.debug(e, "cannot read {}", field);
                return NO_DESCRIPTOR;
            }
        }
    };
    /** For a class with no descriptor field (a class rather than a lambda: no lambda machinery at start-up). */
    private static final Getter NO_DESCRIPTOR = new Getter() {
        @Override
        public Object get(Object target) {
            return null;
        }
    };
    /** Options the kernel refused once: warned about once. */
    private final java.util.Set<String> refused = ConcurrentHashMap.newKeySet();

    private NativeSockets(Access access, Field fdNumber) {
        this.access = access;
        this.fdNumber = fdNumber;
    }

    static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");
    }

    /** Resolves the native method once; needs java.base's sun.nio.ch and java.io opened to the agent. */
    static NativeSockets open(JdkAccess jdk) throws ReflectiveOperationException {
        Field fd = FileDescriptor.class.getDeclaredField("fd");
        fd.setAccessible(true);
        return new NativeSockets(jdk.nativeAccess(), fd);
    }

    /** JDK 8: plain reflection, which is cheap there. */
    static Access reflection() throws ReflectiveOperationException {
        // Not initialised here: a program that never opens a socket never pays for sun.nio.ch.Net.
        Class<?> net = Class.forName("sun.nio.ch.Net", false, null);
        Method method = net.getDeclaredMethod("setIntOption0",
                FileDescriptor.class, boolean.class, int.class, int.class, int.class, boolean.class);
        method.setAccessible(true);
        Method getter = net.getDeclaredMethod("getIntOption0", FileDescriptor.class, boolean.class, int.class,
                int.class);
        getter.setAccessible(true);
        return new Access() {
            @Override
            public void setIntOption(FileDescriptor fd, int level, int option, int value) throws Throwable {
                try {
                    method.invoke(null, fd, false, level, option, value, false);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            }

            @Override
            public int getIntOption(FileDescriptor fd, int level, int option) throws Throwable {
                try {
                    return (Integer) getter.invoke(null, fd, false, level, option);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            }

            @Override
            public Getter getter(Field field) {
                field.setAccessible(true);
                return field::get;
            }
        };
    }

    int getInt(FileDescriptor fd, int level, int option) throws Exception {
        try {
            return access.getIntOption(fd, level, option);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    void setInt(FileDescriptor fd, int level, int option, int value) throws Exception {
        try {
            access.setIntOption(fd, level, option, value);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The settings on one socket by its descriptor: a connection, or a listening socket whose
     * connections inherit them. Options left unset keep the kernel's values.
     */
    void configure(FileDescriptor fd, Settings settings) throws Exception {
        setInt(fd, SOL_SOCKET, SO_KEEPALIVE, 1); // a closed socket fails here: nothing more to do
        setIfConfigured(fd, TCP_KEEPIDLE, settings.seconds(Option.IDLE), "TCP_KEEPIDLE");
        setIfConfigured(fd, TCP_KEEPINTVL, settings.seconds(Option.INTERVAL), "TCP_KEEPINTVL");
        setIfConfigured(fd, TCP_KEEPCNT, settings.seconds(Option.COUNT), "TCP_KEEPCNT");
        setIfConfigured(fd, TCP_USER_TIMEOUT, settings.userTimeout(), "TCP_USER_TIMEOUT");
    }

    /** Each option on its own: one the kernel refuses (a sandbox, an old kernel) is warned about once. */
    private void setIfConfigured(FileDescriptor fd, int option, Integer value, String name) {
        if (value == null) {
            return;
        }
        try {
            setInt(fd, IPPROTO_TCP, option, value);
        } catch (Exception e) {
            if (refused.add(name)) {
                Log.warn("the kernel refused {}={} ({}): sockets keep its default for it", name, value, e.getMessage());
            }
        }
    }

    /**
     * A FileDescriptor for a number found in /proc/self/fd. It has no cleaner and is never closed:
     * the socket stays owned by whoever opened it.
     */
    FileDescriptor wrap(int number) throws IllegalAccessException {
        FileDescriptor fd = new FileDescriptor();
        fdNumber.setInt(fd, number);
        return fd;
    }


    /**
     * The FileDescriptor inside a Socket, SocketImpl or channel, or null. Walking up from the concrete
     * class, the first field that is a FileDescriptor or a SocketImpl wins; a SocketImpl (Socket.impl,
     * a delegating impl's delegate) is followed. JDK 8 to 25 all keep the descriptor this way.
     */
    FileDescriptor of(Object socket) throws Exception {
        Object value = socket;
        for (int depth = 0; depth < 4 && value != null; depth++) {
            if (value instanceof FileDescriptor) {
                return (FileDescriptor) value;
            }
            try {
                value = getters.get(value.getClass()).get(value);
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        return null;
    }

    private static Field findField(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                boolean candidate = field.getType() == FileDescriptor.class
                        || java.net.SocketImpl.class.isAssignableFrom(field.getType());
                if (candidate && !java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                    return field;
                }
            }
        }
        return null; // not a socket the agent knows how to reach: left alone
    }
}
