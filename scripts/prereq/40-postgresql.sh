#!/usr/bin/env bash
# PgJdbcTest (integration-tests, it/thirdparty) runs a real PostgreSQL server: Debian's `postgresql`
# package. The test makes its own cluster (initdb into a temporary directory, started as the
# postgres user on 127.0.0.1 and a free port, stopped at the end), so the system's cluster is
# neither needed nor wanted: this installs the package WITHOUT creating or starting the "main"
# cluster. Idempotent: nothing to do when a server (initdb + postgres) is already installed.
#
# Side effects on a fresh machine: the packages postgresql-common, postgresql (15 on Debian 12),
# the postgres user, and `create_main_cluster = false` in /etc/postgresql-common/createcluster.conf
# (so that installing postgresql-N creates no cluster; later `pg_createcluster` calls still work).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
shopt -s nullglob
for initdb in /usr/lib/postgresql/*/bin/initdb; do
  if [ -x "$initdb" ] && [ -x "$(dirname "$initdb")/postgres" ] && command -v setpriv >/dev/null 2>&1; then
    exit 0
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "40-postgresql: not root, cannot install postgresql (PgJdbcTest needs root anyway)" >&2
  if [ "${CI:-}" = true ]; then
    exit 1
  fi
  exit 0
fi
echo "40-postgresql: installing postgresql (no system cluster is created or started)"
apt-get update -qq
# No service may start while packages are installed (a machine with systemd or sysv-rc): a
# policy-rc.d that denies every action, removed again afterwards unless one was there before.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=true
fi
cleanup() { if $own_policy; then rm -f "$policy"; fi; }
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-common util-linux >/dev/null
conf=/etc/postgresql-common/createcluster.conf
if grep -Eq '^[#[:space:]]*create_main_cluster' "$conf"; then
  sed -i -E 's/^[#[:space:]]*create_main_cluster.*/create_main_cluster = false/' "$conf"
else
  echo 'create_main_cluster = false' >>"$conf"
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
ls /usr/lib/postgresql/*/bin/initdb >/dev/null
echo "40-postgresql: installed $(ls -d /usr/lib/postgresql/*/bin | tr '\n' ' ')"
