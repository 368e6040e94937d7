#!/usr/bin/env bash
# Self-test of tests/integration/lib/lab.sh (offset 10): daemon life cycle with the real hss,
# provisioning through imsctl, a crash and restart, the capture functions on real Diameter
# traffic (and their detection of a malformed packet), and the SIPp scenarios of
# tests/integration/sipp/ played against stand-ins (fake-*.xml) with a real AKA challenge.
# shellcheck disable=SC2119 # lab_sipp_wait takes an optional PID
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "${IMSCORE_SOURCE_DIR:-$HERE/../../..}/tests/integration/lib/lab.sh"

lab_init lab_harness 10
lab_assert_eq "$P_PORT $I_PORT $S_PORT $AS_PORT" "5070 4070 6070 15080" "SIP ports at offset 10 (the AS 10000 up)"
lab_assert_eq "$HSS_DIAM $I_DIAM $S_DIAM $UE_PORT" "13878 13879 13880 7070" "Diameter (10000 up)/UE ports at offset 10"

# ---- rendering: the contract numbers move, nothing else does.
lab_render hss
conf=$(cat "$LAB_DIR/hss.conf")
lab_assert_match "$conf" '^[[:space:]]*port = 13878;' "rendered HSS Diameter port"
lab_assert_match "$conf" 'scscf\.ims\.mnc001\.mcc001\.3gppnetwork\.org:6070' "rendered S-CSCF URI in hss.conf"
if grep -Eq '(^|[^0-9])(3868|6060)([^0-9]|$)' "$LAB_DIR/hss.conf"; then
    lab_fail "lab_render left a contract port number in hss.conf"
fi
lab_assert_match "$conf" 'port = 5868' "a number that is no contract port (TLS comment) is kept"

lab_capture_start

# ---- daemon life cycle.
lab_start hss
pid1=$(lab_pid hss)
if (lab_start hss) 2>/dev/null; then lab_fail "a second lab_start hss did not fail"; fi
lab_expect_log hss 'ready' 5

lab_provision_demo
lab_provision_demo # idempotent
list=$(lab_imsctl subscriber list)
lab_assert_match "$list" "^${LAB_DEMO_IMPI}[[:space:]]aka[[:space:]].*$LAB_DEMO_IMPU.*tel:\\+15550000001" "AKA demo subscriber listed"
lab_assert_match "$list" "^${LAB_DEMO2_IMPI}[[:space:]]digest[[:space:]]" "Digest demo subscriber listed"
lab_assert_eq "$(wc -l <<<"$list")" 2 "exactly two subscribers after provisioning twice"
show=$(lab_imsctl subscriber show "$LAB_DEMO_IMPI" --secrets)
lab_assert_match "$show" "AMF:[[:space:]]+$LAB_DEMO_AMF_HEX" "demo AMF"
lab_assert_match "$show" "K:[[:space:]]+$LAB_DEMO_K_HEX" "demo K"
lab_provision_demo --with-as
show=$(lab_imsctl subscriber show "$LAB_DEMO_IMPI")
lab_assert_match "$show" "<ServerName>sip:as\\.$LAB_DOMAIN:$AS_PORT</ServerName>" "AS iFC provisioned"
lab_assert_match "$show" "<Method>REGISTER</Method>" "AS iFC triggers on REGISTER"

# A crash: SIGKILL, then a restart on the same state directory keeps the store.
lab_kill9 hss
if lab_pid hss >/dev/null; then lab_fail "lab_pid still reports hss after lab_kill9"; fi
lab_start hss
pid2=$(lab_pid hss)
[ "$pid1" != "$pid2" ] || lab_fail "hss restarted with the same pid"
lab_assert_eq "$(grep -c '^=== lab: .* start hss ===' "$LAB_DIR/hss.log")" 2 "two start marks in hss.log"
lab_assert_match "$(lab_imsctl subscriber list)" "^$LAB_DEMO_IMPI" "subscriber kept across kill -9"

# ---- real Diameter: CER/CEA, one UAR/UAA (first registration), DPR/DPA.
out=$(perl "$HERE/diameter_probe.pl" "$HSS_DIAM" "$LAB_DEMO_IMPI" "$LAB_DEMO_IMPU")
lab_assert_match "$out" '^CEA 2001$' "CEA DIAMETER_SUCCESS"
lab_assert_match "$out" '^UAA 2001$' "UAA DIAMETER_FIRST_REGISTRATION"
lab_assert_match "$out" '^DPA 2001$' "DPA DIAMETER_SUCCESS"

# ---- SIPp scenarios against stand-ins, with a real AKA challenge for the demo keys.
RAND=0f1e2d3c4b5a69788796a5b4c3d2e1f0
aka=$(lab_imsctl aka --k "$LAB_DEMO_K_HEX" --op "$LAB_DEMO_OP_HEX" --rand "$RAND" \
    --sqn 000000000021 --amf "$LAB_DEMO_AMF_HEX")
AUTN=$(sed -n 's/^AUTN: //p' <<<"$aka")
RES=$(sed -n 's/^RES: //p' <<<"$aka")
NONCE=$(perl -MMIME::Base64 -e 'print encode_base64(pack("H*", $ARGV[0]), "")' "$RAND$AUTN")
case $RES in *00*) lab__say "note: RES $RES may hold a 0x00 byte" ;; esac

# check_response LOGFILE: the Authorization logged by the stand-in is RFC 3310 / RFC 2617
# for the demo IMPI with RES as the password.
check_response() {
    local auth
    auth=$(sed -n 's/^AUTHORIZATION *//p' "$1" | tail -1)
    lab_assert_match "$auth" "username=\"$LAB_DEMO_IMPI\"" "Authorization username is the IMPI"
    lab_assert_match "$auth" 'algorithm=AKAv1-MD5' "Authorization algorithm"
    perl -MDigest::MD5=md5_hex -e '
        my ($a, $res) = @ARGV; my %p;
        $p{lc $1} = defined $2 ? $2 : $3 while $a =~ /(\w+)=(?:"([^"]*)"|([^,\s]*))/g;
        my $ha1 = md5_hex("$p{username}:$p{realm}:" . pack("H*", $res));
        my $ha2 = md5_hex("REGISTER:$p{uri}");
        my $want = md5_hex("$ha1:$p{nonce}:$p{nc}:$p{cnonce}:$p{qop}:$ha2");
        exit($want eq $p{response} ? 0 : 1);' "$auth" "$RES" ||
        lab_fail "the AKA response in '$auth' is not the one for RES $RES"
}

# Registration with a Path (plays the P-CSCF's): the 200 must echo it.
lab_sipp_bg "$HERE/fake-scscf.xml" "$UE_PORT" -p "$S_PORT" -key nonce "$NONCE" -key sub no
lab_sipp uac-register-aka.xml "$S_PORT" -key path "<sip:term@127.0.0.1:$P_PORT;lr>"
lab_sipp_wait
check_response "$LAB_SIPP_BG.log.log"
ue_log=$(cat "$LAB_SIPP_LAST.log.log")
lab_assert_match "$ue_log" "^Path echoed: sip:term@127\\.0\\.0\\.1:$P_PORT;lr" "UE scenario saw its Path echoed"
lab_assert_match "$ue_log" 'Service-Route .*sip:orig@scscf' "UE scenario saw the Service-Route"
lab_assert_match "$(grep -A12 '^REGISTER' "$LAB_SIPP_LAST.msg.log" | grep '^Path:')" "^Path: <sip:term@" "Path sent"

# Registration without Path (the default -key path none): no Path sent.
lab_sipp_bg "$HERE/fake-scscf.xml" "$UE_PORT" -p "$S_PORT" -key nonce "$NONCE" -key sub no
lab_sipp uac-register-aka.xml "$S_PORT" -t u1
lab_sipp_wait
if grep -q '^Path:' "$LAB_SIPP_LAST.msg.log"; then lab_fail "Path sent with -key path none"; fi

# The same over TCP.
lab_sipp_bg "$HERE/fake-scscf.xml" "$UE_PORT" -p "$S_PORT" -t t1 -key nonce "$NONCE" -key sub no
lab_sipp uac-register-aka.xml "$S_PORT" -t t1
lab_sipp_wait
grep -q '^Via: SIP/2.0/TCP' "$LAB_SIPP_LAST.msg.log" || lab_fail "-t t1 did not register over TCP"

# Register + SUBSCRIBE reg: the NOTIFY body is logged.
lab_sipp_bg "$HERE/fake-scscf.xml" "$UE_PORT" -p "$S_PORT" -key nonce "$NONCE" -key sub yes
lab_sipp uac-subscribe-reg.xml "$S_PORT"
lab_sipp_wait
body=$(sed -n '/^REGINFO BEGIN/,/^REGINFO END/p' "$LAB_SIPP_LAST.log.log")
lab_assert_match "$body" "<registration aor=\"$LAB_DEMO_IMPU\"" "reginfo body saved by the UE scenario"
lab_assert_match "$(grep -A12 '^SUBSCRIBE' "$LAB_SIPP_LAST.msg.log")" '^Route: *<sip:orig@scscf' "SUBSCRIBE follows the Service-Route"

# De-registration, challenged by the stand-in.
lab_sipp_bg "$HERE/fake-scscf.xml" "$UE_PORT" -p "$S_PORT" -key nonce "$NONCE" -key sub no
lab_sipp uac-deregister.xml "$S_PORT"
lab_sipp_wait
lab_assert_match "$(cat "$LAB_SIPP_BG.log.log")" '^EXPIRES 0' "de-REGISTER carries Expires 0"

# The AS answers a third-party REGISTER.
lab_sipp_bg uas-as.xml "$S_PORT"
lab_sipp "$HERE/fake-3pr.xml" "$AS_PORT" -p "$((UE_PORT + 1))"
lab_sipp_wait
lab_assert_match "$(cat "$LAB_SIPP_BG.log.log")" "^third-party REGISTER: To $LAB_DEMO_IMPU From .*scscf" "AS logged the REGISTER"

# A run that fails is retried once, then fails the test (in a subshell here).
if (LAB_SIPP_TIMEOUT=2 lab_sipp uac-register-aka.xml "$I_PORT") 2>/dev/null; then
    lab_fail "lab_sipp to a closed port did not fail"
fi
lab_assert_eq "$(find "$LAB_DIR" -name 'sipp-uac-register-aka-*.out' | wc -l)" 5 "three runs earlier + two attempts"

# ---- the capture.
lab_capture_stop
lab_capture_check_clean
lab_assert_eq "$(lab_cx_count UAR)" 1 "one UAR captured"
lab_assert_eq "$(lab_cx_count MAR)" 0 "no MAR captured"
lab_sip_grep '^Service-Route: <sip:orig@scscf' >/dev/null || lab_fail "lab_sip_grep: no Service-Route"
lab_sip_grep '^Event: reg' >/dev/null || lab_fail "lab_sip_grep: no Event: reg"
if lab_sip_grep '^X-Not-There:' >/dev/null; then lab_fail "lab_sip_grep matched a missing header"; fi
lab_sip_text >"$LAB_DIR/sip-text.txt"
lab_assert_match "$(cat "$LAB_DIR/sip-text.txt")" '^Request-Line: REGISTER sip:as\.' "third-party REGISTER decoded"
lab_assert_match "$(cat "$LAB_DIR/sip-text.txt")" '^Status-Line: SIP/2\.0 401 Unauthorized' "401 decoded"

# The check must catch a malformed Diameter message (a 2-byte Unsigned32 AVP).
lab_capture_start
perl "$HERE/diameter_probe.pl" --malformed "$I_DIAM"
lab_capture_stop
if (lab_capture_check_clean) 2>/dev/null; then
    lab_fail "lab_capture_check_clean did not report a malformed Diameter packet"
fi

lab_stop hss
if lab_pid hss >/dev/null; then lab_fail "hss still running after lab_stop"; fi
echo "lab harness self-test passed"
