#!/usr/bin/env bash
# `imsctl reg list|show` against a real S-CSCF (control socket, scscf/control.c), with the
# demo user registering through the P-CSCF and the I-CSCF (SIPp UE -> pcscf -> icscf ->
# scscf <-> hss), so the contact has a real Path and the P-CSCF's own reg-event
# subscription watches it:
#  - the socket is owner-only (0600); before any registration the list is empty;
#  - after the registration: `reg list` shows the IMPI, registered, 1 contact and both
#    IMPUs; `reg show IMPU` (and by the tel: IMPU, and by the IMPI) shows the contact URI,
#    its Path (the P-CSCF's), Call-ID/CSeq, source, expiry, and the subscription of the
#    P-CSCF (subscriber, version);
#  - --json output parses (jq) and carries the same values;
#  - an unknown identity fails with exit status 1, a bad command with 2, no daemon 1;
#  - after de-registration the list is empty again; on SIGTERM the socket file is removed.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init scscf_ctl_reg 330
lab_core scscf icscf pcscf
domain=ims.mnc001.mcc001.3gppnetwork.org
impi=001010000000001@$domain
impu=sip:$impi
tel=tel:+15550000001
imsctl=$IMSCORE_BINARY_DIR/bin/imsctl
reg() { "$imsctl" reg -c "$LAB_DIR/scscf.conf" --state-dir "$LAB_DIR/scscf" "$@"; }

sock=$LAB_DIR/scscf/scscf.ctl
[ -S "$sock" ] || lab_fail "no control socket at $sock"
lab_assert_eq "$(stat -c %a "$sock")" 600 "control socket mode"
out=$(reg list) || lab_fail "imsctl reg list failed on an idle S-CSCF"
lab_assert_eq "$out" "no registrations" "list before any registration"
lab_assert_eq "$(reg --json list)" "[]" "JSON list before any registration"

# Register through the P-CSCF; it then subscribes to the reg event on its own behalf.
lab_sipp ctl-register-pcscf.xml "$P_PORT"
lab_expect_log pcscf "reg-event subscription accepted" 10
lab_expect_log scscf "reg subscription [0-9]+ for $impu by sip:pcscf@[^ ]+ accepted" 10
out=$(reg list) || lab_fail "imsctl reg list failed"
echo "$out"
lab_assert_match "$(echo "$out" | head -1)" '^IMPI +STATE +CONTACTS +EXPIRES +IMPUS$' "table header"
row=$(echo "$out" | grep -F "$impi") || lab_fail "reg list does not show $impi"
lab_assert_match "$row" "^$impi +registered +1 +[0-9]+ +.*$impu" "list row of $impi"
lab_assert_match "$row" "tel:\\+15550000001" "implicit set in the list row"
lab_assert_eq "$(echo "$out" | wc -l)" 2 "one registration record"

show=$(reg show "$impu") || lab_fail "imsctl reg show $impu failed"
echo "$show"
lab_assert_match "$show" "impi +$impi" "record IMPI"
lab_assert_match "$show" "state +registered" "record state"
lab_assert_match "$show" "uri +sip:ue@127\\.0\\.0\\.1:$UE_PORT" "contact URI"
# (the registrar does not record the source address yet: the field is shown, maybe empty)
lab_assert_match "$show" "received +" "contact source field"
lab_assert_match "$show" "call_id +[^ -]" "contact Call-ID"
lab_assert_match "$show" "cseq +2" "contact CSeq (the second REGISTER)"
lab_assert_match "$show" "expires_in +[1-9][0-9]*" "contact expiry"
echo "$show" | grep -qx sub || lab_fail "no subscription block in reg show"
lab_assert_match "$show" "subscriber +sip:pcscf@" "subscriber of the reg event (the P-CSCF)"
lab_assert_match "$show" "path +<sip:term@pcscf\\.ims\\.mnc001\\.mcc001\\.3gppnetwork\\.org:$P_PORT;lr>" "Path of the contact"
lab_assert_match "$show" "version +[1-9][0-9]*" "reginfo version after the first NOTIFY"
# the same record by the other IMPU of the implicit set, and by the IMPI
lab_assert_match "$(reg show "$tel")" "impi +$impi" "record found by $tel"
lab_assert_match "$(reg show "$impi")" "impi +$impi" "record found by the IMPI"

# JSON: grouped record, contacts and subscriptions
json=$(reg --json show "$impu") || lab_fail "imsctl reg --json show failed"
lab_assert_eq "$(jq -r '.regs[0].impi' <<<"$json")" "$impi" "JSON impi"
lab_assert_eq "$(jq -r '.regs[0].contacts' <<<"$json")" 1 "JSON contact count (a number)"
lab_assert_match "$(jq -r '.contacts[0].uri' <<<"$json")" "^sip:ue@127\\.0\\.0\\.1:$UE_PORT" "JSON contact URI"
lab_assert_eq "$(jq -r '.subs | length' <<<"$json")" 1 "JSON subscriptions"
lab_assert_match "$(jq -r '.subs[0].subscriber' <<<"$json")" "^sip:pcscf@" "JSON subscriber"
lab_assert_eq "$(reg --json list | jq -r '.[0].state')" registered "JSON list state"

# Errors: unknown identity (1), usage (2), no daemon behind a socket (1).
set +e
err=$(reg show "sip:nobody@$domain" 2>&1); rc=$?
set -e
lab_assert_eq "$rc" 1 "exit status for an unknown identity"
lab_assert_match "$err" "no registration record" "message for an unknown identity"
set +e
reg frobnicate >/dev/null 2>&1; rc=$?
set -e
lab_assert_eq "$rc" 2 "exit status for an unknown command"
set +e
"$imsctl" reg --socket "$LAB_DIR/none.ctl" list >/dev/null 2>&1; rc=$?
set -e
lab_assert_eq "$rc" 1 "exit status without a daemon"

# De-registration: the record goes away.
lab_sipp pcscf-deregister.xml "$P_PORT"
lab_expect_log scscf "$impi de-registered $impu"
for _ in $(seq 1 50); do
    out=$(reg list) || lab_fail "imsctl reg list failed after de-registration"
    [ "$out" = "no registrations" ] && break
    sleep 0.2
done
lab_assert_eq "$out" "no registrations" "list after de-registration"

lab_stop scscf
[ ! -e "$sock" ] || lab_fail "control socket left behind after SIGTERM"
echo "PASS: imsctl reg"
