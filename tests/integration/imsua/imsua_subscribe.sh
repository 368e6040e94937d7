#!/usr/bin/env bash
# imsua --subscribe / --stay against the real core (hss, scscf, icscf, pcscf as processes):
#  1. --subscribe --stay, registration expiry 10 s (the S-CSCF minimum lowered to 10 for the
#     test): registered, SUBSCRIBE accepted, a NOTIFY line "active ... contact <our contact>
#     active", a re-registration at half the expiry (challenged again, answered), then SIGINT:
#     de-registration, a NOTIFY line "terminated ... (unregistered)", subscription terminated,
#     exit 0, and the S-CSCF logged the de-registration;
#  2. --subscribe without --stay, expiry 10 s: the network ends the registration when it
#     expires; imsua prints the terminated NOTIFY ("expired") and exits 0 on its own.
#  1 and 2 go to the I-CSCF bound to the wildcard address (--bind 0.0.0.0: the advertised
#     address is probed and must be 127.0.0.1 in the contact);
#  3. through the P-CSCF with sec-agree: Security-Server, NOTIFY active, SIGTERM de-registers,
#     exit 0, and the terminated NOTIFY the S-CSCF sends after the de-registration still
#     reaches the UE (the P-CSCF keeps the purged UE's flow for it).
#  4. TCP, --subscribe without --stay: SIGINT unsubscribes (Expires 0 in the dialog), exit 0.
#  5. --expires below the S-CSCF minimum: 423, retried with Min-Expires, registered.
# Exits 77 (ctest SKIP) while a daemon is not built.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init imsua_subscribe 720
source "$IMSCORE_SOURCE_DIR/tests/integration/imsua/ua_lib.sh"
ua_skip_unless_built hss scscf icscf pcscf imsctl imsua

lab_render scscf
sed -i -E 's/^( *min_expires = )60;( *# shorter gets 423)/\110;\2/' "$LAB_DIR/scscf.conf"
grep -Eq '^ *min_expires = 10;' "$LAB_DIR/scscf.conf" || lab_fail "cannot lower the S-CSCF min_expires"
lab_core scscf icscf pcscf

impi=$LAB_DEMO_IMPI
impu=$LAB_DEMO_IMPU
creds=(--impi "$impi" --impu "$impu" --k "$LAB_DEMO_K_HEX" --op "$LAB_DEMO_OP_HEX")
net=(--proxy "127.0.0.1:$I_PORT" --bind 0.0.0.0 --port "$UE_PORT")
pnet=(--proxy "127.0.0.1:$P_PORT" --security-client --port "$UE_PORT")
contact="sip:ue@127\\.0\\.0\\.1:$UE_PORT"

# 1. Subscribe and stay; SIGINT de-registers.
ua_start stay register "${creds[@]}" "${net[@]}" --subscribe --stay --expires 10
ua_wait_out stay "^registered $impu \\(expires 10\\)$"
ua_wait_out stay "^subscribed reg $impu \\(expires [1-9][0-9]*\\)$"
ua_wait_out stay "^NOTIFY reg active $impu: contact $contact[^ ]* active \\((registered|created|refreshed)\\) expires [1-9][0-9]*$"
ua_wait_out stay "^re-registered $impu \\(expires 10\\)$" 15
lab_expect_log scscf "reg subscription [0-9]+ for $impu by .* accepted"
kill -INT "$UA_PID"
ua_wait_exit 0 15
out=$(cat "$LAB_DIR/stay.out")
lab_assert_match "$out" "^deregistered $impu$" "de-registration on SIGINT"
lab_assert_match "$out" "^NOTIFY reg terminated $impu: contact $contact[^ ]* terminated \\((unregistered|deactivated)\\) expires [0-9]+$" \
    "terminated NOTIFY line"
lab_assert_match "$out" "^subscription terminated \\(reason [a-z]+\\)$" "subscription terminated"
n=$(grep -c "^NOTIFY reg " <<<"$out" || true)
[ "$n" -ge 2 ] || lab_fail "expected at least 2 NOTIFY lines, got $n"
lab_expect_log scscf "$impi de-registered $impu"
# every REGISTER of the dialog (initial, refresh, de-registration) was challenged and answered
n=$(grep -c "scscf: challenged $impi" "$LAB_DIR/scscf.log" || true)
[ "$n" -ge 3 ] || lab_fail "expected 3 challenges (register, re-register, de-register), got $n"

# 2. Subscribe without --stay: the registration expires in the network, imsua exits 0.
ua_start expire register "${creds[@]}" "${net[@]}" --subscribe --expires 10
ua_wait_out expire "^NOTIFY reg active $impu: contact $contact[^ ]* active"
ua_wait_exit 0 40
out=$(cat "$LAB_DIR/expire.out")
lab_assert_match "$out" "^NOTIFY reg terminated $impu: contact $contact[^ ]* terminated \\(expired\\)" \
    "NOTIFY of the network-side expiry"
lab_assert_match "$out" "^subscription terminated" "subscription ended by the network"
if grep -q "^re-registered" <<<"$out"; then lab_fail "re-registered without --stay"; fi
# 3. Through the P-CSCF (sec-agree): subscribe, NOTIFY, SIGINT de-registers, exit 0.
ua_start via-pcscf register "${creds[@]}" "${pnet[@]}" --subscribe --stay --timeout 3000
ua_wait_out via-pcscf "^Security-Server: ipsec-3gpp;"
ua_wait_out via-pcscf "^NOTIFY reg active $impu: contact $contact[^ ]* active"
lab_expect_log pcscf "NOTIFY reginfo valid"
kill -TERM "$UA_PID"
ua_wait_exit 0 15
out=$(cat "$LAB_DIR/via-pcscf.out")
lab_assert_match "$out" "^deregistered $impu$" "de-registration through the P-CSCF"
lab_assert_match "$out" "^NOTIFY reg terminated $impu: contact $contact[^ ]* terminated" \
    "the terminated NOTIFY through the P-CSCF after the de-registration"
lab_expect_log pcscf "NOTIFY for de-registered $impu: sent over its last flow"

# 4. TCP, --subscribe without --stay: SIGINT unsubscribes in the dialog (Expires 0), the final
#    NOTIFY ends the subscription, exit 0; the registration is left to expire.
ua_start tcp register "${creds[@]}" --proxy "127.0.0.1:$I_PORT" --transport tcp --port "$UE_PORT" --subscribe
ua_wait_out tcp "^NOTIFY reg active $impu: contact sip:ue@127\\.0\\.0\\.1:$UE_PORT;transport=tcp active"
kill -INT "$UA_PID"
ua_wait_exit 0 15
out=$(cat "$LAB_DIR/tcp.out")
lab_assert_match "$out" "^subscription terminated \\(reason [a-z]+\\)$" "unsubscription ends the subscription"
if grep -q "^deregistered" <<<"$out"; then lab_fail "de-registered without --stay"; fi
lab_expect_log scscf "reg subscription [0-9]+ for $impu ended by the subscriber"

# 5. An expiry below the S-CSCF minimum: 423, retried once with Min-Expires.
ua_start min register "${creds[@]}" "${net[@]}" --expires 5
ua_wait_exit 0 15
lab_assert_match "$(cat "$LAB_DIR/min.out")" "^registered $impu \\(expires 10\\)$" "423 retried with Min-Expires"
echo "imsua_subscribe: PASS"
