#!/usr/bin/env bash
# The container tests (JDK 8, 11, 17, 21, 25, 26, 27 in Docker, via Testcontainers) need a Docker engine
# and a locally built test image: no image registry is reachable, so nothing is ever pulled.
#
#   bash scripts/prereq/30-docker.sh          # install if missing, start dockerd if none runs, build the image
#   bash scripts/prereq/30-docker.sh --stop   # stop the dockerd this script started (and nothing else)
#
# 1. Installs docker.io and debootstrap (Debian packages) if they are missing.
# 2. If no Docker engine answers, starts dockerd in the background and records its pid in
#    /run/keepalive-agent-dockerd.pid (log: /var/log/keepalive-agent-dockerd.log). It keeps running
#    after this script, for the `mvn verify` that scripts/test runs next; --stop ends it.
# 3. Builds the test image with scripts/build-test-images (reused when already built).
#
# Side effects on the host. dockerd with Docker's defaults sets the iptables FORWARD policy to
# DROP, turns on net.ipv4.ip_forward=1, adds NAT rules and a docker0 bridge (172.17.0.0/16). The
# dockerd started here avoids all of that: --bridge=none --iptables=false --ip-forward=false
# --ip-masq=false, so containers get only their own loopback (the tests also run them with
# network mode "none"), and the host's firewall and forwarding stay as they were. What stays:
# /var/lib/docker (the image, ~1.1 GB) and /var/run/docker*. A Docker engine that was already
# running (e.g. docker.service, which installing docker.io starts on a machine with systemd) is
# used as it is, with whatever side effects its own configuration has.
set -euo pipefail
cd "$(dirname "$0")/../.."

pidfile=/run/keepalive-agent-dockerd.pid
logfile=/var/log/keepalive-agent-dockerd.log

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "dockerd" ]; then
      kill "$pid"
      for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
      echo "30-docker: stopped dockerd (pid $pid)"
    fi
    rm -f "$pidfile"
  else
    echo "30-docker: no dockerd started by this script is recorded ($pidfile)"
  fi
  exit 0
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  echo "30-docker: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null
fi

if docker info >/dev/null 2>&1; then
  echo "30-docker: a Docker engine is running; using it"
else
  # A dockerd that was killed (a session's processes end before CI runs) leaves its pid file; a
  # new dockerd refuses to start while any process has that pid, so drop it unless it is a dockerd.
  stale=$(cat /var/run/docker.pid 2>/dev/null || true)
  if [ -n "$stale" ] && [ "$(cat "/proc/$stale/comm" 2>/dev/null)" != "dockerd" ]; then
    rm -f /var/run/docker.pid
  fi
  echo "30-docker: starting dockerd (no bridge, no iptables changes; log $logfile)"
  setsid dockerd --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    </dev/null >>"$logfile" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 300); do
    docker info >/dev/null 2>&1 && break
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      tail -n 20 "$logfile" >&2
      rm -f "$pidfile"
      echo "30-docker: dockerd exited" >&2
      exit 1
    fi
    sleep 0.1
  done
  docker info >/dev/null 2>&1 || { tail -n 20 "$logfile" >&2; echo "30-docker: dockerd did not answer in 30 s" >&2; exit 1; }
  echo "30-docker: dockerd is running (pid $(cat "$pidfile"); stop it with: bash $0 --stop)"
fi

bash scripts/build-test-images
