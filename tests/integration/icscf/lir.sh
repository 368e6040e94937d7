#!/usr/bin/env bash
# I-CSCF: an initial request other than REGISTER gets an LIR (TS 29.228 6.1.4): an unknown
# identity gets 404, a known one nobody serves (not registered, no services for the
# unregistered state) 480. The LIR carries the Request-URI as Public-Identity.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
source "$IMSCORE_SOURCE_DIR/tests/integration/icscf/icscf_lib.sh"

lab_init icscf_lir 440
lab_capture_start
lab_start hss
lab_provision_demo
lab_render icscf
icscf_conf_scscfs "sip:scscf.$LAB_DOMAIN:$S_PORT $S_PORT"
lab_start icscf

lab_sipp icscf-uac-message.xml "$I_PORT" -key target "sip:nobody@$LAB_DOMAIN"
lab_assert_match "$(cat "$LAB_SIPP_LAST.log.log")" "STATUS 404 " "unknown identity: 404"
lab_sipp icscf-uac-message.xml "$I_PORT" -key target "$LAB_DEMO_IMPU"
lab_assert_match "$(cat "$LAB_SIPP_LAST.log.log")" "STATUS 480 " "unregistered identity: 480"

lab_assert_eq "$(lab_cx_count LIR)" 2 "two LIRs"
lab__capture_file
ids=$(tshark -n -r "$LAB_DIR/capture.pcapng" "${LAB__DA[@]}" \
    -Y "diameter.cmd.code == 302 && diameter.flags.request == 1" -T fields \
    -e diameter.Public-Identity 2>/dev/null | tr '\n' ' ')
lab_assert_eq "$ids" "sip:nobody@$LAB_DOMAIN $LAB_DEMO_IMPU " "LIR Public-Identity from the Request-URI"
lab_capture_check_clean
echo "PASS icscf_lir"
