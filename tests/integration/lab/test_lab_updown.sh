#!/usr/bin/env bash
# Self-test of `./lab up|down|status|ctl` (offsets 30 and 40): two labs with their own
# LAB_DIR and LAB_PORT_OFFSET run side by side and do not disturb each other.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=${IMSCORE_SOURCE_DIR:-$HERE/../../..}
BIN=${IMSCORE_BINARY_DIR:-$SRC/build}
A=$BIN/lab/updown-a
B=$BIN/lab/updown-b

fail() {
    printf 'lab_updown: FAIL: %s\n' "$*" >&2
    for f in "$A/hss.log" "$B/hss.log"; do
        [ -f "$f" ] && { echo "----- $f" >&2; tail -n 20 "$f" >&2; }
    done
    exit 1
}
lab() { # lab DIR OFFSET ARGS...: ./lab on a prebuilt tree
    local dir=$1 off=$2
    shift 2
    LAB_SKIP_BUILD=1 BUILD_DIR=$BIN LAB_DIR=$dir LAB_PORT_OFFSET=$off "$SRC/lab" "$@"
}
# alive PID: running and not a zombie (a daemon of `./lab up` is re-parented when ./lab exits;
# whoever inherits it may reap it late).
alive() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]; }
# The pid that status reports for NF, or nothing.
status_pid() { sed -n "s/^$2 *running *pid \\([0-9]*\\).*/\\1/p" <<<"$1"; }

cleanup() {
    lab "$A" 30 down >/dev/null 2>&1 || true
    lab "$B" 40 down >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
rm -rf "$A" "$B"

up_a=$(lab "$A" 30 up 2>&1) || fail "./lab up (A) failed: $up_a"
up_b=$(lab "$B" 40 up 2>&1) || fail "./lab up (B) failed: $up_b"
for want in "hss *pid [0-9]+ *Diameter 127\\.0\\.0\\.1:13898" "IMPI  001010000000001@ims\\.mnc001" \
    "K     696d73636f72652d64656d6f2d6b3031" "sipp -sf .*uac-register-aka\\.xml"; do
    grep -Eq -- "$want" <<<"$up_a" || fail "./lab up output lacks /$want/: $up_a"
done
for d in scscf icscf pcscf; do
    if [ ! -x "$BIN/bin/$d" ]; then
        grep -Eq "not (written yet|built).*$d" <<<"$up_a" || fail "./lab up does not say $d is missing"
    fi
done

st_a=$(lab "$A" 0 status) # the offset of `up` is remembered; 0 here must not matter
st_b=$(lab "$B" 0 status)
pa=$(status_pid "$st_a" hss)
pb=$(status_pid "$st_b" hss)
{ [ -n "$pa" ] && [ -n "$pb" ]; } || fail "status does not show both HSSs running: $st_a / $st_b"
[ "$pa" != "$pb" ] || fail "both labs report the same hss pid"
grep -q 'Diameter 127.0.0.1:13898' <<<"$st_a" || fail "status A: wrong port: $st_a"
grep -q 'Diameter 127.0.0.1:13908' <<<"$st_b" || fail "status B: wrong port: $st_b"
ss -Hltn 'sport = :13898' | grep -q . || fail "nothing listens on 13898"
ss -Hltn 'sport = :13908' | grep -q . || fail "nothing listens on 13908"

# The printed SIPp command line works: with a CSCF up it registers the demo user (one retry
# for SIPp 3.6.1's RES-with-0x00 bug); with only the HSS it must time out, not stop on a
# scenario or keyword error.
cmd=$(grep -E '^  sipp -sf ' <<<"$up_a" | sed 's/^  //')
if [ -x "$IMSCORE_BINARY_DIR/bin/icscf" ] && [ -x "$IMSCORE_BINARY_DIR/bin/scscf" ]; then
    run() { (cd "$A" && eval "timeout 30 $cmd -timeout 20s -timeout_error -nostdin" 2>&1); }
    out=$(run) || out=$(run) || fail "the printed SIPp command did not register: $cmd
$out"
else
    out=$(cd "$A" && eval "timeout 10 $cmd -timeout 1s -timeout_error -nostdin" 2>&1) || true
    grep -q 'timed out' <<<"$out" || fail "the printed SIPp command did not run: $cmd
$out"
fi

# Provisioning reaches the lab's own store.
lab "$A" 0 ctl subscriber list | grep -q '^001010000000001@' || fail "./lab ctl subscriber list (A)"
lab "$A" 0 ctl subscriber del 001010000000002@ims.mnc001.mcc001.3gppnetwork.org >/dev/null
lab "$B" 0 ctl subscriber list | grep -q '^001010000000002@' || fail "deleting in A changed B's store"

again=$(lab "$A" 30 up 2>&1) || fail "a second ./lab up failed: $again"
grep -q 'already up' <<<"$again" || fail "a second ./lab up did not say 'already up': $again"
[ "$(status_pid "$(lab "$A" 0 status)" hss)" = "$pa" ] || fail "a second ./lab up restarted hss"

down_a=$(lab "$A" 0 down 2>&1) || fail "./lab down (A): $down_a"
grep -q "stopped hss (pid $pa)" <<<"$down_a" || fail "./lab down (A) output: $down_a"
alive "$pa" && fail "hss of A still alive after down"
left=$(pgrep -af -- "$A/" || true)
[ -z "$left" ] || fail "processes of lab A left after ./lab down: $left"
grep -Eq '^hss +stopped' <<<"$(lab "$A" 0 status)" || fail "status A after down"
[ "$(status_pid "$(lab "$B" 0 status)" hss)" = "$pb" ] || fail "./lab down of A disturbed B"
alive "$pb" || fail "hss of B died"
grep -q 'nothing running' <<<"$(lab "$A" 0 down 2>&1)" || fail "a second down (A) should find nothing"

lab "$B" 0 down >/dev/null 2>&1
alive "$pb" && fail "hss of B still alive after down"
left=$(pgrep -af -- "$B/" || true)
[ -z "$left" ] || fail "processes of lab B left after ./lab down: $left"
echo "lab up/down/status self-test passed"
