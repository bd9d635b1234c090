package io.github.keepaliveagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsTest {

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource({
            "KEEPIDLE, 60, 60",
            "KEEPIDLE, 1, 1",
            "KEEPIDLE, 32767, 32767",
            "KEEPIDLE, ' 60 ', 60",
            "KEEPINTVL, 10, 10",
            "KEEPINTVL, 32767, 32767",
            "KEEPCNT, 5, 5",
            "KEEPCNT, 127, 127",
    })
    void acceptsValuesInsideTheKernelLimits(String variable, String value, int expected) {
        Settings settings = Settings.resolve(null, Map.of(variable, value));
        assertEquals(expected, settings.seconds(optionFor(variable)));
        assertEquals(variable, settings.source(optionFor(variable)));
        assertTrue(settings.problems().isEmpty(), settings.problems().toString());
    }

    @ParameterizedTest(name = "{0}=\"{1}\" is rejected")
    @CsvSource(value = {
            "KEEPIDLE|''|1 to 32767",
            "KEEPIDLE|abc|1 to 32767",
            "KEEPIDLE|0|1 to 32767",
            "KEEPIDLE|-1|1 to 32767",
            "KEEPIDLE|32768|1 to 32767",
            "KEEPIDLE|99999|1 to 32767",
            "KEEPIDLE|1e3|1 to 32767",
            "KEEPIDLE|60s|1 to 32767",
            "KEEPIDLE|+5|1 to 32767",
            "KEEPIDLE|0x10|1 to 32767",
            "KEEPIDLE|99999999999999999999|1 to 32767",
            "KEEPINTVL|0|1 to 32767",
            "KEEPCNT|128|1 to 127",
            "KEEPCNT|0|1 to 127",
    }, delimiter = '|')
    void rejectsValuesOutsideTheKernelLimitsWithOneClearMessage(String variable, String value, String range) {
        Settings settings = Settings.resolve(null, Map.of(variable, value, "KEEPINTVL".equals(variable) ? "KEEPCNT"
                : "KEEPINTVL", "3"));
        assertNull(settings.seconds(optionFor(variable)), "an invalid value is not applied");
        assertEquals(1, settings.problems().size(), settings.problems().toString());
        String message = settings.problems().get(0);
        assertTrue(message.startsWith(variable + "=\"" + value + "\" is not valid"), message);
        assertTrue(message.contains(range), message);
        // The other options still apply.
        assertEquals(3, "KEEPINTVL".equals(variable) ? settings.seconds(Option.COUNT)
                : settings.seconds(Option.INTERVAL));
    }

    @Test
    void agentArgumentsWinOverTheEnvironment() {
        Settings settings = Settings.resolve("idle=30,count=4", Map.of("KEEPIDLE", "60", "KEEPINTVL", "10"));
        assertEquals(30, settings.seconds(Option.IDLE));
        assertEquals("agent argument idle", settings.source(Option.IDLE));
        assertEquals(10, settings.seconds(Option.INTERVAL));
        assertEquals(4, settings.seconds(Option.COUNT));
    }

    @Test
    void unsetOptionsLeaveTheKernelValue() {
        Settings settings = Settings.resolve(null, Map.of());
        assertNull(settings.seconds(Option.IDLE));
        assertTrue(settings.enabled());
        assertFalse(settings.strict());
        assertEquals("info", settings.logLevel());
        assertTrue(settings.describe().startsWith("SO_KEEPALIVE on, idle="), settings.describe());
        assertTrue(settings.describe().contains("(kernel default)"), settings.describe());
    }

    @Test
    void keepaliveOffTurnsTheAgentOff() {
        assertFalse(Settings.resolve(null, Map.of("KEEPALIVE", "off")).enabled());
        assertFalse(Settings.resolve(null, Map.of("KEEPALIVE", "OFF")).enabled());
        assertFalse(Settings.resolve("keepalive=off", Map.of()).enabled());
        assertTrue(Settings.resolve(null, Map.of("KEEPALIVE", "on")).enabled());
    }

    @Test
    void switchesAreValidatedToo() {
        Settings settings = Settings.resolve(null, Map.of("KEEPALIVE", "maybe", "KEEPALIVE_LOG", "loud",
                "KEEPALIVE_STRICT", "yes"));
        assertEquals(3, settings.problems().size(), settings.problems().toString());
        assertTrue(settings.enabled());
        assertEquals("info", settings.logLevel());
        assertFalse(settings.strict());
        assertTrue(String.join("\n", settings.problems()).contains("KEEPALIVE_LOG=\"loud\" is not valid: expected one"
                + " of debug, info, warn, error, off"), settings.problems().toString());
    }

    @Test
    void aUserTimeoutShorterThanKeepaliveIsWarnedAbout() {
        // 60 + 10 x 5 = 110 s of keepalive: a 60 s user timeout would cut after one lost probe.
        Settings tooShort = Settings.resolve("idle=60,interval=10,count=5,user_timeout=60000", Map.of());
        assertTrue(tooShort.problems().isEmpty());
        assertEquals(1, tooShort.warnings().size(), tooShort.warnings().toString());
        assertTrue(tooShort.warnings().get(0).contains("use at least 110000ms"), tooShort.warnings().get(0));
        assertTrue(Settings.resolve("idle=60,interval=10,count=5,user_timeout=110000", Map.of()).warnings().isEmpty());
        assertTrue(Settings.resolve("idle=60", Map.of()).warnings().isEmpty());
    }

    @Test
    void strictAndLogLevelFromArguments() {
        Settings settings = Settings.resolve("strict=true,log=debug", Map.of());
        assertTrue(settings.strict());
        assertEquals("debug", settings.logLevel());
    }

    @ParameterizedTest
    @CsvSource(value = {"idle", "bogus=1", "idle=1,,count=2", "IDLE=5"}, delimiter = '|')
    void malformedAgentArgumentsAreReported(String args) {
        Settings settings = Settings.resolve(args, Map.of());
        assertEquals(1, settings.problems().size(), settings.problems().toString());
        assertTrue(settings.problems().get(0).contains("expected name=value with a name from idle, interval, count"),
                settings.problems().get(0));
    }

    private static Option optionFor(String variable) {
        for (Option option : Option.values()) {
            if (option.envName.equals(variable)) {
                return option;
            }
        }
        throw new IllegalArgumentException(variable);
    }
}
