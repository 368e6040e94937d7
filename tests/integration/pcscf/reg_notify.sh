#!/usr/bin/env bash
# P-CSCF reg-event NOTIFYs in its own subscription (TS 24.229 5.2.3, RFC 3680, RFC 6665):
#  - a NOTIFY in a subscription the P-CSCF never had gets 481, not 403/5xx/silence;
#  - for each way the S-CSCF can say the UE's registration ended (our contact terminated
#    with event expired, deactivated, probation, unregistered, rejected; or the
#    registration of the IMPU terminated), the P-CSCF answers 200 and purges the UE;
#  - the same NOTIFY again, now late (the UE purged), gets 481;
#  - a NOTIFY that ends nothing (contact refreshed) gets 200 and keeps the UE.
# Real hss, scscf, icscf and pcscf; SIPp is the UE and plays the S-CSCF side of the
# P-CSCF's subscription dialog (Call-ID and tag from the P-CSCF's log of its SUBSCRIBE). The
# capture of the whole run must decode cleanly.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"

# Offset 680, not 610: with 610 its S-CSCF Diameter port (3870+610) is the I-CSCF SIP port
# of offset 420 (4060+420), and the two tests collide under ctest -j.
lab_init pcscf_reg_notify 680
N_PORT=$((S_PORT + 7)) # the NOTIFY sender's port (not the UE's, not a daemon's)
UE_CONTACT="sip:ue@127.0.0.1:$UE_PORT;transport=UDP"
lab_capture_start
lab_core scscf icscf pcscf

# 1. Unknown subscription.
lab_sipp pcscf-notify-unknown.xml "$P_PORT" -p "$N_PORT" \
    -cid_str "pcscf-reg-never-$RANDOM@127.0.0.1" -key sub_totag "nosuchtag"
lab_assert_match "$(cat "$LAB_SIPP_LAST.log.log")" "STATUS 481 " "unknown subscription: 481"
lab_expect_log pcscf "NOTIFY Call-ID pcscf-reg-never-[0-9]+: no such subscription: 481" 5

registered=0
# register_ue: registers the demo UE through the P-CSCF, waits for the P-CSCF's own
# reg-event subscription to be accepted and sets SUB_CALLID / SUB_TAG from the P-CSCF's log
# line of its SUBSCRIBE ("... (Call-ID ID, tag TAG)").
register_ue() {
    local line n t=100
    lab_sipp uac-register-aka.xml "$P_PORT"
    registered=$((registered + 1))
    while n=$(grep -c "reg-event subscription accepted" "$LAB_DIR/pcscf.log" || true); [ "$n" -lt "$registered" ]; do
        t=$((t - 1))
        [ $t -gt 0 ] || lab_fail "subscription $registered of the P-CSCF not accepted"
        sleep 0.1
    done
    line=$(grep "SUBSCRIBE Event: reg sent to" "$LAB_DIR/pcscf.log" | tail -1)
    SUB_CALLID=$(sed -n 's/.*(Call-ID \([^,]*\), tag \([^)]*\)).*/\1/p' <<<"$line")
    SUB_TAG=$(sed -n 's/.*(Call-ID \([^,]*\), tag \([^)]*\)).*/\2/p' <<<"$line")
    [ -n "$SUB_CALLID" ] && [ -n "$SUB_TAG" ] || lab_fail "no Call-ID/tag in the P-CSCF's SUBSCRIBE log: $line"
}

# notify REG_STATE C_URI C_STATE C_EVENT: one NOTIFY in the current subscription; expects 200.
notify() {
    lab_sipp pcscf-notify-reginfo.xml "$P_PORT" -p "$N_PORT" -cid_str "$SUB_CALLID" \
        -key sub_totag "$SUB_TAG" -key reg_state "$1" -key c_uri "$2" -key c_state "$3" \
        -key c_event "$4"
    lab_assert_match "$(cat "$LAB_SIPP_LAST.log.log")" "STATUS 200 " "NOTIFY $* answered 200"
}

purges() { grep -c "reg event says .*: purging state and SAs" "$LAB_DIR/pcscf.log" || true; }

# 2. A NOTIFY that ends nothing keeps the UE: a second one in the dialog still gets 200.
register_ue
notify active "$UE_CONTACT" active refreshed
notify active "$UE_CONTACT" active registered
lab_assert_eq "$(purges)" 0 "no purge on refreshed/registered"

# 3. Each ending: 200, purge, then the late repeat gets 481.
n=0
for c in "active $UE_CONTACT terminated expired expired" \
    "active $UE_CONTACT terminated deactivated deactivated" \
    "active $UE_CONTACT terminated probation probation" \
    "active $UE_CONTACT terminated unregistered unregistered" \
    "active $UE_CONTACT terminated rejected rejected" \
    "terminated sip:other@127.0.0.1:9;transport=UDP terminated unregistered registration terminated"; do
    read -r rs curi cs ev why <<<"$c"
    [ "$n" = 0 ] || register_ue
    notify "$rs" "$curi" "$cs" "$ev"
    n=$((n + 1))
    lab_expect_log pcscf "reg event says $why: purging state and SAs" 5
    lab_assert_eq "$(purges)" "$n" "purge number $n ($why)"
    lab_expect_log pcscf "purged \($why\)" 5
    lab_sipp pcscf-notify-unknown.xml "$P_PORT" -p "$N_PORT" -cid_str "$SUB_CALLID" \
        -key sub_totag "$SUB_TAG"
    lab_assert_match "$(cat "$LAB_SIPP_LAST.log.log")" "STATUS 481 " "late NOTIFY after $why: 481"
done
# Ours, plus those the S-CSCF sent in the subscriptions of purged UEs (it drops them on 481).
n481=$(grep -c 'no such subscription: 481' "$LAB_DIR/pcscf.log")
[ "$n481" -ge 7 ] || lab_fail "expected at least 7 NOTIFYs answered 481, got $n481"
lab_capture_check_clean
echo "PASS pcscf_reg_notify"
