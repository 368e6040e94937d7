#!/usr/bin/env bash
# I-CSCF: first registration goes to the best configured S-CSCF; when it answers 503 the
# I-CSCF tries the next capable one (TS 24.229 5.3.1.3). Real hss + icscf; both S-CSCFs are
# SIPp stand-ins. The UAR is checked in the capture: IMPI from Authorization, IMPU from To,
# Visited-Network-Identifier from P-Visited-Network-ID, type REGISTRATION.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
source "$IMSCORE_SOURCE_DIR/tests/integration/icscf/icscf_lib.sh"

lab_init icscf_failover_503 400
S2_PORT=$((S_PORT + 5))
lab_capture_start
lab_start hss
lab_provision_demo
lab_imsctl subscriber set "$LAB_DEMO_IMPI" --roaming visited.example.net >/dev/null
# The HSS names the 6060 S-CSCF in its Server-Capabilities: it goes first; the second only
# offers an extra capability nobody asks for.
lab_render icscf
icscf_conf_scscfs "sip:scscf.$LAB_DOMAIN:$S_PORT $S_PORT" "sip:scscf2.$LAB_DOMAIN:$S2_PORT $S2_PORT 7"
lab_start icscf

lab_sipp_bg icscf-uas-scscf-503.xml "$I_PORT" -p "$S_PORT"
bad=$LAB_SIPP_BG_PID bad_pfx=$LAB_SIPP_BG
lab_sipp_bg icscf-uas-scscf-200.xml "$I_PORT" -p "$S2_PORT"
good=$LAB_SIPP_BG_PID good_pfx=$LAB_SIPP_BG

icscf_register_expect 200 -key authline "$(icscf_auth_line "$LAB_DEMO_IMPI")" \
    -key pvni 'P-Visited-Network-ID: "visited.example.net"'
lab_sipp_wait "$bad"
lab_sipp_wait "$good"
lab_assert_match "$(cat "$bad_pfx.log.log")" "GOT REGISTER sip:$LAB_DOMAIN" "first S-CSCF got the REGISTER"
lab_assert_match "$(cat "$good_pfx.log.log")" "GOT REGISTER sip:$LAB_DOMAIN" "second S-CSCF got the REGISTER"
lab_expect_log icscf "answered 503"

lab_assert_eq "$(lab_cx_count UAR)" 1 "one UAR"
lab_assert_eq "$(icscf_uar_fields diameter.User-Name)" "$LAB_DEMO_IMPI" "UAR User-Name from Authorization"
lab_assert_eq "$(icscf_uar_fields diameter.Public-Identity)" "$LAB_DEMO_IMPU" "UAR Public-Identity from To"
lab_assert_eq "$(icscf_uar_fields diameter.Visited-Network-Identifier)" "$(icscf_hex visited.example.net)" \
    "UAR Visited-Network-Identifier from P-Visited-Network-ID"
lab_assert_eq "$(icscf_uar_fields diameter.User-Authorization-Type)" 0 "UAR type REGISTRATION"
lab_capture_check_clean
echo "PASS icscf_failover_503"
