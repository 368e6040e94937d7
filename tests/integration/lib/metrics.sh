# metrics.sh: helpers for tests of the Prometheus endpoints (docs/metrics.md), sourced after
# lab.sh. Set METRICS_URL first, e.g. METRICS_URL=http://127.0.0.1:$S_METRICS/metrics
#   metrics_scrape                      GET it into METRICS_TEXT (fails the test on error)
#   metrics_value 'name{l="v"}'         print that sample's value in METRICS_TEXT; a labelled
#                                       sample not (yet) there prints 0, an unlabelled one ""
#   metrics_expect 'name{l="v"}' VALUE  scrape until the sample equals VALUE (at most 5 s, for
#                                       updates that follow the SIP answer by a moment), or fail
#                                       showing the last scrape

metrics_scrape() {
    METRICS_TEXT=$(curl -fsS --max-time 5 "$METRICS_URL") || lab_fail "GET $METRICS_URL failed"
    printf '%s\n' "$METRICS_TEXT" >"$LAB_DIR/metrics-last.txt"
}

metrics_value() {
    printf '%s\n' "$METRICS_TEXT" | awk -v k="$1" '
        $1 == k { print $2; found = 1; exit }
        END { if (!found && index(k, "{")) print 0 }'
}

metrics_expect() {
    local key=$1 want=$2 got tries=50
    while :; do
        got=$(metrics_value "$key")
        [ "$got" = "$want" ] && return 0
        tries=$((tries - 1))
        [ $tries -gt 0 ] || break
        sleep 0.1
        metrics_scrape
    done
    printf '%s\n' "$METRICS_TEXT" | grep -v '^#' | sed 's/^/  | /' >&2
    lab_fail "metric $key is '${got:-absent}', expected $want (last scrape above and in $LAB_DIR/metrics-last.txt)"
}
