package io.github.keepaliveagent.it.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The lab fixture itself: isolation, teardown on failure, stale namespaces, the skip-or-fail rule. */
@Tag("lab")
class NetLabTest {

    @Test
    void aMissingPrerequisiteIsASkipOffCiAndAFailureOnCi() {
        NetLab.verdict(List.of(), "true"); // nothing missing: nothing happens
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> NetLab.verdict(List.of("root", "conntrack"), null));
        assertTrue(skipped.getMessage().contains("needs root, conntrack"), skipped.getMessage());
        assertThrows(TestAbortedException.class, () -> NetLab.verdict(List.of("root"), "false"));
        AssertionFailedError failed = assertThrows(AssertionFailedError.class,
                () -> NetLab.verdict(List.of("iptables"), "true"));
        assertTrue(failed.getMessage().contains("needs iptables") && failed.getMessage().contains("CI=true"),
                failed.getMessage());
    }

    @Test
    @Timeout(60)
    void programsRunInsideTheLabsNamespacesAndReachEachOther() throws Exception {
        try (NetLab lab = NetLab.open()) {
            String a = lab.namespace("a");
            String b = lab.namespace("b");
            lab.veth(a, "a0", "10.200.9.1/24", b, "b0", "10.200.9.2/24");
            LabProcess server = lab.start(a, LabJvms.withoutAgent(LabJvms.JDK17), "server", "example.lab.BlockingEchoServer",
                    "7000");
            server.await("^listening kind=socket port=7000$", Duration.ofSeconds(30));
            long hostNamespace = NetLab.inode(Paths.get("/proc/self/ns/net"));
            long programNamespace = NetLab.inode(Paths.get("/proc", String.valueOf(server.pid()), "ns", "net"));
            assertEquals(lab.requireNamespace(a), programNamespace, "the JVM itself runs in the namespace (same pid)");
            assertNotEquals(hostNamespace, programNamespace);
            LabProcess client = lab.start(b, LabJvms.withoutAgent(LabJvms.JDK17), "client", "example.lab.LineClient",
                    lab.endpoint(a, 7000));
            client.await("^ready connections=1$", Duration.ofSeconds(30));
            client.send("ping");
            client.await("^received local=10\\.200\\.9\\.2:\\d+ remote=10\\.200\\.9\\.1:7000 after \\d+ ms: ping$",
                    Duration.ofSeconds(10));
            assertEquals(1, lab.tcpSockets(b, 7000).size(), lab.tcpSockets(b).toString());
        }
    }

    @Test
    void theLabRefusesNamespacesItDidNotCreate() throws Exception {
        try (NetLab lab = NetLab.open()) {
            String mine = lab.namespace("a");
            IllegalStateException foreign = assertThrows(IllegalStateException.class,
                    () -> lab.in("ka-not-ours", "ss", "-tan"));
            assertTrue(foreign.getMessage().contains("not created by this lab"), foreign.getMessage());
            NetLab.ip("netns", "delete", mine); // deleted behind the lab's back
            IllegalStateException gone = assertThrows(IllegalStateException.class, () -> lab.in(mine, "ss", "-tan"));
            assertTrue(gone.getMessage().contains("does not exist"), gone.getMessage());
        }
    }

    @Test
    @Timeout(60)
    void everythingIsTornDownWhenTheTestFails() throws Exception {
        NetLab.requirePrerequisites(); // a skip must not be mistaken for the failure below
        List<String> created = new ArrayList<>();
        List<LabProcess> started = new ArrayList<>();
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> {
            try (NetLab lab = NetLab.open()) {
                String a = lab.namespace("a");
                String b = lab.namespace("b");
                created.add(a);
                created.add(b);
                lab.veth(a, "a0", "10.200.9.1/24", b, "b0", "10.200.9.2/24");
                lab.silence(b);
                LabProcess server = lab.start(a, LabJvms.withoutAgent(LabJvms.JDK17), "server",
                        "example.lab.BlockingEchoServer", "7000");
                started.add(server);
                server.await("^listening", Duration.ofSeconds(30));
                throw new IllegalStateException("the test body fails");
            }
        });
        assertEquals("the test body fails", failure.getMessage());
        List<String> left = new ArrayList<>(NetLab.namespaceNames());
        left.retainAll(created);
        assertEquals(List.of(), left, "namespaces deleted");
        assertEquals(2, created.size());
        assertFalse(started.get(0).isAlive(), "the program ended");
    }

    @Test
    @Timeout(60)
    void staleNamespacesOfTestJvmsThatDiedAreDeleted() throws Exception {
        NetLab.requirePrerequisites();
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        String stale = "ka" + gone.pid() + "-1z";
        String live = "ka" + ProcessHandle.current().pid() + "-0z"; // this JVM: never stale
        String other = "ka" + ProcessHandle.current().pid() + "other"; // not the lab's pattern: never touched
        List<String> made = List.of(stale, live, other);
        try {
            for (String name : made) {
                NetLab.ip("netns", "add", name);
            }
            List<String> removed = NetLab.removeStaleNamespaces();
            assertTrue(removed.contains(stale), removed.toString());
            List<String> names = NetLab.namespaceNames();
            assertFalse(names.contains(stale), names.toString());
            assertTrue(names.contains(live) && names.contains(other), names.toString());
        } finally {
            for (String name : made) {
                if (Paths.get("/run/netns", name).toFile().exists()) {
                    NetLab.ip("netns", "delete", name);
                }
            }
        }
    }
}
