package io.github.keepaliveagent.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.keepaliveagent.hook.SocketHook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which JVMs premain gives the agent, from what the JDK's launchers record (read off JDK 8, 17 and 25). */
class SelectionTest {

    private static Selection decide(String args, Map<String, String> env, String command, String module,
            String classPath) {
        return Selection.decide(args, env, command, module, classPath, new File("/opt/keepalive-agent/keepalive-agent.jar"));
    }

    /** sun.java.command and jdk.module.main as JDK 17 and 25's launchers set them (and JDK 8's, unnamed). */
    @ParameterizedTest
    @CsvSource({
        "'java.base/sun.security.tools.keytool.Main -help', java.base",
        "jdk.jcmd/sun.tools.jps.Jps, jdk.jcmd",
        "'jdk.jcmd/sun.tools.jcmd.JCmd -h', jdk.jcmd",
        "'jdk.compiler/com.sun.tools.javac.Main -version', jdk.compiler",
        "'jdk.jartool/sun.tools.jar.Main --version', jdk.jartool",
        "'jdk.jshell/jdk.internal.jshell.tool.JShellToolProvider', jdk.jshell",
        "'java.rmi/sun.rmi.registry.RegistryImpl', java.rmi",
        "sun.security.tools.keytool.Main -help,",
        "sun.tools.jps.Jps,",
        "com.sun.tools.javac.Main -version,",
        "sun.tools.jar.Main cf x.jar,",
        "sun.jvm.hotspot.SALauncher,",
    })
    void theJdksToolsGetNothing(String command, String module) {
        Selection selection = decide(null, Map.of(), command, module, ".");
        assertTrue(selection.skipped != null && selection.skipped.startsWith("a JDK tool"), selection.skipped);
    }

    @Test
    void noProgramAndTheAgentsOwnCommandLineGetNothing() {
        assertTrue(decide(null, Map.of(), null, null, ".").skipped.startsWith("no program"), "java -version");
        assertTrue(decide(null, Map.of(), " ", null, ".").skipped.startsWith("no program"));
        assertTrue(decide(null, Map.of(), "/opt/keepalive-agent/keepalive-agent.jar status 42", null,
                "/opt/keepalive-agent/keepalive-agent.jar").skipped.startsWith("the agent's own"));
        assertTrue(decide(null, Map.of(), "io.github.keepaliveagent.launcher.Launcher --help", null,
                "/x/keepalive-agent.jar").skipped.startsWith("the agent's own"));
    }

    @Test
    void programsGetTheAgentNamedByMainClassJarSourceFileOrModule() {
        assertNull(decide(null, Map.of(), "org.apache.kafka.Kafka config.properties", null, "libs/a.jar:libs/b.jar")
                .skipped);
        Selection jar = decide(null, Map.of(), "/opt/my app/kafka-run.jar --x", null, "/opt/my app/kafka-run.jar");
        assertNull(jar.skipped);
        assertEquals("jar kafka-run.jar", jar.program, "the jar's file name, its path may hold spaces");
        Selection source = decide(null, Map.of(), "jdk.compiler/com.sun.tools.javac.launcher.SourceLauncher Srv.java",
                null, ".");
        assertNull(source.skipped, "java Srv.java runs a program, not a JDK tool");
        assertEquals("source file Srv.java", source.program);
        Selection module = decide(null, Map.of(), "com.example.app/com.example.Main", "com.example.app", "");
        assertEquals("main class com.example.Main, module com.example.app", module.program);
        assertNull(module.skipped);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "include=kafka*.jar | /opt/kafka-run.jar | /opt/kafka-run.jar | true",
        "include=kafka*.jar | org.apache.Kafka | a.jar | false",
        "include=org.apache.*:kafka*.jar | org.apache.Kafka | a.jar | true",
        "exclude=org.apache.* | org.apache.Kafka | a.jar | false",
        "include=org.apache.*,exclude=*Kafka | org.apache.Kafka | a.jar | false",
        "include=* | jdk.jcmd/sun.tools.jps.Jps | . | true",
        "exclude=?ar* | /x/bar.jar | /x/bar.jar | false",
        "exclude=b?r.jar | /x/baar.jar | /x/baar.jar | true",
    })
    void includeAndExcludeChooseByGlob(String args, String command, String classPath, boolean selected) {
        String module = command.contains("/") && !command.startsWith("/") ? command.substring(0, command.indexOf('/')) : null;
        Selection selection = decide(args, Map.of(), command, module, classPath);
        assertEquals(selected, selection.skipped == null, selection.skipped);
        assertEquals(List.of(), selection.problems);
    }

    @Test
    void theAgentArgumentWinsOverTheEnvironmentAndSaysWhichDecided() {
        Selection fromArgs = decide("exclude=x.*", Map.of("KEEPALIVE_EXCLUDE", "org.*"), "org.Main", null, ".");
        assertNull(fromArgs.skipped, "the argument's pattern does not match: the variable's is not used");
        Selection fromEnv = decide(null, Map.of("KEEPALIVE_EXCLUDE", "org.*"), "org.Main", null, ".");
        assertEquals("excluded by KEEPALIVE_EXCLUDE pattern \"org.*\"", fromEnv.skipped);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'' | expected globs",
        "a: | entry 2 of 2 is empty",
        "a b | holds a space",
        "/opt/kafka/kafka.jar | never a path",
        "lib\\\\x.jar | never a path",
    })
    void aBadPatternIsOneProblemAndIsIgnored(String value, String why) {
        Selection selection = decide(null, Map.of("KEEPALIVE_INCLUDE", value), "org.Main", null, ".");
        assertEquals(1, selection.problems.size());
        String[] problem = selection.problems.get(0);
        assertEquals("KEEPALIVE_INCLUDE", problem[0]);
        assertEquals(value, problem[1]);
        assertTrue(problem[2].contains(why), problem[2]);
        assertNull(selection.skipped, "the invalid include is ignored: every program");
    }

    @Test
    void globsAreLinearAndExact() {
        assertTrue(Selection.glob("*", ""));
        assertTrue(Selection.glob("a*b*c", "aXbYbZc"));
        assertTrue(!Selection.glob("a*b*c", "aXbYbZ"));
        assertTrue(Selection.glob("?", "x") && !Selection.glob("?", ""));
        String many = "a".repeat(200);
        assertTrue(!Selection.glob("*a*a*a*a*a*a*a*a*b", many), "no exponential backtracking");
    }

    /** LazyInstall waits for exactly the classes the hook table names (it cannot read the table itself). */
    @Test
    void theLauncherWaitsForTheClassesTheHookTableNames() {
        List<String> jdk = new ArrayList<>();
        List<String> tails = new ArrayList<>();
        for (SocketHook hook : SocketHook.values()) {
            String name = hookClass(hook);
            (name.startsWith("/") ? tails : jdk).add(name);
        }
        assertEquals(new java.util.TreeSet<>(jdk), new java.util.TreeSet<>(LazyInstall.JDK_CLASSES));
        assertEquals(new java.util.TreeSet<>(tails), new java.util.TreeSet<>(LazyInstall.LIBRARY_TAILS));
        // ...and their quick checks of a name (suffixes before any lookup) let each of them through
        for (String name : jdk) {
            assertTrue(LazyInstall.hooked(name, true), name);
            assertTrue(!SocketHook.forClass(name, true).isEmpty(), name);
            assertTrue(!LazyInstall.hooked(name, false), name + " in another loader is not the JDK's");
        }
        for (String tail : tails) {
            assertTrue(LazyInstall.hooked("io/netty" + tail, false), tail);
            assertTrue(!SocketHook.forClass("io/netty" + tail, false).isEmpty(), tail);
        }
        assertTrue(!LazyInstall.hooked("java/net/SocketImpl", true) && !LazyInstall.hooked("java/lang/String", true));
    }

    private static String hookClass(SocketHook hook) {
        try {
            java.lang.reflect.Field name = SocketHook.class.getDeclaredField("name");
            name.setAccessible(true);
            return (String) name.get(hook);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
