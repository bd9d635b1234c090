package io.github.keepaliveagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.keepaliveagent.config.Option;
import io.github.keepaliveagent.config.Settings;
import org.junit.jupiter.api.Test;

/**
 * README's examples are the first thing an operator copies: each command, variable and printed line in
 * its code blocks must be what the agent accepts and prints.
 */
class ReadmeTest {

    private static final List<String> CODE = codeLines();

    private static List<String> codeLines() {
        try {
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("..", "README.md"))) {
                if (line.startsWith("    ") && !line.trim().isEmpty()) {
                    lines.add(line.trim());
                }
            }
            return lines;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyVariableInTheExamplesIsAnOptionWithAValidValue() {
        Pattern assignment = Pattern.compile("\\b(KEEP[A-Z_]*)=([^\\s\"']+)");
        int checked = 0;
        for (String line : CODE) {
            if (line.startsWith("keepalive-agent ERROR")) {
                continue; // the documented invalid value, checked below
            }
            Matcher m = assignment.matcher(line);
            while (m.find()) {
                String name = m.group(1);
                assertTrue(Arrays.stream(Option.values()).anyMatch(o -> name.equals(o.envName)), line);
                Settings settings = Settings.resolve(null, Map.of(name, m.group(2)), false);
                assertEquals(List.of(), settings.problems(), line);
                checked++;
            }
        }
        assertTrue(checked >= 6, "checked " + checked);
    }

    @Test
    void everyCommandOfTheJarInTheExamplesIsAccepted() {
        Pattern command = Pattern.compile("keepalive-agent[^ ]*\\.jar ((?:--?[a-z]+|attach|status)(?: [^|#]*)?)");
        int checked = 0;
        for (String line : CODE) {
            Matcher m = command.matcher(line.replace("$ ", ""));
            if (!m.find() || line.startsWith("export") || line.contains("-javaagent")) {
                continue;
            }
            // A process id that cannot exist: the command must get past its usage checks to say so.
            String[] args = m.group(1).trim().replaceAll("\\b(PID|4242)\\b", "2147483647").split(" +");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Cli.run(args, new HashMap<>(), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err));
            assertTrue(status == ExitCode.OK || status == ExitCode.NO_SUCH_PROCESS,
                    line + " -> exit " + status + ": " + err);
            checked++;
        }
        assertTrue(checked >= 3, "checked " + checked);
    }

    @Test
    void thePrintedLinesAreWhatTheAgentPrints() {
        String error = CODE.stream().filter(l -> l.startsWith("keepalive-agent ERROR: ")).findFirst().orElse(null);
        assertNotNull(error, "README shows the error line of an invalid value");
        Matcher input = Pattern.compile("ERROR: (KEEP[A-Z_]*)=\"([^\"]*)\"").matcher(error);
        assertTrue(input.find(), error);
        assertEquals("keepalive-agent ERROR: " + Settings.resolve(null, Map.of(input.group(1), input.group(2)), false)
                .problems().get(0), error);
        // The status example: its summary counts the rows it shows.
        long shown = CODE.stream().filter(l -> l.matches("\\d+\\s+ESTABLISHED .*")).count();
        String summary = CODE.stream().filter(l -> l.startsWith("established: ")).findFirst().orElse("");
        assertTrue(summary.startsWith("established: " + shown + " "), summary + " after " + shown + " rows");
    }

    @Test
    void theRulesExamplesAreValidAndTheirErrorLineIsWhatTheAgentPrints() {
        int checked = 0;
        Matcher variable = Pattern.compile("KEEPALIVE_RULES='([^']*)'").matcher(String.join("\n", CODE));
        while (variable.find()) {
            assertEquals(List.of(), Settings.resolve(null, Map.of("KEEPALIVE_RULES", variable.group(1)), false)
                    .problems(), variable.group());
            checked++;
        }
        Matcher argument = Pattern.compile("-javaagent:keepalive-agent\\.jar=(\\S+)").matcher(String.join("\n", CODE));
        while (argument.find()) {
            assertEquals(List.of(), Settings.resolve(argument.group(1), Map.of(), false).problems(), argument.group());
            checked++;
        }
        assertTrue(checked >= 2, "checked " + checked);
        String error = CODE.stream().filter(l -> l.startsWith("keepalive-agent ERROR: KEEPALIVE_RULES ")).findFirst()
                .orElse(null);
        assertNotNull(error, "README shows the error line of a bad rule");
        Matcher rule = Pattern.compile("rule 1 of 1 \"([^\"]*)\"").matcher(error);
        assertTrue(rule.find(), error);
        assertEquals("keepalive-agent ERROR: " + Settings.resolve(null, Map.of("KEEPALIVE_RULES", rule.group(1)), false)
                .problems().get(0), error);
    }

    @Test
    void theVersionAndTheJarPathAreTheSameEverywhere() {
        String version = System.getProperty("project.version");
        Matcher jars = Pattern.compile("keepalive-agent-(\\d+\\.\\d+\\.\\d+)\\.jar").matcher(String.join("\n", CODE));
        while (jars.find()) {
            assertEquals(version, jars.group(1), "README's release file names follow the pom's version");
        }
        for (String line : CODE) {
            if (line.contains("-javaagent:/")) {
                assertTrue(line.contains("-javaagent:/opt/keepalive-agent/keepalive-agent.jar"), line);
            }
        }
    }
}
