package io.github.keepaliveagent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/** Reads the kernel's keepalive defaults, which apply to any option the agent leaves unset. */
final class KernelDefaults {

    private KernelDefaults() {
    }

    /** The kernel's value for idle, interval or count, or null where it can't be read (not Linux). */
    static String read(Option option) {
        String file = option.procFile();
        if (file == null) {
            return null;
        }
        try {
            return new String(Files.readAllBytes(Paths.get(file)), StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
