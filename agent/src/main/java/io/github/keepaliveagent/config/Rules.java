package io.github.keepaliveagent.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Connection rules: an ordered list, first match wins, each matching a connection on its direction
 * ({@code in}: accepted, {@code out}: connected by this JVM), its remote address (CIDR, IPv4 or IPv6; an
 * IPv4-mapped IPv6 address matches as IPv4) and a port (the local port of an inbound connection, the
 * remote port of an outbound one), and giving it values of its own or nothing ({@code keepalive=off}).
 * A connection no rule matches gets the global values.
 *
 * <p>The grammar, which fits inside the agent-argument grammar (no comma, no space) and an environment
 * variable: rules separated by {@code ;}, fields of a rule by {@code +}, each field {@code name=value}:
 * {@code dir=in|out}, {@code addr=CIDR}, {@code port=N} or {@code port=N-M}, {@code idle=}, {@code interval=},
 * {@code count=}, {@code user_timeout=} (valid as the options of the same name), {@code keepalive=off}.
 * Example: {@code dir=out+addr=10.1.0.0/16+idle=30;port=5432+keepalive=off}.
 *
 * <p>Immutable and built once; {@link #match} allocates nothing for an IPv4 peer and is not called at
 * all when there is no rule.
 */
public final class Rules {

    /** Direction bits: a connection this JVM made. */
    public static final int OUTBOUND = 1;
    /** Direction bits: a connection a listening socket of this JVM accepted. */
    public static final int INBOUND = 2;
    private static final int BOTH = OUTBOUND | INBOUND;

    /** More would be a configuration nobody can read; it also bounds the work per connection. */
    static final int MAX_RULES = 64;

    public static final Rules NONE = new Rules(new Rule[0], "");

    /** The fields of a rule, as they are written and listed in messages. */
    static final String FIELDS = "dir=in or dir=out, addr=CIDR (10.0.0.0/8, fd00::/8), port=N or N-M (1 to 65535),"
            + " idle=, interval=, count=, user_timeout= (as the options of the same name) or keepalive=off";

    private final Rule[] rules;
    private final String text;
    private final boolean outbound;
    private final boolean offOutbound;
    private final boolean inboundByAddress;
    private final boolean inboundByPort;
    private final boolean anyOff;

    private Rules(Rule[] rules, String text) {
        this.rules = rules;
        this.text = text;
        boolean out = false;
        boolean offOut = false;
        boolean inByAddress = false;
        boolean inByPort = false;
        boolean off = false;
        for (Rule rule : rules) {
            out |= (rule.directions & OUTBOUND) != 0;
            offOut |= (rule.directions & OUTBOUND) != 0 && rule.off;
            inByAddress |= (rule.directions & INBOUND) != 0 && rule.hasAddress;
            inByPort |= (rule.directions & INBOUND) != 0 && !rule.hasAddress;
            off |= rule.off;
        }
        this.outbound = out;
        this.offOutbound = offOut;
        this.inboundByAddress = inByAddress;
        this.inboundByPort = inByPort;
        this.anyOff = off;
    }

    public boolean isEmpty() {
        return rules.length == 0;
    }

    public int size() {
        return rules.length;
    }

    /** Some rule may match a connection this JVM makes: its destination is looked at when it connects. */
    public boolean outbound() {
        return outbound;
    }

    /** Some {@code keepalive=off} rule may match a connection this JVM makes. */
    public boolean offOutbound() {
        return offOutbound;
    }

    /** Some rule matches accepted connections by their remote address: each accepted connection is looked at. */
    public boolean inboundByAddress() {
        return inboundByAddress;
    }

    /** Some rule matches accepted connections without an address: listening sockets are looked at when bound. */
    public boolean inboundByPort() {
        return inboundByPort;
    }

    /** Some rule is {@code keepalive=off}. */
    public boolean anyOff() {
        return anyOff;
    }

    /** Whether some rule sets this option (for force=all). */
    public boolean sets(Option socketOption) {
        for (Rule rule : rules) {
            if (!rule.off && rule.values != null && rule.values.get(socketOption) != Values.UNSET) {
                return true;
            }
        }
        return false;
    }

    /**
     * The values of the first rule that matches, or null when none does (the global values apply).
     *
     * @param direction {@link #OUTBOUND} or {@link #INBOUND}
     * @param remote the peer's address; null when unknown (then only rules without an address can match)
     * @param port the remote port of an outbound connection, the local port of an inbound one
     */
    public Values match(int direction, InetAddress remote, int port) {
        int v4 = 0;
        long hi = 0;
        long lo = 0;
        int family = 0; // 0: not looked at yet, 4, 6, -1: none
        for (Rule rule : rules) {
            if ((rule.directions & direction) == 0 || (rule.portLow != 0 && (port < rule.portLow || port > rule.portHigh))) {
                continue;
            }
            if (rule.hasAddress) {
                if (family == 0) {
                    if (remote instanceof Inet4Address) {
                        family = 4;
                        v4 = ipv4(remote);
                    } else if (remote instanceof Inet6Address) {
                        byte[] bytes = remote.getAddress();
                        if (isIpv4Mapped(bytes)) {
                            family = 4;
                            v4 = (bytes[12] & 0xff) << 24 | (bytes[13] & 0xff) << 16 | (bytes[14] & 0xff) << 8
                                    | (bytes[15] & 0xff);
                        } else {
                            family = 6;
                            hi = longAt(bytes, 0);
                            lo = longAt(bytes, 8);
                        }
                    } else {
                        family = -1;
                    }
                }
                if (!rule.matches(family, v4, hi, lo)) {
                    continue;
                }
            }
            return rule.values;
        }
        return null;
    }

    /**
     * What a listening socket on {@code localPort} gets, so that the connections it accepts inherit it:
     * the first rule that matches inbound connections to that port whatever their address; null: the
     * global values. Rules with an address before it are looked at when a connection is accepted.
     */
    public Values listener(int localPort) {
        for (Rule rule : rules) {
            if ((rule.directions & INBOUND) != 0 && !rule.hasAddress
                    && (rule.portLow == 0 || (localPort >= rule.portLow && localPort <= rule.portHigh))) {
                return rule.values;
            }
        }
        return null;
    }

    /** The rules as they were written, e.g. for a second copy of the agent to compare. */
    public String text() {
        return text;
    }

    /** "1) dir=out+addr=10.1.0.0/16: idle=30s, interval=10s; 2) port=5432: keepalive off (left alone)". */
    public String describe() {
        StringBuilder description = new StringBuilder();
        for (Rule rule : rules) {
            description.append(description.length() == 0 ? "" : "; ").append(rule.number).append(") ")
                    .append(rule.matchText()).append(": ").append(rule.values == null ? "?" : rule.values.describe());
        }
        return description.toString();
    }

    /**
     * Inet4Address.hashCode() is its address (JDK 1.0 to 27): reading it allocates nothing, where
     * getAddress() copies an array. Checked once; if a JDK ever changed it, the copy is used.
     */
    private static final class Ipv4 { // a holder: parsing the rules touches no InetAddress at start-up
        static final boolean HASH_IS_ADDRESS = hashIsAddress();

        private Ipv4() {
        }
    }

    private static boolean hashIsAddress() {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) 200, 3, (byte) 255}).hashCode() == 0x0ac803ff
                    && InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}).hashCode() == 0xc0000201;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    static int ipv4(InetAddress address) {
        if (Ipv4.HASH_IS_ADDRESS) {
            return address.hashCode();
        }
        byte[] bytes = address.getAddress();
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    private static long longAt(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (bytes[offset + i] & 0xff);
        }
        return value;
    }

    // ------------------------------------------------------------------------------------------ one rule

    /** One rule: what it matches, what it gives. */
    static final class Rule {
        final int number;
        final String text;
        int directions = BOTH;
        boolean hasAddress;
        boolean ipv4;
        int v4Network;
        int v4Mask;
        long v6High;
        long v6Low;
        long v6MaskHigh;
        long v6MaskLow;
        String addressText;
        /** 0: any port. */
        int portLow;
        int portHigh;
        /** The values written in the rule (UNSET: inherited from the global ones). */
        final int[] written = {Values.UNSET, Values.UNSET, Values.UNSET, Values.UNSET};
        boolean userTimeoutAuto;
        boolean off;
        /** What the rule gives, with the global values filled in: set by {@link Rules#resolve}. */
        Values values;

        Rule(int number, String text) {
            this.number = number;
            this.text = text;
        }

        boolean matches(int family, int v4, long hi, long lo) {
            if (family == 4) {
                return ipv4 && (v4 & v4Mask) == v4Network;
            }
            return family == 6 && !ipv4 && (hi & v6MaskHigh) == v6High && (lo & v6MaskLow) == v6Low;
        }

        /** "dir=out+addr=10.1.0.0/16+port=443", or "every connection" for a rule without a match field. */
        String matchText() {
            StringBuilder match = new StringBuilder();
            if (directions != BOTH) {
                match.append("dir=").append(directions == INBOUND ? "in" : "out");
            }
            if (hasAddress) {
                match.append(match.length() == 0 ? "" : "+").append("addr=").append(addressText);
            }
            if (portLow != 0) {
                match.append(match.length() == 0 ? "" : "+").append("port=").append(portLow)
                        .append(portHigh == portLow ? "" : "-" + portHigh);
            }
            return match.length() == 0 ? "every connection" : match.toString();
        }
    }

    // ------------------------------------------------------------------------------------------ parsing

    /**
     * Parses the rules' syntax. Each problem is one line naming {@code source}, the rule, the field and
     * what is valid; any problem means no rule is applied (a rule left out would change which rule the
     * others' connections match). The values are filled in by {@link #resolve}.
     */
    static Rules parse(String source, String text, List<String> problems) {
        if (text.isEmpty()) {
            problems.add(source + "=\"\" is not valid: expected one rule or more, separated by ';', each made of"
                    + " fields separated by '+': " + FIELDS);
            return null;
        }
        String[] texts = text.split(";", -1);
        if (texts.length > MAX_RULES) {
            problems.add(source + " has " + texts.length + " rules: at most " + MAX_RULES + " are allowed");
            return null;
        }
        List<Rule> rules = new ArrayList<>();
        int before = problems.size();
        for (int i = 0; i < texts.length; i++) {
            String where = source + " rule " + (i + 1) + " of " + texts.length;
            if (texts[i].isEmpty()) {
                problems.add(where + " is empty (a stray ';')");
                continue;
            }
            String problem = parseRule(new Rule(i + 1, texts[i]), rules);
            if (problem != null) {
                problems.add(where + " " + Settings.quote(texts[i]) + " is not valid: " + problem);
            }
        }
        return problems.size() > before ? null : new Rules(rules.toArray(new Rule[0]), text);
    }

    /** Null when the rule is valid (then it is added), else what is wrong with it. */
    private static String parseRule(Rule rule, List<Rule> rules) {
        List<String> seen = new ArrayList<>();
        boolean givesValue = false;
        for (String field : rule.text.split("\\+", -1)) {
            int equals = field.indexOf('=');
            if (field.isEmpty()) {
                return "a field is empty (a stray '+'); fields are " + FIELDS;
            }
            if (equals <= 0) {
                return "field " + Settings.quote(field) + " is not name=value; fields are " + FIELDS;
            }
            String name = field.substring(0, equals);
            String value = field.substring(equals + 1);
            if (seen.contains(name)) {
                return name + " is given more than once; each field at most once";
            }
            seen.add(name);
            String problem;
            switch (name) {
                case "dir":
                    problem = direction(rule, value);
                    break;
                case "addr":
                    problem = address(rule, value);
                    break;
                case "port":
                    problem = port(rule, value);
                    break;
                case "keepalive":
                    problem = "off".equals(value.toLowerCase(Locale.ROOT)) ? null
                            : "keepalive=" + Settings.quote(value) + ": expected keepalive=off (a rule that gives"
                                    + " values keeps keepalive on)";
                    rule.off = problem == null;
                    break;
                case "idle":
                case "interval":
                case "count":
                case "user_timeout":
                    problem = value(rule, Option.byArgName(name), value);
                    givesValue = true;
                    break;
                default:
                    return "unknown field " + Settings.quote(name) + " (in " + Settings.quote(field) + "); fields are "
                            + FIELDS;
            }
            if (problem != null) {
                return problem;
            }
        }
        if (rule.off && givesValue) {
            return "keepalive=off leaves the connection alone: it cannot also give values";
        }
        if (!rule.off && !givesValue) {
            return "it gives nothing: add idle=, interval=, count=, user_timeout= or keepalive=off";
        }
        rules.add(rule);
        return null;
    }

    private static String direction(Rule rule, String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "in":
                rule.directions = INBOUND;
                return null;
            case "out":
                rule.directions = OUTBOUND;
                return null;
            default:
                return "dir=" + Settings.quote(value) + ": expected in (connections accepted by this JVM) or out"
                        + " (connections it makes)";
        }
    }

    private static String value(Rule rule, Option option, String value) {
        try {
            Object parsed = option.parse(value);
            int index = Option.SOCKET_OPTIONS.indexOf(option);
            if ("auto".equals(parsed)) {
                rule.userTimeoutAuto = true;
            } else {
                rule.written[index] = (Integer) parsed;
            }
            return null;
        } catch (IllegalArgumentException e) {
            return option.argName + "=" + Settings.quote(value) + ": " + e.getMessage();
        }
    }

    private static String port(Rule rule, String value) {
        int dash = value.indexOf('-');
        String low = dash < 0 ? value : value.substring(0, dash);
        String high = dash < 0 ? value : value.substring(dash + 1);
        int from = portNumber(low);
        int to = portNumber(high);
        String expected = ": expected a port from 1 to 65535 or a range such as 8000-8999 (the local port of an"
                + " inbound connection, the remote port of an outbound one)";
        if (from < 0 || to < 0) {
            return "port=" + Settings.quote(value) + expected;
        }
        if (from > to) {
            return "port=" + Settings.quote(value) + ": the range is reversed; write it from low to high (" + to + "-"
                    + from + ")";
        }
        rule.portLow = from;
        rule.portHigh = to;
        return null;
    }

    /** 1..65535 in decimal digits, else -1. */
    private static int portNumber(String text) {
        if (text.isEmpty() || text.length() > 5) {
            return -1;
        }
        int number = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            number = number * 10 + (c - '0');
        }
        return number >= 1 && number <= 65535 ? number : -1;
    }

    private static String address(Rule rule, String value) {
        String expected = ": expected an IPv4 or IPv6 address with an optional prefix length, such as 10.0.0.0/8,"
                + " 192.168.1.5 or fd00::/8 (no host names)";
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        byte[] bytes = parseAddress(address);
        if (bytes == null) {
            return "addr=" + Settings.quote(value) + expected;
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String length = value.substring(slash + 1);
            prefix = length.isEmpty() || length.length() > 3 ? -1 : 0;
            for (int i = 0; i < length.length() && prefix >= 0; i++) {
                char c = length.charAt(i);
                prefix = c < '0' || c > '9' ? -1 : prefix * 10 + (c - '0');
            }
            if (prefix < 0) {
                return "addr=" + Settings.quote(value) + ": the prefix length must be a number from 0 to " + bits;
            }
            if (prefix > bits) {
                return "addr=" + Settings.quote(value) + ": the prefix /" + prefix + " is longer than an IPv"
                        + (bits == 32 ? "4" : "6") + " address (" + bits + " bits)";
            }
        }
        if (bits == 128 && prefix >= 96 && isIpv4Mapped(bytes)) {
            // ::ffff:10.0.0.0/104 is 10.0.0.0/8: an IPv4-mapped peer is matched as IPv4.
            bytes = new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
            prefix -= 96;
            bits = 32;
        }
        rule.hasAddress = true;
        rule.addressText = value.toLowerCase(Locale.ROOT);
        if (bits == 32) {
            rule.ipv4 = true;
            rule.v4Mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            int v4 = (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
            rule.v4Network = v4 & rule.v4Mask;
        } else {
            rule.v6MaskHigh = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
            rule.v6MaskLow = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
            rule.v6High = longAt(bytes, 0) & rule.v6MaskHigh;
            rule.v6Low = longAt(bytes, 8) & rule.v6MaskLow;
        }
        return null;
    }

    /** A literal IPv4 (4 bytes) or IPv6 (16 bytes) address, or null: never a name lookup. */
    static byte[] parseAddress(String text) {
        if (text.indexOf(':') < 0) {
            return parseIpv4(text);
        }
        return parseIpv6(text);
    }

    private static byte[] parseIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3) {
                return null;
            }
            int number = 0;
            for (int j = 0; j < part.length(); j++) {
                char c = part.charAt(j);
                if (c < '0' || c > '9') {
                    return null;
                }
                number = number * 10 + (c - '0');
            }
            if (number > 255) {
                return null;
            }
            bytes[i] = (byte) number;
        }
        return bytes;
    }

    private static byte[] parseIpv6(String text) {
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            return null; // "::" at most once
        }
        List<Integer> head = new ArrayList<>();
        List<Integer> tail = new ArrayList<>();
        byte[] ipv4 = null;
        String first = doubleColon < 0 ? text : text.substring(0, doubleColon);
        String second = doubleColon < 0 ? "" : text.substring(doubleColon + 2);
        String[] halves = {first, second};
        for (int h = 0; h < 2; h++) {
            if (halves[h].isEmpty()) {
                continue;
            }
            String[] groups = halves[h].split(":", -1);
            for (int g = 0; g < groups.length; g++) {
                String group = groups[g];
                boolean last = g == groups.length - 1 && (h == 1 || doubleColon < 0);
                if (last && group.indexOf('.') >= 0) {
                    ipv4 = parseIpv4(group); // ::ffff:10.1.2.3
                    if (ipv4 == null) {
                        return null;
                    }
                    continue;
                }
                int value = hexGroup(group);
                if (value < 0) {
                    return null;
                }
                (h == 0 ? head : tail).add(value);
            }
        }
        int groups = head.size() + tail.size() + (ipv4 == null ? 0 : 2);
        if (doubleColon < 0 ? groups != 8 : groups > 7) {
            return null;
        }
        List<Integer> all = new ArrayList<>(head);
        all.addAll(Collections.nCopies(8 - groups, 0));
        all.addAll(tail);
        byte[] bytes = new byte[16];
        for (int i = 0; i < all.size(); i++) {
            bytes[2 * i] = (byte) (all.get(i) >> 8);
            bytes[2 * i + 1] = (byte) (int) all.get(i);
        }
        if (ipv4 != null) {
            System.arraycopy(ipv4, 0, bytes, 12, 4);
        }
        return bytes;
    }

    /** 1 to 4 hexadecimal digits, else -1. */
    private static int hexGroup(String group) {
        if (group.isEmpty() || group.length() > 4) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < group.length(); i++) {
            int digit = Character.digit(group.charAt(i), 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    // ------------------------------------------------------------------------------------------ values

    /**
     * Fills in each rule's values: what it writes, else the global value (user_timeout=auto derived from the
     * rule's own idle, interval and count). A user timeout shorter than the rule's idle + interval x count
     * is a problem, as for the global one.
     */
    /** @param defaults the global values and the kernel's, what a rule's values are resolved against */
    void resolve(String source, Settings defaults, List<String> problems) {
        for (Rule rule : rules) {
            if (rule.off) {
                rule.values = Values.leftAlone();
                continue;
            }
            int[] v = new int[4];
            for (int i = 0; i < 3; i++) {
                Option option = Option.SOCKET_OPTIONS.get(i);
                v[i] = rule.written[i] != Values.UNSET ? rule.written[i] : defaults.values().get(option);
            }
            boolean inherited = rule.written[3] == Values.UNSET && !rule.userTimeoutAuto;
            boolean auto = rule.userTimeoutAuto || (inherited && defaults.userTimeoutAuto());
            long idle = v[0] != Values.UNSET ? v[0] : defaults.effective(Option.IDLE);
            long interval = v[1] != Values.UNSET ? v[1] : defaults.effective(Option.INTERVAL);
            long count = v[2] != Values.UNSET ? v[2] : defaults.effective(Option.COUNT);
            long keepaliveMillis = idle < 0 || interval < 0 || count < 0 ? -1 : 1000 * (idle + interval * count);
            if (auto) {
                v[3] = keepaliveMillis < 0 ? Values.UNSET : autoUserTimeout(keepaliveMillis);
            } else {
                v[3] = inherited ? defaults.values().get(Option.USER_TIMEOUT) : rule.written[3];
                if (v[3] != Values.UNSET && keepaliveMillis >= 0 && v[3] < keepaliveMillis) {
                    problems.add(source + " rule " + rule.number + " " + Settings.quote(rule.text) + " is not valid: "
                            + (inherited ? "the global user_timeout=" : "user_timeout=") + Option.durationText(v[3])
                            + " is shorter than this rule's idle + interval x count = " + idle + "s + " + interval
                            + "s x " + count + " = " + Option.durationText(keepaliveMillis) + ", and TCP_USER_TIMEOUT"
                            + " overrides keepalive (tcp(7)): give the rule user_timeout=auto or at least "
                            + Option.durationText(keepaliveMillis));
                }
            }
            rule.values = new Values(v[0], v[1], v[2], v[3], false);
        }
    }

    /** user_timeout=auto: idle + interval x count, at least 10 s, at most what the kernel takes. */
    static int autoUserTimeout(long keepaliveMillis) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(Option.MIN_USER_TIMEOUT_MILLIS, keepaliveMillis));
    }
}
