#!/bin/sh
# imsctl aka against the six 3GPP TS 35.208 test sets (values as in
# /work/shared/reference/IMS_REFERENCE.md §1), then its input checks.
# Usage: imsctl_aka_test.sh PATH_TO_IMSCTL
set -u
IMSCTL=${1:?usage: $0 PATH_TO_IMSCTL}
fails=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}

# set K RAND SQN AMF OP OPc f1 f1* f2 f3 f4 f5 f5* AUTN
check_set() {
    n=$1 k=$2 rand=$3 sqn=$4 amf=$5 op=$6 opc=$7
    cat >"$tmp/want" <<WANT
OPc: $7
MAC-A: $8
MAC-S: $9
RES: ${10}
CK: ${11}
IK: ${12}
AK: ${13}
AK*: ${14}
AUTN: ${15}
WANT
    # once from OP, once from OPc (upper-case input must work too)
    "$IMSCTL" aka --k "$k" --op "$op" --rand "$rand" --sqn "$sqn" --amf "$amf" >"$tmp/got" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 0 ] || fail "set $n (--op): exit $rc: $(cat "$tmp/err")"
    diff -u "$tmp/want" "$tmp/got" >&2 || fail "set $n (--op): output differs"
    up_opc=$(printf '%s' "$opc" | tr 'a-f' 'A-F')
    "$IMSCTL" aka --amf "$amf" --sqn "$sqn" --rand "$rand" --opc "$up_opc" --k "$k" >"$tmp/got" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 0 ] || fail "set $n (--opc): exit $rc: $(cat "$tmp/err")"
    diff -u "$tmp/want" "$tmp/got" >&2 || fail "set $n (--opc): output differs"
}

check_set 1 465b5ce8b199b49faa5f0a2ee238a6bc 23553cbe9637a89d218ae64dae47bf35 ff9bb4d0b607 b9b9 \
    cdc202d5123e20f62b6d676ac72cb318 cd63cb71954a9f4e48a5994e37a02baf 4a9ffac354dfafb3 \
    01cfaf9ec4e871e9 a54211d5e3ba50bf b40ba9a3c58b2a05bbf0d987b21bf8cb \
    f769bcd751044604127672711c6d3441 aa689c648370 451e8beca43b 55f328b43577b9b94a9ffac354dfafb3
check_set 2 0396eb317b6d1c36f19c1c84cd6ffd16 c00d603103dcee52c4478119494202e8 fd8eef40df7d af17 \
    ff53bade17df5d4e793073ce9d7579fa 53c15671c60a4b731c55b4a441c0bde2 5df5b31807e258b0 \
    a8c016e51ef4a343 d3a628ed988620f0 58c433ff7a7082acd424220f2b67c556 \
    21a8c1f929702adb3e738488b9f5c5da c47783995f72 30f1197061c1 39f96cd9800faf175df5b31807e258b0
check_set 3 fec86ba6eb707ed08905757b1bb44b8f 9f7c8d021accf4db213ccff0c7f71a6a 9d0277595ffc 725c \
    dbc59adcb6f9a0ef735477b7fadf8374 1006020f0a478bf6b699f15c062e42b3 9cabc3e99baf7281 \
    95814ba2b3044324 8011c48c0c214ed2 5dbdbb2954e8f3cde665b046179a5098 \
    59a92d3b476a0443487055cf88b2307b 33484dc2136b deacdd848cc6 ae4a3a9b4c97725c9cabc3e99baf7281
check_set 4 9e5944aea94b81165c82fbf9f32db751 ce83dbc54ac0274a157c17f80d017bd6 0b604a81eca8 9e09 \
    223014c5806694c007ca1eeef57f004f a64a507ae1a2a98bb88eb4210135dc87 74a58220cba84c49 \
    ac2cc74a96871837 f365cd683cd92e96 e203edb3971574f5a94b0d61b816345d \
    0c4524adeac041c4dd830d20854fc46b f0b9c08ad02e 6085a86c6f63 fbd98a0b3c869e0974a58220cba84c49
check_set 5 4ab1deb05ca6ceb051fc98e77d026a84 74b0cd6031a1c8339b2b6ce2b8c4a186 e880a1b580b6 9f07 \
    2d16c5cd1fdf6b22383584e3bef2a8d8 dcf07cbd51855290b92a07a9891e523e 49e785dd12626ef2 \
    9e85790336bb3fa2 5860fc1bce351e7e 7657766b373d1c2138f307e3de9242f9 \
    1c42e960d89b8fa99f2744e0708ccb53 31e11a609118 fe2555e54aa9 d961bbd511ae9f0749e785dd12626ef2
check_set 6 6c38a116ac280c454f59332ee35c8c4f ee6466bc96202c5a557abbeff8babf63 414b98222181 4464 \
    1ba00a1a7c6700ac8c3ff3e96ad08725 3803ef5363b947c6aaa225e58fae3934 078adfb488241a57 \
    80246b8d0186bcf1 16c8233f05a0ac28 3f8c7587fe8e4b233af676aede30ba3b \
    a7466cc1e6b2a1337d49d3b66e95d7b4 45b0f69ab06c 1f53cd2b1113 04fb6eb891ed4464078adfb488241a57

# Bad input: exit 2, nothing on stdout, a message naming the option.
K=465b5ce8b199b49faa5f0a2ee238a6bc
OP=cdc202d5123e20f62b6d676ac72cb318
R=23553cbe9637a89d218ae64dae47bf35
expect_usage_error() {
    what=$1
    needle=$2
    shift 2
    "$IMSCTL" aka "$@" >"$tmp/got" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 2 ] || fail "$what: exit $rc, want 2"
    [ -s "$tmp/got" ] && fail "$what: printed to stdout: $(cat "$tmp/got")"
    grep -q -F -- "$needle" "$tmp/err" || fail "$what: stderr does not mention '$needle': $(cat "$tmp/err")"
}
expect_usage_error "k not hex" "--k" --k 465b5ce8b199b49faa5f0a2ee238a6bz --op $OP --rand $R --sqn ff9bb4d0b607 --amf b9b9
expect_usage_error "k short" "--k" --k 465b5ce8b199b49faa5f0a2ee238a6 --op $OP --rand $R --sqn ff9bb4d0b607 --amf b9b9
expect_usage_error "rand long" "--rand" --k $K --op $OP --rand ${R}00 --sqn ff9bb4d0b607 --amf b9b9
expect_usage_error "sqn odd length" "--sqn" --k $K --op $OP --rand $R --sqn ff9bb4d0b60 --amf b9b9
expect_usage_error "amf wrong length" "--amf" --k $K --op $OP --rand $R --sqn ff9bb4d0b607 --amf b9b9b9
expect_usage_error "op empty" "--op" --k $K --op "" --rand $R --sqn ff9bb4d0b607 --amf b9b9
expect_usage_error "missing sqn" "--sqn" --k $K --op $OP --rand $R --amf b9b9
expect_usage_error "missing k" "--k" --op $OP --rand $R --sqn ff9bb4d0b607 --amf b9b9
expect_usage_error "missing op/opc" "--op" --k $K --rand $R --sqn ff9bb4d0b607 --amf b9b9
expect_usage_error "both op and opc" "--opc" --k $K --op $OP --opc $OP --rand $R --sqn ff9bb4d0b607 --amf b9b9
expect_usage_error "duplicate rand" "--rand" --k $K --op $OP --rand $R --rand $R --sqn ff9bb4d0b607 --amf b9b9
expect_usage_error "unknown option" "--bogus" --k $K --op $OP --rand $R --sqn ff9bb4d0b607 --amf b9b9 --bogus
expect_usage_error "missing value" "--amf" --k $K --op $OP --rand $R --sqn ff9bb4d0b607 --amf
expect_usage_error "stray argument" "extra" --k $K --op $OP --rand $R --sqn ff9bb4d0b607 --amf b9b9 extra
expect_usage_error "no options" "--k"

# --help: usage on stdout, exit 0
"$IMSCTL" aka --help >"$tmp/got" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "--help: exit $rc"
grep -q -- "--opc" "$tmp/got" || fail "--help: no usage text"

if [ $fails -ne 0 ]; then
    echo "$fails check(s) failed" >&2
    exit 1
fi
echo "imsctl aka: all checks passed"
