package io.github.keepaliveagent.it;

import static io.github.keepaliveagent.it.AgentCli.cli;
import static io.github.keepaliveagent.it.AgentCli.retrofitted;
import static io.github.keepaliveagent.it.AgentCli.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JDK 8 to 23 may run programs under a SecurityManager. One given on the command line exists when premain
 * runs: the launcher then works with its jar's permissions, which the policy must grant (the rest of the
 * agent has static permissions of its own, never the program's: the program keeps only socket
 * permissions). Without the grant: one clear error line, and the program runs. The same for attach into
 * such a JVM, where the command line also says what to grant. JDK 17 (the last JDK with a SecurityManager
 * that can be enabled on the command line among those here). A SecurityManager the program installs later
 * needs no grant: see LateSecurityManagerTest.
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

    /**
     * attach into a running JVM whose policy grants the program its sockets and the agent's jar nothing:
     * refused (exit 1), the command names the SecurityManager and prints the grant the policy needs; the
     * target runs on with its sockets as they were, as the kernel and the program see them. Then a target
     * whose policy has that very line added is attached.
     */
    @Test
    void attachIntoAJvmWhosePolicyRefusesTheJarSaysWhatToGrant(@TempDir Path dir) throws Exception {
        String grant;
        try (Target target = Target.start(secured(policy(dir, "refusing.policy", PROGRAM_PERMISSIONS)))) {
            assertTrue(target.round(0).stream().allMatch(l -> l.contains("keepalive=false")), target.log());

            ForkedJvm.Result refused = cli("attach", target.pid, "idle=40,interval=5,count=3");
            assertEquals(1, refused.exitCode, refused.toString());
            String jar = ForkedJvm.AGENT_JAR.toFile().toURI().toString();
            assertTrue(refused.out.contains("\n  process " + target.pid + " runs under a SecurityManager"
                    + " (java.security.manager=\"\"): its policy must grant the agent's jar the permissions its"
                    + " launcher needs: grant codeBase \"" + jar + "\" { permission java.security.AllPermission; };\n"),
                    refused.toString());
            Matcher line = Pattern.compile("grant codeBase \"[^\"]*\" \\{[^}]*\\};").matcher(refused.out);
            assertTrue(line.find(), refused.out);
            grant = line.group();

            // Nothing changed: the kernel's view of its sockets, what the program reads, new sockets alike.
            ForkedJvm.Result kernel = status(target.pid);
            assertTrue(kernel.out.contains("established: 4 (keepalive on: 0, off: 4, unknown: 0)"), kernel.out);
            assertTrue(target.round(1).stream().allMatch(l -> l.contains("keepalive=false")), target.log());
            assertTrue(status(target.pid).out.contains("established: 8 (keepalive on: 0, off: 8, unknown: 0)"),
                    target.log());
            assertEquals(1, target.agentLines().size(), target.log());
            assertTrue(target.agentLines().get(0).startsWith("keepalive-agent ERROR: a SecurityManager is installed and"
                    + " does not grant the agent's jar the permissions its launcher needs"), target.log());
            assertTrue(target.process.isAlive(), target.log());
        }

        Path granted = policy(dir, "granted.policy", grant + "\n" + PROGRAM_PERMISSIONS);
        try (Target target = Target.start(secured(granted))) {
            ForkedJvm.Result attach = cli("attach", target.pid, "idle=40,interval=5,count=3");
            assertEquals(0, attach.exitCode, attach.toString());
            assertTrue(attach.out.contains("\n  installed: SO_KEEPALIVE on, idle=40s (agent argument idle)"),
                    attach.out);
            assertTrue(retrofitted(attach.out), attach.out);
            assertTrue(status(target.pid).out.contains("established: 4 (keepalive on: 4, off: 0, unknown: 0)"),
                    target.log());
            assertTrue(target.round(1).stream().allMatch(l -> l.endsWith("keepalive=true idle=40 interval=5 count=3")),
                    target.log());
            assertTrue(target.agentLines().stream().noneMatch(l -> l.contains("ERROR") || l.contains("WARN")),
                    target.log());
        }
    }

    private static ForkedJvm.Result run(Path dir, String policy) throws Exception {
        ForkedJvm jvm = secured(policy(dir, "app.policy", policy)).withAgent().env("KEEPIDLE", "60");
        return jvm.run(jvm.command(APP, System.getProperty("test.classes")));
    }

    private static Path policy(Path dir, String name, String policy) throws Exception {
        return Files.writeString(dir.resolve(name), policy);
    }

    /** A JVM of this JDK under a SecurityManager with the given policy file alone. */
    private static ForkedJvm secured(Path policy) {
        return new ForkedJvm(System.getProperty("java.home")).jvmArgs("-Djava.security.manager",
                "-Djava.security.policy==" + policy);
    }
}
