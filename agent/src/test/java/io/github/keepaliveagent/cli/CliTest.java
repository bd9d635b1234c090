package io.github.keepaliveagent.cli;

import io.github.keepaliveagent.config.KernelDefaults;
import io.github.keepaliveagent.config.Option;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CliTest {

    @Test
    void helpShowsEveryOptionTheEffectiveSettingsAndTheKernelDefaults() {
        String help = run(Map.of("KEEPIDLE", "60", "KEEPCNT", "abc"), "--help");
        for (Option option : Option.values()) {
            assertTrue((option.envName == null || help.contains(option.envName)) && help.contains(option.argName),
                    option.name());
        }
        assertTrue(help.contains("idle=60s (KEEPIDLE)"), help);
        assertTrue(help.contains("ERROR: KEEPCNT=\"abc\" is not valid"), help);
        assertTrue(help.contains("idle = " + KernelDefaults.read(Option.IDLE)), help);
    }

    @Test
    void unknownCommandIsAnError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Cli.run(new String[] {"--frobnicate"}, Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err));
        assertEquals(2, status);
        assertTrue(err.toString().contains("unknown command \"--frobnicate\""));
    }

    @Test
    void readmeHasTheSameOptionsTableAsTheCode() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        assertTrue(readme.contains(Option.markdownTable()),
                "README.md must contain exactly this table (generated from Option):\n" + Option.markdownTable());
    }

    private static String run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, Cli.run(args, env, new PrintStream(out, true), System.err));
        return out.toString(StandardCharsets.UTF_8);
    }
}
