#!/usr/bin/env bash
# S-CSCF registrar flows sent straight to the S-CSCF:
#  - registration then re-registration: SAR REGISTRATION (1) then RE_REGISTRATION (2);
#  - de-registration (Expires 0): SAR USER_DEREGISTRATION (5), binding gone;
#  - 423 with Min-Expires for a too short expiry, with no Cx at all;
#  - wrong key: 401 then 403, and SAR AUTHENTICATION_FAILURE (9);
#  - unknown user: 403 on the first REGISTER (MAA DIAMETER_ERROR_USER_UNKNOWN), no SAR.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init scscf_register_flows 240
lab_core hss scscf
impi=001010000000001@ims.mnc001.mcc001.3gppnetwork.org
impu=sip:$impi

lab_sipp uac-register-aka.xml "$S_PORT"
lab_expect_log scscf "SAR $impi $impu type 1\$"
lab_sipp uac-register-aka.xml "$S_PORT"
lab_expect_log scscf "SAR $impi $impu type 2\$"
lab_expect_log scscf "$impi registered $impu \\(1 contacts\\)"

lab_sipp uac-deregister.xml "$S_PORT"
lab_expect_log scscf "SAR $impi $impu type 5\$"
lab_expect_log scscf "$impi de-registered $impu"

# 423: nothing reaches the HSS.
before=$(grep -c 'scscf: MAR ' "$LAB_DIR/scscf.log" || true)
lab_sipp scscf-register-423.xml "$S_PORT" -key expires 10
after=$(grep -c 'scscf: MAR ' "$LAB_DIR/scscf.log" || true)
lab_assert_eq "$after" "$before" "423 must not send an MAR"

# Wrong response: challenged, then 403 and SAR AUTHENTICATION_FAILURE.
lab_sipp scscf-register-reject.xml "$S_PORT"
lab_expect_log scscf "$impi failed authentication"
lab_expect_log scscf "SAR $impi $impu type 9\$"

# Unknown user: 403 at once.
nobody=001010000000099@ims.mnc001.mcc001.3gppnetwork.org
lab_sipp scscf-register-reject.xml "$S_PORT" -key impi "$nobody" -key impu "sip:$nobody"
lab_expect_log scscf "MAR $nobody failed: Forbidden - unknown user"
if grep -q "SAR $nobody" "$LAB_DIR/scscf.log"; then lab_fail "SAR sent for an unknown user"; fi
echo "PASS: registrar flows"
