package io.github.keepaliveagent.jdk;

import java.security.AccessController;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;

/**
 * The one place where the agent's work takes its own permissions. Under a SecurityManager (JDK 8 to 23),
 * installed at start-up or later by the program itself (Derby's network server does), the program's
 * frames may be on the stack when the agent runs (a socket it creates, the class it loads): the agent's
 * work then runs with the permissions of the agent's classes alone, which are static (AllPermission, see
 * launcher/AgentJar) and owe nothing to the program's policy. Without a SecurityManager it is a plain call.
 */
public final class Privileged {

    private Privileged() {
    }

    public static <T> T call(PrivilegedExceptionAction<T> work) throws Exception {
        if (System.getSecurityManager() == null) {
            return work.run();
        }
        try {
            return AccessController.doPrivileged(work);
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
    }
}
