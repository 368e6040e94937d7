#!/bin/sh
# imscore-entrypoint: the container's ENTRYPOINT; the first argument picks the program.
#   hss|icscf|scscf|pcscf [ARGS...]  runs the daemon in the foreground with
#       -c ${IMS_CONFIG:-/etc/imscore/NF.conf} --state-dir ${IMS_STATE_DIR:-/var/lib/imscore/NF}
#       (unless ARGS give -c/--config or --state-dir themselves); SIGTERM reaches it directly.
#   imsctl|imsua [ARGS...]           runs the tool
#   sh [ARGS...]                     a shell (debugging)
#   health PORT                      status 0 when a TCP socket listens on PORT (healthchecks)
#   help | --list                    usage / the programs present in this image
# Files are created owner-only (umask 077): the HSS store holds the subscribers' keys.
# A config holding @host:NAME@ placeholders (outside comments) (config/container/*.conf, for compose.yaml) is
# rendered first into /tmp: each placeholder becomes the IPv4 address of NAME (getent, retried
# for IMS_RESOLVE_TIMEOUT s, default 30, while the other containers come up); NAME "self" is
# this container's own address. The daemons take addresses, not names.
set -eu
umask 077
BIN=/usr/local/bin

usage() {
    echo "usage: IMAGE hss|icscf|scscf|pcscf|imsctl|imsua [ARGS...]  (IMAGE sh for a shell)"
    echo "programs in this image: $(list)"
}
list() {
    out=
    for p in hss icscf scscf pcscf imsctl imsua; do
        [ -x "$BIN/$p" ] && out="$out $p"
    done
    echo "${out# }"
}

# render SRC DST: copy SRC to DST replacing every @host:NAME@ by NAME's address.
render() {
    cp "$1" "$2"
    for ph in $(grep -v '^[[:space:]]*#' "$1" | grep -o '@host:[A-Za-z0-9.-]*@' | sort -u); do
        name=${ph#@host:}
        name=${name%@}
        [ "$name" = self ] && name=$(cat /proc/sys/kernel/hostname)
        t=${IMS_RESOLVE_TIMEOUT:-30}
        while :; do
            ip=$(getent ahostsv4 "$name" | awk '{ print $1; exit }')
            [ -n "$ip" ] && break
            t=$((t - 1))
            if [ $t -le 0 ]; then
                echo "imscore-entrypoint: cannot resolve '$name' for $1" >&2
                exit 1
            fi
            sleep 1
        done
        sed -i "s|$ph|$ip|g" "$2"
    done
}

cmd=${1:-help}
[ $# -gt 0 ] && shift
case $cmd in
    hss | icscf | scscf | pcscf)
        if [ ! -x "$BIN/$cmd" ]; then
            echo "imscore-entrypoint: $cmd is not in this image (it has: $(list))" >&2
            exit 2
        fi
        has_conf=0 has_state=0
        for a in "$@"; do
            case $a in
                -c | --config | --config=*) has_conf=1 ;;
                --state-dir | --state-dir=*) has_state=1 ;;
            esac
        done
        [ $has_state = 1 ] || set -- --state-dir "${IMS_STATE_DIR:-/var/lib/imscore/$cmd}" "$@"
        if [ $has_conf = 0 ]; then
            conf=${IMS_CONFIG:-/etc/imscore/$cmd.conf}
            if grep -q '@host:' "$conf" 2>/dev/null; then
                render "$conf" "/tmp/$cmd.conf"
                conf=/tmp/$cmd.conf
            fi
            set -- -c "$conf" "$@"
        fi
        exec "$BIN/$cmd" "$@"
        ;;
    imsctl | imsua)
        if [ ! -x "$BIN/$cmd" ]; then
            echo "imscore-entrypoint: $cmd is not in this image (it has: $(list))" >&2
            exit 2
        fi
        exec "$BIN/$cmd" "$@"
        ;;
    sh | bash) exec /bin/sh "$@" ;;
    --list) list ;;
    health)
        hex=$(printf '%04X' "${1:?usage: health PORT}")
        grep -q ":$hex [0-9A-F:]* 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null
        ;;
    help | -h | --help) usage ;;
    *)
        echo "imscore-entrypoint: unknown program '$cmd'" >&2
        usage >&2
        exit 2
        ;;
esac
