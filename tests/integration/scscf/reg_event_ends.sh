#!/usr/bin/env bash
# S-CSCF reg event: network-side ends of a registration notified to the subscriber
# (TS 24.229 5.4.1.5, 5.4.1.7; RFC 3680):
#  - RTR from the HSS (imsctl hss deregister, PERMANENT_TERMINATION): NOTIFY with
#    Subscription-State: terminated;reason=noresource, registration "terminated", contact
#    "terminated" with event "rejected";
#  - the binding expires (registrar and reg_event minimum lowered to 1 s in this lab's copy
#    of scscf.conf, REGISTER and SUBSCRIBE with Expires 3): same, with event "expired", and
#    SAR TIMEOUT_DEREGISTRATION (type 4).
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init scscf_reg_event_ends 350
lab_capture_start
lab_start hss
lab_provision_demo
lab_render scscf
sed -i -E 's/min_expires = 60;/min_expires = 1;/g' "$LAB_DIR/scscf.conf"
grep -q 'min_expires = 1;' "$LAB_DIR/scscf.conf" || lab_fail "could not lower min_expires"
lab_start scscf
domain=ims.mnc001.mcc001.3gppnetwork.org
impi=001010000000001@$domain
impu=sip:$impi

# RTR
lab_sipp uac-subscribe-reg.xml "$S_PORT"
lab_expect_log scscf "reg subscription [0-9]+ for $impu by $impu accepted"
lab_imsctl hss deregister "$impi" --reason 0 || lab_fail "imsctl hss deregister failed"
lab_expect_log scscf "RTR from the HSS de-registers $impi"
lab_expect_log scscf "NOTIFY reg \\(terminated;reason=noresource\\) for $impu sent"

# binding expiry
lab_sipp uac-subscribe-reg.xml "$S_PORT" -key expires 3
lab_expect_log scscf "contact sip:ue@127\\.0\\.0\\.1:$UE_PORT[^ ]* of $impi expired" 10
lab_expect_log scscf "SAR $impi $impu type 4\$"
n=$(grep -c "NOTIFY reg (terminated;reason=noresource) for $impu sent" "$LAB_DIR/scscf.log" || true)
for _ in 1 2 3 4 5; do
    [ "$n" -ge 2 ] && break
    sleep 1
    n=$(grep -c "NOTIFY reg (terminated;reason=noresource) for $impu sent" "$LAB_DIR/scscf.log" || true)
done
[ "$n" -ge 2 ] || lab_fail "no terminated NOTIFY after the binding expired"
if grep -q "reg subscription [0-9]* for $impu expired" "$LAB_DIR/scscf.log"; then
    lab_fail "the subscription outlived its registration"
fi

sleep 1
lab_capture_stop
lab_capture_check_clean
lab__capture_file
tshark -n -r "$LAB_DIR/capture.pcapng" "${LAB__DA[@]}" \
    -Y 'sip.Method == "NOTIFY" && sip.Subscription-State contains "noresource"' \
    -T fields -e udp.payload 2>/dev/null | xxd -r -p >"$LAB_DIR/notifies-terminated.txt"
grep -Eq "<registration aor=\"$impu\" id=\"[^\"]+\" state=\"terminated\"><contact id=\"[^\"]+\" state=\"terminated\" event=\"rejected\"" \
    "$LAB_DIR/notifies-terminated.txt" || lab_fail "no reginfo with the contact rejected after the RTR"
grep -Eq "<registration aor=\"$impu\" id=\"[^\"]+\" state=\"terminated\"><contact id=\"[^\"]+\" state=\"terminated\" event=\"expired\"" \
    "$LAB_DIR/notifies-terminated.txt" || lab_fail "no reginfo with the contact expired"
echo "PASS: reg event ends (RTR, expiry)"
