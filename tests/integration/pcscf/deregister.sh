#!/usr/bin/env bash
# De-registration tears the P-CSCF state down: after the 200 of the de-REGISTER the UE's
# state and its protected-port slot are purged, and a request from it gets 403.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init pcscf_deregister 580
lab_core scscf icscf pcscf
lab_sipp pcscf-deregister.xml "$P_PORT"
lab_expect_log pcscf "purged \(de-registered\); 0 protected-port slots in use" 5
lab_expect_log pcscf "SUBSCRIBE from 127\.0\.0\.1:$UE_PORT refused: not a registered UE" 5
echo "de-registration teardown: OK"
