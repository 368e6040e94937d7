#!/bin/sh
# generate.sh: write config/container/NF.conf from config/NF.conf for compose.yaml: every
# 127.0.0.1 becomes a @host:NAME@ placeholder (NAME = self, hss, icscf, scscf) that the image's
# entrypoint replaces at container start by NAME's address on the compose network.
# generate.sh [OUT_DIR]: OUT_DIR defaults to config/container (the test config_container_current
# writes to a scratch directory and compares).
set -eu
cd "$(dirname "$0")/../.."
out=${1:-config/container}
for nf in hss icscf scscf pcscf; do
    [ -f "config/$nf.conf" ] || continue
    {
        echo "# config/container/$nf.conf: the container variant of config/$nf.conf (compose.yaml mounts it"
        echo "# as /etc/imscore/$nf.conf). Generated from config/$nf.conf: each 127.0.0.1 became a"
        echo "# @host:NAME@ placeholder that the image's entrypoint replaces, at container start, by the"
        echo "# address of NAME on the compose network (getent; NAME 'self' = this container), because the"
        echo "# daemons take IP addresses, never names. Regenerate after config/$nf.conf changes:"
        echo "#   sh config/container/generate.sh"
        echo
        perl -pe 'next if /^\s*#/;
            s/listen = "127\.0\.0\.1"/listen = "\@host:self\@"/;
            s/(address = )"127\.0\.0\.1"(; port = 3868)/$1"\@host:hss\@"$2/;
            s/(address = )"127\.0\.0\.1"(; port = 6060)/$1"\@host:scscf\@"$2/;
            s/(address = )"127\.0\.0\.1"(; port = 5070)/$1"\@host:self\@"$2/;
            s/(icscf = \{ address = )"127\.0\.0\.1"/$1"\@host:icscf\@"/;
            s/(name = "(scscf|icscf)\.ims[^"]*"; address = )"127\.0\.0\.1"/$1"\@host:$2\@"/;' \
            "config/$nf.conf"
    } >"$out/$nf.conf"
    if grep -v '^\s*#' "$out/$nf.conf" | grep -q '127\.0\.0\.1'; then
        echo "generate.sh: $out/$nf.conf still holds 127.0.0.1: extend the rules" >&2
        exit 1
    fi
done
