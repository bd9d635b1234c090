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

    @ParameterizedTest(name = "user_timeout={0} -> {1} ms")
    @CsvSource({
            "120s, 120000",
            "2m, 120000",
            "2M, 120000",
            "1h, 3600000",
            "90000ms, 90000",
            "90000, 90000",
            "10s, 10000",
            "10000, 10000",
            "0000120s, 120000",
            "2147483647ms, 2147483647",
    })
    void userTimeoutIsADurationInMillisecondsABareNumberBeingMilliseconds(String value, int millis) {
        Settings settings = Settings.resolve("idle=5,interval=1,count=3,user_timeout=" + value, Map.of(), false);
        assertTrue(settings.problems().isEmpty(), settings.problems().toString());
        assertEquals(millis, settings.value(Option.USER_TIMEOUT));
        assertTrue(settings.describe().contains("user_timeout=" + Option.durationText(millis)
                + " (agent argument user_timeout)"), settings.describe());
    }

    @ParameterizedTest(name = "user_timeout={0} is rejected")
    @CsvSource(value = {
            "abc|expected a duration from 10s",
            "''|expected a duration from 10s",
            "s|expected a duration from 10s",
            "10 s|no spaces",
            "1.5s|expected a duration from 10s",
            "-10s|expected a duration from 10s",
            "10sec|expected a duration from 10s",
            "2147483648ms|expected a duration from 10s",
            "596524h|expected a duration from 10s",
            "99999999999999999999h|expected a duration from 10s",
            "3000|3s is so small it breaks healthy connections: a GC pause or a slow reader",
            "9999ms|9999ms is so small it breaks healthy connections",
            "9s|9s is so small",
            "0|0s is so small",
    }, delimiter = '|')
    void aUserTimeoutThatIsNotADurationOrBelowTenSecondsIsOneProblem(String value, String message) {
        Settings settings = Settings.resolve(null, Map.of("KEEPALIVE_USER_TIMEOUT", value, "KEEPIDLE", "5",
                "KEEPINTVL", "1", "KEEPCNT", "3"), false);
        assertNull(settings.value(Option.USER_TIMEOUT));
        assertEquals(1, settings.problems().size(), settings.problems().toString());
        assertTrue(settings.problems().get(0).startsWith("KEEPALIVE_USER_TIMEOUT=" + Settings.quote(value)
                + " is not valid: "), settings.problems().get(0));
        assertTrue(settings.problems().get(0).contains(message), settings.problems().get(0));
        assertTrue(settings.problems().get(0).endsWith("it is ignored and user_timeout stays off"),
                settings.problems().get(0));
        assertEquals(5, settings.value(Option.IDLE), "the other options still apply");
    }

    @Test
    void aUserTimeoutShorterThanKeepaliveIsAProblemThatSaysWhatItWouldBreak() {
        // 60 + 10 x 5 = 110 s of keepalive: a 60 s user timeout would cut after one lost probe.
        Settings tooShort = Settings.resolve("idle=60,interval=10,count=5,user_timeout=60s", Map.of(), false);
        assertNull(tooShort.value(Option.USER_TIMEOUT));
        assertEquals(1, tooShort.problems().size(), tooShort.problems().toString());
        String problem = tooShort.problems().get(0);
        assertTrue(problem.startsWith("agent argument user_timeout=60s is not valid: it is shorter than idle +"
                + " interval x count = 60s + 10s x 5 = 110s (as configured)"), problem);
        assertTrue(problem.contains("an idle connection whose peer misses a single probe would be dropped although"
                + " it is healthy. Use at least 110s"), problem);
        assertTrue(tooShort.warnings().isEmpty(), tooShort.warnings().toString());
        Settings attach = Settings.resolve("idle=60,interval=10,count=5,user_timeout=109999", Map.of(), true);
        assertEquals(1, attach.problems().size(), attach.problems().toString());
        assertFalse(attach.problems().get(0).contains("ignored"), attach.problems().get(0));
        Settings enough = Settings.resolve("idle=60,interval=10,count=5,user_timeout=110s", Map.of(), false);
        assertTrue(enough.problems().isEmpty() && enough.warnings().isEmpty(), enough.problems().toString());
        assertEquals(110_000, enough.value(Option.USER_TIMEOUT));
    }

    @Test
    void theKernelsKeepaliveValuesCountWhereNoneIsSet() {
        long kernel = 0;
        long[] values = new long[3];
        Option[] options = {Option.IDLE, Option.INTERVAL, Option.COUNT};
        for (int i = 0; i < 3; i++) {
            String text = options[i].kernelDefault();
            org.junit.jupiter.api.Assumptions.assumeTrue(text != null, "needs Linux's /proc/sys/net/ipv4");
            values[i] = Long.parseLong(text);
        }
        kernel = 1000 * (values[0] + values[1] * values[2]);
        Settings below = Settings.resolve("user_timeout=" + (kernel - 1) + "ms", Map.of(), false);
        assertEquals(1, below.problems().size(), below.problems().toString());
        assertTrue(below.problems().get(0).contains("(the kernel's defaults)"), below.problems().get(0));
        assertTrue(Settings.resolve("user_timeout=" + kernel + "ms", Map.of(), false).problems().isEmpty());
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

    @Test
    void userTimeoutAutoIsIdlePlusIntervalTimesCountAndSaysSo() {
        Settings settings = Settings.resolve(null, Map.of("KEEPIDLE", "60", "KEEPINTVL", "10", "KEEPCNT", "5",
                "KEEPALIVE_USER_TIMEOUT", "auto"), false);
        assertEquals(java.util.List.of(), settings.problems());
        assertEquals(110_000, settings.value(Option.USER_TIMEOUT));
        assertTrue(settings.userTimeoutAuto());
        assertEquals(110_000, settings.values().get(Option.USER_TIMEOUT));
        assertTrue(settings.describe().contains(", user_timeout=110s (auto: idle + interval x count,"
                + " KEEPALIVE_USER_TIMEOUT)"), settings.describe());
        // 2 + 1 x 3 = 5 s would break healthy connections: at least 10 s, as for a written value.
        assertEquals(10_000, Settings.resolve("idle=2,interval=1,count=3,user_timeout=AUTO", Map.of(), false)
                .value(Option.USER_TIMEOUT));
        // Unset ones: the kernel's (7200 + 75 x 9 here, read from /proc).
        Integer kernel = Settings.resolve("user_timeout=auto", Map.of(), false).value(Option.USER_TIMEOUT);
        assertTrue(kernel != null && kernel >= 10_000, String.valueOf(kernel));
        assertTrue(Settings.resolve("user_timeout=automatic", Map.of(), false).problems().get(0)
                .contains("or auto (idle + interval x count)"));
    }

    @Test
    void withoutRulesNothingChanges() {
        Settings settings = Settings.resolve("idle=60", Map.of(), false);
        assertTrue(settings.rules().isEmpty());
        assertFalse(settings.describe().contains("rules"), settings.describe());
        assertEquals(60, settings.values().get(Option.IDLE));
        assertEquals(Values.UNSET, settings.values().get(Option.COUNT));
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
