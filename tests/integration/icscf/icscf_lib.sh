# shellcheck shell=bash
# icscf_lib.sh: helpers of the I-CSCF integration tests (sourced after lab.sh).

# icscf_conf_scscfs ENTRY...: replace the S-CSCF list of $LAB_DIR/icscf.conf; each ENTRY is
# "NAME PORT [CAPS]", sent to 127.0.0.1:PORT over UDP (CAPS: comma-separated integers).
icscf_conf_scscfs() {
    local conf=$LAB_DIR/icscf.conf e name port caps list=""
    [ -f "$conf" ] || lab_render icscf
    for e in "$@"; do
        read -r name port caps <<<"$e"
        list+="    { name = \"$name\"; address = \"127.0.0.1\"; port = $port; transport = \"udp\"; capabilities = [ ${caps:-} ]; },"$'\n'
    done
    list=${list%,$'\n'}
    perl -0pi -e 's/^scscfs = \(.*\z//ms' "$conf"
    printf 'scscfs = (\n%s\n);\n' "$list" >>"$conf"
}

# icscf_conf_set KEY VALUE: replace a top-level `KEY = ...;` line of $LAB_DIR/icscf.conf.
icscf_conf_set() {
    local conf=$LAB_DIR/icscf.conf
    [ -f "$conf" ] || lab_render icscf
    grep -q "^$1 = " "$conf" || lab_fail "icscf_conf_set: no top-level $1 in $conf"
    sed -i "s|^$1 = .*|$1 = $2;|" "$conf"
}

# icscf_register_expect CODE [SIPP ARGS...]: one REGISTER through the I-CSCF (no
# Authorization, no P-Visited-Network-ID unless given with -key authline / -key pvni) and
# check the final answer's code; sets ICSCF_STATUS to "CODE REASON" and ICSCF_RA to the
# Retry-After value ("" when absent).
icscf_register_expect() {
    local want=$1 log
    shift
    lab_sipp icscf-uac-register.xml "$I_PORT" -key authline "Supported: path" \
        -key pvni "Allow: REGISTER" "$@"
    log=$LAB_SIPP_LAST.log.log
    ICSCF_STATUS=$(sed -n 's/^.*STATUS //p' "$log" | tail -1)
    ICSCF_RA=$(sed -n 's/^.*RETRY-AFTER //p' "$log" | tail -1)
    lab_assert_match "$ICSCF_STATUS" "^$want " "REGISTER answered $want (got '$ICSCF_STATUS')"
}

# icscf_auth_line IMPI: an initial IMS Authorization header line naming IMPI.
icscf_auth_line() {
    printf 'Authorization: Digest username="%s", realm="%s", uri="sip:%s", nonce="", response=""' \
        "$1" "$LAB_DOMAIN" "$LAB_DOMAIN"
}

# icscf_uar_fields FIELD: the values of a decoded Diameter field of every UAR request of
# the capture, one line per UAR (e.g. diameter.User-Name).
icscf_uar_fields() {
    lab__capture_file
    tshark -n -r "$LAB_DIR/capture.pcapng" "${LAB__DA[@]}" \
        -Y "diameter.cmd.code == 300 && diameter.flags.request == 1" -T fields -e "$1" 2>/dev/null
}

# icscf_hex TEXT: TEXT as lower-case hex, as tshark shows an OctetString AVP.
icscf_hex() {
    printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}
