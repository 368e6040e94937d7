#!/usr/bin/env bash
# imsua without the CSCFs: exit code 3 and "no answer from P-CSCF" when nothing listens
# (UDP retransmissions then timeout; TCP connection refused), exit code 1 naming the
# cause when a SIPp registrar answers 403, exit code 2 on usage errors.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init imsua_sipp 710
ua=$IMSCORE_BINARY_DIR/bin/imsua
[ -x "$ua" ] || lab_fail "no $ua"
creds=(--impi "$LAB_DEMO_IMPI" --impu "$LAB_DEMO_IMPU" --k "$LAB_DEMO_K_HEX" --op "$LAB_DEMO_OP_HEX")

run_ua() { # run_ua EXPECTED_RC NAME ARGS... : stdout+stderr into $LAB_DIR/NAME.out
    local want=$1 name=$2 rc=0
    shift 2
    "$ua" "$@" >"$LAB_DIR/$name.out" 2>&1 || rc=$?
    [ "$rc" -eq "$want" ] || { cat "$LAB_DIR/$name.out" >&2; lab_fail "$name: imsua exit $rc, expected $want"; }
    UA_OUT=$(cat "$LAB_DIR/$name.out")
}

# Usage errors.
run_ua 2 usage-none
run_ua 2 usage-nokey register --impi a --impu sip:a@b --proxy 127.0.0.1:1
run_ua 2 usage-badk register "${creds[@]:0:4}" --k 1234 --op "$LAB_DEMO_OP_HEX" --proxy 127.0.0.1:1
lab_assert_match "$UA_OUT" 'invalid --k' "bad K named"

# Nothing listening: UDP times out after retransmitting, TCP is refused.
start=$(date +%s%N)
run_ua 3 timeout-udp register "${creds[@]}" --proxy "127.0.0.1:$UE_PORT" --timeout 1500
lab_assert_match "$UA_OUT" 'no answer from P-CSCF' "UDP timeout cause"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -ge 1400 ] && [ "$ms" -lt 6000 ] || lab_fail "UDP timeout took ${ms} ms, expected ~1500"
run_ua 3 timeout-tcp register "${creds[@]}" --proxy "127.0.0.1:$UE_PORT" --transport tcp --timeout 1500
lab_assert_match "$UA_OUT" 'no answer from P-CSCF' "TCP refused cause"

# A registrar that forbids: exit 1 with the code and reason.
for proto in udp tcp; do
    targs=()
    [ "$proto" = tcp ] && targs=(-t t1)
    lab_sipp_bg "$IMSCORE_SOURCE_DIR/tests/integration/imsua/uas-403.xml" "$P_PORT" "${targs[@]}"
    # uas* scenarios listen on AS_PORT (lab.sh).
    run_ua 1 forbidden-$proto register "${creds[@]}" --proxy "127.0.0.1:$AS_PORT" --transport $proto \
        --timeout 5000
    lab_assert_match "$UA_OUT" '^403 before challenge: Forbidden by test registrar' "403 cause ($proto)"
    lab_sipp_wait
done
echo "imsua_sipp: PASS"
