#!/usr/bin/env bash
# tests/container/run.sh: build the imscore container image with podman and prove it works:
# start the daemons of the image on the lab ports (host network, port offset 700), provision
# the demo subscriber with imsctl from the image, register it with SIPp from the host through
# the containerised P-CSCF (or I-CSCF), and tear everything down, also on failure.
#
#   bash tests/container/run.sh            (root; installs podman etc. from Debian if missing)
#
# The recipe is the one of docs/containers.md (issue 6): Debian's podman, a base image made
# with debootstrap (no registry needed), a project-local containers.conf, `podman build
# --isolation=chroot`, `podman run --network=host`. The rootfs tarball and podman's storage
# (base image, build layers, built images) are cached in $IMSCORE_CTR_CACHE
# (/var/tmp/imscore-ctr): a run whose sources did not change reuses the image.
#
# Environment: IMSCORE_SOURCE_DIR, IMSCORE_BINARY_DIR (LAB_DIR = $IMSCORE_BINARY_DIR/lab/container),
# IMSCORE_CTR_CACHE, IMSCORE_CTR_MIRROR (default: the first Debian URI of the apt sources),
# IMSCORE_CTR_REBUILD=1 (ignore the cached image), IMSCORE_CTR_OFFSET (default 700),
# IMSCORE_CTR_BEST_EFFORT=1 (development trees: leave a program that does not compile out of
# the image instead of failing; the default fails, as CI should).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export IMSCORE_SOURCE_DIR=${IMSCORE_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
export IMSCORE_BINARY_DIR=${IMSCORE_BINARY_DIR:-$IMSCORE_SOURCE_DIR/build}
CACHE=${IMSCORE_CTR_CACHE:-/var/tmp/imscore-ctr}
OFFSET=${IMSCORE_CTR_OFFSET:-850} # imsua tests use 700-790
BASE_IMAGE=localhost/debian:bookworm-slim
ROOTFS_TAR=$CACHE/debian-bookworm-minbase.tar
NAME_PREFIX=imscore-ctr
VOLUME=imscore-ctr-hss
PACKAGES=(podman podman-compose debootstrap runc)

# shellcheck source=../integration/lib/lab.sh
source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"

# ---------------------------------------------------------------- phases and timing

PHASES=()
PHASE=
PHASE_T0=0
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
phase() {
    phase_end
    PHASE=$1
    PHASE_T0=$(now)
    printf 'container: == %s\n' "$PHASE"
}
phase_end() {
    [ -n "$PHASE" ] || return 0
    PHASES+=("$(printf '%-28s %7.1f s' "$PHASE" "$(elapsed "$PHASE_T0")")")
    PHASE=
}
say() { printf 'container: %s\n' "$*"; }

# ---------------------------------------------------------------- podman setup

# podman and the tools of the recipe come from Debian.
ensure_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && { say "packages present: ${PACKAGES[*]}"; return 0; }
    [ "$(id -u)" -eq 0 ] || lab_fail "not root: install ${missing[*]} (apt-get) or run as root"
    say "installing Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The project-local podman configuration: containers.conf from this directory (no default
# ulimits, runc, cgroupfs: what works inside CI containers and VMs without systemd), and a
# storage.conf keeping podman's images under the cache directory.
podman_config() {
    mkdir -p "$CACHE/storage" "$CACHE/runroot"
    export CONTAINERS_CONF=$HERE/containers.conf
    cat >"$CACHE/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$CACHE/storage"
runroot = "$CACHE/runroot"
EOF
    export CONTAINERS_STORAGE_CONF=$CACHE/storage.conf
}

# The MIRROR for debootstrap: the first Debian archive URI of this machine's apt sources
# (deb822 .sources or one-line .list files).
apt_mirror() {
    local f u
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        u=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f" | grep -v -- '-security' | head -1)
        [ -n "$u" ] && { echo "$u"; return; }
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        u=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' "$f" |
            grep -v -- '-security' | head -1)
        [ -n "$u" ] && { echo "$u"; return; }
    done
    echo http://deb.debian.org/debian
}

# localhost/debian:bookworm-slim from a debootstrap --variant=minbase rootfs (cached tarball).
base_image() {
    if [ ! -s "$ROOTFS_TAR" ]; then
        local mirror=${IMSCORE_CTR_MIRROR:-$(apt_mirror)} root=$CACHE/rootfs.tmp
        say "debootstrap --variant=minbase bookworm from $mirror"
        rm -rf "$root"
        debootstrap --variant=minbase bookworm "$root" "$mirror" >"$CACHE/debootstrap.log" 2>&1 ||
            { tail -20 "$CACHE/debootstrap.log" >&2; lab_fail "debootstrap failed ($CACHE/debootstrap.log)"; }
        rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
        tar -C "$root" -cf "$ROOTFS_TAR.tmp" . && mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
        rm -rf "$root"
        podman rmi -f "$BASE_IMAGE" >/dev/null 2>&1 || true
    else
        say "cached rootfs $ROOTFS_TAR"
    fi
    if ! podman image exists "$BASE_IMAGE"; then
        podman import - "$BASE_IMAGE" <"$ROOTFS_TAR" >/dev/null
        say "imported $BASE_IMAGE"
    else
        say "cached base image $BASE_IMAGE"
    fi
}

# A hash of the build context (the files git would track, minus .dockerignore'd build trees):
# the image tag, so that unchanged sources reuse the cached image.
source_hash() {
    (cd "$IMSCORE_SOURCE_DIR" && git ls-files -co --exclude-standard -z |
        grep -zvE '^(build|build-[^/]*|var)/' | sort -z |
        xargs -0 sha256sum 2>/dev/null | sha256sum | cut -c1-16)
}

build_image() {
    IMAGE=localhost/imscore:$(source_hash)${IMSCORE_CTR_BEST_EFFORT:+-be}
    if [ "${IMSCORE_CTR_REBUILD:-0}" != 1 ] && podman image exists "$IMAGE"; then
        say "cached image $IMAGE (sources unchanged)"
    else
        say "podman build --isolation=chroot -> $IMAGE (log: $LAB_DIR/build.log)"
        podman build --isolation=chroot --build-arg BASE="$BASE_IMAGE" \
            --build-arg BEST_EFFORT="${IMSCORE_CTR_BEST_EFFORT:-0}" -t "$IMAGE" \
            -f "$IMSCORE_SOURCE_DIR/Dockerfile" "$IMSCORE_SOURCE_DIR" >"$LAB_DIR/build.log" 2>&1 ||
            { tail -40 "$LAB_DIR/build.log" >&2; lab_fail "podman build failed ($LAB_DIR/build.log)"; }
    fi
    podman tag "$IMAGE" localhost/imscore:latest
    # Old images of this test: keep the current one only (the layers stay cached).
    podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/imscore:' |
        grep -vxF -e "$IMAGE" -e localhost/imscore:latest | xargs -r podman rmi >/dev/null 2>&1 || true
    IN_IMAGE=$(podman run --rm --network=none "$IMAGE" --list)
    say "programs in the image: $IN_IMAGE"
    local p missing
    for p in $IN_IMAGE; do
        missing=$(podman run --rm --network=none --entrypoint /usr/bin/ldd "$IMAGE" "/usr/local/bin/$p" |
            grep 'not found' || true)
        [ -z "$missing" ] || lab_fail "$p in the image misses libraries: $missing"
    done
    [[ " $IN_IMAGE " == *" hss "* ]] || lab_fail "the image has no hss"
    [[ " $IN_IMAGE " == *" imsctl "* ]] || lab_fail "the image has no imsctl"
}

in_image() { [[ " $IN_IMAGE " == *" $1 "* ]]; }

# ---------------------------------------------------------------- containers

CONTAINERS=()

# ctr_cleanup: remove this test's containers and volume (also those a killed run left).
ctr_cleanup() {
    local c
    for c in $(podman ps -a --filter label=imscore-ctr-test --format '{{.Names}}' 2>/dev/null); do
        podman rm -f -t 5 "$c" >/dev/null 2>&1 || true
    done
    podman volume rm -f "$VOLUME" >/dev/null 2>&1 || true
}

# ctr_start NF: run the daemon NF from the image with the lab's rendered config, on the host
# network; wait for `ready` (and the HSS peer for a CSCF), as lab_start does.
ctr_start() {
    local nf=$1 name=$NAME_PREFIX-$1 t vol=()
    lab_render "$nf"
    [ "$nf" = hss ] && vol=(-v "$VOLUME:/var/lib/imscore/hss")
    podman run -d --name "$name" --label imscore-ctr-test=1 --network=host \
        ${CTR_CAPS[$nf]:-} -v "$LAB_DIR/$nf.conf:/etc/imscore/$nf.conf:ro" "${vol[@]}" \
        "$IMAGE" "$nf" >/dev/null || lab_fail "podman run $nf failed"
    CONTAINERS+=("$name")
    t=$((${LAB_READY_TIMEOUT:-20} * 10))
    until podman logs "$name" 2>&1 | grep -q "$nf: ready"; do
        if [ "$(podman inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" != true ]; then
            podman logs "$name" >"$LAB_DIR/$nf.log" 2>&1 || true
            LAB__FAIL_NF=$nf
            lab_fail "$nf container exited before ready"
        fi
        t=$((t - 1))
        if [ $t -le 0 ]; then
            podman logs "$name" >"$LAB_DIR/$nf.log" 2>&1 || true
            LAB__FAIL_NF=$nf
            lab_fail "$nf container: no 'ready' line within ${LAB_READY_TIMEOUT:-20} s"
        fi
        sleep 0.1
    done
    if [ "$nf" != hss ] && grep -v '^\s*#' "$LAB_DIR/$nf.conf" | grep -q "$LAB_HSS_IDENTITY"; then
        t=200
        until podman logs "$name" 2>&1 | grep -q "diameter peer $LAB_HSS_IDENTITY open"; do
            t=$((t - 1))
            if [ $t -le 0 ]; then
                podman logs "$name" >"$LAB_DIR/$nf.log" 2>&1 || true
                LAB__FAIL_NF=$nf
                lab_fail "$nf container: HSS peer not open within 20 s"
            fi
            sleep 0.1
        done
    fi
    say "$nf up (container $name)"
}

# ctr_imsctl ARGS...: imsctl from the image against the HSS store in the volume.
ctr_imsctl() {
    podman run --rm --label imscore-ctr-test=1 --network=host -v "$VOLUME:/var/lib/imscore/hss" \
        "$IMAGE" imsctl "$@"
}

# ctr_stop_all: SIGTERM every daemon container (reverse start order), keep its log in
# $LAB_DIR/NF.log; with "check", fail unless each one exited 0 (SIGTERM drains and exits).
ctr_stop_all() {
    local i name nf code bad=
    for ((i = ${#CONTAINERS[@]} - 1; i >= 0; i--)); do
        name=${CONTAINERS[$i]}
        nf=${name#"$NAME_PREFIX"-}
        podman stop -t 10 "$name" >/dev/null 2>&1 || true
        podman logs "$name" >"$LAB_DIR/$nf.log" 2>&1 || true
        code=$(podman inspect -f '{{.State.ExitCode}}' "$name" 2>/dev/null || echo '?')
        [ "$code" = 0 ] || bad="$bad $nf($code)"
        podman rm -f "$name" >/dev/null 2>&1 || true
    done
    CONTAINERS=()
    if [ "${1:-}" = check ] && [ -n "$bad" ]; then
        lab_fail "daemon containers did not exit 0 on SIGTERM:$bad"
    fi
}

on_exit() {
    local rc=$?
    set +e
    ctr_stop_all
    ctr_cleanup
    phase_end
    say "timings:"
    printf 'container:   %s\n' "${PHASES[@]}"
    (exit $rc)
    lab__on_exit
}

# ---------------------------------------------------------------- the test

T_START=$(now)
lab_init container "$OFFSET"
trap on_exit EXIT
declare -A CTR_CAPS=([pcscf]="--cap-add=NET_ADMIN")

phase "packages"
ensure_packages
podman_config
ctr_cleanup

phase "base image (debootstrap)"
base_image

phase "image build"
build_image

phase "hss + provisioning"
ctr_start hss
ctr_imsctl subscriber --db /var/lib/imscore/hss/hss.sqlite add --impi "$LAB_DEMO_IMPI" \
    --impu "$LAB_DEMO_IMPU" --impu "$LAB_DEMO_TEL" --k "$LAB_DEMO_K_HEX" --op "$LAB_DEMO_OP_HEX" \
    --amf "$LAB_DEMO_AMF_HEX" --sqn "$LAB_DEMO_SQN" --scheme aka >/dev/null ||
    lab_fail "imsctl subscriber add (container) failed"
out=$(ctr_imsctl subscriber --db /var/lib/imscore/hss/hss.sqlite show "$LAB_DEMO_IMPI") ||
    lab_fail "imsctl subscriber show (container) failed"
lab_assert_match "$out" "$LAB_DEMO_IMPU" "the provisioned IMPU is in the containerised store"
lab_assert_match "$out" "tel:\\+15550000001" "the tel: IMPU is in the containerised store"
mode=$(podman run --rm --network=none -v "$VOLUME:/var/lib/imscore/hss" --entrypoint /usr/bin/stat \
    "$IMAGE" -c '%a %U' /var/lib/imscore/hss/hss.sqlite)
lab_assert_eq "$mode" "600 imscore" "the HSS store is mode 0600, owned by imscore"
# Real Diameter against the containerised HSS: CER/CEA, UAR/UAA for the demo user, DPR/DPA.
out=$(perl "$IMSCORE_SOURCE_DIR/tests/integration/lab/diameter_probe.pl" "$HSS_DIAM" \
    "$LAB_DEMO_IMPI" "$LAB_DEMO_IMPU") || lab_fail "Diameter probe of the containerised HSS: $out"
lab_assert_match "$out" '^CEA 2001$' "CEA DIAMETER_SUCCESS from the containerised HSS"
lab_assert_match "$out" '^UAA 2001$' "UAA DIAMETER_FIRST_REGISTRATION from the containerised HSS"

phase "cscfs"
STARTED=(hss)
for nf in scscf icscf pcscf; do
    if in_image "$nf" && [ -f "$IMSCORE_SOURCE_DIR/config/$nf.conf" ]; then
        ctr_start "$nf"
        STARTED+=("$nf")
    else
        say "$nf: not in the image or no config/$nf.conf yet: skipped"
    fi
done

phase "registration"
if in_image pcscf && in_image icscf && in_image scscf && [ ${#STARTED[@]} -eq 4 ]; then
    lab_sipp "$HERE/ue-register-pcscf.xml" "$P_PORT"
    say "demo user registered through the containerised P-CSCF (SIPp from the host)"
    REGISTERED=pcscf
elif in_image icscf && in_image scscf && [[ " ${STARTED[*]} " == *" icscf "* ]] &&
    [[ " ${STARTED[*]} " == *" scscf "* ]]; then
    lab_sipp uac-register-aka.xml "$I_PORT"
    say "demo user registered through the containerised I-CSCF (no P-CSCF in the image)"
    REGISTERED=icscf
else
    say "no I-CSCF + S-CSCF in the image yet: registration skipped (HSS provisioned and queried over Diameter)"
    REGISTERED=none
fi

# imsua (when the image has it): the demo user again, from the image, through the P-CSCF.
if [ "$REGISTERED" = pcscf ] && in_image imsua; then
    phase "registration (imsua)"
    # A failure is fatal (IMSCORE_CTR_IMSUA_STRICT=0 makes it a warning, e.g. to bisect).
    if out=$(podman run --rm --label imscore-ctr-test=1 --network=host "$IMAGE" imsua register \
        --impi "$LAB_DEMO_IMPI" --impu "$LAB_DEMO_IMPU" --k "$LAB_DEMO_K_HEX" \
        --op "$LAB_DEMO_OP_HEX" --amf "$LAB_DEMO_AMF_HEX" --proxy "127.0.0.1:$P_PORT" \
        --security-client --local-port $((UE_PORT + 1)) --timeout 10000 2>&1); then
        say "demo user registered by imsua from the image"
        REGISTERED="$REGISTERED (SIPp and imsua)"
    else
        rc=$?
        [ "${IMSCORE_CTR_IMSUA_STRICT:-1}" = 1 ] &&
            lab_fail "imsua register (container) through the P-CSCF failed (status $rc): $out"
        say "WARNING: imsua register (container) failed (status $rc): $(tail -1 <<<"$out")"
        REGISTERED="$REGISTERED (SIPp; imsua FAILED)"
    fi
fi

phase "teardown"
ctr_stop_all check
ctr_cleanup
phase_end
say "PASS: image $IMAGE, daemons ${STARTED[*]}, registration via $REGISTERED, total $(printf '%.1f' "$(elapsed "$T_START")") s"
