#!/usr/bin/env bash
# The seed flow (steps 25-47) end to end through the P-CSCF: SIPp UE -> pcscf -> icscf ->
# scscf <-> hss, all four daemons as separate processes, over UDP (default) or TCP
# (argument "tcp"). Asserts on the wire: no ck/ik towards the UE, Security-Server in the
# UE's 401, the 200 with Path / Service-Route / P-Associated-URI, the P-CSCF's own
# reg-event SUBSCRIBE, a valid reginfo NOTIFY, the spoofed P-Asserted-Identity replaced,
# a clean tshark decode with UAR x2, MAR x1, SAR x1.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
proto=${1:-udp}
offset=500
sipp_args=()
if [ "$proto" = tcp ]; then
    offset=520
    sipp_args=(-t t1)
fi
lab_init "pcscf_seed_$proto" "$offset"
lab_capture_start
lab_core scscf icscf pcscf
lab_sipp pcscf-register-subscribe.xml "$P_PORT" "${sipp_args[@]}"
# the P-CSCF subscribed on its own behalf and accepted the NOTIFY
lab_expect_log pcscf "SUBSCRIBE Event: reg sent" 10
lab_expect_log pcscf "reg-event subscription accepted" 10
lab_expect_log pcscf "NOTIFY reginfo valid" 10
sleep 1
lab_capture_stop
lab_capture_check_clean

domain='ims\.mnc001\.mcc001\.3gppnetwork\.org'
# the UE never sees ck/ik: every 401 sent to the UE port lacks them, the core's has them
ue_401=$(tshark -r "$LAB_DIR/capture.pcapng" -Y "sip.Status-Code == 401 && (udp.dstport == $UE_PORT || tcp.dstport == $UE_PORT)" -T fields -e sip.WWW-Authenticate 2>/dev/null)
[ -n "$ue_401" ] || lab_fail "no 401 reached the UE"
if printf '%s\n' "$ue_401" | grep -Eq '(^|[ ,])(ck|ik)='; then
    lab_fail "ck/ik leaked to the UE: $ue_401"
fi
core_401=$(tshark -r "$LAB_DIR/capture.pcapng" -Y "sip.Status-Code == 401 && (udp.dstport == $P_PORT || tcp.dstport == $P_PORT)" -T fields -e sip.WWW-Authenticate 2>/dev/null)
lab_assert_match "$core_401" 'ck=' "the S-CSCF's 401 to the P-CSCF carries ck"
ue_sec=$(tshark -r "$LAB_DIR/capture.pcapng" -Y "sip.Status-Code == 401 && (udp.dstport == $UE_PORT || tcp.dstport == $UE_PORT)" -T fields -e sip.Security-Server 2>/dev/null)
lab_assert_match "$ue_sec" 'ipsec-3gpp;.*spi-c=[0-9]+;spi-s=[0-9]+;port-c=[0-9]+;port-s=[0-9]+;alg=hmac-sha-1-96' \
    "Security-Server in the UE's 401"
# REGISTER towards the I-CSCF: Path, Require: path, P-Visited-Network-ID, icid, integrity-protected
lab_sip_grep "Path: <sip:term@pcscf\.$domain:$P_PORT;lr>" >/dev/null || lab_fail "no Path from the P-CSCF"
lab_sip_grep 'P-Charging-Vector: icid-value=' >/dev/null || lab_fail "no P-Charging-Vector"
lab_sip_grep "P-Visited-Network-ID: $domain" >/dev/null || lab_fail "no P-Visited-Network-ID"
lab_sip_grep 'integrity-protected="ip-assoc-pending"' >/dev/null || lab_fail "no integrity-protected on the second REGISTER"
# the 200 to the UE
ok=$(tshark -r "$LAB_DIR/capture.pcapng" -Y "sip.Status-Code == 200 && sip.CSeq.method == \"REGISTER\" && (udp.dstport == $UE_PORT || tcp.dstport == $UE_PORT)" -T fields -e sip.Path -e sip.Service-Route -e sip.P-Associated-URI 2>/dev/null)
lab_assert_match "$ok" "sip:term@pcscf" "Path in the 200"
lab_assert_match "$ok" "sip:[^>]*;lr" "Service-Route in the 200"
lab_assert_match "$ok" "sip:001010000000001@$domain" "P-Associated-URI in the 200"
# the P-CSCF's own reg subscription (From: the P-CSCF) and the UE's, both answered
lab_sip_grep 'From: <sip:pcscf@' >/dev/null || lab_fail "no SUBSCRIBE from the P-CSCF itself"
# the spoofed identity never left the P-CSCF towards the core; an associated URI was asserted
if tshark -r "$LAB_DIR/capture.pcapng" -Y "sip.Method == \"SUBSCRIBE\" && (udp.srcport == $P_PORT || tcp.srcport == $P_PORT)" -T fields -e sip.P-Asserted-Identity 2>/dev/null | grep -q spoofed-victim; then
    lab_fail "spoofed P-Asserted-Identity forwarded"
fi
pai=$(tshark -r "$LAB_DIR/capture.pcapng" -Y "sip.Method == \"SUBSCRIBE\" && sip.from.user == \"001010000000001\" && (udp.srcport == $P_PORT || tcp.srcport == $P_PORT)" -T fields -e sip.P-Asserted-Identity 2>/dev/null)
lab_assert_match "$pai" "sip:001010000000001@$domain" "P-Asserted-Identity replaced by an associated URI"
# the NOTIFY body the UE got is valid reginfo
body=$(sed -n '/REGINFO BEGIN/,/REGINFO END/p' "$LAB_SIPP_LAST.log.log" | sed '1d;$d' | head -1)
printf '%s\n' "$body" >"$LAB_DIR/reginfo.xml"
lab_reginfo_valid "$LAB_DIR/reginfo.xml" "the NOTIFY body"
lab_assert_match "$body" 'urn:ietf:params:xml:ns:reginfo' "reginfo namespace"
# Cx of one fresh registration: UAR twice, MAR once, SAR once (the seed). When SIPp needed
# its retry (RES with 0x00), the failed first run added its own Cx requests.
runs=$(ls "$LAB_DIR"/sipp-pcscf-register-subscribe-*.out | wc -l)
if [ "$runs" -eq 1 ]; then
    lab_assert_eq "$(lab_cx_count UAR)" 2 "UAR count"
    lab_assert_eq "$(lab_cx_count MAR)" 1 "MAR count"
    lab_assert_eq "$(lab_cx_count SAR)" 1 "SAR count"
else
    [ "$(lab_cx_count UAR)" -ge 2 ] && [ "$(lab_cx_count MAR)" -ge 1 ] &&
        [ "$(lab_cx_count SAR)" -ge 1 ] || lab_fail "Cx requests missing after a SIPp retry"
fi
# The ladder of docs/registration-ladder.md, regenerated from this capture: the numbered
# steps must be those of the committed one (the order of the reg-event messages may vary).
if [ "$proto" = udp ] && [ "$runs" -eq 1 ]; then
    doc=$IMSCORE_SOURCE_DIR/docs/registration-ladder.md
    { sed '/^```mermaid$/q' "$doc"; "$IMSCORE_SOURCE_DIR/tools/ladder.sh" "$LAB_DIR/capture.pcapng"; echo '```'; } \
        >"$LAB_DIR/ladder.md"
    steps() { grep -oE '^ +[A-Za-z]+->>[A-Za-z]+: \[[0-9-]+\] .*' "$1" | sort; }
    for n in 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42-43 44-45 46-47; do
        grep -q "\[$n\]" "$LAB_DIR/ladder.md" || lab_fail "seed step $n missing from the ladder of this capture"
    done
    diff <(steps "$doc") <(steps "$LAB_DIR/ladder.md") >&2 ||
        lab_fail "docs/registration-ladder.md is stale: cp $LAB_DIR/ladder.md docs/registration-ladder.md"
fi
echo "pcscf seed flow over $proto: OK"
