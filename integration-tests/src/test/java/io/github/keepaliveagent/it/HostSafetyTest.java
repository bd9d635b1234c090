package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The host program comes first: no exception from the agent, no clash with the program's own libraries. */
class HostSafetyTest {

    static List<String> jdks() {
        return ForkedJvm.jdks().toList();
    }

    /**
     * Advice failures inside the JDK would be swallowed by the dispatcher; -Xlog:exceptions shows
     * every exception thrown anywhere. Only the JVM's own method-handle linkage noise is allowed.
     */
    @ParameterizedTest
    @MethodSource("jdks")
    void noExceptionIsThrownAnywhereBecauseOfTheAgent(String jdk) throws Exception {
        // BytecodeVerificationLocal: the rewritten java.base classes go through the verifier too.
        ForkedJvm.Result result = new ForkedJvm(jdk).withAgent().keepalive60x10x5()
                .jvmArgs("-Xlog:exceptions=info", "-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal")
                .runExample("example.EverySocketKind");
        List<String> exceptions = result.out.lines().filter(l -> l.contains("[exceptions]"))
                .filter(l -> !(l.contains("NoSuchMethodError") && l.contains("java.lang.invoke.")))
                .collect(Collectors.toList());
        assertEquals(List.of(), exceptions, result.toString());
        assertTrue(result.out.contains("channel.client keepalive=true idle=60"), result.toString());
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void aProgramWithItsOwnByteBuddyAndTinylogKeepsThem(String jdk, @TempDir Path dir) throws Exception {
        Path appLog = dir.resolve("app.log");
        Files.writeString(dir.resolve("tinylog.properties"), "writer = file\nwriter.file = " + appLog
                + "\nwriter.format = APP {level} {message}\nwriter.level = debug\n");
        String classpath = String.join(File.pathSeparator, dir.toString(),
                System.getProperty("test.classes"), System.getProperty("bytebuddy.jar"),
                System.getProperty("tinylog.api.jar"), System.getProperty("tinylog.impl.jar"));
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent().keepalive60x10x5().env("KEEPALIVE_LOG", "debug")
                .jvmArgs("-Dtinylog.writerconsole=console");
        ForkedJvm.Result result = jvm.run(jvm.command("io.github.keepaliveagent.it.apps.OwnLibrariesApp", classpath));
        assertEquals(0, result.exitCode, result.toString());
        assertTrue(result.out.contains("byte-buddy subclass says: hello from net.bytebuddy"), result.toString());
        assertTrue(result.out.contains("socket keepalive=true idle=60"), result.toString());
        String log = Files.readString(appLog);
        assertTrue(log.contains("APP INFO the application's own tinylog"), log);
        assertTrue(!log.contains("keepalive-agent"), "the agent never writes to the application's log:\n" + log);
        assertTrue(result.err.contains("keepalive-agent DEBUG: configured"), "the agent keeps its own:\n" + result);
        assertTrue(result.err.lines().filter(l -> !l.isBlank()).allMatch(l -> l.startsWith("keepalive-agent ")),
                "the application's tinylog settings do not reach the agent's logging:\n" + result);
    }
}
