#!/usr/bin/env bash
# S-CSCF third-party registration with DefaultHandling SESSION_TERMINATED (TS 24.229 5.4.1.7):
# the demo user's iFC names an AS by a numeric ServerName (no `as` entry needed) with a
# ServiceInfo and IncludeRegisterRequest; its trigger point is a CNF of Method REGISTER and two
# SIPHeader SPTs (Contact, a header osip parses, and User-Agent); a second iFC whose SIPHeader
# SPT does not match must send nothing. The UE's REGISTER carries a P-Charging-Vector: its
# icid goes into the third-party REGISTER, its term-ioi does not.
# 1) The AS answers 500: the body it got is the multipart of the ServiceInfo and the REGISTER,
# and the S-CSCF de-registers the user by the network (SAR ADMINISTRATIVE_DEREGISTRATION, type 8), after the 200 to the UE. 2) The AS is
# gone (nothing listens): after third_party.timeout (1 s here) the same happens. 3) SIGTERM
# with a third-party REGISTER pending ends cleanly.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init scscf_third_party_terminated 320
domain=ims.mnc001.mcc001.3gppnetwork.org
impi="001010000000001@$domain"
impu="sip:$impi"
re_impi=${impi//./\\.}
re_impu=${impu//./\\.}
as_port=$((UE_PORT + 5)) # not AS_PORT: offset 330's P-CSCF uses that number
as="sip:127.0.0.1:$as_port"
as_never="sip:127.0.0.1:$((UE_PORT + 6))"

lab_capture_start
lab_render scscf
sed -i 's/timeout = "4s";/timeout = "1s";/' "$LAB_DIR/scscf.conf"
grep -q 'timeout = "1s"' "$LAB_DIR/scscf.conf" || lab_fail "could not shorten third_party.timeout"
lab_core hss scscf
cat >"$LAB_DIR/ifc-terminated.xml" <<XML
<InitialFilterCriteria>
  <Priority>1</Priority>
  <TriggerPoint>
    <ConditionTypeCNF>1</ConditionTypeCNF>
    <SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>REGISTER</Method></SPT>
    <SPT><ConditionNegated>0</ConditionNegated><Group>1</Group>
      <SIPHeader><Header>Contact</Header><Content>sip:ue@127\.0\.0\.1</Content></SIPHeader></SPT>
    <SPT><ConditionNegated>0</ConditionNegated><Group>2</Group>
      <SIPHeader><Header>User-Agent</Header><Content>^imscore-sipp-ue\$</Content></SIPHeader></SPT>
  </TriggerPoint>
  <ApplicationServer>
    <ServerName>$as</ServerName>
    <DefaultHandling>1</DefaultHandling>
    <ServiceInfo>imscore &amp; test</ServiceInfo>
    <Extension><IncludeRegisterRequest/></Extension>
  </ApplicationServer>
</InitialFilterCriteria>
<InitialFilterCriteria>
  <Priority>2</Priority>
  <TriggerPoint>
    <ConditionTypeCNF>1</ConditionTypeCNF>
    <SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>REGISTER</Method></SPT>
    <SPT><ConditionNegated>0</ConditionNegated><Group>1</Group>
      <SIPHeader><Header>User-Agent</Header><Content>no-such-agent</Content></SIPHeader></SPT>
  </TriggerPoint>
  <ApplicationServer><ServerName>$as_never</ServerName><DefaultHandling>1</DefaultHandling></ApplicationServer>
</InitialFilterCriteria>
XML
out=$(lab_imsctl subscriber set "$impi" --ifc "$LAB_DIR/ifc-terminated.xml" 2>&1) ||
    lab_fail "imsctl subscriber set --ifc: $out"

# 1) the AS answers 500
lab_sipp_bg uas-as-500.xml "$S_PORT" -p "$as_port"
lab_sipp uac-register-aka-pcv.xml "$S_PORT"
lab_expect_log scscf "third-party REGISTER for $re_impu sent to sip:127\\.0\\.0\\.1:$as_port \\(127\\.0\\.0\\.1:$as_port/udp\\), expires [0-9]+, with ServiceInfo, with the REGISTER$"
lab_expect_log scscf "third-party REGISTER for $re_impu to sip:127\\.0\\.0\\.1:$as_port \\(expires [0-9]+\\) failed: 500; DefaultHandling SESSION_TERMINATED$"
lab_expect_log scscf "de-registering $re_impu \\($re_impi\\)$"
lab_expect_log scscf "SAR $re_impi $re_impu type 8$"
lab_sipp_wait
as_log=$(cat "$LAB_SIPP_BG.log.log")
echo "$as_log"
lab_assert_match "$as_log" "ServiceInfo service-info>imscore &amp; test</service-info Request" \
    "the ServiceInfo, XML-escaped, in application/3gpp-ims+xml"
lab_assert_match "$as_log" "Request REGISTER sip:[^ ]+ SIP/2\\.0\$" "the REGISTER as message/sip"
lab_assert_match "$as_log" "P-Charging-Vector icid-value=imscore3pr[0-9]+c1;orig-ioi=${domain//./\\.} " \
    "the icid of the REGISTER, orig-ioi our domain, no term-ioi"
grep -q "sent to ${as_never//./\\.}" "$LAB_DIR/scscf.log" && lab_fail "the iFC whose SIPHeader SPT fails was used"
n1=$(grep -c "SAR $re_impi $re_impu type 8\$" "$LAB_DIR/scscf.log")
lab_assert_eq "$n1" 1 "one SAR ADMINISTRATIVE_DEREGISTRATION after the 500"

# 2) the AS is gone: no answer within third_party.timeout
lab_sipp uac-register-aka-pcv.xml "$S_PORT"
lab_expect_log scscf "failed: (no final answer within 1s|503 \\(transport error\\)); DefaultHandling SESSION_TERMINATED$" 10
lab_expect_log scscf "SAR $re_impi $re_impu type 8$"
for _ in $(seq 50); do
    [ "$(grep -c "SAR $re_impi $re_impu type 8\$" "$LAB_DIR/scscf.log")" = 2 ] && break
    sleep 0.1
done
lab_assert_eq "$(grep -c "SAR $re_impi $re_impu type 8\$" "$LAB_DIR/scscf.log")" 2 \
    "a second SAR ADMINISTRATIVE_DEREGISTRATION after the timeout"
# the record is gone: the control socket lists nothing
out=$("$IMSCORE_BINARY_DIR/bin/imsctl" reg -c "$LAB_DIR/scscf.conf" --state-dir "$LAB_DIR/scscf" list)
lab_assert_eq "$out" "no registrations" "the user is de-registered"

lab_capture_stop
sars=$(lab_cx_count SAR)
[ "$sars" -ge 4 ] || lab_fail "expected at least 4 SARs (2 registrations, 2 de-registrations), got $sars"
sats=$(tshark -n -r "$LAB_DIR/capture.pcapng" -d "tcp.port==$HSS_DIAM,diameter" \
    -d "tcp.port==$S_DIAM,diameter" -Y 'diameter.cmd.code == 301 && diameter.flags.request == 1' \
    -T fields -e diameter.Server-Assignment-Type 2>/dev/null | tr ',' '\n' | grep -c '^8$' || true)
lab_assert_eq "$sats" 2 "two SARs with Server-Assignment-Type ADMINISTRATIVE_DEREGISTRATION on the wire"
lab_capture_check_clean

# 3) SIGTERM while a third-party REGISTER waits for its answer: a clean exit (ASan: no leak)
lab_sipp uac-register-aka-pcv.xml "$S_PORT"
lab_stop scscf
last=$(tail -n 30 "$LAB_DIR/scscf.log")
lab_assert_match "$last" "(shutdown: third-party REGISTER for $re_impu to sip:127\\.0\\.0\\.1:$as_port left unanswered|failed: no final answer within 1s)" \
    "the pending REGISTER dropped at shutdown (or timed out just before)"
echo "PASS: third-party registration, DefaultHandling SESSION_TERMINATED"
