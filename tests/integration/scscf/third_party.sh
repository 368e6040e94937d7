#!/usr/bin/env bash
# S-CSCF third-party registration (TS 24.229 5.4.1.7): the demo user has an iFC sending
# REGISTER to the test AS (lab_provision_demo --with-as, DefaultHandling SESSION_CONTINUED).
# The UE registers straight at the S-CSCF; the AS (SIPp, uas-as.xml) must receive a REGISTER
# with Request-URI its ServerName, From/Contact the S-CSCF, To the IMPU, Expires > 0 and a
# P-Charging-Vector (and the configured P-Charging-Function-Addresses), and answer 200;
# after the UE de-registers, a second one with Expires 0.
# Usage: third_party.sh [udp|tcp]   (the UE's transport; the AS is reached over UDP)
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
proto=${1:-udp}
if [ "$proto" = tcp ]; then
    lab_init scscf_third_party_tcp 310
    t=(-t t1)
else
    lab_init scscf_third_party_udp 300
    t=()
fi
domain=ims.mnc001.mcc001.3gppnetwork.org
impu="sip:001010000000001@$domain"
as="sip:as.$domain:$AS_PORT"
re_impu=${impu//./\\.}
re_as=${as//./\\.}

lab_capture_start
# P-Charging-Function-Addresses: the commented example of config/scscf.conf, switched on
lab_render scscf
sed -i 's/^\( *\)# *\(charging_function_addresses = "ccf=192\.0\.2\.10";\)/\1\2/' "$LAB_DIR/scscf.conf"
grep -q '^ *charging_function_addresses = ' "$LAB_DIR/scscf.conf" || lab_fail "could not set charging_function_addresses"
lab_core --with-as hss scscf
lab_sipp_bg uas-as.xml "$S_PORT" -m 2 # one REGISTER for the registration, one for the end

lab_sipp uac-register-aka.xml "$S_PORT" "${t[@]}"
lab_expect_log scscf "third-party REGISTER for $re_impu sent to $re_as \\(127\\.0\\.0\\.1:$AS_PORT/udp\\), expires (600|59[0-9])$"
lab_expect_log scscf "third-party REGISTER for $re_impu to $re_as \\(expires [0-9]+\\): 200$"

lab_sipp uac-deregister.xml "$S_PORT" "${t[@]}"
lab_expect_log scscf "third-party REGISTER for $re_impu sent to $re_as \\(127\\.0\\.0\\.1:$AS_PORT/udp\\), expires 0$"
lab_expect_log scscf "third-party REGISTER for $re_impu to $re_as \\(expires 0\\): 200$"
lab_sipp_wait
lab_stop scscf # exits 0: nothing leaked (ASan builds)

# What the AS logged: first the registration, then the de-registration.
as_log=$(cat "$LAB_SIPP_BG.log.log")
echo "$as_log"
lab_assert_eq "$(grep -c '^third-party REGISTER:' <<<"$as_log")" 2 "the AS got two REGISTERs"
lab_assert_match "$(grep '^third-party REGISTER:' <<<"$as_log" | head -1)" \
    "To $re_impu .*Expires (600|59[0-9])\$" "first REGISTER: the IMPU, registration expiry"
lab_assert_match "$(grep '^third-party REGISTER:' <<<"$as_log" | tail -1)" \
    "To $re_impu .*Expires 0\$" "second REGISTER: the IMPU, Expires 0"

# The REGISTERs on the wire, decoded by tshark.
lab_capture_stop
sip_text=$(lab_sip_text)
# only the messages whose Request-Line is a REGISTER to our AS
tpr=$(RE="^Request-Line: REGISTER $re_as SIP/2" awk '
    function flush() { if (keep) printf "%s", blk; blk = ""; keep = 0 }
    /^-- frame / { flush() } { blk = blk $0 "\n" } $0 ~ ENVIRON["RE"] { keep = 1 } END { flush() }' <<<"$sip_text")
sip_has() { grep -Eq -- "$1" <<<"$tpr" || lab_fail "not in the third-party REGISTERs: $2 (/$1/)"; }
sip_has "^Expires: (600|59[0-9])\$" "Expires of the registration"
sip_has "^Expires: 0\$" "Expires 0 for the de-registration"
sip_has "^From: <sip:scscf\\.${domain//./\\.}:$S_PORT>;tag=[0-9a-f]+" "From = the S-CSCF, with a tag"
sip_has "^To: <$re_impu>\$" "To = the IMPU"
sip_has "^Contact: <sip:scscf\\.${domain//./\\.}:$S_PORT>" "Contact = the S-CSCF"
sip_has "^P-Charging-Vector: icid-value=[^;]+;orig-ioi=${domain//./\\.}" "P-Charging-Vector"
sip_has "^P-Charging-Function-Addresses: ccf=192\\.0\\.2\\.10\$" "P-Charging-Function-Addresses (configured)"
# (counted by the AS port: the capture also holds port AS_PORT of the lab 10 below, whose
# P_PORT is ours)
lab_assert_eq "$(grep -Ec "^Request-Line: REGISTER $re_as SIP/2\\.0" <<<"$tpr")" 2 \
    "exactly two third-party REGISTERs (no retransmission over UDP after the 200)"
lab_capture_check_clean
echo "PASS: third-party registration ($proto)"
