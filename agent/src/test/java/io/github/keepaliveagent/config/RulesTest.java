package io.github.keepaliveagent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The grammar of KEEPALIVE_RULES, every kind of bad rule, and what matches what. */
class RulesTest {

    private static Settings settings(String rules, String... more) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("KEEPALIVE_RULES", rules);
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return Settings.resolve(null, env, false);
    }

    private static Rules rules(String rules, String... more) {
        Settings settings = settings(rules, more);
        assertEquals(List.of(), settings.problems());
        return settings.rules();
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByAddress(Rules.parseAddress(literal));
    }

    @Test
    void twoDestinationsGetTwoValuesAndTheRestTheGlobalOnes() throws Exception {
        Rules rules = rules("dir=out+addr=10.1.0.0/16+idle=30;dir=out+addr=10.2.0.0/16+idle=90+count=2",
                "KEEPIDLE", "60", "KEEPINTVL", "10", "KEEPCNT", "5");
        Values first = rules.match(Rules.OUTBOUND, ip("10.1.200.3"), 443);
        assertEquals(30, first.get(Option.IDLE));
        assertEquals(10, first.get(Option.INTERVAL), "unset in the rule: the global value");
        assertEquals(5, first.get(Option.COUNT));
        Values second = rules.match(Rules.OUTBOUND, ip("10.2.0.1"), 443);
        assertEquals(90, second.get(Option.IDLE));
        assertEquals(2, second.get(Option.COUNT));
        assertNull(rules.match(Rules.OUTBOUND, ip("10.3.0.1"), 443), "no rule: the global values");
        assertNull(rules.match(Rules.INBOUND, ip("10.1.0.1"), 443), "dir=out does not match accepted connections");
        assertTrue(rules.outbound());
        assertFalse(rules.inboundByAddress());
        assertFalse(rules.inboundByPort());
    }

    @Test
    void firstMatchWins() throws Exception {
        Rules rules = rules("addr=10.1.2.0/24+keepalive=off;addr=10.0.0.0/8+idle=30");
        assertTrue(rules.match(Rules.OUTBOUND, ip("10.1.2.9"), 80).off());
        assertEquals(30, rules.match(Rules.OUTBOUND, ip("10.1.3.9"), 80).get(Option.IDLE));
        assertTrue(rules.match(Rules.INBOUND, ip("10.1.2.9"), 80).off(), "no dir: both directions");
        assertTrue(rules.inboundByAddress());
    }

    @Test
    void portsAreTheRemoteOneOutboundAndTheLocalOneInbound() throws Exception {
        Rules rules = rules("port=5432+keepalive=off;dir=in+port=9000-9099+idle=20");
        assertTrue(rules.match(Rules.OUTBOUND, ip("192.0.2.1"), 5432).off());
        assertNull(rules.match(Rules.OUTBOUND, ip("192.0.2.1"), 5433));
        assertEquals(20, rules.match(Rules.INBOUND, ip("192.0.2.1"), 9000).get(Option.IDLE));
        assertEquals(20, rules.match(Rules.INBOUND, ip("192.0.2.1"), 9099).get(Option.IDLE));
        assertNull(rules.match(Rules.INBOUND, ip("192.0.2.1"), 9100));
        assertNull(rules.match(Rules.OUTBOUND, ip("192.0.2.1"), 9000), "dir=in");
        // A listener gets its port's rule (its connections inherit it), whatever the peer.
        assertEquals(20, rules.listener(9042).get(Option.IDLE));
        assertTrue(rules.listener(5432).off());
        assertNull(rules.listener(8080));
        assertTrue(rules.inboundByPort());
        assertFalse(rules.inboundByAddress(), "no look at accept: no rule names an inbound address");
    }

    @Test
    void aListenerGetsTheFirstRuleWithoutAnAddressAndEarlierAddressRulesAreLeftToAccept() throws Exception {
        Rules rules = rules("dir=in+addr=10.9.0.0/16+idle=5;dir=in+port=9092+idle=50;dir=in+addr=10.8.0.0/16+idle=7");
        assertEquals(50, rules.listener(9092).get(Option.IDLE));
        assertEquals(5, rules.match(Rules.INBOUND, ip("10.9.1.1"), 9092).get(Option.IDLE));
        assertSame(rules.listener(9092), rules.match(Rules.INBOUND, ip("10.8.1.1"), 9092),
                "a later address rule never wins over the port rule: nothing to change at accept");
    }

    @Test
    void ipv6RulesAndIpv4MappedPeers() throws Exception {
        Rules rules = rules("addr=fd00:1::/32+idle=11;addr=10.0.0.0/8+idle=12;addr=::1+idle=13;"
                + "addr=::ffff:192.168.0.0/112+idle=14");
        assertEquals(11, rules.match(Rules.OUTBOUND, ip("fd00:1:ffff::7"), 1).get(Option.IDLE));
        assertNull(rules.match(Rules.OUTBOUND, ip("fd00:2::7"), 1));
        assertEquals(12, rules.match(Rules.OUTBOUND, ip("10.4.5.6"), 1).get(Option.IDLE));
        // An IPv4-mapped IPv6 peer (a dual-stack socket's view) matches its IPv4 rule.
        java.net.Inet6Address mapped = java.net.Inet6Address.getByAddress(null, Rules.parseAddress("::ffff:10.4.5.6"),
                null);
        assertEquals(12, rules.match(Rules.OUTBOUND, mapped, 1).get(Option.IDLE));
        assertEquals(13, rules.match(Rules.OUTBOUND, ip("::1"), 1).get(Option.IDLE));
        assertEquals(14, rules.match(Rules.OUTBOUND, ip("192.168.7.7"), 1).get(Option.IDLE),
                "a mapped rule is an IPv4 rule");
        assertNull(rules.match(Rules.OUTBOUND, null, 1), "no address known: only rules without one match");
    }

    @Test
    void addressesAreParsedWithoutANameLookup() {
        assertEquals("[10, 1, 2, 3]", java.util.Arrays.toString(Rules.parseAddress("10.1.2.3")));
        assertEquals(16, Rules.parseAddress("::").length);
        assertEquals(16, Rules.parseAddress("1:2:3:4:5:6:7::").length);
        assertEquals(16, Rules.parseAddress("0:0:0:0:0:ffff:10.1.2.3").length);
        for (String bad : new String[] {"localhost", "10.1.2", "10.1.2.3.4", "10.1.2.256", "1.2.3.-4", "::1::2",
            "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "[::1]", "12345::", "1:2:3:4:5:6:7:8::", ":1::", "g::1", ""}) {
            assertNull(Rules.parseAddress(bad), bad);
        }
    }

    @Test
    void userTimeoutAutoIsIdlePlusIntervalTimesCountPerRule() throws Exception {
        Rules rules = rules("addr=10.0.0.0/8+idle=30+interval=5+count=4+user_timeout=auto;port=6379+idle=2"
                + "+interval=1+count=3+user_timeout=auto;addr=192.0.2.0/24+idle=40", "KEEPIDLE", "60", "KEEPINTVL",
                "10", "KEEPCNT", "5", "KEEPALIVE_USER_TIMEOUT", "auto");
        assertEquals(50_000, rules.match(Rules.OUTBOUND, ip("10.0.0.1"), 1).get(Option.USER_TIMEOUT));
        assertEquals(10_000, rules.match(Rules.OUTBOUND, ip("172.16.0.1"), 6379).get(Option.USER_TIMEOUT),
                "2 + 1 x 3 = 5 s: at least 10 s");
        assertEquals(90_000, rules.match(Rules.OUTBOUND, ip("192.0.2.1"), 1).get(Option.USER_TIMEOUT),
                "the global auto, derived from the rule's own idle (40 + 10 x 5)");
    }

    @Test
    void aRuleInheritingAUserTimeoutShorterThanItsKeepaliveIsRefused() {
        Settings settings = settings("addr=10.0.0.0/8+idle=600", "KEEPIDLE", "60", "KEEPINTVL", "10", "KEEPCNT", "5",
                "KEEPALIVE_USER_TIMEOUT", "120s");
        assertEquals(1, settings.problems().size(), settings.problems().toString());
        assertTrue(settings.problems().get(0).startsWith("KEEPALIVE_RULES rule 1 \"addr=10.0.0.0/8+idle=600\" is not"
                + " valid: the global user_timeout=120s is shorter than this rule's idle + interval x count = 600s"
                + " + 10s x 5 = 650s"), settings.problems().get(0));
        assertTrue(settings.rules().isEmpty());
        assertEquals(120_000, settings.value(Option.USER_TIMEOUT), "the global values stay");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(value = {
            "empty|''|KEEPALIVE_RULES=\"\" is not valid: expected one rule or more, separated by ';'",
            "empty rule|idle=5;;idle=6|KEEPALIVE_RULES rule 2 of 3 is empty (a stray ';')",
            "trailing separator|idle=5;|KEEPALIVE_RULES rule 2 of 2 is empty (a stray ';')",
            "empty field|addr=10.0.0.0/8++idle=5|KEEPALIVE_RULES rule 1 of 1 \"addr=10.0.0.0/8++idle=5\" is not valid:"
                    + " a field is empty (a stray '+')",
            "unknown field|host=db+idle=5|KEEPALIVE_RULES rule 1 of 1 \"host=db+idle=5\" is not valid: unknown field"
                    + " \"host\" (in \"host=db\"); fields are dir=in or dir=out, addr=CIDR",
            "not name=value|out+idle=5|field \"out\" is not name=value",
            "bad CIDR|addr=10.0.0.256+idle=5|addr=\"10.0.0.256\": expected an IPv4 or IPv6 address with an optional"
                    + " prefix length, such as 10.0.0.0/8, 192.168.1.5 or fd00::/8 (no host names)",
            "a host name|addr=db.example.com+idle=5|(no host names)",
            "prefix too long|addr=10.0.0.0/33+idle=5|addr=\"10.0.0.0/33\": the prefix /33 is longer than an IPv4"
                    + " address (32 bits)",
            "IPv6 prefix too long|addr=fd00::/129+idle=5|the prefix /129 is longer than an IPv6 address (128 bits)",
            "prefix not a number|addr=10.0.0.0/x+idle=5|the prefix length must be a number from 0 to 32",
            "port 0|port=0+idle=5|port=\"0\": expected a port from 1 to 65535 or a range such as 8000-8999",
            "port 65536|port=65536+idle=5|port=\"65536\": expected a port from 1 to 65535",
            "reversed range|port=9000-8000+idle=5|port=\"9000-8000\": the range is reversed; write it from low to high"
                    + " (8000-9000)",
            "duplicate field|idle=5+addr=10.0.0.0/8+idle=6|idle is given more than once; each field at most once",
            "bad direction|dir=up+idle=5|dir=\"up\": expected in (connections accepted by this JVM) or out",
            "bad value|idle=0|idle=\"0\": expected a whole number from 1 to 32767",
            "bad user timeout|user_timeout=5s|user_timeout=\"5s\": 5s is so small it breaks healthy connections",
            "keepalive=on|keepalive=on|keepalive=\"on\": expected keepalive=off",
            "off with values|keepalive=off+idle=5|keepalive=off leaves the connection alone: it cannot also give"
                    + " values",
            "gives nothing|addr=10.0.0.0/8|it gives nothing: add idle=, interval=, count=, user_timeout= or"
                    + " keepalive=off",
    }, delimiter = '|')
    void eachBadRuleIsOneClearLineAndNoRuleApplies(String kind, String text, String expected) {
        Settings settings = settings(text, "KEEPIDLE", "60");
        assertEquals(1, settings.problems().size(), kind + ": " + settings.problems());
        String line = settings.problems().get(0);
        assertTrue(line.startsWith("KEEPALIVE_RULES"), line);
        assertTrue(line.contains(expected), kind + ": " + line);
        assertTrue(line.endsWith("; no rule is applied: every connection gets the global values"), line);
        assertFalse(line.contains("\n"), line);
        assertTrue(settings.rules().isEmpty(), "one bad rule and none applies");
        assertEquals(60, settings.value(Option.IDLE), "the other options still apply");
    }

    @Test
    void twoBadRulesAreTwoLines() {
        Settings settings = settings("port=0+idle=5;idle=60;addr=x+idle=5");
        assertEquals(2, settings.problems().size(), settings.problems().toString());
        assertTrue(settings.problems().get(0).startsWith("KEEPALIVE_RULES rule 1 of 3"));
        assertTrue(settings.problems().get(1).startsWith("KEEPALIVE_RULES rule 3 of 3"));
    }

    @Test
    void theAgentArgumentTakesTheSameRulesAndSaysSo() throws Exception {
        Settings settings = Settings.resolve("idle=60,rules=dir=out+addr=10.1.0.0/16+idle=30;port=5432+keepalive=off",
                Map.of(), false);
        assertEquals(List.of(), settings.problems());
        assertEquals(2, settings.rules().size());
        assertTrue(settings.describe().endsWith("; rules (agent argument rules), first match wins: 1)"
                + " dir=out+addr=10.1.0.0/16: idle=30s; 2) port=5432: keepalive off (left alone); other connections:"
                + " the values above"), settings.describe());
        Settings attach = Settings.resolve("rules=port=0+idle=5", Map.of(), true);
        assertTrue(attach.problems().get(0).startsWith("agent argument rules rule 1 of 1 \"port=0+idle=5\" is not"
                + " valid: port=\"0\""), attach.problems().toString());
        assertFalse(attach.problems().get(0).contains("no rule is applied"), "attach applies nothing at all");
    }

    @Test
    void wordsInAnyCaseAndNoSpaces() throws Exception {
        Rules rules = rules("dir=OUT+idle=5;keepalive=OFF");
        assertEquals(5, rules.match(Rules.OUTBOUND, ip("10.0.0.1"), 1).get(Option.IDLE));
        assertTrue(settings("idle=5; port=1+idle=5").problems().get(0).contains("no spaces"));
    }

    @Test
    void matchingAnIpv4PeerAllocatesNothing() throws Exception {
        Rules rules = rules("addr=10.1.0.0/16+idle=30;port=443+idle=40;keepalive=off");
        InetAddress peer = ip("10.9.9.9");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            rules.match(Rules.OUTBOUND, peer, 443); // warmed up
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        Values last = null;
        for (int i = 0; i < 100_000; i++) {
            last = rules.match(Rules.OUTBOUND, peer, 443);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(40, last.get(Option.IDLE));
        assertTrue(allocated < 10_000, allocated + " bytes for 100,000 matches");
    }
}
