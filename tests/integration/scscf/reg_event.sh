#!/usr/bin/env bash
# S-CSCF reg event package (RFC 3680, TS 24.229 5.4.2), SIPp UE straight to the S-CSCF:
#  - register + SUBSCRIBE Event: reg: 200 with Expires, a NOTIFY with Event: reg,
#    Subscription-State: active and a well-formed full reginfo in which every IMPU of the
#    implicit set (sip and tel) is state="active" with the UE's contact;
#  - de-registration (Expires 0): a NOTIFY with Subscription-State: terminated and the
#    registrations state="terminated" (seen in the tshark capture);
#  - unSUBSCRIBE in the dialog (To tag, Expires 0): 200 and a final terminated NOTIFY;
#  - refused SUBSCRIBEs: wrong Event 489, not registered 403, foreign domain 404, another
#    user as subscriber 403;
#  - the capture decodes cleanly.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init scscf_reg_event 340
lab_capture_start
lab_core hss scscf
domain=ims.mnc001.mcc001.3gppnetwork.org
impi=001010000000001@$domain
impu=sip:$impi
tel=tel:+15550000001

# Subscribe, then unsubscribe inside the dialog (Expires 0): 200 and a final NOTIFY.
lab_sipp scscf-subscribe-unsubscribe.xml "$S_PORT"
log=$LAB_SIPP_LAST.log.log
grep -Eq 'unSUBSCRIBE accepted, Expires 0' "$log" || lab_fail "no 200 with Expires 0 to the unSUBSCRIBE"
grep -Eq 'final NOTIFY: Subscription-State +terminated' "$log" || lab_fail "no terminated final NOTIFY"
sed -n '/FINAL BEGIN/,/FINAL END/p' "$log" | sed '1d;$d' >"$LAB_DIR/reginfo-final.xml"
lab_reginfo_valid "$LAB_DIR/reginfo-final.xml" "the final NOTIFY body"
lab_expect_log scscf "reg subscription [0-9]+ for $impu ended by the subscriber"
lab_expect_log scscf "NOTIFY reg \\(terminated\\) for $impu sent"

# A new subscription on the (re-)registration.
lab_sipp uac-subscribe-reg.xml "$S_PORT"
log=$LAB_SIPP_LAST.log.log
grep -Eq 'SUBSCRIBE accepted, Expires [1-9][0-9]*' "$log" || lab_fail "no 200 with Expires to the SUBSCRIBE"
exp=$(grep -Eo 'SUBSCRIBE accepted, Expires [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+$')
lab_assert_eq "$exp" 600 "granted expiry (asked 600, within min 60 / max 600000)"
lab_expect_log scscf "reg subscription [0-9]+ for $impu by $impu accepted"
body=$(sed -n '/REGINFO BEGIN/,/REGINFO END/p' "$log" | sed '1d;$d' | head -1)
printf '%s\n' "$body" >"$LAB_DIR/reginfo-active.xml"
lab_reginfo_valid "$LAB_DIR/reginfo-active.xml" "the NOTIFY body"
xp() { xmllint --xpath "$1" "$LAB_DIR/reginfo-active.xml" 2>/dev/null || true; }
lab_assert_eq "$(xp "string(/*[local-name()='reginfo']/@state)")" full "reginfo state"
lab_assert_eq "$(xp "namespace-uri(/*)")" urn:ietf:params:xml:ns:reginfo "reginfo namespace"
lab_assert_eq "$(xp "string(//*[local-name()='registration'][@aor='$impu']/@state)")" active \
    "registration state of $impu"
lab_assert_eq "$(xp "string(//*[local-name()='registration'][@aor='$tel']/@state)")" active \
    "registration state of $tel (implicit set)"
curi=$(xp "string(//*[local-name()='registration'][@aor='$impu']/*[local-name()='contact']/*[local-name()='uri'])")
lab_assert_match "$curi" "^sip:ue@127\.0\.0\.1:$UE_PORT" "contact of $impu in the reginfo"
lab_assert_eq "$(xp "string(//*[local-name()='registration'][@aor='$impu']/*[local-name()='contact']/@state)")" \
    active "contact state"

# Refused subscriptions.
lab_sipp scscf-subscribe-reject.xml "$S_PORT" -key target "$impu" -key event presence
grep -q 'SUBSCRIBE refused 489' "$LAB_SIPP_LAST.log.log" || lab_fail "wrong Event not answered 489"
lab_sipp scscf-subscribe-reject.xml "$S_PORT" -key target "sip:someone@example.org" -key event reg
grep -q 'SUBSCRIBE refused 404' "$LAB_SIPP_LAST.log.log" || lab_fail "foreign IMPU not answered 404"

# Registered, but the subscriber is neither the user nor a proxy on its Path: 403.
lab_sipp scscf-subscribe-reject.xml "$S_PORT" -key target "$impu" -key event reg \
    -key impu "sip:001010000000002@$domain"
grep -q 'SUBSCRIBE refused 403' "$LAB_SIPP_LAST.log.log" || lab_fail "foreign subscriber not answered 403"
lab_expect_log scscf "SUBSCRIBE reg for $impu from sip:001010000000002@$domain refused"

# De-registration: the subscriber gets a terminated NOTIFY.
lab_sipp uac-deregister.xml "$S_PORT"
lab_expect_log scscf "$impi de-registered $impu"
lab_expect_log scscf "NOTIFY reg \\(terminated;reason=noresource\\) for $impu sent"
lab_expect_log scscf "reg subscription [0-9]+ for $impu terminated: registration ended"

# Not registered any more: 403.
lab_sipp scscf-subscribe-reject.xml "$S_PORT" -key target "$impu" -key event reg
grep -q 'SUBSCRIBE refused 403' "$LAB_SIPP_LAST.log.log" || lab_fail "unregistered IMPU not answered 403"

sleep 1
lab_capture_stop
lab_capture_check_clean
lab_sip_grep "^Request-Line: NOTIFY sip:ue@127\\.0\\.0\\.1:$UE_PORT" >/dev/null || lab_fail "no NOTIFY to the UE's contact"
lab_sip_grep '^Subscription-State: active;expires=[0-9]+' >/dev/null || lab_fail "no active NOTIFY"
lab_sip_grep '^Subscription-State: terminated;reason=noresource' >/dev/null ||
    lab_fail "no terminated NOTIFY after the de-registration"
lab_sip_grep '^Event: reg' >/dev/null || lab_fail "no Event: reg"
lab_sip_grep '^Content-Type: application/reginfo\+xml' >/dev/null || lab_fail "no reginfo Content-Type"
# the terminated NOTIFY's body (UDP payload from the capture): every registration terminated
lab__capture_file
tshark -n -r "$LAB_DIR/capture.pcapng" "${LAB__DA[@]}" \
    -Y 'sip.Method == "NOTIFY" && sip.Subscription-State contains "noresource"' \
    -T fields -e udp.payload 2>/dev/null | head -1 | xxd -r -p >"$LAB_DIR/notify-terminated.txt"
sed -n '/<reginfo/,$p' "$LAB_DIR/notify-terminated.txt" >"$LAB_DIR/reginfo-terminated.xml"
lab_reginfo_valid "$LAB_DIR/reginfo-terminated.xml" "the terminated NOTIFY body"
t=$(xmllint --xpath "string(//*[local-name()='registration'][@aor='$impu']/@state)" \
    "$LAB_DIR/reginfo-terminated.xml" 2>/dev/null || true)
lab_assert_eq "$t" terminated "registration state of $impu after the de-registration"
t=$(xmllint --xpath "string(//*[local-name()='registration'][@aor='$impu']/*[local-name()='contact']/@event)" \
    "$LAB_DIR/reginfo-terminated.xml" 2>/dev/null || true)
lab_assert_eq "$t" unregistered "contact event after the de-registration"
echo "PASS: reg event"
