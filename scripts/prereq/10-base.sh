#!/usr/bin/env bash
# The forked-JVM tests need a second JDK (Temurin 25) and ss (iproute2) for the kernel's view.
set -euo pipefail
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$jdk25/bin/java" ]; then
  echo "JDK 25 not found at $jdk25 (set JDK25_HOME); the tests run on JDK 17 and 25" >&2
  exit 1
fi
if ! command -v ss >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null
fi
