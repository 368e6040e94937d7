#!/usr/bin/env bash
# imsua load against the real core (imsua -> icscf -> scscf <-> hss): 50 subscribers imported
# with `imsctl subscriber import`, then
#  1. --rate 20 --duration 5 --json from one process / one socket: exit 0, the JSON parses,
#     succeeded == attempted (about 100: every subscriber registered about twice),
#     failed == 0, a rate and ordered latency percentiles; the S-CSCF registered all 50 IMPIs;
#  2. text report of a short run;
#  3. a file with one wrong K: exit 1, failed_by_cause.mac_mismatch == 1, the others succeed;
#  4. usage: a malformed file (exit 2, FILE:LINE named), missing --rate (exit 2).
# Exits 77 (ctest SKIP) while a daemon is not built.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init imsua_load 730
source "$IMSCORE_SOURCE_DIR/tests/integration/imsua/ua_lib.sh"
ua_skip_unless_built hss scscf icscf imsctl imsua
command -v jq >/dev/null || lab_fail "jq is not installed (./lab installs it)"
lab_core scscf icscf
domain=$LAB_DOMAIN
k=$LAB_DEMO_K_HEX
op=$LAB_DEMO_OP_HEX

# 50 subscribers: imsctl's import format, and imsua's (impi,impu,k,op,amf), half of the
# keys in the ascii: syntax.
imp=$LAB_DIR/import.csv
subs=$LAB_DIR/subscribers.csv
echo "impi,impus,k,op,opc,amf,sqn,scheme,password" >"$imp"
printf '# imsua load subscribers\nimpi,impu,k,op,amf\n' >"$subs"
for i in $(seq 1 50); do
    id=$(printf '0010100000%05d' $((1000 + i)))
    echo "$id@$domain,sip:$id@$domain,$k,$op,,8000,000000000000,aka," >>"$imp"
    if [ $((i % 2)) -eq 0 ]; then
        echo "$id@$domain,sip:$id@$domain,$k,$op,8000" >>"$subs"
    else
        echo "$id@$domain, sip:$id@$domain, ascii:$LAB_DEMO_K, ascii:$LAB_DEMO_OP" >>"$subs"
    fi
done
lab_imsctl subscriber import "$imp" >/dev/null

ua_run() { # ua_run EXPECTED_RC NAME ARGS...: stdout into NAME.out, stderr into NAME.err
    local want=$1 name=$2 rc=0
    shift 2
    "$UA_BIN" "$@" >"$LAB_DIR/$name.out" 2>"$LAB_DIR/$name.err" || rc=$?
    if [ "$rc" -ne "$want" ]; then
        cat "$LAB_DIR/$name.out" "$LAB_DIR/$name.err" >&2
        lab_fail "$name: imsua exit $rc, expected $want"
    fi
    UA_OUT=$(cat "$LAB_DIR/$name.out")
    UA_ERR=$(cat "$LAB_DIR/$name.err")
}
net=(--proxy "127.0.0.1:$I_PORT" --port "$UE_PORT")

# 1. 20/s for 5 s, JSON.
start=$(date +%s%N)
ua_run 0 load-json load --subscribers "$subs" --rate 20 --duration 5 --concurrency 50 --json "${net[@]}"
ms=$((($(date +%s%N) - start) / 1000000))
jq -e . <<<"$UA_OUT" >/dev/null || lab_fail "load --json output does not parse: $UA_OUT"
[ "$(wc -l <<<"$UA_OUT")" -eq 1 ] || lab_fail "load --json printed more than one line"
attempted=$(jq -r .attempted <<<"$UA_OUT")
succeeded=$(jq -r .succeeded <<<"$UA_OUT")
lab_assert_eq "$succeeded" "$attempted" "succeeded == attempted"
lab_assert_eq "$(jq -r .failed <<<"$UA_OUT")" 0 "no failure"
lab_assert_eq "$(jq -r '.failed_by_cause | length' <<<"$UA_OUT")" 0 "no failure cause"
[ "$attempted" -ge 90 ] && [ "$attempted" -le 101 ] || lab_fail "attempted $attempted, expected ~100 (20/s for 5 s)"
[ "$ms" -lt 15000 ] || lab_fail "load took $ms ms"
jq -e '.registrations_per_s > 5 and .registrations_per_s < 30' <<<"$UA_OUT" >/dev/null ||
    lab_fail "registrations_per_s out of range: $UA_OUT"
jq -e '.latency_ms.p50 > 0 and .latency_ms.p50 <= .latency_ms.p95 and .latency_ms.p95 <= .latency_ms.p99' \
    <<<"$UA_OUT" >/dev/null || lab_fail "latency percentiles not ordered: $UA_OUT"
lab_assert_eq "$(jq -r .subscribers <<<"$UA_OUT")" 50 "subscribers read"
n=$(grep -Eo "scscf: 0010100000[0-9]{5}@[^ ]+ registered sip:" "$LAB_DIR/scscf.log" | sort -u | wc -l)
lab_assert_eq "$n" 50 "distinct IMPIs registered at the S-CSCF"

# 2. Text report.
ua_run 0 load-text load --subscribers "$subs" --rate 10 --duration 1 "${net[@]}"
lab_assert_match "$UA_OUT" '^attempted ([0-9]+) succeeded \1 failed 0$' "text summary"
lab_assert_match "$UA_OUT" '^registrations/s [0-9.]+ over [0-9.]+ s$' "text rate"
lab_assert_match "$UA_OUT" '^latency ms p50 [0-9.]+ p95 [0-9.]+ p99 [0-9.]+$' "text latency"

# 3. One subscriber with a wrong K: the UE refuses the network for that one only.
bad=$LAB_DIR/subscribers-badk.csv
head -n 7 "$subs" >"$bad"   # comment, header, 5 subscribers
id=$(printf '0010100000%05d' 1001)
echo "$id@$domain,sip:$id@$domain,00112233445566778899aabbccddeeff,$op,8000" >>"$bad"
ua_run 1 load-badk load --subscribers "$bad" --rate 6 --duration 1 --json "${net[@]}"
lab_assert_eq "$(jq -r .attempted <<<"$UA_OUT")" 6 "attempted (5 good + 1 bad, each once)"
lab_assert_eq "$(jq -r .failed <<<"$UA_OUT")" 1 "one failure"
lab_assert_eq "$(jq -r '.failed_by_cause.mac_mismatch' <<<"$UA_OUT")" 1 "failure cause"
lab_assert_match "$UA_ERR" "^$id@$domain: 401 loop: network MAC mismatch \\(wrong K/OP\\?\\)$" "cause on stderr"

# 4. Usage errors.
printf 'impi,impu,k,op,amf\n%s@%s,sip:x@%s,1234,%s\n' x "$domain" "$domain" "$op" >"$LAB_DIR/broken.csv"
ua_run 2 load-broken load --subscribers "$LAB_DIR/broken.csv" --rate 1 --duration 1 "${net[@]}"
lab_assert_match "$UA_ERR" "broken\\.csv:2: bad k" "malformed file named with its line"
ua_run 2 load-norate load --subscribers "$subs" --duration 1 "${net[@]}"
echo "imsua_load: PASS"
