#!/usr/bin/env python3
"""The measuring half of benchmark/run (which installs, builds and compiles, then calls this).

Every command is a fresh JVM started through env(1); the driver reaps it with wait4(2), so each run gives
its wall time and its whole-process CPU time (user + sys, every thread). Variants are run in interleaved
rounds (round r runs every variant once, in an order rotated by r), and every comparison is the median of
the per-round ratios X_r / B_r, with their spread (min-max, and p25-p75 from 4 rounds on): load from
elsewhere on the machine hits both sides of a pair alike. Programs that loop also print the CPU time of
their measured phase alone (/proc/self/stat), which leaves JVM start-up and warm-up out.

Configuration comes from the environment (set by benchmark/run). Writes Markdown to stdout.
"""
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

E = os.environ
TMP = E["BENCH_TMP"]
JDKS = {"jdk17": E["JDK17"], "jdk25": E["JDK25"]}
AGENT_JAR, EMPTY_JAR, EXAMPLES_JAR = E["AGENT_JAR"], E["EMPTY_JAR"], E["EXAMPLES_JAR"]
BENCH_CP, NETTY_CP, LIBKEEPALIVE = E["BENCH_CP"], E["NETTY_CP"], E["LIBKEEPALIVE"]
RUNLOG = os.path.join(TMP, "run.log")
KEEP_ENV = ["KEEPIDLE=60", "KEEPINTVL=10", "KEEPCNT=5"]
WANT_ON = "keepalive=true idle=60 interval=10 count=5"


def knob(name, default):
    return int(E.get(name) or default)


RUNS = knob("RUNS", 20)
ROUNDS = knob("ROUNDS", 5)
WARMUP = knob("WARMUP", 5000)
MEASURED = knob("MEASURED", 30000)
NETTY_WARMUP = knob("NETTY_WARMUP", WARMUP)
NETTY_MEASURED = knob("NETTY_MEASURED", MEASURED)
IDLE_COUNT = knob("IDLE_COUNT", 10000)
IDLE_SECONDS = knob("IDLE_SECONDS", 5)
IDLE_ROUNDS = knob("IDLE_ROUNDS", 3)
LEAK_COUNT = knob("LEAK_COUNT", 200000)
CONNECT_JDKS = (E.get("CONNECT_JDKS") or "jdk17 jdk25").split()
NETTY_JDK = E.get("NETTY_JDK") or "jdk17"
SECTIONS = (E.get("SECTIONS") or "sanity startup connect idle memory").split()
# Extra variants of the connect section, none by default: agent-main (BASELINE_AGENT_JAR, e.g. main's jar),
# agent-rules (connection rules that match no loopback connection: the cost of looking),
# agent-rules-match (a rule that matches every loopback connection: the cost of switching its values).
CONNECT_EXTRA = (E.get("CONNECT_EXTRA") or "").split()
BASELINE_AGENT_JAR = E.get("BASELINE_AGENT_JAR")
RULES_NO_MATCH = "KEEPALIVE_RULES=dir=out+addr=10.0.0.0/8+idle=30;dir=out+port=5432+keepalive=off;dir=in+port=9092+idle=20"
RULES_MATCH = "KEEPALIVE_RULES=dir=out+addr=127.0.0.0/8+idle=30"


def log(msg):
    sys.stderr.write("[benchmark %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def section_load():
    w("Load average (1/5/15 min) when this section began: %s." % load())
    w("")


def jvm(jdk, variant):
    """The command line of a variant up to (not including) the class path: env VARS java [-javaagent]."""
    java = os.path.join(JDKS[jdk], "bin", "java")
    env, opts = [], []
    if variant.startswith("agent"):
        env += KEEP_ENV
        opts.append("-javaagent:" + (BASELINE_AGENT_JAR if variant == "agent-main" else AGENT_JAR))
        if variant == "agent-rules":
            env.append(RULES_NO_MATCH)
        elif variant == "agent-rules-match":
            env.append(RULES_MATCH)
        elif variant == "agent-scan1":
            env.append("KEEPALIVE_SCAN=1")
        elif variant == "agent-scanoff":
            env.append("KEEPALIVE_SCAN=off")
        elif variant == "agent-skipped":
            env.append("KEEPALIVE_EXCLUDE=example.*")
    elif variant == "empty":
        opts.append("-javaagent:" + EMPTY_JAR)
    elif variant == "libkeepalive":
        env += KEEP_ENV + ["LD_PRELOAD=" + LIBKEEPALIVE]
    elif variant not in ("none", "self"):
        raise ValueError(variant)
    return ["env"] + env + [java] + opts


_seq = [0]


def run(cmd, timeout):
    """Runs one command; returns wall and CPU seconds, exit status, key=value lines of stdout, stderr text."""
    _seq[0] += 1
    out_path = os.path.join(TMP, "out-%d.txt" % _seq[0])
    err_path = os.path.join(TMP, "err-%d.txt" % _seq[0])
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        killed = []

        def kill():
            killed.append(True)
            try:
                os.kill(p.pid, signal.SIGKILL)  # only the process this driver started
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - start
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
    text = open(out_path, errors="replace").read()
    errtext = open(err_path, errors="replace").read()
    with open(RUNLOG, "a") as f:
        f.write("$ %s\n%s%s" % (" ".join(cmd), text, errtext))
    kv = dict(m.groups() for m in re.finditer(r"^(\w+)=(\S+)$", text, re.M))
    r = {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rc": p.returncode, "kv": kv, "out": text,
         "err": errtext, "killed": bool(killed)}
    os.unlink(out_path)
    os.unlink(err_path)
    return r


def must(r, what):
    if r["rc"] != 0:
        raise SystemExit("%s failed (exit %s%s); see the run log\n%s" % (
            what, r["rc"], ", killed after its time limit" if r["killed"] else "", r["err"][-2000:]))
    return r


def interleave(items, rounds, timeout, label):
    """items: list of (key, cmd). Runs `rounds` rounds, each running every item once in an order rotated
    by the round number. Returns {key: [result of round 0, round 1, ...]}."""
    res = {k: [] for k, _ in items}
    for rnd in range(rounds):
        log("%s: round %d/%d (load %s)" % (label, rnd + 1, rounds, load()))
        shift = rnd % len(items)
        for key, cmd in items[shift:] + items[:shift]:
            res[key].append(must(run(cmd, timeout), "%s %s" % (label, key)))
    return res


def spread(xs):
    xs = sorted(xs)
    med = statistics.median(xs)
    if len(xs) >= 4:
        q = statistics.quantiles(xs, n=4, method="inclusive")
        return med, xs[0], xs[-1], q[0], q[2]
    return med, xs[0], xs[-1], None, None


def fmt_ratio(xs, digits=2):
    med, lo, hi, q1, q3 = spread(xs)
    f = "%%.%df" % digits
    s = (f + " (" + f + "-" + f) % (med, lo, hi)
    if q1 is not None:
        s += (", IQR " + f + "-" + f) % (q1, q3)
    return s + ")"


def ratios(res, x, b, metric):
    return [metric(rx) / metric(rb) for rx, rb in zip(res[x], res[b])]


def med(xs):
    return statistics.median(xs)


def cpu(r):
    return r["cpu"]


def wall(r):
    return r["wall"]


def kvf(name):
    return lambda r: float(r["kv"][name])


def perf_counters(path):
    """The long counters of a JVM's hsperfdata file (-XX:+PerfDataSaveToFile): name -> value."""
    import struct
    with open(path, "rb") as f:
        b = f.read()
    e = "<" if b[4] == 1 else ">"
    # prologue: magic, byte order, major, minor, accessible, used, overflow, mod time stamp, entry offset, entries
    entry, count = struct.unpack(e + "ii", b[24:32])
    out = {}
    for _ in range(count):
        length, name_at, _, kind, _, _, _, data_at = struct.unpack(e + "iiicccbi", b[entry:entry + 20])
        name = b[entry + name_at:b.index(b"\0", entry + name_at)].decode()
        if kind == b"J":
            out[name] = struct.unpack(e + "q", b[entry + data_at:entry + data_at + 8])[0]
        entry += length
    return out


def jdk_version(jdk):
    out = subprocess.run([os.path.join(JDKS[jdk], "bin", "java"), "-XshowSettings:properties", "-version"],
                         capture_output=True, text=True).stderr
    m = re.search(r"java\.runtime\.version = (\S+)", out)
    v = re.search(r"java\.vm\.vendor = (.+)", out)
    return "%s (%s)" % (m.group(1) if m else "?", v.group(1).strip() if v else "?")


# ------------------------------------------------------------------------------------------------------
out = []
w = out.append
targets = []
t0 = time.monotonic()
load_start = load()
cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")

w("# keepalive-agent benchmark results")
w("")
w("Written by `benchmark/run` on %s." % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
w("")
w("- Command: `%s` (checkout at %s; its agent and examples jars)" % (
    E.get("BENCH_COMMAND", "benchmark/run"), E.get("AGENT_COMMIT", "?")))
w("- Machine: %d CPUs (%s), Linux %s; load average (1/5/15 min) at the start: %s (LOAD_END)." % (
    os.cpu_count(), cpu_model, os.uname().release, load_start))
w("- JDKs: jdk17 = %s; jdk25 = %s. libkeepalive: `%s` (Debian libkeepalive0 %s)." % (
    jdk_version("jdk17"), jdk_version("jdk25"), LIBKEEPALIVE, E.get("LIBKEEPALIVE_VERSION", "?")))
w("- Variants: **none**; **empty** = `-javaagent` whose premain does nothing (`benchmark/EmptyAgent.java`); "
  "**agent** = `-javaagent:keepalive-agent.jar` with KEEPIDLE=60 KEEPINTVL=10 KEEPCNT=5; "
  "**libkeepalive** = `LD_PRELOAD=libkeepalive.so` with the same variables; **self** = no agent, the "
  "program sets SO_KEEPALIVE and the same three options on both sockets through the JDK API "
  "(`Socket.setKeepAlive`, `setOption(ExtendedSocketOptions...)`).")
w("- Method: each run is a fresh JVM reaped with wait4(2): wall time and whole-process CPU (user+sys). "
  "Variants run in interleaved rounds (every variant once per round, the order rotated each round); a "
  "comparison X/B is the **median of the per-round ratios X_r/B_r**, shown as `median (min-max, IQR p25-p75)`. "
  "Loop programs also report the CPU of their measured phase alone (`/proc/self/stat`, 10 ms ticks), "
  "which leaves out JVM start-up and warm-up.")
w("")

# --- sanity -------------------------------------------------------------------------------------------
if "sanity" in SECTIONS:
    log("sanity: each variant does what it says (load %s)" % load())
    problems = []

    def expect(what, cmd, want, kinds):
        r = run(cmd, 120)
        for kind in kinds:
            line = next((l for l in r["out"].splitlines() if l.startswith(kind + " ")), "nothing")
            if want not in line:
                problems.append("- %s: expected `%s` on %s, got `%s`" % (what, want, kind, line))
                log("WARNING: %s: expected '%s' on %s, got '%s'" % (what, want, kind, line))

    for jdk in JDKS:
        for v in ("none", "empty", "agent", "libkeepalive"):
            expect("%s/%s EverySocketKind" % (jdk, v), jvm(jdk, v) + ["-cp", EXAMPLES_JAR, "example.EverySocketKind"],
                   WANT_ON if v in ("agent", "libkeepalive") else "keepalive=false",
                   ("socket.client", "socket.accepted"))
        expect("%s/self JdkLoop" % jdk, jvm(jdk, "self") + ["-cp", BENCH_CP, "bench.JdkLoop", "check", "self"],
               WANT_ON, ("client", "accepted"))
    for v in ("none", "agent", "libkeepalive"):
        expect("%s/%s NettyLoop (epoll)" % (NETTY_JDK, v), jvm(NETTY_JDK, v) + ["-cp", NETTY_CP, "bench.NettyLoop", "check"],
               "keepalive=false" if v == "none" else WANT_ON, ("client", "accepted"))
    w("Sanity check before measuring (options read back from the kernel on a client and an accepted socket: "
      "`example.EverySocketKind`, `bench.JdkLoop check self`, `bench.NettyLoop check`): "
      + ("every variant does what it says." if not problems else "**a variant did not do what it says; its "
                                                                 "numbers below are not those of a working variant:**"))
    w("")
    out.extend(problems)
    if problems:
        w("")

# --- start-up -----------------------------------------------------------------------------------------
if "startup" in SECTIONS:
    w("## Start-up: a one-connection program")
    w("")
    section_load()
    # (program, variant): OneSocket with and without agents; the agent told to skip the program (exclude);
    # NoSocket, a JVM that never makes a socket (the agent stays a name test per loaded class).
    cases = [("OneSocket", v) for v in ("none", "empty", "agent", "agent-skipped", "libkeepalive")] + \
            [("NoSocket", v) for v in ("none", "empty", "agent")]
    items = [((jdk, p, v), jvm(jdk, v) + ["-cp", EXAMPLES_JAR, "example." + p]) for jdk in JDKS for p, v in cases]
    interleave(items, 1, 60, "start-up warm-up")
    res = interleave(items, RUNS, 60, "start-up")
    classes = {}
    for jdk in JDKS:
        for p, v in cases:
            if v == "libkeepalive":
                continue
            path = os.path.join(TMP, "classes-%s-%s-%s.log" % (jdk, p, v))
            must(run(jvm(jdk, v) + ["-Xlog:class+load=info:file=" + path, "-cp", EXAMPLES_JAR, "example." + p], 60),
                 "class count")
            classes[(jdk, p, v)] = sum(1 for l in open(path) if " source: " in l)
    w("`java -cp keepalive-examples.jar example.OneSocket` (one loopback connection, then exit) and "
      "`example.NoSocket` (no socket at all), %d interleaved rounds over both JDKs and every row, after one "
      "warm-up round. Times are medians; ratios are medians of per-round ratios. **agent-skipped** = the "
      "agent with `KEEPALIVE_EXCLUDE=example.*`. **share over empty** = X/empty per round: what this agent "
      "costs over any `-javaagent`. Classes: lines of `-Xlog:class+load`." % RUNS)
    w("")
    w("| JDK | program | variant | wall ms | CPU ms | wall / none | CPU / none | wall / empty | CPU / empty | classes loaded |")
    w("|---|---|---|---:|---:|---|---|---|---|---:|")
    for jdk in JDKS:
        for p, v in cases:
            rs = res[(jdk, p, v)]
            none, empty = (jdk, p, "none"), (jdk, p, "empty")
            w("| %s | %s | %s | %.0f | %.0f | %s | %s | %s | %s | %s |" % (
                jdk, p, v, 1000 * med([r["wall"] for r in rs]), 1000 * med([r["cpu"] for r in rs]),
                fmt_ratio(ratios(res, (jdk, p, v), none, wall)) if v != "none" else "1",
                fmt_ratio(ratios(res, (jdk, p, v), none, cpu)) if v != "none" else "1",
                fmt_ratio(ratios(res, (jdk, p, v), empty, wall)) if v.startswith("agent") else "",
                fmt_ratio(ratios(res, (jdk, p, v), empty, cpu)) if v.startswith("agent") else "",
                classes.get((jdk, p, v), "")))
    w("")
    w("| JDK | case | share over empty, wall | share over empty, CPU | classes the agent loads (agent - empty) | target | result |")
    w("|---|---|---|---|---:|---|---|")
    for jdk in JDKS:
        for p, v, bar_wall, bar_cpu in (("OneSocket", "agent", 1.15, 1.30), ("OneSocket", "agent-skipped", 1.03, 1.03),
                                        ("NoSocket", "agent", None, None)):
            sw = ratios(res, (jdk, p, v), (jdk, p, "empty"), wall)
            sc = ratios(res, (jdk, p, v), (jdk, p, "empty"), cpu)
            name = "%s, %s" % (p, v)
            if bar_wall is None:
                ok, bar = None, "reported"
            else:
                ok = med(sw) <= bar_wall and med(sc) <= bar_cpu
                bar = "wall <= %.2f, CPU <= %.2f" % (bar_wall, bar_cpu)
                targets.append(("start-up, %s over an empty agent: %s, %s" % (name, bar, jdk), ok,
                                "wall %.2f, CPU %.2f" % (med(sw), med(sc))))
            w("| %s | %s | %s | %s | %d | %s | %s |" % (
                jdk, name, fmt_ratio(sw), fmt_ratio(sc), classes[(jdk, p, v)] - classes[(jdk, p, "empty")], bar,
                "-" if ok is None else ("met" if ok else "**not met**")))
    w("")
    # What the JVM itself counts (hsperfdata): where an agent's start-up goes that no timer inside it sees.
    counters = {}
    for jdk in JDKS:
        for v in ("none", "empty", "agent"):
            runs = []
            for i in range(5):
                path = os.path.join(TMP, "perf-%s-%s-%d" % (jdk, v, i))
                must(run(jvm(jdk, v) + ["-XX:+PerfDataSaveToFile", "-XX:PerfDataSaveFile=" + path, "-cp", EXAMPLES_JAR,
                                        "example.OneSocket"], 60), "JVM counters")
                runs.append(perf_counters(path))
            counters[(jdk, v)] = runs
    w("What the JVM counts in the same program (its own counters, `-XX:+PerfDataSaveToFile`, median of 5 runs "
      "each): the classes defined by class loaders other than the boot loader (the agent's, its launcher's, the "
      "program's), the time the JVM spent defining (parsing) and verifying them, linking and initialising "
      "classes (self time), and compiling methods (JIT threads, beside the program's).")
    w("")
    w("| JDK | variant | classes defined (non-boot) | their KB | define ms | verify ms | link ms | init ms | methods compiled | compile ms |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for jdk in JDKS:
        for v in ("none", "empty", "agent"):
            runs = counters[(jdk, v)]

            def c(name, ms=False):
                vals = [r.get(name, 0) * (1000.0 / r["sun.os.hrt.frequency"] if ms else 1) for r in runs]
                return med(vals)
            w("| %s | %s | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f | %.0f | %.1f |" % (
                jdk, v, c("sun.cls.defineAppClasses"), c("sun.cls.appClassBytes") / 1024.0,
                c("sun.cls.defineAppClassTime.self", True), c("sun.cls.classVerifyTime.self", True),
                c("sun.cls.classLinkedTime.self", True), c("sun.cls.classInitTime.self", True),
                c("sun.ci.totalCompiles"), c("sun.ci.standardTime", True) + c("sun.ci.osrTime", True)))
    w("")

# --- per connection: JDK path and Netty epoll path ----------------------------------------------------
if "connect" in SECTIONS:
    w("## Per connection: connect + accept + close on loopback")
    w("")
    section_load()
    jdk_variants = ("none", "agent", "libkeepalive", "self") + tuple(CONNECT_EXTRA)
    netty_variants = ("none", "agent", "libkeepalive") + tuple(CONNECT_EXTRA)
    items = []
    for jdk in CONNECT_JDKS:
        for v in jdk_variants:
            items.append((("jdk", jdk, v), jvm(jdk, v) + ["-cp", BENCH_CP, "bench.JdkLoop", str(WARMUP), str(MEASURED)]
                          + (["self"] if v == "self" else [])))
    for v in netty_variants:
        items.append((("netty", NETTY_JDK, v), jvm(NETTY_JDK, v) + ["-cp", NETTY_CP, "bench.NettyLoop",
                                                                  str(NETTY_WARMUP), str(NETTY_MEASURED)]))
    res = interleave(items, ROUNDS, 900, "connect loops")
    loop = kvf("loop_cpu_ms")
    w("JDK path: `bench.JdkLoop %d %d` (java.net.Socket + ServerSocket, one thread, like `example.ConnectLoop`). "
      "Netty path: `bench.NettyLoop %d %d` (Netty 4.2.13 epoll server and epoll client on one event loop). "
      "Warm-up connections first, then (once the JVM is 1.5 s old, so that an agent's own start-up work is over) the measured ones; %d interleaved rounds. **loop CPU** = CPU of the "
      "measured phase only, per connection (both ends: two sockets); **process CPU** = whole JVM, start-up "
      "and warm-up included." % (WARMUP, MEASURED, NETTY_WARMUP, NETTY_MEASURED, ROUNDS))
    w("")
    w("| path | JDK | variant | loop CPU us/conn | loop wall us/conn | loop CPU / none | loop CPU / libkeepalive | process CPU / none | process wall / none |")
    w("|---|---|---|---:|---:|---|---|---|---|")
    for key, _ in items:
        path, jdk, v = key
        n = MEASURED if path == "jdk" else NETTY_MEASURED
        rs = res[key]
        base, lib = (path, jdk, "none"), (path, jdk, "libkeepalive")
        w("| %s | %s | %s | %.1f | %.1f | %s | %s | %s | %s |" % (
            path, jdk, v, 1000 * med([loop(r) for r in rs]) / n, 1000 * med([float(r["kv"]["loop_wall_ms"]) for r in rs]) / n,
            fmt_ratio(ratios(res, key, base, loop), 3) if v != "none" else "1",
            fmt_ratio(ratios(res, key, lib, loop), 3) if v != "libkeepalive" else "1",
            fmt_ratio(ratios(res, key, base, cpu), 3) if v != "none" else "1",
            fmt_ratio(ratios(res, key, base, wall), 3) if v != "none" else "1"))
    w("")

    def overhead(path, jdk, v="agent"):
        n = MEASURED if path == "jdk" else NETTY_MEASURED
        return [1000 * (loop(a) - loop(b)) / n for a, b in zip(res[(path, jdk, v)], res[(path, jdk, "none")])]

    w("Loop CPU per round (ms, in the order run; each round ran every row once):")
    w("")
    w("| path | JDK | variant | " + " | ".join("r%d" % (i + 1) for i in range(ROUNDS)) + " |")
    w("|---|---|---|" + "---:|" * ROUNDS)
    for key, _ in items:
        w("| %s | %s | %s | %s |" % (key + (" | ".join("%.0f" % loop(r) for r in res[key]),)))
    w("")
    w("Overhead per connection (loop CPU of the variant minus none's, same round), microseconds:")
    w("")
    w("| path | JDK | agent | libkeepalive | self |")
    w("|---|---|---|---|---|")
    for jdk in CONNECT_JDKS:
        w("| jdk | %s | %s | %s | %s |" % (jdk, fmt_ratio(overhead("jdk", jdk)), fmt_ratio(overhead("jdk", jdk, "libkeepalive")),
                                          fmt_ratio(overhead("jdk", jdk, "self"))))
    w("| netty | %s | %s | %s | |" % (NETTY_JDK, fmt_ratio(overhead("netty", NETTY_JDK)),
                                      fmt_ratio(overhead("netty", NETTY_JDK, "libkeepalive"))))
    w("")
    for jdk in CONNECT_JDKS:
        r = ratios(res, ("jdk", jdk, "agent"), ("jdk", jdk, "libkeepalive"), loop)
        targets.append(("per-connection CPU <= libkeepalive's (JDK path), %s" % jdk, med(r) <= 1.0,
                        "agent/libkeepalive loop CPU %s" % fmt_ratio(r, 3)))
    r = ratios(res, ("netty", NETTY_JDK, "agent"), ("netty", NETTY_JDK, "libkeepalive"), loop)
    targets.append(("per-connection CPU <= libkeepalive's (Netty epoll), %s" % NETTY_JDK, med(r) <= 1.0,
                    "agent/libkeepalive loop CPU %s" % fmt_ratio(r, 3)))
    if NETTY_JDK in CONNECT_JDKS:
        on, oj = med(overhead("netty", NETTY_JDK)), med(overhead("jdk", NETTY_JDK))
        targets.append(("Netty per-connection overhead <= JDK path's, %s" % NETTY_JDK, on <= oj,
                        "agent - none: Netty %.1f us, JDK %.1f us (medians)" % (on, oj)))

# --- 10,000 idle connections: set-up cost, idle cost, the scan ----------------------------------------
if "idle" in SECTIONS:
    w("## %d idle connections in one JVM: opening them, holding them, the scan" % IDLE_COUNT)
    w("")
    section_load()
    jdk = NETTY_JDK
    variants = [("jdk", "none"), ("jdk", "agent-scanoff"), ("jdk", "agent-scan1"), ("netty", "none"),
                ("netty", "agent-scanoff")]
    items = [((k, v), jvm(jdk, v) + ["-cp", NETTY_CP if k == "netty" else BENCH_CP, "bench.IdleClient", k,
                                     str(IDLE_COUNT), str(IDLE_SECONDS)]) for k, v in variants]
    res = interleave(items, IDLE_ROUNDS, 600, "idle connections")
    setup, idle = kvf("setup_cpu_ms"), kvf("idle_cpu_ms")
    w("`bench.IdleClient jdk|netty %d %d` on %s: once the JVM is 1.5 s old, opens %d client connections one after another (java.net.Socket, "
      "or Netty epoll `Bootstrap.connect`, each started by the previous one's completion on the event loop) to a peer JVM of its own (no agent; it holds the far ends, so "
      "this JVM holds %d TCP descriptors), waits 1 s, then sleeps %d s. **set-up** = CPU of opening them; **idle** = "
      "CPU of the sleep. agent-scanoff = agent with KEEPALIVE_SCAN=off, agent-scan1 = with KEEPALIVE_SCAN=1 (a "
      "scan of /proc/self/fd every second). %d interleaved rounds." % (
          IDLE_COUNT, IDLE_SECONDS, jdk, IDLE_COUNT, IDLE_COUNT, IDLE_SECONDS, IDLE_ROUNDS))
    w("")
    w("| path | variant | set-up CPU us/conn | set-up CPU / none | idle CPU ms (%d s) | process CPU s |" % IDLE_SECONDS)
    w("|---|---|---:|---|---:|---:|")
    for key, _ in items:
        k, v = key
        rs = res[key]
        w("| %s | %s | %.1f | %s | %.0f | %.2f |" % (
            k, v, 1000 * med([setup(r) for r in rs]) / IDLE_COUNT,
            fmt_ratio(ratios(res, key, (k, "none"), setup), 3) if v != "none" else "1",
            med([idle(r) for r in rs]), med([r["cpu"] for r in rs])))
    w("")
    ov = {k: [1000 * (setup(a) - setup(b)) / IDLE_COUNT for a, b in zip(res[(k, "agent-scanoff")], res[(k, "none")])]
          for k in ("jdk", "netty")}
    # CPU per second of idle time that scan=1 adds; the scanning thread sleeps 1 s between scans, so with x
    # seconds of CPU per scan (one thread: CPU ~ its own time), c = x / (1 + x) and x = c / (1 - c).
    scan_c = [(idle(a) - idle(b)) / 1000 / IDLE_SECONDS for a, b in zip(res[("jdk", "agent-scan1")], res[("jdk", "agent-scanoff")])]
    scan_ms = [1000 * c / (1 - c) if c < 1 else float("inf") for c in scan_c]
    missed = [l for r in res[("jdk", "agent-scan1")] for l in r["err"].splitlines() if " found " in l]
    w("- Set-up overhead of the agent per connection (agent-scanoff minus none, same round): JDK path %s us, "
      "Netty epoll path %s us." % (fmt_ratio(ov["jdk"], 1), fmt_ratio(ov["netty"], 1)))
    w("- Scan cost with %d idle connections: KEEPALIVE_SCAN=1 adds %s of a core while idle (idle CPU of "
      "agent-scan1 minus agent-scanoff over %d s); the thread sleeps 1 s between scans, so that is **%s ms of CPU "
      "per scan** (%.1f us per descriptor), i.e. %.3f%% of one core at the default period (60 s)." % (
          IDLE_COUNT, fmt_ratio(scan_c, 3), IDLE_SECONDS, fmt_ratio(scan_ms, 0), 1000 * med(scan_ms) / IDLE_COUNT,
          100 * med(scan_ms) / (60000 + med(scan_ms))))
    w("- Nothing missed: %s" % ("no scan reported a socket without keepalive (every connection had been "
                                 "configured by a hook)." if not missed else "**the scan reported: %s**" % missed[0]))
    w("")
    targets.append(("Netty set-up overhead <= JDK path's (%d idle connections)" % IDLE_COUNT,
                    med(ov["netty"]) <= med(ov["jdk"]), "Netty %.1f us, JDK %.1f us per connection (medians)" % (
                        med(ov["netty"]), med(ov["jdk"]))))
    targets.append(("scan cost per period, %d connections (reported, no target)" % IDLE_COUNT, None,
                    "%.0f ms CPU per scan (median)" % med(scan_ms)))

# --- memory -------------------------------------------------------------------------------------------
if "memory" in SECTIONS:
    w("## No memory retained per socket")
    w("")
    section_load()
    w("`example.ConnectLoop 0 %d` with `-Xmx32m -Xlog:gc`, without and with the agent. A leak of %d bytes or "
      "more per connection (two sockets) would not fit in the heap and would end in OutOfMemoryError; smaller "
      "leaks are not proven absent by this run, but would show as a post-GC heap that climbs from the first "
      "GCs to the last." % (LEAK_COUNT, 32 * 1024 * 1024 // LEAK_COUNT))
    w("")
    w("| JDK | variant | result | GCs | heap after GC: first / last / max (MB) |")
    w("|---|---|---|---:|---|")
    gcline = re.compile(r"Pause.*?(\d+)([KMG])->(\d+)([KMG])\(\d+[KMG]\)")
    allok = True
    for jdk in JDKS:
        for v in ("none", "agent"):
            log("memory, %s/%s: example.ConnectLoop 0 %d with -Xmx32m (load %s)" % (jdk, v, LEAK_COUNT, load()))
            gc = os.path.join(TMP, "gc-%s-%s.log" % (jdk, v))
            r = run(jvm(jdk, v) + ["-Xmx32m", "-Xlog:gc:file=" + gc, "-cp", EXAMPLES_JAR, "example.ConnectLoop", "0",
                                   str(LEAK_COUNT)], 900)
            after = []
            if os.path.exists(gc):
                for l in open(gc):
                    m = gcline.search(l)
                    if m:
                        after.append(float(m.group(3)) * {"K": 1 / 1024, "M": 1, "G": 1024}[m.group(4)])
            ok = r["rc"] == 0 and (not after or after[-1] <= after[0] + 2)
            allok = allok and (ok or v == "none")
            w("| %s | %s | %s | %d | %s |" % (
                jdk, v, ("completed, %s" % r["out"].strip()) if r["rc"] == 0 else "**FAILED (exit %s)**" % r["rc"],
                len(after), "%.0f / %.0f / %.0f" % (after[0], after[-1], max(after)) if after else "no GC"))
    w("")
    targets.append(("no memory retained per socket (%d connections in -Xmx32m)" % LEAK_COUNT, allok, ""))

# --- targets ------------------------------------------------------------------------------------------
w("## Against the targets (reported, not asserted)")
w("")
w("| target | result | figures |")
w("|---|---|---|")
for name, ok, fig in targets:
    w("| %s | %s | %s |" % (name, "-" if ok is None else ("met" if ok else "**not met**"), fig))
w("")
w("Run took %.0f s." % (time.monotonic() - t0))
print("\n".join(out).replace("(LOAD_END)", "at the end: %s" % load()))
