#!/usr/bin/env bash
# The network lab tests (integration-tests/.../it/lab) build network namespaces, veth pairs and an
# idle-timeout middlebox: they need root, ip and ss (iproute2), iptables and conntrack. This installs
# what is missing; without root it only says so (the lab tests are then skipped, or fail if CI=true).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
missing=()
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v ss >/dev/null 2>&1 || missing+=(iproute2)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
command -v conntrack >/dev/null 2>&1 || missing+=(conntrack)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" != 0 ]; then
  echo "network lab: not root, cannot install: $packages(the lab tests need root anyway)" >&2
  if [ "${CI:-}" = true ]; then
    exit 1
  fi
  exit 0
fi
echo "network lab: installing $packages"
apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
