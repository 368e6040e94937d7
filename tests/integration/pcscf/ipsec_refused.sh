#!/usr/bin/env bash
# ipsec.enabled = true (ipsec.sa = "kernel", the default) on a kernel without ESP: the
# P-CSCF must refuse to start with a clear error naming the cause. On a kernel with ESP it
# starts (the protected ports are served, see ipsec_protected.sh): nothing to refuse there.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init pcscf_ipsec 600
lab_render pcscf
sed -i 's/enabled = false;/enabled = true;/' "$LAB_DIR/pcscf.conf"
grep -q 'enabled = true;' "$LAB_DIR/pcscf.conf" || lab_fail "could not turn ipsec on"
rc=0
out=$(timeout 10 "$IMSCORE_BINARY_DIR/bin/pcscf" -c "$LAB_DIR/pcscf.conf" --state-dir "$LAB_DIR/pcscf" 2>&1) || rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 124 ] && grep -q 'pcscf: ipsec: kernel accepts ESP' <<<"$out"; then
    echo "this kernel has ESP: ipsec = true starts, nothing to refuse"
    exit 0
fi
[ "$rc" -ne 0 ] || lab_fail "pcscf started with ipsec on"
[ "$rc" -ne 124 ] || lab_fail "pcscf did not exit (it must refuse at start)"
lab_assert_match "$out" 'ipsec.enabled = true but ' "clear ipsec error"
if printf '%s\n' "$out" | grep -q ready; then lab_fail "pcscf said ready"; fi
echo "ipsec = true refused: OK"
