#!/usr/bin/env bash
# ladder.sh CAPTURE: the registration ladder of a capture of the seed flow (SIPp UE ->
# P-CSCF -> I-CSCF -> S-CSCF <-> HSS) as a Mermaid sequence diagram, each message labelled
# with its step number in ../shared/seed/ims-registration.md ([25]..[47]).
#
# Ports come from the environment, as the lab harness exports them: UE_PORT P_PORT I_PORT
# S_PORT HSS_DIAM (defaults: the lab's 7060 5060 4060 6060 3868). Diameter clients are told
# apart by Origin-Host. Messages outside the seed (CER/CEA, DWR/DWA, the P-CSCF's own reg
# subscription of TS 24.229 5.2.3) are drawn without a step number; CER/DWR are left out.
#
# Used by the pcscf_seed_udp test, which regenerates docs/registration-ladder.md's diagram
# from its own capture and fails when the committed one differs in its numbered steps.
set -euo pipefail
cap=${1:?usage: ladder.sh CAPTURE}
ue=${UE_PORT:-7060} p=${P_PORT:-5060} i=${I_PORT:-4060} s=${S_PORT:-6060} hss=${HSS_DIAM:-3868}

tshark -n -r "$cap" -d "udp.port==$ue,sip" -d "udp.port==$p,sip" -d "udp.port==$i,sip" \
    -d "udp.port==$s,sip" -d "tcp.port==$p,sip" -d "tcp.port==$i,sip" -d "tcp.port==$s,sip" \
    -d "tcp.port==$hss,diameter" -Y 'sip || diameter' -T fields -E aggregator='|' \
    -e udp.srcport -e udp.dstport -e tcp.srcport -e tcp.dstport -e sip.Method \
    -e sip.Status-Code -e sip.CSeq.method -e sip.Call-ID -e diameter.cmd.code \
    -e diameter.flags.request -e diameter.Origin-Host 2>/dev/null |
    awk -F'\t' -v ue="$ue" -v p="$p" -v i="$i" -v s="$s" -v hss="$hss" '
function who(port) {
    if (port == ue) return "UE"; if (port == p) return "P"; if (port == i) return "I"
    if (port == s) return "S"; if (port == hss) return "HSS"
    if (port in client) return client[port]
    return ""
}
function say(from, to, label, step) {
    if (from == "" || to == "") return
    printf "    %s->>%s: %s%s\n", from, to, step != "" ? "[" step "] " : "", label
}
BEGIN {
    print "sequenceDiagram"
    print "    participant UE"
    print "    participant P as P-CSCF"
    print "    participant I as I-CSCF"
    print "    participant S as S-CSCF"
    print "    participant HSS"
    cmd[300] = "UA"; cmd[301] = "SA"; cmd[303] = "MA"; cmd[302] = "LI"; cmd[304] = "RT"; cmd[305] = "PP"
}
{
    sp = $1 != "" ? $1 : $3; dp = $2 != "" ? $2 : $4
    if ($9 != "") { # Diameter: one or more messages in the frame
        n = split($9, codes, "|"); split($10, reqs, "|"); split($11, hosts, "|")
        for (k = 1; k <= n; k++) {
            c = codes[k]; r = (reqs[k] == "1" || reqs[k] == "True")
            if (r && dp == hss)
                client[sp] = hosts[k] ~ /^icscf/ ? "I" : hosts[k] ~ /^scscf/ ? "S" : "?"
            if (!(c in cmd)) continue
            name = cmd[c] (r ? "R" : "A")
            step = ""
            if (name == "UAR") step = (reg2 ? 34 : 26)
            else if (name == "UAA") step = (reg2 ? 35 : 27)
            else if (name == "MAR") step = 29
            else if (name == "MAA") step = 30
            else if (name == "SAR") step = 37
            else if (name == "SAA") step = 38
            say(who(sp), who(dp), name, step)
        }
        next
    }
    from = who(sp); to = who(dp); m = $5; code = $6; cm = $7; own = ($8 ~ /^pcscf-reg-/)
    step = ""
    if (m == "REGISTER") {
        if (from == "UE") { nreg++; reg2 = (nreg >= 2) }
        step = (to == "S") ? (reg2 ? 36 : 28) : (reg2 ? 33 : 25)
        label = "REGISTER"
    } else if (m != "") {
        label = m
        if (!own) {
            if (m == "SUBSCRIBE") step = (from == "UE") ? 40 : 41
            else if (m == "NOTIFY") step = "44-45"
        } else {
            label = m " (P-CSCF reg subscription)"
        }
    } else {
        label = code " (" cm (own ? ", P-CSCF reg subscription" : "") ")"
        if (cm == "REGISTER") step = (code == 401) ? ((to == "UE") ? 32 : 31) : 39
        else if (!own && cm == "SUBSCRIBE") step = "42-43"
        else if (!own && cm == "NOTIFY") step = "46-47"
    }
    say(from, to, label, step)
}'
