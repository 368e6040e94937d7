#!/usr/bin/env bash
# S-CSCF durability (issue #4): registrations and reg-event subscriptions are in SQLite before
# the 200 leaves, and a restarted S-CSCF (after kill -9) serves them:
#  - after register + SUBSCRIBE, the store holds the record, its contact and the subscription;
#  - kill -9, restart: "restored 1 registrations and 1 reg subscriptions", the contact keeps its
#    absolute expiry;
#  - the next REGISTER is a re-registration (SAR type RE_REGISTRATION = 2), not a first one;
#  - de-registration sends the restored subscription a terminated NOTIFY in the same dialog
#    (same Call-ID, CSeq one above the last NOTIFY before the crash);
#  - the store is empty afterwards and the capture decodes cleanly.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init scscf_restart 360
lab_capture_start
lab_core hss scscf
domain=ims.mnc001.mcc001.3gppnetwork.org
impi=001010000000001@$domain
impu=sip:$impi
db=$LAB_DIR/scscf/scscf.sqlite
q() { sqlite3 -cmd ".timeout 5000" "$db" "$1"; }

lab_sipp uac-subscribe-reg.xml "$S_PORT"
lab_expect_log scscf "reg subscription [0-9]+ for $impu by $impu accepted"
lab_assert_eq "$(stat -c %a "$db")" 600 "store file mode"
lab_assert_eq "$(q "SELECT count(*) FROM reg WHERE impi = '$impi'")" 1 "stored registrations"
lab_assert_eq "$(q "SELECT count(*) FROM contact")" 1 "stored contacts"
lab_assert_eq "$(q "SELECT count(*) FROM sub WHERE impu = '$impu'")" 1 "stored subscriptions"
expires_at=$(q "SELECT expires_at FROM contact")
sub_callid=$(q "SELECT call_id FROM sub")
sub_cseq=$(q "SELECT cseq FROM sub")
[ "$sub_cseq" -ge 1 ] || lab_fail "the stored subscription has no NOTIFY CSeq"

lab_kill9 scscf
lab_start scscf
lab_expect_log scscf "restored 1 registrations and 1 reg subscriptions"
lab_assert_eq "$(q "SELECT expires_at FROM contact")" "$expires_at" "contact expiry across the restart"

# Known as registered: the re-registration is SAR RE_REGISTRATION (2).
lab_sipp uac-register-aka.xml "$S_PORT"
sar_types() {
    lab_capture_stop >/dev/null 2>&1 || true
    tshark -n -r "$LAB_DIR/capture.pcapng" "${LAB__DA[@]}" \
        -Y 'diameter.cmd.code == 301 && diameter.flags.request == 1' \
        -T fields -e diameter.Server-Assignment-Type 2>/dev/null | tr '\n' ' '
}
lab_expect_log scscf "$impi registered $impu"

lab_sipp uac-deregister.xml "$S_PORT"
lab_expect_log scscf "$impi de-registered $impu"
lab_expect_log scscf "NOTIFY reg \\(terminated;reason=noresource\\) for $impu sent"
sleep 1
lab_assert_eq "$(q "SELECT count(*) FROM reg") $(q "SELECT count(*) FROM sub")" "0 0" \
    "store after de-registration (registrations, subscriptions)"

lab_capture_stop
lab__decode_as
types=$(sar_types)
# first registration (1), re-registration after the restart (2), user de-registration (5)
lab_assert_match "$types" '^1 2 5 $' "SAR Server-Assignment-Types in order"
notify=$(lab_sip_text | awk -v cid="$sub_callid" '
    /^-- frame/ { if (isn && c == cid && st ~ /terminated/) print cseq; isn = 0; c = ""; st = "" }
    /^Request-Line: NOTIFY/ { isn = 1 }
    /^Call-ID: / { c = $2 }
    /^CSeq: / { cseq = $2 }
    /^Subscription-State: / { st = $2 }
    END { if (isn && c == cid && st ~ /terminated/) print cseq }' | head -1)
lab_assert_eq "$notify" "$((sub_cseq + 1))" "CSeq of the terminated NOTIFY in the restored dialog"
lab_capture_check_clean
echo "PASS: S-CSCF restart keeps registrations and subscriptions"
