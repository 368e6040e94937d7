#!/usr/bin/env bash
# I-CSCF: with the HSS gone, a REGISTER gets 480 with Retry-After (hss.failure_code,
# hss.retry_after) instead of hanging, and the I-CSCF keeps serving.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
source "$IMSCORE_SOURCE_DIR/tests/integration/icscf/icscf_lib.sh"

lab_init icscf_hss_down 430
lab_start hss
lab_provision_demo
lab_render icscf
icscf_conf_scscfs "sip:scscf.$LAB_DOMAIN:$S_PORT $S_PORT"
lab_start icscf
lab_stop hss
lab_expect_log icscf "diameter peer hss\.[^ ]* (STATE_|CLOSED|SUSPECT|REOPEN)" 15

icscf_register_expect 480 -key authline "$(icscf_auth_line "$LAB_DEMO_IMPI")"
lab_assert_eq "$ICSCF_RA" 30 "Retry-After: 30"
lab_expect_log icscf "UAA status -[0-9]+"
lab_pid icscf >/dev/null || lab_fail "icscf died"
lab_stop icscf
echo "PASS icscf_hss_down"
