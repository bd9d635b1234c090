package io.github.keepaliveagent.config;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Reads the kernel's keepalive defaults, which apply to any option the agent leaves unset. */
public final class KernelDefaults {

    private KernelDefaults() {
    }

    /** The kernel's value for idle, interval or count, or null where it can't be read (not Linux). */
    public static String read(Option option) {
        String file = option.kernel == null ? null : option.kernel.procFile;
        if (file == null) {
            return null;
        }
        // One read: the kernel's sysctl files answer a read at a non-zero offset with end-of-file.
        byte[] buffer = new byte[64];
        try (FileInputStream in = new FileInputStream(file)) {
            int length = in.read(buffer);
            return length <= 0 ? null : new String(buffer, 0, length, StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
