#!/usr/bin/env bash
# lab-trace.sh IMPU [LOG_DIR]: the cross-daemon story of IMPU's last registration, from the
# daemons' logs in LOG_DIR (default: the lab's, $LAB_DIR or var/). Called by `./lab trace`.
#
# Every CSCF logs the lines of one registration with its trace id in brackets: the
# P-Charging-Vector icid the P-CSCF gives a registration attempt (the challenged REGISTER and
# the one answering it share it), or the Call-ID when no P-CSCF is in the path. The HSS sees no
# icid (Cx does not carry it): its lines are matched by the user's identities within the time
# of the registration. The last line names the outcome and, on failure, the cause.
set -euo pipefail
impu=${1:?usage: lab-trace.sh IMPU [LOG_DIR]}
dir=${2:-${LAB_DIR:-$(cd "$(dirname "$0")/.." && pwd)/var}}
case $impu in sip:* | sips:* | tel:*) ;; *) impu=sip:$impu ;; esac
logs=()
for d in pcscf icscf scscf hss; do
    [ -f "$dir/$d.log" ] && logs+=("$dir/$d.log")
done
[ ${#logs[@]} -gt 0 ] || { echo "lab trace: no daemon logs in $dir" >&2; exit 2; }

# The last REGISTER step of this IMPU that carries a trace id: P-CSCF "REGISTER of IMPU",
# I-CSCF "UAR ... impu=IMPU", S-CSCF "MAR IMPI IMPU" / "SAR IMPI IMPU".
start=$(grep -hF -- "$impu" "${logs[@]}" |
    grep -E '\] (pcscf: REGISTER of|icscf: UAR |scscf: (MAR|SAR) )' | sort | tail -1 || true)
[ -n "$start" ] || { echo "lab trace: no registration of $impu in $dir/*.log" >&2; exit 1; }
id=$(sed -E 's/^[^ ]+ [^ ]+ [A-Z]+ +[^ ]+ \[([^]]+)\].*/\1/' <<<"$start")
impi=$(grep -hF -- "[$id]" "${logs[@]}" |
    sed -nE 's/.*scscf: (MAR|SAR) ([^ ]+) .*/\2/p; s/.*impi=([^ ]+).*/\1/p' | head -1)

lines=$(grep -hF -- "[$id]" "${logs[@]}" | sort -s -k1,1)
first=$(head -1 <<<"$lines" | cut -c1-19)
last=$(tail -1 <<<"$lines" | cut -c1-19)
# HSS lines of this user from the first to one second after the last step.
hss=""
if [ -f "$dir/hss.log" ]; then
    hss=$(awk -v a="$first" -v b="$last" -v i="${impi:-@@none@@}" -v u="$impu" '
        { t = substr($1, 1, 19) }
        t >= a && (t <= b || substr(t, 1, 17) == substr(b, 1, 17)) &&
            (index($0, i) || index($0, u)) && !/freeDiameter/' "$dir/hss.log")
fi
story=$(printf '%s\n%s\n' "$lines" "$hss" | grep -v '^$' | sort -s -k1,1)

echo "trace $id: $impu${impi:+ ($impi)}"
awk '{
    t = substr($1, 12, 12); d = $2; sub(/\[[0-9]+\]$/, "", d)
    msg = $0; sub(/^[^ ]+ [^ ]+ [A-Z]+ +[^ ]+ /, "", msg); sub(/^\[[^]]+\] /, "", msg)
    sub(/^(pcscf|icscf|scscf): /, "", msg)
    printf "%s  %-5s  %s\n", t, d, msg
}' <<<"$story"

cause=""
case $story in
    *"Experimental-Result 5001"* | *"result 0/5001"*) cause="UAR 5001 user unknown" ;;
esac
if [ -z "$cause" ]; then
    if grep -q "failed authentication" <<<"$story"; then
        cause="RES mismatch"
    elif grep -q "no final answer within\|no S-CSCF answered in time" <<<"$story"; then
        cause="S-CSCF timeout"
    elif grep -qE "UAR .*(Experimental-Result 5002|IDENTITIES_DONT_MATCH)" <<<"$story"; then
        cause="UAR 5002 identities don't match"
    elif grep -qE "UAR .*Experimental-Result 5004|roaming .*not allowed" <<<"$story"; then
        cause="UAR 5004 roaming not allowed"
    elif grep -qE "UAR .*Result-Code 5003" <<<"$story"; then
        cause="UAR 5003 authorization rejected"
    elif grep -qE "HSS unreachable|status -110|Retry-After" <<<"$story"; then
        cause="HSS unreachable"
    fi
fi
resync=""
grep -q "sent AUTS: resynchronising\|SQN resynchronised" <<<"$story" && resync=" after SQN resync"
if [ -n "$cause" ]; then
    echo "outcome: failed: $cause$resync"
    exit 1
elif grep -qE "scscf: [^ ]+ registered |registered via " <<<"$story"; then
    echo "outcome: registered$resync"
elif grep -qE "de-registered" <<<"$story"; then
    echo "outcome: de-registered"
elif [ -n "$resync" ]; then
    echo "outcome: in progress: SQN resync"
else
    echo "outcome: unknown (no final step logged)"
fi
