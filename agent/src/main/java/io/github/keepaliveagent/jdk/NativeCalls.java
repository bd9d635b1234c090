package io.github.keepaliveagent.jdk;

import java.io.FileDescriptor;
import java.lang.reflect.Field;

/**
 * setsockopt and getsockopt on a file descriptor through the JDK's own natives
 * ({@code sun.nio.ch.Net.setIntOption0} / {@code getIntOption0}, JDK 8 to 27 on Linux), and reads of
 * the JDK's private socket fields: reflection on JDK 8, method handles on 9+ ({@link JdkAccess}).
 */
public interface NativeCalls {

    void setInt(FileDescriptor fd, int level, int option, int value) throws Exception;

    int getInt(FileDescriptor fd, int level, int option) throws Exception;

    /** Reads one field of the JDK's (or a library's) socket classes. */
    Getter getter(Field field) throws IllegalAccessException;

    /**
     * A FileDescriptor for a descriptor number (/proc/self/fd, a Netty socket). It has no cleaner and
     * is never closed: the socket stays owned by whoever opened it.
     */
    FileDescriptor wrap(int number) throws Exception;

    /** Reads one field. */
    interface Getter {
        Object get(Object target) throws Exception;
    }
}
