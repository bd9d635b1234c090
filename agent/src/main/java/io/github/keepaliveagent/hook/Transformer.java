package io.github.keepaliveagent.hook;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.keepaliveagent.log.Log;

/**
 * Hands each class that {@link SocketHook} names to {@link Rewriter}; every other class passes
 * untouched after a map lookup (bootstrap classes) or a suffix test (the rest).
 */
public final class Transformer implements ClassFileTransformer {

    /** Hooks that found no place in their class: reported once each. */
    private final Set<SocketHook> reportedMisses = ConcurrentHashMap.newKeySet();

    private static final ClassLoader OWN_LOADER = Transformer.class.getClassLoader();

    private Transformer() {
    }

    /**
     * A transformer for the launcher to call (premain): the table is initialised before it sees its first
     * class, so that a class the table's own initialisation loads cannot reach a transformer that needs it.
     */
    public static Transformer create() {
        SocketHook.forClass("", true);
        return new Transformer();
    }

    /** Attach: hooks the socket classes loaded from now on, and those loaded already. */
    public void register(Instrumentation inst) {
        inst.addTransformer(this, true);
        // Listed after the transformer is in place: a class loaded in between is caught by one or the other.
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> type : inst.getAllLoadedClasses()) {
            String name = type.getName();
            if (!SocketHook.forClass(name.replace('.', '/'), type.getClassLoader() == null).isEmpty()
                    && inst.isModifiableClass(type)) {
                loaded.add(type);
            }
        }
        if (!loaded.isEmpty()) {
            try {
                inst.retransformClasses(loaded.toArray(new Class<?>[0]));
            } catch (Throwable t) {
                Log.warn("could not hook {} (loaded before the agent): {}", loaded, t);
            }
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
            byte[] classFile) {
        if (className == null || loader == OWN_LOADER) {
            return null; // the agent's own classes (ASM loading on first use) are never socket classes
        }
        List<SocketHook> hooks = SocketHook.forClass(className, loader == null);
        if (hooks.isEmpty()) {
            return null;
        }
        try {
            Rewriter.Result result = Rewriter.rewrite(classFile, hooks);
            for (int i = 0; i < hooks.size(); i++) {
                SocketHook hook = hooks.get(i);
                if (result.insertions[i] == 0 && !hook.optional && reportedMisses.add(hook)) {
                    Log.warn("found no place to hook in {} on this JDK or library version: {} gets no keepalive",
                            className.replace('/', '.'), hook.name());
                }
            }
            if (Log.debugEnabled()) {
                Log.debug("hooked {}: {} at {} place(s)", className.replace('/', '.'), hooks,
                        Arrays.toString(result.insertions));
            }
            return result.bytes == classFile ? null : result.bytes;
        } catch (Throwable t) {
            Log.warn(t, "could not hook {}: its sockets get no keepalive", className.replace('/', '.'));
            return null;
        }
    }
}
