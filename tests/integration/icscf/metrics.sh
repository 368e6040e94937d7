#!/usr/bin/env bash
# I-CSCF Prometheus metrics (docs/metrics.md): SIPp UE -> icscf -> scscf <-> hss, one AKA
# registration, then a MESSAGE to an unknown identity. Offset 480. At the I-CSCF:
#  - REGISTER requests 2, their answers relayed (401 once, 200 once), latency observed twice;
#  - UAR sent 2, both answered exp:2001 FIRST_REGISTRATION (the second with the S-CSCF name
#    the MAR stored: TS 29.228 6.1.1.1, not registered yet);
#  - MESSAGE: LIR sent once, answered exp:5001 USER_UNKNOWN, 404 sent;
#  - no MAR/SAR at the I-CSCF, no registration state;
#  - SIPp's RES-with-0x00 retry is accounted for (a failed attempt adds REGISTER 401/403).
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/metrics.sh"
lab_init icscf_metrics 480
lab_core
METRICS_URL="http://127.0.0.1:$I_METRICS/metrics"

lab_sipp uac-register-aka.xml "$I_PORT"
n=$(ls "$LAB_DIR"/sipp-uac-register-aka-*.out | wc -l) # 2 when SIPp needed its retry
metrics_scrape
metrics_expect 'imscore_sip_requests_total{method="REGISTER"}' $((2 * n))
metrics_expect 'imscore_sip_responses_total{method="REGISTER",code="401"}' "$n"
metrics_expect 'imscore_sip_responses_total{method="REGISTER",code="403"}' $((n - 1))
metrics_expect 'imscore_sip_responses_total{method="REGISTER",code="200"}' 1
metrics_expect 'imscore_register_duration_seconds_count' $((2 * n))
metrics_expect 'imscore_cx_requests_total{command="UAR"}' $((2 * n))
metrics_expect 'imscore_cx_answers_total{command="UAR",result="exp:2001"}' $((2 * n))
metrics_expect 'imscore_cx_answers_total{command="UAR",result="exp:2002"}' 0
metrics_expect 'imscore_cx_requests_total{command="MAR"}' 0
metrics_expect 'imscore_cx_requests_total{command="LIR"}' 0
metrics_expect 'imscore_registrations_active' 0

lab_sipp icscf-uac-message.xml "$I_PORT" -key target "sip:nobody@$LAB_DOMAIN"
lab_assert_match "$(cat "$LAB_SIPP_LAST.log.log")" "STATUS 404 " "unknown identity: 404"
metrics_expect 'imscore_sip_requests_total{method="MESSAGE"}' 1
metrics_expect 'imscore_sip_responses_total{method="MESSAGE",code="404"}' 1
metrics_expect 'imscore_cx_requests_total{command="LIR"}' 1
metrics_expect 'imscore_cx_answers_total{command="LIR",result="exp:5001"}' 1
metrics_expect 'imscore_cx_requests_total{command="UAR"}' $((2 * n))

lab_stop icscf
echo "PASS icscf_metrics"
