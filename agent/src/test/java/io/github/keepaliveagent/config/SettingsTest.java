package io.github.keepaliveagent.config;

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
            "KEEPIDLE, 060, 60",
            "KEEPIDLE, 00000000000000060, 60",
            "KEEPINTVL, 10, 10",
            "KEEPINTVL, 32767, 32767",
            "KEEPCNT, 5, 5",
            "KEEPCNT, 127, 127",
    })
    void acceptsValuesInsideTheKernelLimits(String variable, String value, int expected) {
        Settings settings = Settings.resolve(null, Map.of(variable, value), false);
        assertEquals(expected, settings.value(optionFor(variable)));
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
            "KEEPIDLE|' 60 '|no spaces",
            "KEEPIDLE|'60\t'|no spaces",
            "KEEPINTVL|0|1 to 32767",
            "KEEPCNT|128|1 to 127",
            "KEEPCNT|0|1 to 127",
    }, delimiter = '|')
    void rejectsValuesOutsideTheKernelLimitsWithOneClearMessage(String variable, String value, String range) {
        Settings settings = Settings.resolve(null, Map.of(variable, value, "KEEPINTVL".equals(variable) ? "KEEPCNT"
                : "KEEPINTVL", "3"), false);
        assertNull(settings.value(optionFor(variable)), "an invalid value is not applied");
        assertEquals(1, settings.problems().size(), settings.problems().toString());
        String message = settings.problems().get(0);
        assertTrue(message.startsWith(variable + "=" + Settings.quote(value) + " is not valid"), message);
        assertTrue(message.contains(range), message);
        // The other options still apply.
        assertEquals(3, "KEEPINTVL".equals(variable) ? settings.value(Option.COUNT)
                : settings.value(Option.INTERVAL));
    }

    @Test
    void agentArgumentsWinOverTheEnvironment() {
        Settings settings = Settings.resolve("idle=30,count=4", Map.of("KEEPIDLE", "60", "KEEPINTVL", "10"), false);
        assertEquals(30, settings.value(Option.IDLE));
        assertEquals("agent argument idle", settings.source(Option.IDLE));
        assertEquals(10, settings.value(Option.INTERVAL));
        assertEquals(4, settings.value(Option.COUNT));
    }

    @Test
    void unsetOptionsLeaveTheKernelValue() {
        Settings settings = Settings.resolve(null, Map.of(), false);
        assertNull(settings.value(Option.IDLE));
        assertTrue(settings.enabled());
        assertFalse(settings.strict());
        assertEquals("info", settings.logLevel());
        assertTrue(settings.describe().startsWith("SO_KEEPALIVE on, idle="), settings.describe());
        assertTrue(settings.describe().contains("(kernel default)"), settings.describe());
    }

    @Test
    void keepaliveOffTurnsTheAgentOff() {
        assertFalse(Settings.resolve(null, Map.of("KEEPALIVE", "off"), false).enabled());
        assertFalse(Settings.resolve(null, Map.of("KEEPALIVE", "OFF"), false).enabled());
        assertFalse(Settings.resolve("keepalive=off", Map.of(), false).enabled());
        assertTrue(Settings.resolve(null, Map.of("KEEPALIVE", "on"), false).enabled());
    }

    @Test
    void switchesAreValidatedToo() {
        Settings settings = Settings.resolve(null, Map.of("KEEPALIVE", "maybe", "KEEPALIVE_LOG", "loud",
                "KEEPALIVE_STRICT", "yes"), false);
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
        Settings tooShort = Settings.resolve("idle=60,interval=10,count=5,user_timeout=60000", Map.of(), false);
        assertTrue(tooShort.problems().isEmpty());
        assertEquals(1, tooShort.warnings().size(), tooShort.warnings().toString());
        assertTrue(tooShort.warnings().get(0).contains("use at least 110000ms"), tooShort.warnings().get(0));
        assertTrue(Settings.resolve("idle=60,interval=10,count=5,user_timeout=110000", Map.of(), false).warnings().isEmpty());
        assertTrue(Settings.resolve("idle=60", Map.of(), false).warnings().isEmpty());
    }

    @Test
    void strictAndLogLevelFromArguments() {
        Settings settings = Settings.resolve("strict=true,log=debug", Map.of(), false);
        assertTrue(settings.strict());
        assertEquals("debug", settings.logLevel());
    }

    @ParameterizedTest
    @CsvSource(value = {"idle", "bogus=1", "IDLE=5", "idle =5"}, delimiter = '|')
    void malformedAgentArgumentsAreReported(String args) {
        Settings settings = Settings.resolve(args, Map.of(), false);
        assertEquals(1, settings.problems().size(), settings.problems().toString());
        assertTrue(settings.problems().get(0).contains("expected name=value with a name from idle, interval, count"),
                settings.problems().get(0));
    }

    @ParameterizedTest
    @CsvSource(value = {",idle=60", "idle=60,", "idle=60,,count=2", ",,,"}, delimiter = '|')
    void emptyPairsAreErrors(String args) {
        Settings settings = Settings.resolve(args, Map.of(), false);
        assertTrue(settings.problems().stream().anyMatch(p -> p.contains("is empty (a stray comma)")),
                settings.problems().toString());
    }

    @Test
    void aRepeatedNameIsAnErrorNamingItAndNeitherValueApplies() {
        Settings settings = Settings.resolve("idle=60,idle=70,strict=true,strict=false", Map.of(), false);
        assertEquals(2, settings.problems().size(), settings.problems().toString());
        assertTrue(settings.problems().get(0).contains("idle is given more than once (\"60\", \"70\")"),
                settings.problems().get(0));
        assertNull(settings.value(Option.IDLE));
        assertFalse(settings.strict());
    }

    @Test
    void echoedValuesCannotForgeLinesOrFloodTheLog() {
        Settings forged = Settings.resolve("idle=60\nkeepalive-agent INFO: all good", Map.of(), false);
        assertFalse(forged.problems().get(0).contains("\n"), forged.problems().get(0));
        assertTrue(forged.problems().get(0).contains("\\u000a"), forged.problems().get(0));
        Settings escape = Settings.resolve(null, Map.of("KEEPIDLE", "\u001b[31mred"), false);
        assertFalse(escape.problems().get(0).contains("\u001b"), escape.problems().get(0));
        Settings huge = Settings.resolve(null, Map.of("KEEPIDLE", "9".repeat(10_000)), false);
        assertTrue(huge.problems().get(0).length() < 300, huge.problems().get(0).length() + " characters");
        assertTrue(huge.problems().get(0).contains("(cut: 10000 characters)"), huge.problems().get(0));
    }

    @Test
    void attachOnlyOptionsAreNotedAtStartUp() {
        Settings settings = Settings.resolve("retrofit=false", Map.of(), false);
        assertTrue(settings.problems().isEmpty());
        assertTrue(settings.warnings().get(0).contains("only for attach"), settings.warnings().toString());
        assertTrue(Settings.resolve("retrofit=false", Map.of(), true).warnings().isEmpty());
        assertFalse(Settings.resolve("retrofit=false", Map.of(), true).retrofit());
    }

    @Test
    void forceDefaultsToKeepaliveAndAcceptsTheOldSpellings() {
        assertEquals(Settings.Force.KEEPALIVE, Settings.resolve(null, Map.of(), false).force());
        assertEquals(Settings.Force.OFF, Settings.resolve(null, Map.of("KEEPALIVE_FORCE", "off"), false).force());
        assertEquals(Settings.Force.ALL, Settings.resolve("force=all", Map.of(), false).force());
        assertEquals(Settings.Force.KEEPALIVE, Settings.resolve("force=true", Map.of(), false).force());
        assertEquals(Settings.Force.OFF, Settings.resolve("force=false", Map.of(), false).force());
        assertEquals(1, Settings.resolve("force=maybe", Map.of(), false).problems().size());
    }

    @Test
    void scanDefaultsToAMinuteAndCanBeSwitchedOff() {
        assertEquals(60, Settings.resolve(null, Map.of(), false).scanSeconds());
        assertEquals(5, Settings.resolve("scan=5", Map.of(), false).scanSeconds());
        assertEquals(0, Settings.resolve(null, Map.of("KEEPALIVE_SCAN", "off"), false).scanSeconds());
        assertEquals(1, Settings.resolve("scan=0", Map.of(), false).problems().size());
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
