package io.github.keepaliveagent.it.apps;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What application code may do with the JDK's internals and with the agent's: one line per probe,
 * {@code probe NAME ALLOWED|DENIED}. The same program with and without the agent (and after attach) must
 * print the same lines. With {@code --again FILE} it probes, prints {@code ready}, waits (bounded) for FILE
 * to exist, and probes again.
 */
public final class ProbeApp {

    /** Classes of the agent's jar that the by-name probes look for (ConfinementTest checks the jar has them). */
    public static final String AGENT = "io.github.keepaliveagent.core.Agent";
    public static final String BYTE_BUDDY_AGENT = "io.github.keepaliveagent.shaded.bytebuddy.agent.ByteBuddyAgent";
    public static final String TINYLOG = "io.github.keepaliveagent.shaded.tinylog.writers.ConsoleWriter";

    private ProbeApp() {
    }

    /** A class of the agent's, if a stack walk from code the agent called ever met one. */
    private static volatile Class<?> walked;

    public static void main(String[] args) throws Exception {
        new java.net.Socket().close(); // the JDK's socket classes are loaded (and hooked, with the agent)
        // The agent's self-check (a second after start-up) creates a Socket: with a factory of the
        // program's, the program's code runs on the agent's thread and can walk its stack.
        java.net.Socket.setSocketImplFactory(() -> {
            StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).forEach(frame -> {
                if (frame.getDeclaringClass().getName().startsWith("io.github.keepaliveagent.")) {
                    walked = frame.getDeclaringClass();
                }
            });
            throw new IllegalStateException("the program makes no more sockets");
        });
        Thread.sleep(2500);
        // Not a probe: whether the stack-walk probes below have an agent class to work on (with the agent).
        System.out.println("walk met " + (walked == null ? "no agent class" : walked.getName()));
        probe("before");
        if (args.length == 2 && "--again".equals(args[0])) {
            System.out.println("ready pid=" + ProcessHandle.current().pid());
            Path signal = Paths.get(args[1]);
            for (int i = 0; i < 300 && !Files.exists(signal); i++) {
                Thread.sleep(100);
            }
            probe("after");
        }
    }

    private static void probe(String round) {
        Map<String, Callable<Object>> probes = new LinkedHashMap<>();
        probes.put("FileDescriptor.fd", () -> open(java.io.FileDescriptor.class, "fd"));
        probes.put("Socket.impl", () -> open(java.net.Socket.class, "impl"));
        probes.put("InetAddress.holder", () -> open(java.net.InetAddress.class, "holder"));
        probes.put("String.value", () -> open(String.class, "value"));
        probes.put("Thread.target", () -> open(Thread.class, "target"));
        probes.put("sun.nio.ch.Net private lookup",
                () -> MethodHandles.privateLookupIn(Class.forName("sun.nio.ch.Net"), MethodHandles.lookup()));
        probes.put("java.net private lookup",
                () -> MethodHandles.privateLookupIn(java.net.URL.class, MethodHandles.lookup()));
        probes.put("jdk.internal.misc.Unsafe",
                () -> Class.forName("jdk.internal.misc.Unsafe").getMethod("getUnsafe").invoke(null));
        probes.put("jdk.internal.vm.VMSupport agent properties",
                () -> Class.forName("jdk.internal.vm.VMSupport").getMethod("getAgentProperties").invoke(null));
        probes.put("agent class by name", () -> Class.forName(AGENT));
        // Exported once, to the unnamed module of a loader the agent used for one class (boot/ModuleMaker): with
        // it, any code could open every package of java.base to itself.
        probes.put("jdk.internal.module.Modules addOpens", () -> Class.forName("jdk.internal.module.Modules")
                .getMethod("addOpens", Module.class, String.class, Module.class)
                .invoke(null, Object.class.getModule(), "java.lang", ProbeApp.class.getModule()));
        // JDK 12+: exported to that same loader alone too, for the module's descriptor (ModuleMaker.descriptor).
        probes.put("jdk.internal.access.SharedSecrets", () -> Class.forName("jdk.internal.access.SharedSecrets")
                .getMethod("getJavaLangModuleAccess").invoke(null));
        // Hidden in the jar's sets (keepalive-agent/classes, keepalive-agent/extras), which no class path reads.
        probes.put("relocated byte-buddy-agent by name", () -> Class.forName(BYTE_BUDDY_AGENT));
        probes.put("relocated tinylog by name", () -> Class.forName(TINYLOG));
        // The dispatcher is the one visible trace of the agent: its state (static fields the agent sets through
        // the access to java.net that its module alone has) must stay out of reach, by reflection and lookup.
        probes.put("dispatcher hook read", () -> dispatcherField("sockets").get(null));
        probes.put("dispatcher hook replace", () -> {
            dispatcherField("sockets").set(null, null);
            return null;
        });
        probes.put("dispatcher options read", () -> dispatcherField("options").get(null));
        probes.put("dispatcher options replace", () -> {
            Field options = dispatcherField("options");
            options.set(null, options.get(null));
            return null;
        });
        probes.put("dispatcher private lookup", () -> MethodHandles.privateLookupIn(dispatcher(),
                MethodHandles.lookup()));
        probes.put("dispatcher hook replace through a private lookup", () -> {
            VarHandle sockets = dispatcherVar("sockets");
            sockets.setVolatile(sockets.getVolatile());
            return null;
        });
        probes.put("dispatcher options read through a private lookup",
                () -> dispatcherVar("options").getVolatile());
        probes.put("agent class from a stack walk, private lookup", () -> MethodHandles.privateLookupIn(walked(),
                MethodHandles.lookup()));
        probes.put("agent class from a stack walk, deep reflection", () -> {
            walked().getDeclaredMethods()[0].setAccessible(true);
            return null;
        });
        probes.put("agent class from a stack walk, its loader's other classes", () -> walked().getClassLoader()
                .loadClass("io.github.keepaliveagent.jdk.JdkAccess").getMethod("current").invoke(null));
        // The agent's loader reads byte-buddy-agent from keepalive-agent/extras when asked: the attach API.
        probes.put("agent class from a stack walk, its loader's byte-buddy-agent", () -> walked().getClassLoader()
                .loadClass(BYTE_BUDDY_AGENT + "$AttachmentProvider").getField("DEFAULT").get(null));
        for (Map.Entry<String, Callable<Object>> probe : probes.entrySet()) {
            String outcome;
            try {
                probe.getValue().call();
                outcome = "ALLOWED";
            } catch (Throwable t) {
                outcome = "DENIED";
            }
            System.out.println("probe " + round + " " + probe.getKey() + " " + outcome);
        }
    }

    private static Class<?> walked() {
        if (walked == null) {
            throw new IllegalStateException("no agent class met: nothing to probe");
        }
        return walked;
    }

    private static Object open(Class<?> type, String name) throws NoSuchFieldException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }

    private static Class<?> dispatcher() throws ClassNotFoundException {
        return Class.forName("java.net.KeepAliveAgentDispatcher");
    }

    private static Field dispatcherField(String name) throws ReflectiveOperationException {
        Field field = dispatcher().getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }

    /** A static field of the dispatcher through a private lookup, whatever its type (reading that needs no access). */
    private static VarHandle dispatcherVar(String name) throws ReflectiveOperationException {
        return MethodHandles.privateLookupIn(dispatcher(), MethodHandles.lookup()).findStaticVarHandle(dispatcher(),
                name, dispatcher().getDeclaredField(name).getType());
    }
}
