#!/usr/bin/env bash
# I-CSCF S-CSCF re-selection (TS 24.229 5.3.1.3, TS 29.228 6.1.1): the demo user registers
# through the I-CSCF to the real S-CSCF A, so the HSS records A. A is stopped. The next
# REGISTER gets a UAA SUBSEQUENT_REGISTRATION naming A; A fails, so the I-CSCF sends a
# second UAR with User-Authorization-Type REGISTRATION_AND_CAPABILITIES (2), gets Server-Capabilities and forwards to B (a SIPp
# stand-in S-CSCF answering 200), never back to A. The UE gets B's 200. Both failures are
# covered: a stand-in at A's port answering 503, then nothing at A's port (timeout).
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
source "$IMSCORE_SOURCE_DIR/tests/integration/icscf/icscf_lib.sh"

lab_init icscf_reselect 460
S2_PORT=$((S_PORT + 5))
lab_capture_start
lab_start hss
lab_provision_demo
lab_render icscf
# A first (the HSS names it in its Server-Capabilities), B second.
icscf_conf_scscfs "sip:scscf.$LAB_DOMAIN:$S_PORT $S_PORT" "sip:scscf2.$LAB_DOMAIN:$S2_PORT $S2_PORT"
icscf_conf_set scscf_timeout 1500
lab_start scscf
lab_start icscf

# 1. A real AKA registration through the I-CSCF to A.
lab_sipp uac-register-aka.xml "$I_PORT"

# 2. A goes away (the HSS still names it); a stand-in at A's port answers 503: the I-CSCF
#    re-selects B.
lab_stop scscf
lab_sipp_bg icscf-uas-scscf-503.xml "$I_PORT" -p "$S_PORT"
bad=$LAB_SIPP_BG_PID bad_pfx=$LAB_SIPP_BG
lab_sipp_bg icscf-uas-scscf-200.xml "$I_PORT" -p "$S2_PORT"
good2=$LAB_SIPP_BG_PID good2_pfx=$LAB_SIPP_BG
icscf_register_expect 200 -key authline "$(icscf_auth_line "$LAB_DEMO_IMPI")"
lab_sipp_wait "$bad"
lab_sipp_wait "$good2"
lab_assert_match "$(cat "$bad_pfx.log.log")" "GOT REGISTER" "A's stand-in got the REGISTER"
lab_assert_match "$(cat "$good2_pfx.log.log")" "GOT REGISTER" "B got the REGISTER after the 503"
lab_expect_log icscf "answered 503"

# 3. Nothing listens at A's port any more: no answer within scscf_timeout, re-selected.
#    (After the 503 case: an abandoned UDP client transaction still retransmits, and would
#    feed a stand-in started later at A's port.)
lab_sipp_bg icscf-uas-scscf-200.xml "$I_PORT" -p "$S2_PORT"
good=$LAB_SIPP_BG_PID good_pfx=$LAB_SIPP_BG

icscf_register_expect 200 -key authline "$(icscf_auth_line "$LAB_DEMO_IMPI")"
lab_sipp_wait "$good"
lab_assert_match "$(cat "$good_pfx.log.log")" "GOT REGISTER sip:$LAB_DOMAIN" "S-CSCF B got the REGISTER"
lab_expect_log icscf "sip:scscf\.$LAB_DOMAIN:$S_PORT: no final answer within 1500 ms"
lab_expect_log icscf "UAA Server-Name sip:scscf\.$LAB_DOMAIN:$S_PORT"
lab_expect_log icscf "S-CSCF sip:scscf\.$LAB_DOMAIN:$S_PORT failed: re-selecting with REGISTRATION_AND_CAPABILITIES"
lab_expect_log icscf "forwarding to sip:scscf2\.$LAB_DOMAIN:$S2_PORT"

# 4. The capture (read once: reading stops it): the registration's UARs (two, four when
#    SIPp retried) and each later REGISTER's are REGISTRATION (0), each followed by exactly
#    one REGISTRATION_AND_CAPABILITIES (2) for the same identities, whose answer carries
#    Server-Capabilities.
lab__capture_file # stops the capture; sets LAB__DA (decode-as of the offset ports)
# one line per UAR: type, User-Name, Public-Identity
uars=$(tshark -n -r "$LAB_DIR/capture.pcapng" "${LAB__DA[@]}" \
    -Y "diameter.cmd.code == 300 && diameter.flags.request == 1" -T fields -E separator=' ' \
    -e diameter.User-Authorization-Type -e diameter.User-Name -e diameter.Public-Identity \
    2>/dev/null)
types=$(awk '{ printf "%s ", $1 }' <<<"$uars")
lab_assert_match "$types" "^(0 0 ){1,2}0 2 0 2 $" \
    "UARs REGISTRATION, then REGISTRATION_AND_CAPABILITIES after each failure (got '$types')"
lab_assert_eq "$(tail -1 <<<"$uars")" "2 $LAB_DEMO_IMPI $LAB_DEMO_IMPU" \
    "the last UAR: REGISTRATION_AND_CAPABILITIES for the demo IMPI and IMPU"
uaa=$(tshark -n -r "$LAB_DIR/capture.pcapng" "${LAB__DA[@]}" \
    -Y "diameter.cmd.code == 300 && diameter.flags.request == 0" -T fields -E separator=' ' \
    -e diameter.Experimental-Result-Code -e diameter.Server-Name \
    -e diameter.Server-Capabilities 2>/dev/null | tail -1)
lab_assert_match "$uaa" "^2001 sip:scscf\.$LAB_DOMAIN:$S_PORT [0-9a-f]+" \
    "the last UAA: FIRST_REGISTRATION (2001) with Server-Capabilities naming the HSS's S-CSCF"
# B got each REGISTER exactly once.
lab_assert_eq "$(grep -c 'GOT REGISTER' "$good_pfx.log.log")" 1 "one REGISTER at B"
lab_assert_eq "$(grep -c 'GOT REGISTER' "$good2_pfx.log.log")" 1 "one REGISTER at B (503 case)"
lab_capture_check_clean
echo "PASS icscf_reselect"
