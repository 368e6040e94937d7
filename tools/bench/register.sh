#!/usr/bin/env bash
# tools/bench/register.sh [N] [RATE] [DURATION] [SYNC]: registrations per second of the real
# core (imsua load -> icscf -> scscf <-> hss) on this machine. Not a test: it prints figures.
#   N subscribers (default 200) are imported; imsua registers them from one process at RATE
#   per second (default 100) for DURATION seconds (default 20), at most 200 in flight; SYNC
#   is the S-CSCF's store.synchronous ("full", the default, or "normal").
# Prints the machine, then imsua's JSON report. Uses a lab at port offset 880 under
# build/lab/bench (the build must exist: ./lab build).
set -euo pipefail
n=${1:-200} rate=${2:-100} duration=${3:-20} sync=${4:-full}
root=$(cd "$(dirname "$0")/../.." && pwd)
export IMSCORE_SOURCE_DIR=$root IMSCORE_BINARY_DIR=${BUILD_DIR:-$root/build}
source "$root/tests/integration/lib/lab.sh"
lab_init bench 880
lab_start hss
lab_provision_demo
lab_render scscf
sed -i -E "s/synchronous = \"full\";/synchronous = \"$sync\";/" "$LAB_DIR/scscf.conf"
for nf in scscf icscf; do
    lab_start "$nf"
done
imp=$LAB_DIR/import.csv subs=$LAB_DIR/subscribers.csv
echo "impi,impus,k,op,opc,amf,sqn,scheme,password" >"$imp"
echo "impi,impu,k,op,amf" >"$subs"
for i in $(seq 1 "$n"); do
    id=$(printf '00101000%07d' "$((100000 + i))")
    echo "$id@$LAB_DOMAIN,sip:$id@$LAB_DOMAIN,$LAB_DEMO_K_HEX,$LAB_DEMO_OP_HEX,,8000,000000000000,aka," >>"$imp"
    echo "$id@$LAB_DOMAIN,sip:$id@$LAB_DOMAIN,$LAB_DEMO_K_HEX,$LAB_DEMO_OP_HEX,8000" >>"$subs"
done
lab_imsctl subscriber import "$imp" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(. /etc/os-release; echo "$PRETTY_NAME"), store.synchronous=$sync"
"$IMSCORE_BINARY_DIR/bin/imsua" load --subscribers "$subs" --rate "$rate" --duration "$duration" \
    --concurrency 200 --json --proxy "127.0.0.1:$I_PORT" --port "$UE_PORT" || true
