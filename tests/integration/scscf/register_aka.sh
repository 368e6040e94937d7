#!/usr/bin/env bash
# S-CSCF: full AKA registration sent straight to the S-CSCF (REGISTER, MAR, 401 with ck/ik,
# REGISTER, SAR REGISTRATION, 200 with Contact+expires, P-Associated-URI, Service-Route, Path),
# then a re-registration (SAR RE_REGISTRATION) and a de-registration (SAR USER_DEREGISTRATION).
# Usage: register_aka.sh [udp|tcp]
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
proto=${1:-udp}
if [ "$proto" = tcp ]; then
    lab_init scscf_register_aka_tcp 220
    t=(-t t1)
else
    lab_init scscf_register_aka_udp 200
    t=()
fi
lab_capture_start
lab_core hss scscf
path="<sip:pcscf.ims.mnc001.mcc001.3gppnetwork.org:$P_PORT;lr>"
lab_sipp uac-register-aka.xml "$S_PORT" "${t[@]}" -key path "$path"
lab_expect_log scscf "SAR 001010000000001@ims.mnc001.mcc001.3gppnetwork.org sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org type 1$"
lab_expect_log scscf "registered sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org"

lab_capture_stop
sip_text=$(lab_sip_text) # decoded once: tshark is slow
sip_has() { grep -Eq -- "$1" <<<"$sip_text"; }
ok=$(grep -c 'SIP/2.0 200 OK' <<<"$sip_text" || true)
[ "$ok" -ge 1 ] || lab_fail "no 200 OK seen"
sip_has 'WWW-Authenticate: Digest .*algorithm=AKAv1-MD5'  || lab_fail "401 without AKAv1-MD5"
sip_has 'WWW-Authenticate: .*ck="[0-9a-f]{32}"'  || lab_fail "401 without ck"
sip_has 'WWW-Authenticate: .*ik="[0-9a-f]{32}"'  || lab_fail "401 without ik"
sip_has 'Service-Route: <sip:orig@scscf\.ims\.mnc001\.mcc001\.3gppnetwork\.org:'"$S_PORT"';lr>' \
     || lab_fail "200 without Service-Route"
sip_has 'P-Associated-URI: <sip:001010000000001@ims\.mnc001\.mcc001\.3gppnetwork\.org>, <tel:\+15550000001>' \
     || lab_fail "200 without the implicit set in P-Associated-URI"
sip_has 'Contact: <sip:ue@127\.0\.0\.1:[0-9]+;transport=[A-Za-z]+>;expires=(600|59[0-9])' \
     || lab_fail "200 without our Contact and its expires"
sip_has 'Path: <sip:pcscf\.ims\.mnc001\.mcc001\.3gppnetwork\.org:'"$P_PORT"';lr>'  ||
    lab_fail "200 without the Path echoed"
mar=$(lab_cx_count MAR)
sar=$(lab_cx_count SAR)
[ "$mar" -ge 1 ] || lab_fail "expected MAR, got $mar"
[ "$sar" -ge 1 ] || lab_fail "expected SAR, got $sar"
lab_capture_check_clean
echo "PASS: AKA registration ($proto)"
