package io.github.keepaliveagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JDK 8 to 23 may run programs under a SecurityManager. One given on the command line exists when premain
 * runs: the launcher then works with its jar's permissions, which the policy must grant (the rest of the
 * agent has static permissions of its own, never the program's: the program keeps only socket
 * permissions). Without the grant: one clear error line, and the program runs. JDK 17 (the last JDK with a
 * SecurityManager that can be enabled on the command line among those here). A SecurityManager the
 * program installs later needs no grant: see LateSecurityManagerTest.
 */
class SecurityManagerTest {

    private static final String APP = "io.github.keepaliveagent.it.apps.SecuredApp";
    private static final String PROGRAM_PERMISSIONS = "grant {\n"
            + "  permission java.net.SocketPermission \"localhost:0-\", \"listen,accept,connect,resolve\";\n"
            + "  permission java.net.SocketPermission \"127.0.0.1:0-\", \"listen,accept,connect,resolve\";\n"
            + "};\n";

    @Test
    void withTheJarGrantedTheProgramsSocketsGetKeepalive(@TempDir Path dir) throws Exception {
        ForkedJvm.Result result = run(dir, "grant codeBase \"" + ForkedJvm.AGENT_JAR.toUri()
                + "\" {\n  permission java.security.AllPermission;\n};\n" + PROGRAM_PERMISSIONS);
        assertEquals(0, result.exitCode, result.toString());
        assertTrue(result.out.contains("security manager true"), result.toString());
        for (String kind : new String[] {"socket.client", "socket.accepted", "channel.client", "channel.accepted"}) {
            assertEquals("keepalive=true", result.line(kind), kind + "\n" + result);
        }
        assertTrue(result.err.contains("keepalive-agent INFO"), result.toString());
        assertTrue(!result.err.contains("keepalive-agent WARN") && !result.err.contains("keepalive-agent ERROR"),
                result.toString());
    }

    @Test
    void withoutTheGrantOneClearErrorAndTheProgramRuns(@TempDir Path dir) throws Exception {
        ForkedJvm.Result result = run(dir, PROGRAM_PERMISSIONS);
        assertEquals(0, result.exitCode, result.toString());
        assertEquals("keepalive=false", result.line("socket.client"), result.toString());
        assertEquals(1, result.agentLines().size(), result.toString());
        assertTrue(result.agentLines().get(0).startsWith("keepalive-agent ERROR: a SecurityManager is installed and"
                + " does not grant the agent's jar the permissions its launcher needs"), result.toString());
        assertTrue(result.agentLines().get(0).contains("grant codeBase \"file:"), result.toString());
    }

    private static ForkedJvm.Result run(Path dir, String policy) throws Exception {
        Path file = dir.resolve("app.policy");
        Files.writeString(file, policy);
        ForkedJvm jvm = new ForkedJvm(System.getProperty("java.home")).withAgent().env("KEEPIDLE", "60")
                .jvmArgs("-Djava.security.manager", "-Djava.security.policy==" + file);
        return jvm.run(jvm.command(APP, System.getProperty("test.classes")));
    }
}
