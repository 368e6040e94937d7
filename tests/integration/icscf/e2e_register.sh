#!/usr/bin/env bash
# End to end: SIPp UE -> icscf -> scscf <-> hss, AKA registration REGISTER/401/REGISTER/200
# through the I-CSCF (UDP, then TCP). The capture must hold, per registration, two UARs (one
# per REGISTER, both through the I-CSCF), one MAR and one SAR.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"

lab_init icscf_e2e_register 450
lab_capture_start
lab_core
lab_sipp uac-register-aka.xml "$I_PORT"
attempts=$(ls "$LAB_DIR"/sipp-uac-register-aka-*.auth.csv | wc -l)
lab_expect_log icscf "UAA Server-Name sip:scscf\."
lab_assert_match "$(lab_sip_grep 'SIP/2.0 200')" "200" "the UE got 200 OK"
uar=$(lab_cx_count UAR) mar=$(lab_cx_count MAR) sar=$(lab_cx_count SAR)
if [ "$attempts" = 1 ]; then
    lab_assert_eq "$uar" 2 "two UARs"
    lab_assert_eq "$mar" 1 "one MAR"
    lab_assert_eq "$sar" 1 "one SAR"
else
    # SIPp retried once (its RES-with-0x00 bug): the failed attempt made its own UARs/MAR.
    lab_assert_eq "$uar" 4 "two UARs per attempt"
    lab_assert_eq "$mar" 2 "one MAR per attempt"
    [ "$sar" -ge 1 ] || lab_fail "no SAR"
fi
lab_capture_check_clean
echo "PASS icscf_e2e_register"
