#!/bin/sh
# End-to-end test of `imsctl subscriber` against a temporary store.
# Usage: test_imsctl_subscriber.sh PATH_TO_IMSCTL
set -u
IMSCTL=$1
DIR=$(mktemp -d "${TMPDIR:-/tmp}/imsctl-sub-XXXXXX") || exit 1
trap 'rm -rf "$DIR"' EXIT
DB=$DIR/hss.db
K=465b5ce8b199b49faa5f0a2ee238a6bc
OP=cdc202d5123e20f62b6d676ac72cb318
OPC=cd63cb71954a9f4e48a5994e37a02baf
FAILS=0

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# expect CODE PATTERN -- ARGS...: exit status CODE and PATTERN in stdout+stderr
expect() {
    code=$1 pat=$2
    shift 3
    out=$("$IMSCTL" subscriber "$@" 2>&1)
    rc=$?
    [ "$rc" -eq "$code" ] || fail "imsctl subscriber $*: exit $rc, expected $code: $out"
    printf '%s\n' "$out" | grep -Eq -- "$pat" || fail "imsctl subscriber $*: no /$pat/ in: $out"
}

A="--impi alice@ims.test --impu sip:alice@ims.test --impu tel:+15551234"

# add with OP: OPc of TS 35.208 test set 1 is derived and shown with --secrets only
expect 0 'added alice@ims.test \(2 IMPUs' -- add $A --k $K --op $OP --db "$DB"
expect 0 "OPc: +$OPC +\(derived from OP" -- --db "$DB" show alice@ims.test --secrets
expect 0 'OPc: +\(hidden' -- --db "$DB" show alice@ims.test
out=$("$IMSCTL" subscriber --db "$DB" show alice@ims.test 2>&1)
printf '%s' "$out" | grep -q "$K" && fail "K printed without --secrets"
printf '%s' "$out" | grep -q "$OP" && fail "OP must never be stored or printed"
[ "$(stat -c %a "$DB")" = 600 ] || fail "store mode is $(stat -c %a "$DB"), expected 600"

# errors: operation failures exit 1
expect 1 'IMPI alice@ims.test already exists' -- --db "$DB" add $A --k $K --opc $OPC
expect 1 'IMPU sip:alice@ims.test is owned by another IMPI \(alice@ims.test\)' -- \
    --db "$DB" add --impi bob@ims.test --impu sip:alice@ims.test --k $K --opc $OPC
expect 1 'unknown IMPI nobody@ims.test' -- --db "$DB" show nobody@ims.test
expect 1 'unknown IMPI nobody@ims.test' -- --db "$DB" del nobody@ims.test
# input errors exit 2, and nothing is written
B="--db $DB add --impi bob@ims.test --impu sip:bob@ims.test"
expect 2 "bad hex" -- $B --k 465b5ce8b199b49faa5f0a2ee238a6bz --opc $OPC
expect 2 'K must be 16 bytes \(32 hex digits\), got 30' -- $B --k 465b5ce8b199b49faa5f0a2ee238a6 --opc $OPC
expect 2 'OPc must be 16 bytes' -- $B --k $K --opc ${OPC}00
expect 2 'AMF must be 2 bytes' -- $B --k $K --opc $OPC --amf 800
expect 2 'SQN must be 6 bytes' -- $B --k $K --opc $OPC --sqn 0020
expect 2 "unknown scheme 'md5'" -- $B --k $K --opc $OPC --scheme md5
expect 2 'scheme digest needs --password' -- $B --scheme digest
expect 2 'scheme both needs --password' -- $B --k $K --opc $OPC --scheme both
expect 2 'give --op or --opc, not both' -- $B --k $K --opc $OPC --op $OP
expect 2 "invalid IMPU 'mailto:bob@ims.test'" -- --db "$DB" add --impi bob@ims.test \
    --impu mailto:bob@ims.test --k $K --opc $OPC
expect 2 "unknown option '--kk'" -- $B --kk $K
expect 2 "unknown action 'frobnicate'" -- --db "$DB" frobnicate
expect 2 'no store: give --db PATH or -c HSS_CONF' -- list
expect 1 'unknown IMPI bob@ims.test' -- --db "$DB" show bob@ims.test

# digest subscriber, options after the action, store found through -c
cat > "$DIR/hss.conf" <<CONF
store = { path = "$DB"; };
CONF
expect 0 'added bob@ims.test \(1 IMPU, scheme digest' -- add --impi bob@ims.test \
    --impu sip:bob@ims.test --password 's3cret' -c "$DIR/hss.conf"
expect 0 'password: +s3cret' -- show bob@ims.test --secrets -c "$DIR/hss.conf"
expect 0 '^alice@ims.test	aka	sip:alice@ims.test tel:\+15551234' -- --db "$DB" list

# set: SQN, scheme, IMPUs, iFC, barring, roaming
cat > "$DIR/ifc.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<InitialFilterCriteria>
  <Priority>0</Priority>
  <TriggerPoint><ConditionTypeCNF>0</ConditionTypeCNF>
    <SPT><Group>0</Group><Method>INVITE</Method></SPT></TriggerPoint>
  <ApplicationServer><ServerName>sip:as.ims.test</ServerName></ApplicationServer>
</InitialFilterCriteria>
XML
echo '<Foo/>' > "$DIR/bad.xml"
expect 0 'updated alice@ims.test' -- --db "$DB" set alice@ims.test --sqn 0000000000a0 \
    --add-impu sip:alice2@ims.test --ifc "$DIR/ifc.xml" --roaming visited.net --barred tel:+15551234
expect 0 'SQN: +0000000000a0 \(SEQ 5, IND 0' -- --db "$DB" show alice@ims.test
expect 0 'sip:alice2@ims.test  irs=1 ' -- --db "$DB" show alice@ims.test
expect 0 'tel:\+15551234  irs=1 barred=yes' -- --db "$DB" show alice@ims.test
expect 0 'sip:as.ims.test' -- --db "$DB" show alice@ims.test
expect 0 'roaming: +visited.net' -- --db "$DB" show alice@ims.test
expect 2 'not a valid sequence of InitialFilterCriteria|only <InitialFilterCriteria>' -- \
    --db "$DB" set alice@ims.test --ifc "$DIR/bad.xml"
expect 2 'scheme digest needs a password' -- --db "$DB" set alice@ims.test --scheme digest
expect 1 'owned by another IMPI \(bob@ims.test\)' -- --db "$DB" set alice@ims.test \
    --add-impu sip:bob@ims.test
expect 2 'cannot remove its last IMPU' -- --db "$DB" set bob@ims.test --del-impu sip:bob@ims.test
expect 0 'updated alice@ims.test \(OPc derived' -- --db "$DB" set alice@ims.test --op $OP
expect 0 "OPc: +$OPC" -- --db "$DB" show alice@ims.test --secrets

# import: one transaction; a bad line imports nothing
{
    echo 'impi,impus,k,op,opc,amf,sqn,scheme,password'
    i=0
    while [ $i -lt 200 ]; do
        echo "u$i@ims.test,sip:u$i@ims.test tel:+1666$i,$K,$OP,,8000,000000000000,aka,"
        i=$((i + 1))
    done
    echo '"d@ims.test","sip:d@ims.test",,,,,,digest,"pa,ss""word"'
} > "$DIR/subs.csv"
cp "$DIR/subs.csv" "$DIR/bad.csv"
echo "x@ims.test,sip:x@ims.test,$K,,zz,,,aka," >> "$DIR/bad.csv"
expect 2 'bad.csv:203: OPc: bad hex.*nothing imported' -- --db "$DB" import "$DIR/bad.csv"
expect 1 'unknown IMPI u1@ims.test' -- --db "$DB" show u1@ims.test
cp "$DIR/subs.csv" "$DIR/dup.csv"
echo "alice@ims.test,sip:zz@ims.test,$K,,$OPC,,,," >> "$DIR/dup.csv"
expect 1 'dup.csv:203: IMPI alice@ims.test already exists; nothing imported' -- \
    --db "$DB" import "$DIR/dup.csv"
expect 0 'imported 201 subscribers' -- --db "$DB" import "$DIR/subs.csv"
expect 0 "OPc: +$OPC" -- --db "$DB" show u199@ims.test --secrets
expect 0 'password: +pa,ss"word' -- --db "$DB" show d@ims.test --secrets
n=$("$IMSCTL" subscriber --db "$DB" list | wc -l)
[ "$n" -eq 203 ] || fail "list shows $n subscribers, expected 203"

expect 0 'deleted bob@ims.test' -- --db "$DB" del bob@ims.test
expect 1 'unknown IMPI bob@ims.test' -- --db "$DB" show bob@ims.test
expect 0 'usage: imsctl subscriber' -- --help

if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS check(s) failed"
    exit 1
fi
echo "all imsctl subscriber checks passed"
