#!/usr/bin/env bash
# The HSS's Prometheus endpoint: a real UAR from a Diameter peer is counted by command and
# result; other paths get 404. Offset 150.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init hss_metrics 150
lab_start hss
lab_provision_demo

url="http://127.0.0.1:$HSS_METRICS/metrics"
before=$(curl -fsS "$url") || lab_fail "GET $url failed"
lab_assert_match "$before" '# TYPE imscore_cx_requests_total counter' "no Cx request family"
lab_assert_match "$before" '# TYPE imscore_register_duration_seconds histogram' "no histogram"

out=$(perl "$IMSCORE_SOURCE_DIR/tests/integration/lab/diameter_probe.pl" "$HSS_DIAM" \
    "$LAB_DEMO_IMPI" "$LAB_DEMO_IMPU") || lab_fail "Diameter probe failed: $out"
lab_assert_match "$out" 'UAA 2001' "the UAR was not answered FIRST_REGISTRATION"

after=$(curl -fsS "$url")
lab_assert_match "$after" 'imscore_cx_requests_total\{command="UAR"\} 1' "UAR not counted"
lab_assert_match "$after" 'imscore_cx_answers_total\{command="UAR",result="exp:2001"\} 1' \
    "UAA result not counted"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HSS_METRICS/nope")
lab_assert_eq "$code" 404 "an unknown path must get 404"
lab_stop hss
echo "hss metrics: UAR and its answer counted at $url"
