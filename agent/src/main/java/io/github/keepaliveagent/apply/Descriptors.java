package io.github.keepaliveagent.apply;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.SocketImpl;

import io.github.keepaliveagent.jdk.NativeCalls;

/**
 * Finds the file descriptor of a socket object the dispatcher hands over: the FileDescriptor inside a
 * JDK Socket, SocketImpl or channel (JDK 8 to 27 all keep it in a field, or in the SocketImpl that a
 * Socket holds).
 */
final class Descriptors {

    private final NativeCalls natives;
    /**
     * Per socket class: how to get from an object to its descriptor, one step. A ClassValue, so that an
     * application's own Socket subclass does not pin its class loader. A class where none can be found (a
     * JDK whose socket classes changed) gives a step that fails with the reason, every time: the applier
     * says it once (never silently nothing, never a cached silence).
     */
    private final ClassValue<NativeCalls.Getter> steps = new ClassValue<NativeCalls.Getter>() {
        @Override
        protected NativeCalls.Getter computeValue(Class<?> type) {
            try {
                Field field = findField(type);
                if (field != null) {
                    return natives.getter(field);
                }
                return failing(new IllegalStateException("no FileDescriptor or SocketImpl field in " + type.getName()
                        + " on this JDK"));
            } catch (IllegalAccessException | RuntimeException e) {
                return failing(e);
            }
        }
    };

    /** A step that cannot be taken: a class rather than a lambda, no lambda machinery at start-up. */
    private static NativeCalls.Getter failing(Exception cause) {
        return new NativeCalls.Getter() {
            @Override
            public Object get(Object target) throws Exception {
                throw cause;
            }
        };
    }

    Descriptors(NativeCalls natives) {
        this.natives = natives;
    }

    /** The descriptor of a socket (a JDK socket, SocketImpl or channel), or null when it has none yet. */
    FileDescriptor of(Object socket) throws Exception {
        Object value = socket;
        for (int depth = 0; depth < 4 && value != null; depth++) {
            if (value instanceof FileDescriptor) {
                return (FileDescriptor) value;
            }
            value = steps.get(value.getClass()).get(value);
        }
        return null;
    }

    /**
     * Walking up from the concrete class, the first field that is a FileDescriptor or a SocketImpl (which
     * is then followed) in a JDK class: an application's subclass may hold fields of its own.
     */
    private static Field findField(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            if (c.getClassLoader() != null) {
                continue;
            }
            for (Field field : c.getDeclaredFields()) {
                boolean candidate = field.getType() == FileDescriptor.class
                        || SocketImpl.class.isAssignableFrom(field.getType());
                if (candidate && !Modifier.isStatic(field.getModifiers())) {
                    return field;
                }
            }
        }
        return null;
    }
}
