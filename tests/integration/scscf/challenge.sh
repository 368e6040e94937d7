#!/usr/bin/env bash
# S-CSCF challenge life (TS 24.229 5.4.1.2, RFC 3310), over the wire:
#  - a 401 left unanswered: once auth.challenge_timeout (2 s in this lab) passes, SAR
#    AUTHENTICATION_TIMEOUT (8), and the late answer is challenged again;
#  - a replayed REGISTER (the exact second REGISTER of a registration that succeeded, sent again
#    with a new branch) is not accepted: the nonce was used, so it gets a fresh 401 and no SAR;
#  - the capture decodes cleanly.
set -euo pipefail
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
lab_init scscf_challenge 260
lab_capture_start
lab_start hss
lab_provision_demo
lab_render scscf
sed -i -E 's/challenge_timeout = "30s";/challenge_timeout = "2s";/' "$LAB_DIR/scscf.conf"
grep -q 'challenge_timeout = "2s";' "$LAB_DIR/scscf.conf" || lab_fail "could not shorten the challenge timeout"
lab_start scscf
impi=$LAB_DEMO_IMPI
impu=$LAB_DEMO_IMPU

# 1. Challenge timeout.
lab_sipp uac-register-challenge-only.xml "$S_PORT"
lab_expect_log scscf "SAR $impi $impu type 10\$" 10

# 2. Replay: register, then send the second REGISTER again.
lab_sipp uac-register-aka.xml "$S_PORT"
msg=$LAB_SIPP_LAST.msg.log
sars_before=$(grep -c "SAR $impi $impu type" "$LAB_DIR/scscf.log")
# the last REGISTER SIPp sent (the one with the AKA response), from its message trace
perl -e '
    local $/; my $t = <STDIN>; my @m = ($t =~ /message sent \(\d+ bytes\):\n\n(REGISTER .*?\r?\n\r?\n)/sg);
    my $r = $m[-1] or die "no REGISTER in the trace\n";
    $r =~ s/branch=[^;\r\n]+/branch=z9hG4bK-replay-$$/;
    print $r;' <"$msg" >"$LAB_DIR/replay.sip"
grep -q '^Authorization: Digest .*response="[0-9a-f]\{32\}"' "$LAB_DIR/replay.sip" ||
    lab_fail "the replayed REGISTER has no AKA response: $(cat "$LAB_DIR/replay.sip")"
answer=$(perl -MIO::Socket::INET -e '
    my ($port, $file) = @ARGV; open my $f, "<", $file or die; local $/; my $m = <$f>;
    my $s = IO::Socket::INET->new(Proto => "udp", PeerAddr => "127.0.0.1", PeerPort => $port,
                                  LocalAddr => "127.0.0.1", LocalPort => $ENV{UE_PORT}) or die "$!";
    $s->send($m); my $r = "";
    for (1 .. 5) {
        my $rin = ""; vec($rin, fileno($s), 1) = 1;
        last unless select(my $rout = $rin, undef, undef, 3);
        $s->recv(my $buf, 65535); $r = $buf; last if $r !~ m{^SIP/2.0 1};
    }
    print $r;' "$S_PORT" "$LAB_DIR/replay.sip")
lab_assert_match "$(head -1 <<<"$answer")" '^SIP/2.0 401' "answer to a replayed REGISTER"
lab_assert_match "$answer" 'WWW-Authenticate: Digest .*nonce="[^"]+"' "a fresh challenge"
lab_expect_log scscf "answered an unknown or used nonce: challenging again"
sleep 1
lab_assert_eq "$(grep -c "SAR $impi $impu type" "$LAB_DIR/scscf.log")" "$sars_before" \
    "SARs after the replay (none)"

lab_capture_stop
lab_capture_check_clean
echo "PASS: challenge timeout and replay"
