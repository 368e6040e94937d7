#!/usr/bin/env bash
# S-CSCF SIP Digest (MD5) over the wire, for plain softphones (issue #4): SIPp registers the
# Digest demo subscriber straight at the S-CSCF, over UDP and TCP:
#  - the 401 is Digest algorithm=MD5 with qop and no AKA parameters; MAR asks SIP Digest;
#  - the right password gives 200 with the Contact expiry and P-Associated-URI, SAR type 1;
#  - a wrong password gives 403 and SAR AUTHENTICATION_FAILURE (9);
#  - de-registration; the capture decodes cleanly.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init scscf_digest 370
lab_capture_start
lab_core hss scscf
impi=001010000000002@ims.mnc001.mcc001.3gppnetwork.org
impu=sip:$impi

for t in u1 t1; do
    lab_sipp uac-register-digest.xml "$S_PORT" -t "$t"
    log=$LAB_SIPP_LAST.log.log
    grep -q 'digest registered: Contact expires=[1-9]' "$log" || lab_fail "no 200 over $t"
    grep -Eq 'challenged: algorithm=.?MD5.* qop=.?auth aka-params +\(' "$log" ||
        lab_fail "401 is not a plain MD5 challenge over $t: $(grep challenged "$log")"
done
lab_expect_log scscf "SAR $impi $impu type 1\$"
lab_expect_log scscf "$impi registered $impu"

lab_sipp uac-register-digest.xml "$S_PORT" -key password2 not-the-password
grep -q 'digest rejected 403' "$LAB_SIPP_LAST.log.log" || lab_fail "wrong password not rejected 403"
lab_expect_log scscf "SAR $impi $impu type 9\$"

lab_sipp uac-register-digest.xml "$S_PORT" -key expires 0
lab_expect_log scscf "$impi de-registered $impu"

lab_capture_stop
lab_sip_grep '^WWW-Authenticate: Digest .*algorithm=MD5' >/dev/null || lab_fail "no MD5 challenge on the wire"
if lab_sip_grep '^WWW-Authenticate: .*(ck|ik)=' >/dev/null; then
    lab_fail "a Digest challenge carries ck/ik"
fi
lab_capture_check_clean
echo "PASS: SIP Digest registration"
