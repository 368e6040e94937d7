#!/usr/bin/env bash
# P-CSCF Prometheus metrics (docs/metrics.md): the seed flow through the real chain (SIPp UE
# -> pcscf -> icscf -> scscf <-> hss), then a Security-Verify mismatch. Offset 660. At the
# P-CSCF:
#  - REGISTER requests 2, answers relayed to the UE (401 once, 200 once), latency observed
#    twice; the UE's SUBSCRIBE counted and its 200 relayed;
#  - one registered UE and one reg event subscription of the P-CSCF's own (after its NOTIFY);
#  - no Cx at the P-CSCF;
#  - a protected REGISTER whose Security-Verify differs: 494 and auth failure
#    "sec_verify_mismatch";
#  - SIPp's RES-with-0x00 retry is accounted for (a failed attempt adds REGISTER 401/403).
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/metrics.sh"
lab_init pcscf_metrics 660
lab_core scscf icscf pcscf
METRICS_URL="http://127.0.0.1:$P_METRICS/metrics"

metrics_scrape
metrics_expect 'imscore_registrations_active' 0
metrics_expect 'imscore_subscriptions_active' 0

lab_sipp pcscf-register-subscribe.xml "$P_PORT"
n=$(ls "$LAB_DIR"/sipp-pcscf-register-subscribe-*.out | wc -l) # 2 when SIPp needed its retry
lab_expect_log pcscf "reg-event subscription accepted" 10
metrics_scrape
metrics_expect 'imscore_sip_requests_total{method="REGISTER"}' $((2 * n))
metrics_expect 'imscore_sip_responses_total{method="REGISTER",code="401"}' "$n"
metrics_expect 'imscore_sip_responses_total{method="REGISTER",code="403"}' $((n - 1))
metrics_expect 'imscore_sip_responses_total{method="REGISTER",code="200"}' 1
metrics_expect 'imscore_register_duration_seconds_count' $((2 * n))
metrics_expect 'imscore_sip_requests_total{method="SUBSCRIBE"}' 1
metrics_expect 'imscore_sip_responses_total{method="SUBSCRIBE",code="200"}' 1
metrics_expect 'imscore_registrations_active' 1
metrics_expect 'imscore_subscriptions_active' 1
metrics_expect 'imscore_cx_requests_total{command="UAR"}' 0
metrics_expect 'imscore_auth_failures_total{cause="sec_verify_mismatch"}' 0
# NOTIFYs: at least the one for the P-CSCF's own subscription and the one relayed to the UE
notify=$(metrics_value 'imscore_sip_requests_total{method="NOTIFY"}')
[ "$notify" -ge 2 ] || lab_fail "NOTIFY requests counted: $notify, expected at least 2"

lab_sipp pcscf-secverify-mismatch.xml "$P_PORT"
lab_expect_log pcscf "Security-Verify differs from the Security-Server sent: 494" 5
metrics_expect 'imscore_auth_failures_total{cause="sec_verify_mismatch"}' 1
metrics_expect 'imscore_sip_responses_total{method="REGISTER",code="494"}' 1

lab_stop pcscf
echo "PASS pcscf_metrics"
