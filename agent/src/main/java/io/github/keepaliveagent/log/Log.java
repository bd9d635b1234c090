package io.github.keepaliveagent.log;

import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.security.PrivilegedExceptionAction;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.keepaliveagent.config.Startup;
import io.github.keepaliveagent.jdk.Privileged;
import org.tinylog.Level;
import org.tinylog.core.LogEntry;
import org.tinylog.format.AdvancedMessageFormatter;
import org.tinylog.writers.ConsoleWriter;

/**
 * The agent's logging: stderr, one line per message, each starting with "keepalive-agent LEVEL:".
 *
 * <p>It uses tinylog's console writer and message formatter directly, built from code, and never
 * tinylog's {@code Logger}, provider registry or {@code Configuration}: those read
 * {@code -Dtinylog.configuration} (a URL is fetched), a class-path {@code tinylog.properties} and every
 * {@code tinylog.*} system property, search the context class loader for services, and load
 * java.management, whatever the agent asks (read in tinylog 2.7's source). This way the application's
 * logging configuration never reaches the agent, and the agent's never reaches the application.
 */
public final class Log {

    private static final String PREFIX = Startup.PREFIX;

    private static volatile int threshold = Startup.INFO;
    private static ConsoleWriter writer;
    private static final Set<String> said = ConcurrentHashMap.newKeySet();

    private Log() {
    }

    public static void setLevel(String level) {
        threshold = Startup.level(level);
    }

    public static boolean debugEnabled() {
        return threshold == 0;
    }

    /**
     * The start-up line and other INFO lines: printed directly, in the same format, because every JVM
     * on a host prints the start-up line, and setting up the writer for it cost ~9 ms (measured).
     */
    public static void info(String message) {
        if (threshold <= 1) {
            System.err.println(PREFIX + "INFO: " + message);
        }
    }

    public static void debug(String format, Object... args) {
        if (threshold <= 0) {
            write(Level.DEBUG, format(format, args), null);
        }
    }

    /** At debug level the stack trace helps; at other levels a failure is one line. */
    public static void debug(Throwable t, String format, Object... args) {
        if (threshold <= 0) {
            write(Level.DEBUG, format(format, args), t);
        }
    }

    public static void warn(String format, Object... args) {
        if (threshold <= 2) {
            write(Level.WARN, format(format, args), null);
        }
    }

    public static void warn(Throwable t, String format, Object... args) {
        if (threshold <= 2) {
            write(Level.WARN, format(format, args) + ": " + t, null);
        }
    }

    /** A warning said once per key; false when it was said before (then the caller may log at debug). */
    public static boolean warnOnce(String key, String format, Object... args) {
        if (!said.add(key)) {
            return false;
        }
        warn(format, args);
        return true;
    }

    /** An invalid setting: printed even with log=off, because an invalid value is never silent. */
    public static void invalid(String message) {
        write(Level.ERROR, message, null);
    }

    public static void error(String message) {
        if (threshold <= 3) {
            write(Level.ERROR, message, null);
        }
    }

    /** A socket as a debug line names it: its kind and, once it has them, its addresses. */
    public static String name(Object socket) {
        try {
            if (socket instanceof Integer) {
                return "fd " + socket;
            }
            if (socket instanceof AsynchronousSocketChannel) {
                AsynchronousSocketChannel channel = (AsynchronousSocketChannel) socket;
                return "AsynchronousSocketChannel " + addresses(channel.getLocalAddress(), channel.getRemoteAddress());
            }
            if (socket instanceof java.nio.channels.SocketChannel) {
                java.nio.channels.SocketChannel channel = (java.nio.channels.SocketChannel) socket;
                return "SocketChannel " + addresses(channel.getLocalAddress(), channel.getRemoteAddress());
            }
            if (socket instanceof NetworkChannel) {
                return "ServerSocketChannel " + addresses(((NetworkChannel) socket).getLocalAddress(), null);
            }
            if (socket instanceof Socket && socket.getClass().getClassLoader() == null) {
                // Only the JDK's own Socket is asked: an agent frame never calls the application's code.
                Socket accepted = (Socket) socket;
                return "Socket " + addresses(accepted.getLocalSocketAddress(), accepted.getRemoteSocketAddress());
            }
            if (socket instanceof java.net.SocketImpl) {
                return "new Socket (not connected yet)";
            }
        } catch (Exception | LinkageError e) {
            // a closed channel: its kind is enough
        }
        return socket.getClass().getName(); // its name only: toString() could be the application's code
    }

    private static String addresses(SocketAddress local, SocketAddress remote) {
        return (local == null ? "unbound" : local.toString()) + (remote == null ? "" : " -> " + remote);
    }

    private static String format(String format, Object... args) {
        return args.length == 0 ? format : new AdvancedMessageFormatter(Locale.ROOT, false).format(format, args);
    }

    private static void write(Level level, String message, Throwable t) {
        try {
            writer().write(new LogEntry(null, null, null, null, null, null, -1, null, level, message, t));
        } catch (Throwable e) {
            System.err.println(PREFIX + level + ": " + message);
        }
    }

    private static synchronized ConsoleWriter writer() throws Exception {
        if (writer == null) {
            Map<String, String> properties = new HashMap<>();
            properties.put("format", PREFIX + "{level}: {message}");
            properties.put("stream", "err"); // every level on stderr: the program's stdout is its own
            // tinylog reads system properties as it starts: with the agent's permissions, not the program's.
            writer = Privileged.call(new PrivilegedExceptionAction<ConsoleWriter>() {
                @Override
                public ConsoleWriter run() {
                    return new ConsoleWriter(properties);
                }
            });
        }
        return writer;
    }
}
