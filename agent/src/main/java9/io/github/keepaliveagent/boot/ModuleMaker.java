package io.github.keepaliveagent.boot;

import java.lang.instrument.Instrumentation;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.function.Function;

import jdk.internal.access.SharedSecrets;
import jdk.internal.module.Modules;

/**
 * JDK 9+: defines the agent's named module for the launcher's loader, and gives it, and it alone, what the
 * agent needs in java.base. See docs/how-it-works.md, "Confinement".
 *
 * <p>Defined by the launcher in a class loader of its own, used for this one call and then dropped;
 * jdk.internal.module (and on JDK 12+ jdk.internal.access, for the descriptor) is exported to that loader's
 * unnamed module (the one Instrumentation.redefineModule of the start-up), and to nothing else. It calls no
 * code but the JDK's and makes no permission check, so no code of the application's runs while it is on the
 * stack. The JDK's own way to make a module (Configuration.resolve, ModuleLayer.defineModules) cost 11-30 ms
 * of start-up here, for one module that needs no resolution; this costs under 2 ms.
 */
public final class ModuleMaker implements Function<Object[], Module> {

    /** The module's name and the one package it exports (the entry points, which need an Instrumentation). */
    private static final String NAME = "io.github.keepaliveagent";
    private static final String EXPORTED = "io.github.keepaliveagent.entry";

    /** {loader, its packages (a Set of names), the launcher's module}: the agent's module, made. */
    @Override
    @SuppressWarnings("unchecked")
    public Module apply(Object[] in) {
        ClassLoader loader = (ClassLoader) in[0];
        Set<String> packages = (Set<String>) in[1];
        Module launcher = (Module) in[2];
        ModuleDescriptor descriptor = descriptor(packages);
        Module agent = Modules.defineModule(loader, descriptor, null);
        // A module outside any layer gets none of its descriptor's exports: the entry package to the launcher's
        // module (the application loader's unnamed one, where the launcher is) alone. (JDK 11 has no
        // Modules.addExports(module, package) for an unqualified export. The launcher's module is handed in:
        // ClassLoader.getSystemClassLoader() would ask a SecurityManager, with the program's code on the stack.)
        Modules.addExports(agent, EXPORTED, launcher);
        Module javaBase = Object.class.getModule();
        Modules.addReads(agent, javaBase);
        Modules.addReads(agent, Instrumentation.class.getModule());
        Modules.addReads(agent, loader.getUnnamedModule()); // the settings parser, defined at start-up
        // The JDK's private socket fields and native setsockopt, FileDescriptor.fd, the dispatcher's package,
        // the agent properties: to the agent's module only.
        Modules.addOpens(javaBase, "java.net", agent);
        Modules.addOpens(javaBase, "java.io", agent);
        Modules.addOpens(javaBase, "sun.nio.ch", agent);
        Modules.addExports(javaBase, "jdk.internal.vm", agent);
        return agent;
    }

    /**
     * The module's descriptor. JDK 12+: the JDK's own builder without its name checks, which check each of the
     * packages (all of them are the agent's own names, from its build) character by character: 1.4 -> 0.4 ms,
     * and no JIT compilation of the checks. JDK 9-11, where that builder is in jdk.internal.misc, and a JDK that
     * changed it: the public one.
     */
    private static ModuleDescriptor descriptor(Set<String> packages) {
        try {
            return SharedSecrets.getJavaLangModuleAccess().newModuleBuilder(NAME, false, Set.of())
                    .requires(Set.of(ModuleDescriptor.Requires.Modifier.MANDATED), "java.base")
                    .exports(EXPORTED).packages(packages).build();
        } catch (LinkageError jdk11) {
            return ModuleDescriptor.newModule(NAME).exports(EXPORTED).packages(packages).build();
        }
    }
}
