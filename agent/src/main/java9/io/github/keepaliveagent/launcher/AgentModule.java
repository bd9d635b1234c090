package io.github.keepaliveagent.launcher;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * JDK 9+: the agent proper as the named module {@value #NAME}, in a module layer of its own, its classes
 * defined by the launcher's {@link IsolatedLoader}. The module exports only the package of its entry
 * points and opens nothing: application code that gets hold of one of its classes (a stack walk from
 * code the agent calls, a System.err the application replaced) can neither call into it nor reflect
 * into it nor borrow its access, and what the agent opens in java.base is opened to this module alone.
 * (An unnamed module, open to everyone, let a stack walk reach the agent's classes and use them.)
 */
public final class AgentModule {

    public static final String NAME = "io.github.keepaliveagent";

    private AgentModule() {
    }

    /** Defines the module for the loader's classes; called once, before the loader defines any of them. */
    public static void define(AgentJar jar, ClassLoader loader) throws java.io.IOException {
        String entryPackage = Launcher.ENTRY.substring(0, Launcher.ENTRY.lastIndexOf('.'));
        ModuleDescriptor descriptor = ModuleDescriptor.newModule(NAME)
                .requires("java.instrument")
                .exports(entryPackage)
                .packages(jar.packages())
                .build();
        ModuleReference reference = new ModuleReference(descriptor, jar.file().toURI()) {
            @Override
            public ModuleReader open() {
                throw new UnsupportedOperationException("the launcher's loader reads the classes itself");
            }
        };
        ModuleFinder finder = new ModuleFinder() {
            @Override
            public Optional<ModuleReference> find(String name) {
                return NAME.equals(name) ? Optional.of(reference) : Optional.empty();
            }

            @Override
            public Set<ModuleReference> findAll() {
                return Set.of(reference);
            }
        };
        ModuleLayer boot = ModuleLayer.boot();
        Configuration configuration = boot.configuration().resolve(finder, ModuleFinder.of(), Set.of(NAME));
        boot.defineModules(configuration, List.of(boot), new Function<String, ClassLoader>() {
            @Override
            public ClassLoader apply(String module) {
                return loader;
            }
        });
    }
}
