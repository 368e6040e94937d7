#!/usr/bin/env bash
# S-CSCF Prometheus metrics (docs/metrics.md), real hss + scscf, SIPp as the UE. Offset 390.
#  - AKA registration: REGISTER requests 2, 401 and 200 sent once each, MAR and SAR sent once
#    and answered 2001, one registration record REGISTERED, REGISTER latency observed twice;
#  - reg event SUBSCRIBE: one subscription active;
#  - wrong response: 403 counted and auth failure "res_mismatch";
#  - SIP Digest user, wrong password: 403 and auth failure "wrong_password";
#  - unanswered 401: auth failure "challenge_timeout" once auth.challenge_timeout (2 s) passes;
#  - SIPp's RES-with-0x00 retry is accounted for (each failed attempt is one more 401+403).
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/metrics.sh"
lab_init scscf_metrics 390
lab_start hss
lab_provision_demo
lab_render scscf
sed -i -E 's/challenge_timeout = "30s";/challenge_timeout = "2s";/' "$LAB_DIR/scscf.conf"
grep -q 'challenge_timeout = "2s";' "$LAB_DIR/scscf.conf" || lab_fail "could not shorten the challenge timeout"
lab_start scscf
METRICS_URL="http://127.0.0.1:$S_METRICS/metrics"

# Before any SIP: every family is listed, the gauges are 0.
metrics_scrape
for fam in imscore_sip_requests_total imscore_sip_responses_total imscore_registrations_active \
    imscore_subscriptions_active imscore_auth_failures_total imscore_cx_requests_total \
    imscore_cx_answers_total imscore_transactions_active imscore_register_duration_seconds; do
    lab_assert_match "$METRICS_TEXT" "# TYPE $fam " "family $fam listed"
done
metrics_expect 'imscore_registrations_active' 0
metrics_expect 'imscore_subscriptions_active' 0
metrics_expect 'imscore_register_duration_seconds_count' 0

# 1. AKA registration straight to the S-CSCF.
lab_sipp uac-register-aka.xml "$S_PORT"
n=$(ls "$LAB_DIR"/sipp-uac-register-aka-*.out | wc -l) # 2 when SIPp needed its retry
metrics_scrape
metrics_expect 'imscore_sip_requests_total{method="REGISTER"}' $((2 * n))
metrics_expect 'imscore_sip_responses_total{method="REGISTER",code="401"}' "$n"
metrics_expect 'imscore_sip_responses_total{method="REGISTER",code="200"}' 1
metrics_expect 'imscore_registrations_active' 1
metrics_expect 'imscore_cx_requests_total{command="MAR"}' "$n"
metrics_expect 'imscore_cx_requests_total{command="SAR"}' "$n"
metrics_expect 'imscore_cx_answers_total{command="MAR",result="2001"}' "$n"
metrics_expect 'imscore_cx_answers_total{command="SAR",result="2001"}' "$n"
metrics_expect 'imscore_register_duration_seconds_count' $((2 * n))
metrics_expect 'imscore_register_duration_seconds_bucket{le="+Inf"}' $((2 * n))
metrics_expect 'imscore_auth_failures_total{cause="res_mismatch"}' $((n - 1))
# every REGISTER was answered within 10 s (the largest finite bucket holds them all)
metrics_expect 'imscore_register_duration_seconds_bucket{le="10"}' $((2 * n))
sum=$(metrics_value 'imscore_register_duration_seconds_sum')
perl -e 'exit !($ARGV[0] > 0 && $ARGV[0] < 20)' "$sum" || lab_fail "latency sum $sum out of range"
# the transactions gauge is a live count (the completed ones linger for Timer J)
trans=$(metrics_value 'imscore_transactions_active')
[[ "$trans" =~ ^[0-9]+$ ]] || lab_fail "imscore_transactions_active is '$trans'"

# 2. A reg event subscription (the scenario registers again, then subscribes).
lab_sipp uac-subscribe-reg.xml "$S_PORT"
lab_expect_log scscf "reg subscription [0-9]+ for .* accepted"
metrics_scrape
metrics_expect 'imscore_subscriptions_active' 1
metrics_expect 'imscore_registrations_active' 1
metrics_expect 'imscore_sip_requests_total{method="SUBSCRIBE"}' 1
metrics_expect 'imscore_sip_responses_total{method="SUBSCRIBE",code="200"}' 1
regs=$(metrics_value 'imscore_sip_requests_total{method="REGISTER"}')
f403=$(metrics_value 'imscore_sip_responses_total{method="REGISTER",code="403"}')
sar=$(metrics_value 'imscore_cx_requests_total{command="SAR"}')
res=$(metrics_value 'imscore_auth_failures_total{cause="res_mismatch"}')

# 3. Wrong response: 401 then 403, SAR AUTHENTICATION_FAILURE.
lab_sipp scscf-register-reject.xml "$S_PORT"
lab_expect_log scscf "SAR .* type 9\$"
metrics_scrape
metrics_expect 'imscore_sip_requests_total{method="REGISTER"}' $((regs + 2))
metrics_expect 'imscore_sip_responses_total{method="REGISTER",code="403"}' $((f403 + 1))
metrics_expect 'imscore_auth_failures_total{cause="res_mismatch"}' $((res + 1))
metrics_expect 'imscore_cx_requests_total{command="SAR"}' $((sar + 1))
metrics_expect 'imscore_registrations_active' 1

# 4. The SIP Digest user with a wrong password: 403, auth failure "wrong_password".
lab_sipp uac-register-digest.xml "$S_PORT" -key password2 not-the-password
grep -q 'digest rejected 403' "$LAB_SIPP_LAST.log.log" || lab_fail "wrong password not rejected 403"
metrics_expect 'imscore_auth_failures_total{cause="wrong_password"}' 1
metrics_expect 'imscore_sip_responses_total{method="REGISTER",code="403"}' $((f403 + 2))
metrics_expect 'imscore_auth_failures_total{cause="res_mismatch"}' $((res + 1))

# 5. A 401 left unanswered: the challenge times out after 2 s (SAR AUTHENTICATION_TIMEOUT).
lab_sipp uac-register-challenge-only.xml "$S_PORT"
lab_expect_log scscf "SAR .* type 10\$" 10
metrics_scrape
metrics_expect 'imscore_auth_failures_total{cause="challenge_timeout"}' 1
metrics_expect 'imscore_auth_failures_total{cause="stale_nonce"}' 0
metrics_expect 'imscore_auth_failures_total{cause="sync_failure"}' 0

code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$METRICS_URL")
lab_assert_eq "$code" 405 "POST /metrics"
lab_stop scscf
echo "PASS: scscf metrics at $METRICS_URL"
