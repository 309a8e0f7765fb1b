#!/bin/bash
# `npm run test:openstack`: the OpenStack provider contract against the simulator (local/openstack) and
# against a real control plane on this machine (up.sh; Debian's OpenStack Zed on 127.0.0.1).
#
# 1. the contract on the simulator (needs nothing else);
# 2. up.sh unless every daemon of a previous up.sh is alive and Keystone answers (up.sh is idempotent and
#    installs the packages only the first time), then seed.sh (idempotent);
# 3. the contract on the real cloud;
# 4. RUN_EXTRA: `bash -c "$RUN_EXTRA"` from the repository root with the cloud's openrc exported
#    (OS_AUTH_URL, OS_USERNAME…, plus OPENSTACK_OPENRC and BASE), e.g. an end-to-end suite that runs
#    `npm run dev` against the real cloud inside the same up/down window. Unset, it runs the other
#    `test/openstack/*.spec.ts` (every one but real-openstack.spec.ts) with vitest.openstack.config.ts, if
#    any; RUN_EXTRA= (empty) runs nothing;
# 5. down.sh (stops exactly what up.sh started), whatever happened, unless KEEP_UP=1.
# Every step has a time limit: nothing hangs. Exit status 0 only when every step passed.
# Needs root (up.sh installs packages and starts daemons as their service users).
#
#   KEEP_UP=1            leave the control plane running at the end
#   BASE=dir             state folder of up.sh (default /var/tmp/openstack-dev)
#   REPORT_DIR=dir       write vitest JSON reports there: openstack-sim.json, openstack-real.json (a failed
#                        bring-up writes openstack-real.json with one failed test saying why) and, for the
#                        default RUN_EXTRA, openstack-extra.json; RUN_EXTRA sees REPORT_DIR too (a failed
#                        RUN_EXTRA that wrote no openstack-extra.json gets one with one failed test)
#   UP_TIMEOUT=s         install + bring-up (default 1200), SEED_TIMEOUT (300), TEST_TIMEOUT per vitest run
#                        (900), RUN_EXTRA_TIMEOUT (1800), DOWN_TIMEOUT (300)
# Other knobs (WITH_OCTAVIA, CINDER_BACKEND, …) are up.sh's, see README.md.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export BASE=${BASE:-/var/tmp/openstack-dev}
OPENRC=$BASE/admin-openrc.sh
KS=http://127.0.0.1:5000/v3
UP_TIMEOUT=${UP_TIMEOUT:-1200}
SEED_TIMEOUT=${SEED_TIMEOUT:-300}
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
RUN_EXTRA_TIMEOUT=${RUN_EXTRA_TIMEOUT:-1800}
DOWN_TIMEOUT=${DOWN_TIMEOUT:-300}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "[run] $*"; }
# limit SECONDS CMD...: the command, killed (TERM, then KILL 30 s later) past its time; 124 on timeout.
limit() { local s=$1; shift; timeout --kill-after=30 "$s" "$@"; }

if [ "$(id -u)" != 0 ]; then
  echo "test:openstack: needs root (test/openstack/up.sh installs Debian packages and starts the daemons)" >&2
  exit 2
fi
[ -n "${REPORT_DIR:-}" ] && mkdir -p "$REPORT_DIR" && REPORT_DIR=$(cd "$REPORT_DIR" && pwd) && export REPORT_DIR

# vitest reporters: the default one, plus JSON into $REPORT_DIR/<name>.json when REPORT_DIR is set.
reporters() { [ -n "${REPORT_DIR:-}" ] && echo "--reporter=default --reporter=json --outputFile.json=$REPORT_DIR/$1.json"; }
# A vitest-shaped JSON report of one failed test, for a step that failed before vitest could run.
failed_report() { # failed_report NAME TITLE MESSAGE
  [ -n "${REPORT_DIR:-}" ] || return 0
  NAME=$2 MSG=$3 node -e '
    const f = { ancestorTitles: [], title: process.env.NAME, fullName: process.env.NAME, status: "failed", failureMessages: [process.env.MSG] };
    const r = { numTotalTests: 1, numPassedTests: 0, numFailedTests: 1, numFailedTestSuites: 1, success: false,
      testResults: [{ name: "test/openstack/run.sh", status: "failed", message: process.env.MSG, assertionResults: [f] }] };
    process.stdout.write(JSON.stringify(r));' > "$REPORT_DIR/$1.json"
}

cleanup() {
  if [ -z "${KEEP_UP:-}" ] && ls "$BASE"/run/*.pid >/dev/null 2>&1; then
    local t; t=$(now)
    limit "$DOWN_TIMEOUT" bash "$HERE/down.sh" >/dev/null || say "down.sh did not finish cleanly"
    say "control plane down in $(since "$t")s"
  elif [ -n "${KEEP_UP:-}" ]; then
    say "KEEP_UP=1: control plane left running (stop it with BASE=$BASE $HERE/down.sh)"
  fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

cd "$ROOT" || exit 1
rc=0

# 1. the simulator
t=$(now); rs=0
# shellcheck disable=SC2046
limit "$TEST_TIMEOUT" npx vitest run test/integration/openstack-contract.test.ts $(reporters openstack-sim) || rs=1
say "contract on the simulator: $(since "$t")s ($([ $rs = 0 ] && echo passed || echo FAILED))"
rc=$((rc | rs))

# 2. the real control plane
all_alive() {
  local f n=0
  for f in "$BASE"/run/*.pid; do
    [ -e "$f" ] || return 1
    kill -0 "$(cat "$f")" 2>/dev/null || return 1
    n=$((n + 1))
  done
  [ "$n" -gt 0 ]
}
up_ok=1
if all_alive && curl -s -o /dev/null -m 5 "$KS" && [ -f "$OPENRC" ]; then
  say "a control plane of up.sh already answers at $KS: using it"
else
  inst=1
  pkgs="keystone placement-api glance-api nova-api nova-compute neutron-server cinder-api cinder-volume python3-openstackclient"
  [ "${WITH_OCTAVIA:-1}" = 1 ] && pkgs="$pkgs octavia-api octavia-worker"
  for p in $pkgs; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || inst=; done
  [ -z "$inst" ] && say "OpenStack packages missing: up.sh installs them (≈3 min)"
  t=$(now)
  MARK=$(mktemp); trap 'rm -f "$MARK"; cleanup' EXIT
  SKIP_INSTALL=$inst limit "$UP_TIMEOUT" bash "$HERE/up.sh"
  st=$?
  if [ $st = 0 ]; then
    say "control plane up in $(since "$t")s"
  else
    why="up.sh exited $st after $(since "$t")s$([ $st = 124 ] && echo " (time limit UP_TIMEOUT=${UP_TIMEOUT}s)")"
    say "FAILED to bring up the real OpenStack: $why; logs in $BASE/logs"
    # the last error lines of the daemon logs written during this attempt
    [ -d "$BASE/logs" ] && find "$BASE/logs" -name '*.log' -newer "$MARK" 2>/dev/null | while read -r f; do
      errs=$(grep -E ' (ERROR|CRITICAL) |^[A-Za-z.]*(Error|Exception):' "$f" | tail -n 5)
      [ -n "$errs" ] && printf -- '--- %s\n%s\n' "$f" "$errs"
    done | tail -n 60
    failed_report openstack-real "bring up the real OpenStack (test/openstack/up.sh)" "$why; logs in $BASE/logs"
    up_ok=
  fi
fi

if [ -n "$up_ok" ]; then
  t=$(now)
  if limit "$SEED_TIMEOUT" bash "$HERE/seed.sh"; then
    say "fixtures seeded in $(since "$t")s"
  else
    say "FAILED: seeding the real OpenStack (seed.sh) after $(since "$t")s"
    failed_report openstack-real "seed the real OpenStack (test/openstack/seed.sh)" "seed.sh failed after $(since "$t")s"
    up_ok=
  fi
fi

# 3. the contract on the real cloud
if [ -n "$up_ok" ]; then
  t=$(now); rr=0
  # shellcheck disable=SC2046
  ( set -a; . "$OPENRC"; set +a; exec timeout --kill-after=30 "$TEST_TIMEOUT" npx vitest run -c vitest.openstack.config.ts test/openstack/real-openstack.spec.ts $(reporters openstack-real) ) || rr=1
  say "contract on the real OpenStack: $(since "$t")s ($([ $rr = 0 ] && echo passed || echo FAILED))"
  rc=$((rc | rr))
else
  rc=1
fi

# 4. another suite inside the same up/down window
if [ -z "${RUN_EXTRA+set}" ]; then
  extra_specs=$(find test/openstack -maxdepth 1 -name '*.spec.ts' ! -name real-openstack.spec.ts | sort | tr '\n' ' ')
  [ -n "$extra_specs" ] && RUN_EXTRA="npx vitest run -c vitest.openstack.config.ts $extra_specs$(reporters openstack-extra)"
fi
if [ -n "${RUN_EXTRA:-}" ]; then
  if [ -n "$up_ok" ]; then
    t=$(now); rx=0
    say "RUN_EXTRA: $RUN_EXTRA"
    ( set -a; . "$OPENRC"; set +a; export OPENSTACK_OPENRC=$OPENRC BASE; exec timeout --kill-after=30 "$RUN_EXTRA_TIMEOUT" bash -c "$RUN_EXTRA" ) || rx=$?
    say "RUN_EXTRA: $(since "$t")s ($([ $rx = 0 ] && echo passed || echo "FAILED, exit $rx$([ $rx = 124 ] && echo ": time limit RUN_EXTRA_TIMEOUT=${RUN_EXTRA_TIMEOUT}s")"))"
    if [ $rx != 0 ]; then
      rc=1
      [ -n "${REPORT_DIR:-}" ] && [ ! -f "$REPORT_DIR/openstack-extra.json" ] &&
        failed_report openstack-extra "RUN_EXTRA: $RUN_EXTRA" "exit $rx$([ $rx = 124 ] && echo " (time limit RUN_EXTRA_TIMEOUT=${RUN_EXTRA_TIMEOUT}s)")"
    fi
  else
    # already counted as the one failure of the bring-up
    say "RUN_EXTRA not run: no real OpenStack"
  fi
fi

exit $rc
