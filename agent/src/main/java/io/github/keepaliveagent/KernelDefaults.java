package io.github.keepaliveagent;

import java.io.FileInputStream;
import java.io.IOException;

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
        // Plain stream reads: Files.readAllBytes trusts the size /proc reports (0) and returns one byte.
        StringBuilder text = new StringBuilder();
        try (FileInputStream in = new FileInputStream(file)) {
            for (int c; (c = in.read()) >= 0 && text.length() < 32; ) {
                text.append((char) c);
            }
            return text.toString().trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
