package io.github.keepaliveagent.launcher;

/**
 * Where the build (agent/src/build/HideAgentClasses.java) puts each part of the agent in its jar, and
 * where the launcher reads them: one place for the names both use.
 *
 * <p>Only the classes of this package are stored where a class loader looks; the application's class
 * loader, which has the jar on its class path, finds nothing else. Every other class is stored in one of
 * the sets of classes under {@link #HIDDEN} ({@link #SETTINGS}, {@link #CLASSES}, {@link #EXTRAS}), never
 * as an entry of its own, and defined by the launcher's own loader: the settings parser
 * ({@link #SETTINGS_PACKAGE}) in that loader's unnamed module, at start-up; the rest, once the first
 * socket class loads, in the agent's named module (JDK 9+), whose packages {@link #PACKAGES} lists.
 */
public final class Layout {

    /** Where the hidden parts of the agent are stored. */
    public static final String HIDDEN = "keepalive-agent/";
    /** The classes that stay where a class loader looks: this package. */
    public static final String VISIBLE = "io/github/keepaliveagent/launcher/";
    /**
     * The dispatcher, which the agent defines inside java.base (package java.net, which no class path may
     * define): stored in {@link #CLASSES} under this name.
     */
    public static final String DISPATCHER = "java.net.KeepAliveAgentDispatcher";
    /** The packages of the agent's named module, one per line (written by the build). */
    public static final String PACKAGES = HIDDEN + "packages";
    /**
     * The classes a JVM needs together, each set in one entry read at once: read entry by entry, the 67
     * classes of a first socket cost 7-10 ms of start-up here (the jar code runs interpreted), and a jar of
     * 250 entries costs every JVM that loads it ~4% of an empty agent's start-up before the agent runs at all.
     * {@link #SETTINGS}, the settings parser, is read in premain; {@link #CLASSES}, the rest of the agent, when
     * the first socket class loads; both stored, nothing to inflate. {@link #EXTRAS} (tinylog, for warnings
     * and debug lines; byte-buddy-agent, for the command line) is compressed and read only when needed. A
     * set's index: an int count, then per class a short name length, the name (US-ASCII), an int offset from
     * the start of the entry and an int length; then the class files.
     */
    public static final String CLASSES = HIDDEN + "classes";
    public static final String SETTINGS = HIDDEN + "settings";
    public static final String EXTRAS = HIDDEN + "extras";
    /** The settings parser: read at start-up, before the module exists; pure, no state, nothing opened to it. */
    public static final String SETTINGS_PACKAGE = "io.github.keepaliveagent.config";
    /** JDK 9+: the one class that defines the agent's module, in a class loader of its own used once. */
    public static final String MODULE_MAKER = "io.github.keepaliveagent.boot.ModuleMaker";
    /** The name of the agent's module. */
    public static final String MODULE = "io.github.keepaliveagent";
    /** The one exported package of the module: the agent's entry points, which need an Instrumentation. */
    public static final String ENTRY = "io.github.keepaliveagent.entry.Entry";
    /** The settings parser's start-up door, called by the launcher in premain. */
    public static final String STARTUP = "io.github.keepaliveagent.config.Startup";

    private Layout() {
    }

    /** The entry that holds a hidden class with others: {@link #CLASSES}, {@link #SETTINGS} or {@link #EXTRAS}. */
    public static String setOf(String className) {
        if (className.startsWith("io.github.keepaliveagent.shaded.")) {
            return EXTRAS;
        }
        return className.startsWith(SETTINGS_PACKAGE + ".") ? SETTINGS : CLASSES;
    }

    /** Whether a package belongs to the agent's named module (everything hidden but the parser and the maker). */
    public static boolean inModule(String packageName) {
        return !packageName.equals(SETTINGS_PACKAGE)
                && !packageName.equals(MODULE_MAKER.substring(0, MODULE_MAKER.lastIndexOf('.')));
    }
}
