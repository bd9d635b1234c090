package io.github.keepaliveagent.apply;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.SocketImpl;

import io.github.keepaliveagent.jdk.NativeCalls;
import io.github.keepaliveagent.log.Log;

/**
 * Finds the file descriptor of a socket object the dispatcher hands over: the FileDescriptor inside a
 * JDK Socket, SocketImpl or channel (JDK 8 to 27 all keep it in a field, or in the SocketImpl that a
 * Socket holds).
 */
final class Descriptors {

    private final NativeCalls natives;
    /**
     * Per socket class: how to get from an object to its descriptor, one step. A ClassValue, so that an
     * application's own Socket subclass does not pin its class loader; a class without one is remembered.
     */
    private final ClassValue<NativeCalls.Getter> steps = new ClassValue<NativeCalls.Getter>() {
        @Override
        protected NativeCalls.Getter computeValue(Class<?> type) {
            try {
                Field field = findField(type);
                return field == null ? NONE : natives.getter(field);
            } catch (IllegalAccessException | RuntimeException e) {
                Log.debug(e, "cannot find the descriptor of a {}", type.getName());
                return NONE;
            }
        }
    };
    /** For a class with no descriptor (a class rather than a lambda: no lambda machinery at start-up). */
    private static final NativeCalls.Getter NONE = new NativeCalls.Getter() {
        @Override
        public Object get(Object target) {
            return null;
        }
    };

    Descriptors(NativeCalls natives) {
        this.natives = natives;
    }

    /** The descriptor of a socket, or null for an object the agent does not know how to reach. */
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
