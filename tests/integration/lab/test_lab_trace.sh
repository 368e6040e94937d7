#!/usr/bin/env bash
# ./lab trace IMPU (issue #6): one trace id per registration (the P-CSCF's icid) in every
# CSCF's log lines, and the ordered cross-daemon story with its cause:
#  - imsua registers through pcscf -> icscf -> scscf <-> hss: the trace shows each daemon's
#    steps in order (REGISTER, UAR, MAR, challenge, SAR, registered) and "outcome: registered";
#  - the USIM is ahead of the HSS: "SQN resync";
#  - a wrong response (SIPp with a wrong key): "RES mismatch";
#  - an unknown user: "UAR 5001 user unknown".
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init lab_trace 50
lab_core hss scscf icscf pcscf
ua=$IMSCORE_BINARY_DIR/bin/imsua
creds=(--impi "$LAB_DEMO_IMPI" --impu "$LAB_DEMO_IMPU" --k "$LAB_DEMO_K_HEX" --op "$LAB_DEMO_OP_HEX")
trace() { LAB_DIR=$LAB_DIR "$IMSCORE_SOURCE_DIR/lab" trace "$@"; }

"$ua" register "${creds[@]}" --proxy "127.0.0.1:$P_PORT" --expires 600 >"$LAB_DIR/ua1.out" 2>&1 ||
    lab_fail "imsua register failed: $(cat "$LAB_DIR/ua1.out")"
out=$(trace "$LAB_DEMO_IMPU") || lab_fail "lab trace failed: $out"
echo "$out"
id=$(head -1 <<<"$out" | sed -nE 's/^trace ([0-9a-f]{32}): .*/\1/p')
[ -n "$id" ] || lab_fail "the trace id is not an icid: $(head -1 <<<"$out")"
for nf in pcscf icscf scscf; do
    grep -q "\[$id\]" "$LAB_DIR/$nf.log" || lab_fail "$nf.log never names the icid $id"
done
steps=$(awk '{ print $2 ":" $3 }' <<<"$out" | tr '\n' ' ')
lab_assert_match "$steps" 'pcscf:REGISTER .*icscf:UAR .*hss:UAR .*scscf:MAR .*hss:MAR .*scscf:challenged .*pcscf:REGISTER .*icscf:UAR .*scscf:SAR .*hss:SAR .*scscf:[^ ]+ .*pcscf:sip:' \
    "the steps of the registration in order across the four daemons"
lab_assert_eq "$(tail -1 <<<"$out")" "outcome: registered" "outcome"

"$ua" register "${creds[@]}" --proxy "127.0.0.1:$P_PORT" --sqn-ms 000200000000 >"$LAB_DIR/ua2.out" 2>&1 ||
    lab_fail "imsua resync failed: $(cat "$LAB_DIR/ua2.out")"
out=$(trace "$LAB_DEMO_IMPU") || true
lab_assert_match "$out" 'sent AUTS: resynchronising' "the AUTS step in the trace"
lab_assert_eq "$(tail -1 <<<"$out")" "outcome: registered after SQN resync" "outcome after resync"

lab_sipp scscf-register-reject.xml "$P_PORT" -key k "wrong-key-000001"
out=$(trace "$LAB_DEMO_IMPU") || true
lab_assert_eq "$(tail -1 <<<"$out")" "outcome: failed: RES mismatch" "outcome with a wrong response"

unknown=sip:001010999999999@$LAB_DOMAIN
"$ua" register --impi "001010999999999@$LAB_DOMAIN" --impu "$unknown" --k "$LAB_DEMO_K_HEX" \
    --op "$LAB_DEMO_OP_HEX" --proxy "127.0.0.1:$P_PORT" >"$LAB_DIR/ua3.out" 2>&1 && lab_fail "unknown user registered"
out=$(trace "$unknown") || true
echo "$out"
lab_assert_eq "$(tail -1 <<<"$out")" "outcome: failed: UAR 5001 user unknown" "outcome for an unknown user"
echo "PASS: lab trace"
