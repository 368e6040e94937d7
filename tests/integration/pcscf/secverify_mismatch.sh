#!/usr/bin/env bash
# Security-Verify that differs from the Security-Server sent gets 494 at the P-CSCF, is
# logged, and the second REGISTER never reaches the core (one UAR only).
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init pcscf_secverify 560
lab_capture_start
lab_core scscf icscf pcscf
lab_sipp pcscf-secverify-mismatch.xml "$P_PORT"
lab_expect_log pcscf "Security-Verify differs from the Security-Server sent: 494" 5
sleep 1
lab_capture_stop
lab_capture_check_clean
# the first REGISTER (CSeq 1) reached the I-CSCF, the mismatching one (CSeq 2) never did
first=$(tshark -r "$LAB_DIR/capture.pcapng" -Y "sip.Method == \"REGISTER\" && sip.CSeq.seq == 1 && udp.dstport == $I_PORT" 2>/dev/null | wc -l)
second=$(tshark -r "$LAB_DIR/capture.pcapng" -Y "sip.Method == \"REGISTER\" && sip.CSeq.seq == 2 && udp.dstport == $I_PORT" 2>/dev/null | wc -l)
[ "$first" -ge 1 ] || lab_fail "the first REGISTER did not reach the I-CSCF"
lab_assert_eq "$second" 0 "the mismatching REGISTER was not forwarded"
echo "Security-Verify mismatch: OK"
