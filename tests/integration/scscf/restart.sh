#!/usr/bin/env bash
# S-CSCF durability (issue #4): registrations and reg-event subscriptions are in SQLite before
# the 200 leaves, and a restarted S-CSCF (after kill -9) serves them:
#  - after register + SUBSCRIBE, the store holds the record, its contact and the subscription;
#  - kill -9, restart: "restored 1 registrations and 1 reg subscriptions", the contact keeps its
#    absolute expiry;
#  - the next REGISTER is a re-registration (SAR type RE_REGISTRATION = 2), not a first one;
#  - the restored subscription is notified in the same dialog (same Call-ID, CSeq going on
#    from the last NOTIFY before the crash);
#  - the store is empty afterwards;
#  - a subscription whose registration is not in the store (a kill -9 between a
#    de-registration and its queued NOTIFY) is ended at start with a terminated NOTIFY, and
#    the S-CSCF starts and serves;
#  - the capture decodes cleanly.
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

# An orphan subscription in the store: the S-CSCF ends it once it runs.
lab_sipp uac-subscribe-reg.xml "$S_PORT"
lab_expect_log scscf "reg subscription [0-9]+ for $impu by $impu accepted"
lab_stop scscf
q "DELETE FROM reg"
lab_assert_eq "$(q "SELECT count(*) FROM sub")" 1 "orphan subscription in the store"
lab_start scscf
lab_expect_log scscf "restored 0 registrations and 0 reg subscriptions"
lab_expect_log scscf "stored reg subscription [0-9]+ for $impu: no registration, ending it"
lab_expect_log scscf "NOTIFY reg \\(terminated;reason=noresource\\) for $impu sent"
sleep 1
lab_assert_eq "$(q "SELECT count(*) FROM sub")" 0 "subscriptions after the orphan ended"

lab_capture_stop
lab__decode_as
# (a SAR AUTHENTICATION_FAILURE (9) is SIPp 3.6.1's RES-with-0x00 bug before its retry)
types=$(sar_types | sed -E 's/(^| )9 /\1/g')
# first registration (1), re-registration after the restart (2), user de-registration (5),
# the registration of the orphan phase (1)
lab_assert_match "$types" '^1 2 5 1 $' "SAR Server-Assignment-Types in order"
# every NOTIFY of the first dialog, in order: CSeq and Subscription-State
notifies=$(lab_sip_text | awk -v cid="$sub_callid" '
    function out() { if (isn && c == cid) print cseq, st; isn = 0; c = ""; st = "" }
    /^-- frame/ { out() }
    /^Request-Line: NOTIFY/ { isn = 1 }
    /^Call-ID: / { c = $2 }
    /^CSeq: / { cseq = $2 }
    /^Subscription-State: / { st = $2 }
    END { out() }')
echo "NOTIFYs of the restored dialog: $(tr '\n' ' ' <<<"$notifies")"
# (the UE has gone: a NOTIFY may be retransmitted, or end the dialog by failing)
# distinct (CSeq, state) pairs: a CSeq used twice for different NOTIFYs shows as a repeat
cseqs=$(sort -u <<<"$notifies" | sort -n | awk '{ print $1 }' | tr '\n' ' ')
lab_assert_eq "$cseqs" "$(seq -s ' ' 1 "$(wc -w <<<"$cseqs")") " \
    "NOTIFY CSeqs continue across the restart (1, 2, ... with no gap or repeat)"
[ "$(wc -w <<<"$cseqs")" -gt "$sub_cseq" ] || lab_fail "no NOTIFY in the dialog after the restart"
lab_capture_check_clean
echo "PASS: S-CSCF restart keeps registrations and subscriptions"
