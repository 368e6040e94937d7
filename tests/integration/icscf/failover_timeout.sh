#!/usr/bin/env bash
# I-CSCF: the first S-CSCF never answers; after scscf_timeout the I-CSCF abandons it and
# sends the REGISTER to the next capable S-CSCF (TS 24.229 5.3.1.3), whose 200 reaches the UE.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
source "$IMSCORE_SOURCE_DIR/tests/integration/icscf/icscf_lib.sh"

lab_init icscf_failover_timeout 410
S2_PORT=$((S_PORT + 5))
lab_capture_start
lab_start hss
lab_provision_demo
lab_render icscf
icscf_conf_scscfs "sip:scscf.$LAB_DOMAIN:$S_PORT $S_PORT" "sip:scscf2.$LAB_DOMAIN:$S2_PORT $S2_PORT"
icscf_conf_set scscf_timeout 1500
lab_start icscf

lab_sipp_bg icscf-uas-silent.xml "$I_PORT" -p "$S_PORT"
silent=$LAB_SIPP_BG_PID silent_pfx=$LAB_SIPP_BG
lab_sipp_bg icscf-uas-scscf-200.xml "$I_PORT" -p "$S2_PORT"
good=$LAB_SIPP_BG_PID good_pfx=$LAB_SIPP_BG

t0=$(date +%s%N)
icscf_register_expect 200 -key authline "$(icscf_auth_line "$LAB_DEMO_IMPI")"
elapsed_ms=$((($(date +%s%N) - t0) / 1000000))
[ "$elapsed_ms" -ge 1400 ] || lab_fail "200 came after $elapsed_ms ms, before the 1500 ms S-CSCF timeout"
lab_sipp_wait "$good"
lab_sipp_wait "$silent"
lab_assert_match "$(cat "$silent_pfx.log.log")" "GOT REGISTER" "first S-CSCF got the REGISTER"
lab_assert_match "$(cat "$good_pfx.log.log")" "GOT REGISTER" "second S-CSCF got the REGISTER"
lab_expect_log icscf "no final answer within 1500 ms"
lab_assert_eq "$(lab_cx_count UAR)" 1 "one UAR (the failover needs no new one)"
lab_capture_check_clean
echo "PASS icscf_failover_timeout"
