#!/usr/bin/env bash
# imsua against the real hss + scscf (REGISTER sent straight to the S-CSCF): AKA
# registration (and SIP Digest for the second demo user), SQN resync (USIM far ahead of the HSS: AUTS, fresh 401, 200, and the HSS
# SQN moves past SQN_MS), wrong K (network MAC mismatch, exit 1), no server (exit 3).
# Exits 77 (ctest SKIP) while build/bin/scscf does not exist.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
for b in hss scscf imsctl imsua; do
    if [ ! -x "$IMSCORE_BINARY_DIR/bin/$b" ]; then
        echo "SKIP: $IMSCORE_BINARY_DIR/bin/$b not built"
        exit 77
    fi
done
lab_init imsua_scscf 700
ua=$IMSCORE_BINARY_DIR/bin/imsua
creds=(--impi "$LAB_DEMO_IMPI" --impu "$LAB_DEMO_IMPU" --k "$LAB_DEMO_K_HEX" --op "$LAB_DEMO_OP_HEX")

run_ua() { # run_ua EXPECTED_RC NAME ARGS...
    local want=$1 name=$2 rc=0
    shift 2
    "$ua" "$@" >"$LAB_DIR/$name.out" 2>&1 || rc=$?
    [ "$rc" -eq "$want" ] || { cat "$LAB_DIR/$name.out" >&2; lab_fail "$name: imsua exit $rc, expected $want"; }
    UA_OUT=$(cat "$LAB_DIR/$name.out")
}

lab_core hss scscf

# 1. Plain AKA registration, UDP then TCP.
run_ua 0 register-udp register "${creds[@]}" --proxy "127.0.0.1:$S_PORT" --expires 600
lab_assert_match "$UA_OUT" "registered $LAB_DEMO_IMPU" "UDP registration"
run_ua 0 register-tcp register "${creds[@]}" --proxy "127.0.0.1:$S_PORT" --transport tcp
lab_assert_match "$UA_OUT" "registered $LAB_DEMO_IMPU" "TCP registration"

# 1b. SIP Digest (MD5) user.
run_ua 0 register-md5 register --impi "$LAB_DEMO2_IMPI" --impu "$LAB_DEMO2_IMPU" \
    --password "$LAB_DEMO2_PASSWORD" --proxy "127.0.0.1:$S_PORT"
lab_assert_match "$UA_OUT" "registered $LAB_DEMO2_IMPU" "MD5 Digest registration"

# 2. Resync: the USIM has seen SQN 0x000100000000, far ahead of the HSS.
sqn_ms=000100000000
run_ua 0 resync register "${creds[@]}" --proxy "127.0.0.1:$S_PORT" --sqn-ms $sqn_ms
lab_assert_match "$UA_OUT" 'SQN resync performed' "resync announced"
lab_assert_match "$UA_OUT" "registered $LAB_DEMO_IMPU" "registered after resync"
show=$(lab_imsctl subscriber show "$LAB_DEMO_IMPI")
hss_sqn=$(grep -io 'sqn[^0-9a-f]*[0-9a-f]\{12\}' <<<"$show" | grep -o '[0-9a-fA-F]\{12\}$' | head -1)
[ -n "$hss_sqn" ] || lab_fail "no SQN in imsctl subscriber show: $show"
[ $((16#$hss_sqn)) -gt $((16#$sqn_ms)) ] || lab_fail "HSS SQN $hss_sqn not past SQN_MS $sqn_ms"

# 3. Wrong K: the UE refuses the network.
run_ua 1 wrong-k register --impi "$LAB_DEMO_IMPI" --impu "$LAB_DEMO_IMPU" \
    --k 00112233445566778899aabbccddeeff --op "$LAB_DEMO_OP_HEX" --proxy "127.0.0.1:$S_PORT"
lab_assert_match "$UA_OUT" '401 loop: network MAC mismatch \(wrong K/OP\?\)' "MAC mismatch cause"

# 4. No server listening.
run_ua 3 no-server register "${creds[@]}" --proxy "127.0.0.1:$((S_PORT + 5))" --timeout 1500
lab_assert_match "$UA_OUT" 'no answer from P-CSCF' "timeout cause"
echo "imsua_scscf: PASS"
