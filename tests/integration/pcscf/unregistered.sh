#!/usr/bin/env bash
# A UE that is not registered is refused: SUBSCRIBE (with a self-asserted identity) gets 403
# from the P-CSCF over UDP and over TCP, and nothing is forwarded. Needs only the P-CSCF.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init pcscf_unregistered 540
lab_capture_start
lab_start pcscf
lab_sipp pcscf-unregistered.xml "$P_PORT"
lab_sipp pcscf-unregistered.xml "$P_PORT" -t t1
lab_expect_log pcscf "SUBSCRIBE from 127\.0\.0\.1:[0-9]+ refused: not a registered UE" 5
sleep 1
lab_capture_stop
lab_capture_check_clean
fwd=$(tshark -r "$LAB_DIR/capture.pcapng" -Y "sip.Method == \"SUBSCRIBE\" && (udp.srcport == $P_PORT || tcp.srcport == $P_PORT)" 2>/dev/null | wc -l)
lab_assert_eq "$fwd" 0 "nothing forwarded by the P-CSCF"
echo "unregistered UE refused: OK"
