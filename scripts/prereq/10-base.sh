#!/usr/bin/env bash
# The forked-JVM tests run on two JDKs: the one running Maven (17) and a JDK 25, whose home comes
# from one variable, JDK25_HOME (scripts/jdk25-home prints it: JDK25_HOME if set, else the first
# JDK 25 installed at a known place; the parent pom passes it to the tests as -Djdk25.home). They
# also need ss (iproute2) for the kernel's view.
#
# A JDK 25 is installed from Debian's packages when the release has one (openjdk-25-jdk-headless:
# Debian 13 and later). Debian 12 has none (not in bookworm nor bookworm-backports; sid's needs
# glibc 2.38+): there the tests that fork a JDK 25 are skipped with the reason, except with CI=true,
# where they fail (CI's machine provides one, e.g. Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v ss >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null
fi

if jdk25=$(bash scripts/jdk25-home); then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  candidate=$(apt-cache policy openjdk-25-jdk-headless 2>/dev/null | sed -n 's/^ *Candidate: *//p')
  if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then
    echo "10-base: installing openjdk-25-jdk-headless $candidate (the second JDK of the forked-JVM tests)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-25-jdk-headless >/dev/null
    jdk25=$(bash scripts/jdk25-home) && exit 0
  fi
fi
echo "10-base: no JDK 25 here (set JDK25_HOME; this Debian release packages none): the tests that fork a" \
  "JDK 25 are skipped${CI:+, and fail with CI=true}" >&2
if [ "${CI:-}" = true ]; then
  exit 1
fi
