package io.github.keepaliveagent;

import java.lang.instrument.Instrumentation;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/** JDK 9 and later: direct calls to the module API and to jdk.internal.misc.Unsafe. */
final class Jdk9Access implements JdkAccess {

    private static final Module JAVA_BASE = Object.class.getModule();

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
                Collections.<Class<?>, java.util.List<Class<?>>>emptyMap());
    }
}
