package io.github.keepaliveagent.launcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * JDK 9+: the agent proper as the named module {@value #NAME}, in a module layer of its own. The module
 * exports only the package of its entry points and opens nothing: application code that gets hold of
 * one of its classes or objects can neither reflect into them nor borrow their access (a lookup needs
 * the package open), and what the agent opens in java.base is opened to this module alone.
 */
public final class AgentModule {

    public static final String NAME = "io.github.keepaliveagent";

    private AgentModule() {
    }

    /** Defines the module from the jar's hidden classes; returns its class loader. */
    public static ClassLoader load(AgentJar jar) {
        String entryPackage = Launcher.ENTRY.substring(0, Launcher.ENTRY.lastIndexOf('.'));
        ModuleDescriptor descriptor = ModuleDescriptor.newModule(NAME)
                .requires("java.instrument")
                .exports(entryPackage)
                .packages(jar.packages())
                .build();
        ModuleReference reference = new ModuleReference(descriptor, jar.file().toURI()) {
            @Override
            public ModuleReader open() {
                return new HiddenClasses(jar);
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
        return boot.defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader()).findLoader(NAME);
    }

    /** Reads the module's classes from their hidden entries of the jar. */
    private static final class HiddenClasses implements ModuleReader {
        private final AgentJar jar;

        HiddenClasses(AgentJar jar) {
            this.jar = jar;
        }

        @Override
        public Optional<URI> find(String name) {
            URL url = jar.url(name);
            try {
                return url == null ? Optional.empty() : Optional.of(url.toURI());
            } catch (URISyntaxException e) {
                return Optional.empty();
            }
        }

        @Override
        public Optional<InputStream> open(String name) throws IOException {
            byte[] bytes = jar.read(name);
            return bytes == null ? Optional.empty() : Optional.of(new ByteArrayInputStream(bytes));
        }

        @Override
        public Stream<String> list() {
            return jar.resources().stream();
        }

        @Override
        public void close() {
        }
    }
}
