package io.github.keepaliveagent.launcher;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * JDK 9+: makes the agent proper the named module {@value Layout#MODULE} of the launcher's loader, which
 * exports only its entry points and opens nothing, and to which alone java.base opens what the agent needs:
 * application code that gets hold of one of its classes (a stack walk from code the agent calls) can
 * neither call into it, nor reflect into it, nor borrow its access. See docs/how-it-works.md, "Confinement".
 */
final class AgentModule implements Consumer<Object[]> {

    public AgentModule() {
        // the launcher's door (Launcher.defineModule): called through Consumer, no reflective call
    }

    @Override
    public void accept(Object[] in) {
        try {
            define((Instrumentation) in[0], (AgentJar) in[1], (ClassLoader) in[2], (ClassLoader) in[3]);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Defines the module for the loader's hidden classes; called once, before the loader defines any of them.
     *
     * @param makerLoader a loader for this one class, made at start-up (no SecurityManager can refuse it then):
     *        jdk.internal.module is exported to its unnamed module alone
     */
    static void define(Instrumentation inst, AgentJar jar, ClassLoader agentLoader, ClassLoader makerLoader)
            throws Exception {
        Class<?> maker = Class.forName(Layout.MODULE_MAKER, true, makerLoader);
        Set<Module> makerOnly = Set.of(maker.getModule());
        inst.redefineModule(Object.class.getModule(), Set.of(), jdk12()
                ? Map.of("jdk.internal.module", makerOnly, "jdk.internal.access", makerOnly)
                : Map.of("jdk.internal.module", makerOnly), Map.of(), Set.of(), Map.of());
        @SuppressWarnings("unchecked")
        Function<Object[], Module> make = (Function<Object[], Module>) maker.getConstructor().newInstance();
        make.apply(new Object[] {agentLoader, jar.modulePackages(), AgentModule.class.getModule()});
    }

    /**
     * JDK 12+: the JDK's module builder without name checks is in jdk.internal.access (ModuleMaker.descriptor).
     * Asked of java.base's descriptor: Class.forName(name, false, null) would ask a SecurityManager, with the
     * program's code on the stack (the install runs at its first socket class).
     */
    private static boolean jdk12() {
        return Object.class.getModule().getDescriptor().packages().contains("jdk.internal.access");
    }
}
