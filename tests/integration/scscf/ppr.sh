#!/usr/bin/env bash
# S-CSCF PPR from the HSS (TS 29.228 6.1.3, TS 24.229 5.4.2.1.2), issue #4:
#  - register + SUBSCRIBE reg; the HSS adds an IMPU to the user's implicit set and pushes the
#    profile (imsctl hss push-profile): PPA success, the S-CSCF stores the new user data and
#    sends a NOTIFY whose reginfo lists the new IMPU;
#  - a second push with the same set: PPA success, the profile is replaced, no NOTIFY;
#  - the capture decodes cleanly and holds the two PPRs.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init scscf_ppr 380
lab_capture_start
lab_core hss scscf
domain=ims.mnc001.mcc001.3gppnetwork.org
impi=001010000000001@$domain
impu=sip:$impi
extra=sip:extra-$$@$domain
db=$LAB_DIR/scscf/scscf.sqlite
notifies() { grep -c "NOTIFY reg (active;expires=[0-9]*) for $impu sent" "$LAB_DIR/scscf.log" || true; }

lab_sipp uac-subscribe-reg.xml "$S_PORT"
lab_expect_log scscf "reg subscription [0-9]+ for $impu by $impu accepted"
before=$(notifies)

lab_imsctl subscriber set "$impi" --add-impu "$extra" >/dev/null
lab_imsctl hss push-profile "$impi" || lab_fail "imsctl hss push-profile failed"
lab_expect_log scscf "PPR changed the implicit registration set of $impi"
sleep 2 # the change NOTIFY is queued for the next tick
lab_assert_eq "$(notifies)" "$((before + 1))" "NOTIFYs after a PPR that changed the set"
sqlite3 -cmd ".timeout 5000" "$db" "SELECT user_data FROM reg" | grep -qF "$extra" ||
    lab_fail "the stored user data lacks $extra"

lab_imsctl hss push-profile "$impi" || lab_fail "second imsctl hss push-profile failed"
lab_expect_log scscf "PPR replaced the profile of $impi"
sleep 2
lab_assert_eq "$(notifies)" "$((before + 1))" "NOTIFYs after a PPR that changed nothing"

lab_capture_stop
lab_assert_eq "$(lab_cx_count PPR)" 2 "PPR requests in the capture"
lab__decode_as
last=$(tshark -n -r "$LAB_DIR/capture.pcapng" "${LAB__DA[@]}" -Y 'sip.Method == "NOTIFY"' \
    -T fields -e udp.payload 2>/dev/null | tail -1 | perl -ne 'chomp; print pack("H*", $_)')
grep -qF "aor=\"$extra\"" <<<"$last" || lab_fail "the last NOTIFY's reginfo does not list $extra"
grep -qF "aor=\"$impu\"" <<<"$last" || lab_fail "the last NOTIFY's reginfo lost $impu"
lab_capture_check_clean
echo "PASS: PPR"
