#!/usr/bin/env bash
# ipsec.enabled = true with ipsec.sa = "none" (no ESP SA installed: this kernel has no ESP),
# so that the protected-port behaviour of TS 33.203 7.1 runs over plain UDP with SIPp:
#  - the P-CSCF listens on every port of its pool (ipsec.port_min..port_max);
#  - the UE registers unprotected (Security-Client port-c = UE_PORT, port-s = UE_PS), gets
#    the 401 with Security-Server, sends the second REGISTER from its port-c to our port-s
#    and gets the 200 there, from our port-s; the core sees integrity-protected="yes" for
#    it and "no" for the first;
#  - the registered UE's reg-event SUBSCRIBE over the SA is forwarded (200 on port-c), and
#    the S-CSCF's NOTIFY reaches the UE's port-s FROM the P-CSCF's port-c (Via port-c too),
#    its 200 coming back there;
#  - the same UE sending on the unprotected port, and anyone else sending to the protected
#    port (wrong source port), get 403 and nothing is forwarded;
#  - a re-REGISTER over the SA is integrity-protected="yes" and the S-CSCF registers it
#    again without a challenge.
# Port facts are taken from a dumpcap of the protected range, decoded as SIP.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"

lab_init pcscf_ipsec_protected 640
PMIN=$((8000 + LAB_OFFSET)) # 8640..8649: five slots, clear of every lab port
PMAX=$((PMIN + 9))
UE_PS=$((UE_PORT + 1))
OTHER=$((UE_PORT + 5)) # a source that is no UE's port-c

lab_render pcscf
sed -i -e '/^ipsec = {/,/^};/ s/enabled = false;/enabled = true;/' \
    -e '/^ipsec = {/,/^};/ s/sa = "kernel";/sa = "none";/' \
    -e "/^ipsec = {/,/^};/ s/port_min = [0-9]*;/port_min = $PMIN;/" \
    -e "/^ipsec = {/,/^};/ s/port_max = [0-9]*;/port_max = $PMAX;/" "$LAB_DIR/pcscf.conf"
grep -q 'sa = "none";' "$LAB_DIR/pcscf.conf" || lab_fail "could not turn ipsec on (sa none)"

# A capture of the protected ports (the lab's capture does not cover them); stopped below
# or by the EXIT trap, and in any case after 120 s.
dumpcap -q -i lo -f "portrange $PMIN-$PMAX" -a duration:120 -w "$LAB_DIR/protected.pcapng" \
    >"$LAB_DIR/protected-capture.out" 2>&1 &
PCAP_PID=$!
# Chained before the lab's own EXIT trap, keeping the exit status it looks at.
prev_trap=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
trap 'rc=$?; set +e; kill -INT '"$PCAP_PID"' 2>/dev/null; (exit $rc); '"$prev_trap" EXIT
for _ in $(seq 100); do
    grep -q 'Capturing on' "$LAB_DIR/protected-capture.out" 2>/dev/null && break
    sleep 0.1
done
lab_capture_start
lab_core scscf icscf pcscf
lab_expect_log pcscf "ipsec.sa = none: no ESP SA is installed here"
lab_expect_log pcscf "listening on the protected ports $PMIN..$PMAX"

# 1. Registration onto the SA.
lab_sipp_bg pcscf-ipsec-ue-server.xml "$P_PORT" -p "$UE_PS"
UE_SERVER=$LAB_SIPP_BG_PID
lab_sipp pcscf-ipsec-register.xml "$P_PORT" -key ue_ps "$UE_PS"
pair=$(grep 'ipsec.sa = none: SAs not installed; protected pair' "$LAB_DIR/pcscf.log" | tail -1)
PS=$(sed -n 's/.*-> port-s \([0-9]*\), P-CSCF port-c.*/\1/p' <<<"$pair")
PC=$(sed -n 's/.*P-CSCF port-c \([0-9]*\) -> UE port-s.*/\1/p' <<<"$pair")
[ -n "$PS" ] && [ -n "$PC" ] || lab_fail "no protected pair in the P-CSCF log: $pair"
lab_assert_match "$pair" "UE 127.0.0.1 port-c $UE_PORT -> port-s $PS, P-CSCF port-c $PC -> UE port-s $UE_PS" "SA pair"
lab_expect_log pcscf "registered via 127.0.0.1:$UE_PORT/udp"

# 2. reg-event SUBSCRIBE over the SA; the NOTIFY goes to the UE's port-s from our port-c.
lab_sipp pcscf-ipsec-subscribe.xml "$PS" -key ue_ps "$UE_PS"
lab_sipp_wait "$UE_SERVER"
lab_expect_log pcscf "request for sip:001010000000001@[^ ]* sent over its security association: 127.0.0.1:$UE_PS/udp from our port-c $PC"
lab_assert_match "$(cat "$LAB_SIPP_BG.log.log")" "NOTIFY on port-s: Via SIP/2.0/UDP [^ ;]*:$PC;" "NOTIFY Via names our port-c"

# 3. The registered UE outside its SA, and a stranger on the protected port: 403.
lab_sipp pcscf-unregistered.xml "$P_PORT"
lab_expect_log pcscf "SUBSCRIBE from sip:001010000000001@[^ ]* \(127.0.0.1:$UE_PORT\) arrived outside its security association \(unprotected port $P_PORT\): 403"
lab_sipp pcscf-unregistered.xml "$PS" -p "$OTHER"
lab_expect_log pcscf "SUBSCRIBE from 127.0.0.1:$OTHER to protected port $PS matches no registered UE's security association: 403"

# 4. Re-registration over the SA: integrity-protected="yes", so the S-CSCF does not
#    challenge it (auth.reregister_challenge = "if-not-protected"): straight 200.
secver=$(grep '401 relayed without ck/ik, Security-Server: ' "$LAB_DIR/pcscf.log" | tail -1 |
    sed -n 's/.*Security-Server: //p')
[ -n "$secver" ] || lab_fail "no Security-Server in the P-CSCF log"
lab_sipp pcscf-ipsec-reregister.xml "$PS" -key ue_ps "$UE_PS" -key secver "$secver"
lab_assert_eq "$(grep -c 'registered via 127.0.0.1:'"$UE_PORT"'/udp' "$LAB_DIR/pcscf.log")" 2 \
    "registered twice (initial, then re-registered over the SA)"

# What went over the protected ports, as seen on the wire (dumpcap gets 1 s to read the
# last packets before it is stopped).
sleep 1
kill -INT "$PCAP_PID" 2>/dev/null || true
wait "$PCAP_PID" 2>/dev/null || true
flows=$(tshark -r "$LAB_DIR/protected.pcapng" -d "udp.port==$PS,sip" -d "udp.port==$PC,sip" \
    -Y sip -T fields -E separator=' ' -e udp.srcport -e udp.dstport -e sip.Method -e sip.Status-Code \
    -e sip.CSeq.method 2>/dev/null)
printf 'protected-port SIP:\n%s\n' "$flows"
lab_assert_match "$flows" "^$UE_PORT $PS REGISTER  REGISTER\$" "REGISTER from UE port-c to our port-s"
lab_assert_match "$flows" "^$PS $UE_PORT  200 REGISTER\$" "its 200 from our port-s to UE port-c"
lab_assert_match "$flows" "^$UE_PORT $PS SUBSCRIBE  SUBSCRIBE\$" "SUBSCRIBE over the SA"
lab_assert_match "$flows" "^$PS $UE_PORT  200 SUBSCRIBE\$" "its 200 over the SA"
lab_assert_match "$flows" "^$PC $UE_PS NOTIFY  NOTIFY\$" "NOTIFY from our port-c to UE port-s"
lab_assert_match "$flows" "^$UE_PS $PC  200 NOTIFY\$" "the NOTIFY's 200 back to our port-c"
lab_assert_match "$flows" "^$OTHER $PS SUBSCRIBE  SUBSCRIBE\$" "the stranger's SUBSCRIBE"
lab_assert_match "$flows" "^$PS $OTHER  403 SUBSCRIBE\$" "the stranger got 403 from port-s"
n=$(grep -c "^$PS $UE_PORT  401 REGISTER\$" <<<"$flows" || true)
lab_assert_eq "$n" 0 "no challenge over the SA (the 401 went over the unprotected port)"
n=$(grep -c "^$PS $UE_PORT  200 REGISTER\$" <<<"$flows" || true)
lab_assert_eq "$n" 2 "two 200s for REGISTERs over the SA"
# the core: first REGISTER not protected, the second (over the SA) protected
sip=$(lab_sip_text)
lab_assert_match "$sip" 'integrity-protected="no"' "first REGISTER: integrity-protected=no"
lab_assert_match "$sip" 'integrity-protected="yes"' "REGISTER over the SA: integrity-protected=yes"
if grep -q 'integrity-protected="ip-assoc' <<<"$sip"; then lab_fail "ip-assoc-* used with ipsec on"; fi
lab_capture_check_clean
lab_stop pcscf
echo "PASS pcscf_ipsec_protected"
