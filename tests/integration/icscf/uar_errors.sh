#!/usr/bin/env bash
# I-CSCF: UAA results mapped to SIP (TS 29.228 6.1.1 / TS 24.229 5.3.1.2) with users
# provisioned through imsctl, and the UAR fields checked in the capture:
#   unknown user -> 403; IMPI of another user -> 403 (IDENTITIES_DONT_MATCH);
#   barred IMPU -> 403 (AUTHORIZATION_REJECTED); not allowed visited network -> 403 with the
#   reason "Roaming Not Allowed"; no Authorization -> IMPI derived from the IMPU;
#   Expires 0 -> DE_REGISTRATION.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
source "$IMSCORE_SOURCE_DIR/tests/integration/icscf/icscf_lib.sh"

lab_init icscf_uar_errors 420
lab_capture_start
lab_start hss
lab_provision_demo
barred_impi=barred@$LAB_DOMAIN barred_impu=sip:barred@$LAB_DOMAIN
lab_imsctl subscriber add --impi "$barred_impi" --impu "$barred_impu" --k "$LAB_DEMO_K_HEX" \
    --op "$LAB_DEMO_OP_HEX" --scheme aka --barred "$barred_impu" >/dev/null
lab_render icscf
icscf_conf_scscfs "sip:scscf.$LAB_DOMAIN:$S_PORT $S_PORT"
lab_start icscf

# 1. unknown user
icscf_register_expect 403 -key impu "sip:nobody@$LAB_DOMAIN" \
    -key authline "$(icscf_auth_line "nobody@$LAB_DOMAIN")"
# 2. the IMPI of the digest user with the IMPU of the AKA user
icscf_register_expect 403 -key authline "$(icscf_auth_line "$LAB_DEMO2_IMPI")"
lab_assert_match "$ICSCF_STATUS" "Identities" "reason names the mismatch"
# 3. barred
icscf_register_expect 403 -key impu "$barred_impu" -key authline "$(icscf_auth_line "$barred_impi")"
# 4. roaming not allowed
icscf_register_expect 403 -key authline "$(icscf_auth_line "$LAB_DEMO_IMPI")" \
    -key pvni 'P-Visited-Network-ID: "visited.example.net"'
lab_assert_eq "$ICSCF_STATUS" "403 Roaming Not Allowed" "403 with the roaming reason"
# 5. no Authorization: the IMPI is derived from the IMPU; the S-CSCF is a stand-in.
lab_sipp_bg icscf-uas-scscf-200.xml "$I_PORT" -p "$S_PORT"
icscf_register_expect 200
lab_sipp_wait
# 6. de-registration: Expires 0 (the HSS knows no S-CSCF for the user)
icscf_register_expect 403 -key expires 0 -key authline "$(icscf_auth_line "$LAB_DEMO_IMPI")"

lab_assert_eq "$(lab_cx_count UAR)" 6 "six UARs"
names=$(icscf_uar_fields diameter.User-Name | tr '\n' ' ')
lab_assert_eq "$names" "nobody@$LAB_DOMAIN $LAB_DEMO2_IMPI $barred_impi $LAB_DEMO_IMPI $LAB_DEMO_IMPI $LAB_DEMO_IMPI " \
    "UAR User-Names (the fifth derived from sip:$LAB_DEMO_IMPI)"
types=$(icscf_uar_fields diameter.User-Authorization-Type | tr '\n' ' ')
lab_assert_eq "$types" "0 0 0 0 0 1 " "REGISTRATION five times, then DE_REGISTRATION"
vnis=$(icscf_uar_fields diameter.Visited-Network-Identifier | sort | uniq -c | awk '{print $1 ":" $2}' | tr '\n' ' ')
lab_assert_match "$vnis" "5:$(icscf_hex "$LAB_DOMAIN")" "home network as Visited-Network-Identifier without P-Visited-Network-ID"
lab_capture_check_clean
echo "PASS icscf_uar_errors"
