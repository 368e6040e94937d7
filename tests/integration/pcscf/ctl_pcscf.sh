#!/usr/bin/env bash
# `imsctl pcscf list` against a real P-CSCF (control socket, pcscf/control.c), the demo user
# registering through it (SIPp UE -> pcscf -> icscf -> scscf <-> hss) with sec-agree:
#  - the socket is owner-only (0600); before any registration the list is empty;
#  - after the registration: one UE with the demo IMPU and IMPI, registered, an expiry, its
#    UDP flow, sec-agree active with the UE's SPIs/ports (1111/2222, 5062/5064) and the
#    P-CSCF's, and the P-CSCF's own reg-event subscription active;
#  - --json output parses (jq) and carries the same values;
#  - after de-registration the list is empty; on SIGTERM the socket file is removed.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init pcscf_ctl 620
lab_core scscf icscf pcscf
domain=ims.mnc001.mcc001.3gppnetwork.org
impi=001010000000001@$domain
impu=sip:$impi
imsctl=$IMSCORE_BINARY_DIR/bin/imsctl
pl() { "$imsctl" pcscf -c "$LAB_DIR/pcscf.conf" --state-dir "$LAB_DIR/pcscf" "$@"; }

sock=$LAB_DIR/pcscf/pcscf.ctl
[ -S "$sock" ] || lab_fail "no control socket at $sock"
lab_assert_eq "$(stat -c %a "$sock")" 600 "control socket mode"
lab_assert_eq "$(pl list)" "no UEs" "list before any registration"

lab_sipp ctl-register-pcscf.xml "$P_PORT"
lab_expect_log pcscf "reg-event subscription accepted" 10
out=$(pl list) || lab_fail "imsctl pcscf list failed"
echo "$out"
lab_assert_match "$(echo "$out" | head -1)" '^IMPU +IMPI +STATE +EXPIRES +FLOW +SEC +SPIS +PORTS +REGSUB +CONTACT$' \
    "table header"
lab_assert_eq "$(echo "$out" | wc -l)" 2 "one UE"
row=$(echo "$out" | grep -F "$impu ") || lab_fail "pcscf list does not show $impu"
lab_assert_match "$row" "^$impu +$impi +registered +[1-9][0-9]* +udp:127\\.0\\.0\\.1:$UE_PORT +active " \
    "UE row: IMPU, IMPI, state, expiry, flow, sec-agree"
lab_assert_match "$row" " 1111/2222,[0-9]+/[0-9]+ +5062/5064,[0-9]+/[0-9]+ +active +sip:ue@127\\.0\\.0\\.1:$UE_PORT" \
    "UE row: SPIs, ports, reg subscription, contact"

json=$(pl --json list) || lab_fail "imsctl pcscf --json list failed"
lab_assert_eq "$(jq -r 'length' <<<"$json")" 1 "JSON: one UE"
lab_assert_eq "$(jq -r '.[0].impu' <<<"$json")" "$impu" "JSON impu"
lab_assert_eq "$(jq -r '.[0].sec' <<<"$json")" active "JSON sec"
lab_assert_eq "$(jq -r '.[0].mech' <<<"$json")" ipsec-3gpp "JSON mech"
lab_assert_eq "$(jq -r '.[0].alg' <<<"$json")" hmac-sha-1-96 "JSON alg"
lab_assert_eq "$(jq -r '.[0].reg_sub' <<<"$json")" active "JSON reg_sub"
lab_assert_match "$(jq -r '.[0].associated' <<<"$json")" "tel:\\+15550000001" "JSON associated URIs"
[ "$(jq -r '.[0].expires_in | type' <<<"$json")" = number ] || lab_fail "expires_in is not a JSON number"

set +e
pl show >/dev/null 2>&1; rc=$?
set -e
lab_assert_eq "$rc" 2 "exit status for an unknown command"

lab_sipp pcscf-deregister.xml "$P_PORT"
lab_expect_log pcscf "purged \(de-registered\)" 5
lab_assert_eq "$(pl list)" "no UEs" "list after de-registration"

lab_stop pcscf
[ ! -e "$sock" ] || lab_fail "control socket left behind after SIGTERM"
echo "PASS: imsctl pcscf"
