#!/usr/bin/env bash
# ipsec.enabled = true on a kernel without ESP: the P-CSCF must refuse to start with a clear
# error naming the cause (or, on a kernel with ESP, name what is not wired yet).
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init pcscf_ipsec 600
lab_render pcscf
sed -i 's/enabled = false;/enabled = true;/' "$LAB_DIR/pcscf.conf"
grep -q 'enabled = true;' "$LAB_DIR/pcscf.conf" || lab_fail "could not turn ipsec on"
rc=0
out=$(timeout 10 "$IMSCORE_BINARY_DIR/bin/pcscf" -c "$LAB_DIR/pcscf.conf" --state-dir "$LAB_DIR/pcscf" 2>&1) || rc=$?
printf '%s\n' "$out"
[ "$rc" -ne 0 ] || lab_fail "pcscf started with ipsec on"
[ "$rc" -ne 124 ] || lab_fail "pcscf did not exit (it must refuse at start)"
lab_assert_match "$out" 'ipsec.enabled = true (but kernel|: SA installation)' "clear ipsec error"
if printf '%s\n' "$out" | grep -q ready; then lab_fail "pcscf said ready"; fi
echo "ipsec = true refused: OK"
