#!/bin/bash
# `npm run test:openstack`: the OpenStack provider contract against the simulator (local/openstack) and
# against a real control plane on this machine (up.sh; Debian's OpenStack Zed on 127.0.0.1).
#
# Brings the control plane up when Keystone does not answer (installing the packages only the first time),
# seeds the contract's fixtures, runs both suites (both always run), and brings down what it started.
# Needs root (up.sh installs packages and starts daemons as their service users).
#   KEEP_UP=1     leave a control plane this script started running
#   BASE=dir      state folder of up.sh (default /var/tmp/openstack-dev)
# Other knobs (WITH_OCTAVIA, CINDER_BACKEND, …) are up.sh's, see README.md.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export BASE=${BASE:-/var/tmp/openstack-dev}
KS=http://127.0.0.1:5000/v3
now() { date +%s.%N; }
since() { printf '%.1f' "$(echo "$(now) - $1" | bc)"; }

if [ "$(id -u)" != 0 ]; then
  echo "test:openstack: needs root (test/openstack/up.sh installs Debian packages and starts the daemons)" >&2
  exit 2
fi

started=
cleanup() {
  if [ -n "$started" ] && [ -z "${KEEP_UP:-}" ]; then
    t=$(now); "$HERE/down.sh"; echo "[run] control plane down in $(since "$t")s"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if curl -s -o /dev/null -m 5 "$KS" && [ -f "$BASE/admin-openrc.sh" ]; then
  echo "[run] a control plane already answers at $KS: using it (and leaving it up)"
else
  # up.sh skips apt by itself when every package is there; SKIP_INSTALL=1 makes that explicit.
  inst=1
  pkgs="keystone placement-api glance-api nova-api nova-compute neutron-server cinder-api cinder-volume python3-openstackclient"
  [ "${WITH_OCTAVIA:-1}" = 1 ] && pkgs="$pkgs octavia-api octavia-worker"
  for p in $pkgs; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || inst=; done
  [ -z "$inst" ] && echo "[run] OpenStack packages missing: up.sh installs them (≈170 s)"
  t=$(now); started=1
  SKIP_INSTALL=$inst bash "$HERE/up.sh" || { echo "[run] up.sh failed after $(since "$t")s; logs in $BASE/logs" >&2; exit 1; }
  echo "[run] control plane up in $(since "$t")s"
fi

t=$(now)
bash "$HERE/seed.sh" || { echo "[run] seeding failed" >&2; exit 1; }
echo "[run] fixtures seeded in $(since "$t")s"

cd "$ROOT" || exit 1
rc=0
t=$(now)
npx vitest run test/integration/openstack-contract.test.ts || rc=1
echo "[run] contract on the simulator: $(since "$t")s ($([ $rc = 0 ] && echo passed || echo FAILED))"

t=$(now); rr=0
( set -a; . "$BASE/admin-openrc.sh"; set +a; exec npx vitest run -c vitest.openstack.config.ts ) || rr=1
echo "[run] contract on the real OpenStack: $(since "$t")s ($([ $rr = 0 ] && echo passed || echo FAILED))"
exit $(( rc | rr ))
