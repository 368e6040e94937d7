# shellcheck shell=bash
#
# lab.sh: the integration test harness of imscore (contract: README.md beside this file).
#
# Sourced by the integration tests (bash scripts run by ctest) and by ./lab. It starts the
# real daemons as separate processes on loopback, each test on its own port OFFSET so tests
# can run in parallel, provisions the demo subscribers, runs SIPp as UE/AS and captures the
# traffic with dumpcap/tshark.
#
#   source "$IMSCORE_SOURCE_DIR/tests/integration/lib/lab.sh"
#   lab_init mytest 210
#   lab_core                      # hss + demo subscribers + scscf + icscf
#   lab_sipp uac-register-aka.xml "$I_PORT"
#
# Every function that can fail the test does so through lab_fail (message + log tail, exit 1);
# the EXIT trap installed by lab_init then stops everything the test started.
# The script is `set -euo pipefail` friendly and sets nothing itself.

if [ -n "${LAB__LOADED:-}" ]; then
    return 0
fi
LAB__LOADED=1

IMSCORE_SOURCE_DIR=${IMSCORE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
IMSCORE_BINARY_DIR=${IMSCORE_BINARY_DIR:-$IMSCORE_SOURCE_DIR/build}
export IMSCORE_SOURCE_DIR IMSCORE_BINARY_DIR

# ---------------------------------------------------------------- constants

LAB_DOMAIN=ims.mnc001.mcc001.3gppnetwork.org
LAB_HSS_IDENTITY=hss.$LAB_DOMAIN
LAB_ADDR=127.0.0.1

# Demo subscriber 1: Digest-AKAv1-MD5. K, OP and AMF are printable ASCII because SIPp 3.6.1
# copies aka_K/aka_OP/aka_AMF raw (memcpy of 16/16/2 bytes) into Milenage.
LAB_DEMO_IMPI=001010000000001@$LAB_DOMAIN
LAB_DEMO_IMPU=sip:001010000000001@$LAB_DOMAIN
LAB_DEMO_TEL=tel:+15550000001
LAB_DEMO_K=imscore-demo-k01
LAB_DEMO_K_HEX=696d73636f72652d64656d6f2d6b3031
LAB_DEMO_OP=imscore-demo-op1
LAB_DEMO_OP_HEX=696d73636f72652d64656d6f2d6f7031
LAB_DEMO_AMF=00
LAB_DEMO_AMF_HEX=3030
LAB_DEMO_SQN=000000000000
# Demo subscriber 2: SIP Digest (MD5).
LAB_DEMO2_IMPI=001010000000002@$LAB_DOMAIN
LAB_DEMO2_IMPU=sip:001010000000002@$LAB_DOMAIN
LAB_DEMO2_PASSWORD=secret02

LAB_READY_TIMEOUT=${LAB_READY_TIMEOUT:-20} # seconds for `ready` / `diameter peer ... open`
LAB_STOP_TIMEOUT=${LAB_STOP_TIMEOUT:-10}   # seconds between SIGTERM and SIGKILL
LAB_SIPP_TIMEOUT=${LAB_SIPP_TIMEOUT:-30}   # seconds one SIPp run may take
LAB_LOG_TAIL=${LAB_LOG_TAIL:-40}           # lines of each log printed on failure

LAB__MODE=""       # "test" (lab_init) or "attach" (lab_attach, used by ./lab)
LAB__SIPP_SEQ=0    # numbers the SIPp runs of this test
LAB__FAIL_NF=""    # the daemon whose log tail lab_fail prints
LAB__IN_EXIT=0

# ---------------------------------------------------------------- small helpers

lab__say() { printf 'lab: %s\n' "$*" >&2; }

# lab__alive PID: true when PID exists and is not a zombie.
lab__alive() {
    local pid=$1 st
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    st=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# lab__owned PID: true when PID is alive and its command line mentions $LAB_DIR (guards
# against a recycled pid when reading an old pid file).
lab__owned() {
    local pid=$1
    lab__alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$LAB_DIR/"
}

# lab__reap PID: collect the exit status of our own child (no-op for others).
lab__reap() { wait "$1" 2>/dev/null || true; }

# lab__wait_dead PID SECONDS: poll until PID is gone; false on timeout.
lab__wait_dead() {
    local pid=$1 t=$(($2 * 10))
    while lab__alive "$pid"; do
        t=$((t - 1))
        [ $t -gt 0 ] || return 1
        sleep 0.1
    done
    lab__reap "$pid"
    return 0
}

lab__need_dir() {
    if [ -z "${LAB_DIR:-}" ] || [ ! -d "$LAB_DIR" ]; then
        lab_fail "lab_init (or lab_attach) was not called"
    fi
}

lab__tail() {
    local f=$1 n=${2:-$LAB_LOG_TAIL}
    [ -s "$f" ] || return 0
    printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2
    printf -- '-----\n' >&2
}

lab__pidfile() { echo "$LAB_DIR/run/$1.pid"; }

# ---------------------------------------------------------------- assertions

# lab_fail MSG...: print MSG (and the log tail of the daemon being handled, if any) and end
# the test with status 1. The EXIT trap of lab_init stops everything and prints all tails.
lab_fail() {
    printf 'lab: FAIL: %s\n' "$*" >&2
    if [ -n "$LAB__FAIL_NF" ] && [ "$LAB__MODE" != test ]; then
        lab__tail "$LAB_DIR/$LAB__FAIL_NF.log"
    fi
    LAB__FAILED=1
    exit 1
}

# lab_assert_eq A B MSG: fail unless A equals B.
lab_assert_eq() {
    [ "$1" == "$2" ] || lab_fail "${3:-assertion}: expected '$2', got '$1'"
}

# lab_assert_match TEXT REGEX MSG: fail unless some line of TEXT matches the extended REGEX.
lab_assert_match() {
    grep -Eq -- "$2" <<<"$1" || lab_fail "${3:-assertion}: /$2/ not found in:
$1"
}

# lab_expect_log NF REGEX [TIMEOUT]: wait (default 10 s) for a line of $LAB_DIR/NF.log
# matching the extended REGEX; fail with the log tail otherwise.
lab_expect_log() {
    local nf=$1 re=$2 t=$((${3:-10} * 10)) log
    lab__need_dir
    log=$LAB_DIR/$nf.log
    while ! grep -Eq -- "$re" "$log" 2>/dev/null; do
        t=$((t - 1))
        if [ $t -le 0 ]; then
            LAB__FAIL_NF=$nf
            lab_fail "$nf.log: no line matching /$re/ within ${3:-10} s"
        fi
        sleep 0.1
    done
}

# ---------------------------------------------------------------- setup

# lab__ports OFFSET: export the port variables for OFFSET.
lab__ports() {
    local o=$1
    if ! [[ "$o" =~ ^[0-9]+$ ]] || [ "$o" -gt 900 ]; then
        lab_fail "port offset '$o' is not a number 0..900"
    fi
    LAB_OFFSET=$o
    # With an offset, the Diameter and AS ports also move 10000 up: otherwise offsets 190
    # apart collide (S-CSCF Diameter 3870+X = I-CSCF SIP 4060+Y), and so do offsets 10
    # apart (AS 5070+X = P-CSCF 5080+X). Offset 0 keeps the contract ports.
    local far=0
    [ "$o" -gt 0 ] && far=10000
    P_PORT=$((5060 + o)) I_PORT=$((4060 + o)) S_PORT=$((6060 + o)) AS_PORT=$((5070 + far + o))
    HSS_DIAM=$((3868 + far + o)) I_DIAM=$((3869 + far + o)) S_DIAM=$((3870 + far + o))
    UE_PORT=$((7060 + o))
    # Prometheus endpoints (metrics.port): hss 9090, icscf 9091, scscf 9092, pcscf 9093.
    HSS_METRICS=$((9090 + o)) I_METRICS=$((9091 + o)) S_METRICS=$((9092 + o)) P_METRICS=$((9093 + o))
    export LAB_OFFSET P_PORT I_PORT S_PORT AS_PORT HSS_DIAM I_DIAM S_DIAM UE_PORT
    export HSS_METRICS I_METRICS S_METRICS P_METRICS
}

# lab__stop_all: stop SIPp runs, daemons (reverse start order) and the capture; quiet.
lab__stop_all() {
    local f pid nf
    [ -d "$LAB_DIR/run" ] || return 0
    for f in "$LAB_DIR"/run/sipp-*.pid; do
        [ -e "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null || true)
        if lab__owned "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
    for nf in pcscf icscf scscf hss; do
        [ -e "$(lab__pidfile "$nf")" ] && lab__stop_quiet "$nf"
    done
    for f in "$LAB_DIR"/run/*.pid; do
        [ -e "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null || true)
        if lab__owned "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
            lab__wait_dead "$pid" 3 || kill -KILL "$pid" 2>/dev/null || true
            lab__reap "$pid"
        fi
        rm -f "$f"
    done
}

lab__on_exit() {
    local rc=$?
    [ "$LAB__IN_EXIT" = 1 ] && return 0
    LAB__IN_EXIT=1
    set +e
    if [ "$rc" -ne 0 ] || [ -n "${LAB__FAILED:-}" ]; then
        local nf
        for nf in hss scscf icscf pcscf; do
            [ -e "$LAB_DIR/$nf.log" ] && lab__tail "$LAB_DIR/$nf.log"
        done
        lab__say "test failed (status $rc); files in $LAB_DIR"
    fi
    lab__stop_all
    exit "$rc"
}

# lab_init NAME OFFSET: start a test lab. LAB_DIR=$IMSCORE_BINARY_DIR/lab/NAME (wiped; daemons
# left over in it by a killed earlier run are stopped first); exports P_PORT I_PORT S_PORT
# AS_PORT HSS_DIAM I_DIAM S_DIAM UE_PORT moved by OFFSET; installs the EXIT trap that stops
# everything this lab started and prints the daemon log tails when the test failed.
lab_init() {
    [ $# -eq 2 ] || lab_fail "usage: lab_init NAME OFFSET"
    [[ "$1" =~ ^[A-Za-z0-9_.-]+$ ]] || lab_fail "lab_init: bad name '$1'"
    lab__ports "$2"
    LAB_NAME=$1
    LAB_DIR=$IMSCORE_BINARY_DIR/lab/$1
    export LAB_NAME LAB_DIR
    if [ -d "$LAB_DIR/run" ]; then
        lab__stop_all
    fi
    rm -rf "$LAB_DIR"
    mkdir -p "$LAB_DIR/run"
    LAB__MODE="test"
    trap lab__on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# lab_attach DIR OFFSET: use DIR as the lab directory without wiping it and without an EXIT
# trap: daemons started then outlive the script (./lab up|down|status).
lab_attach() {
    [ $# -eq 2 ] || lab_fail "usage: lab_attach DIR OFFSET"
    lab__ports "$2"
    mkdir -p "$1/run"
    LAB_DIR=$(cd "$1" && pwd)
    LAB_NAME=$(basename "$LAB_DIR")
    export LAB_NAME LAB_DIR
    LAB__MODE="attach"
}

# lab_render NF: write $LAB_DIR/NF.conf from config/NF.conf with the contract port numbers
# (5060 4060 6060 5070 3868 3869 3870, as whole numbers) moved by the offset. Edit the
# result before lab_start to change a setting for one test.
lab_render() {
    local nf=$1 src
    lab__need_dir
    src=${LAB_CONFIG_DIR:-$IMSCORE_SOURCE_DIR/config}/$nf.conf
    [ -f "$src" ] || lab_fail "lab_render: no $src"
    perl -pe 'BEGIN { %m = (5060 => $ENV{P_PORT}, 4060 => $ENV{I_PORT}, 6060 => $ENV{S_PORT},
                            5070 => $ENV{AS_PORT}, 3868 => $ENV{HSS_DIAM},
                            3869 => $ENV{I_DIAM}, 3870 => $ENV{S_DIAM},
                            9090 => $ENV{HSS_METRICS}, 9091 => $ENV{I_METRICS},
                            9092 => $ENV{S_METRICS}, 9093 => $ENV{P_METRICS}); }
              s/(?<![0-9])(5060|4060|6060|5070|3868|3869|3870|9090|9091|9092|9093)(?![0-9])/$m{$1}/g' \
        "$src" >"$LAB_DIR/$nf.conf.tmp" || lab_fail "lab_render: cannot write $LAB_DIR/$nf.conf"
    mv "$LAB_DIR/$nf.conf.tmp" "$LAB_DIR/$nf.conf"
}

# ---------------------------------------------------------------- daemons

# lab_pid NF: print the pid of the running NF of this lab; status 1 (nothing printed) when
# it is not running.
lab_pid() {
    local pid
    lab__need_dir
    pid=$(cat "$(lab__pidfile "$1")" 2>/dev/null || true)
    lab__owned "$pid" || return 1
    echo "$pid"
}

# lab__wait_line NF OFFSET REGEX PID WHAT: wait for REGEX in NF.log after byte OFFSET while
# PID lives; fail with the log tail when PID dies or LAB_READY_TIMEOUT passes.
lab__wait_line() {
    local nf=$1 off=$2 re=$3 pid=$4 what=$5 log=$LAB_DIR/$1.log t=$((LAB_READY_TIMEOUT * 10))
    while ! tail -c +"$((off + 1))" "$log" 2>/dev/null | grep -Eq -- "$re"; do
        if ! lab__alive "$pid"; then
            local rc=0
            wait "$pid" 2>/dev/null || rc=$?
            LAB__FAIL_NF=$nf
            lab_fail "$nf (pid $pid) exited (status $rc) before $what"
        fi
        t=$((t - 1))
        if [ $t -le 0 ]; then
            LAB__FAIL_NF=$nf
            lab_fail "$nf (pid $pid) not $what within $LAB_READY_TIMEOUT s"
        fi
        sleep 0.1
    done
}

# lab_start NF [ARGS...]: render $LAB_DIR/NF.conf if needed and start
# `bin/NF -c $LAB_DIR/NF.conf --state-dir $LAB_DIR/NF ARGS...` in the background (output
# appended to $LAB_DIR/NF.log, pid in $LAB_DIR/run/NF.pid); wait for its `ready` line and,
# for a CSCF whose config has a diameter section naming the HSS identity (outside comments),
# for `diameter peer <hss> open`.
lab_start() {
    local nf=$1 bin off pid
    shift
    lab__need_dir
    bin=$IMSCORE_BINARY_DIR/bin/$nf
    [ -x "$bin" ] || lab_fail "lab_start: $bin is not built"
    [ -f "$LAB_DIR/$nf.conf" ] || lab_render "$nf"
    if pid=$(lab_pid "$nf"); then
        lab_fail "lab_start: $nf is already running (pid $pid)"
    fi
    mkdir -p "$LAB_DIR/$nf" "$LAB_DIR/run"
    touch "$LAB_DIR/$nf.log"
    off=$(stat -c %s "$LAB_DIR/$nf.log")
    printf '=== lab: %s start %s ===\n' "$(date -u +%FT%TZ)" "$nf" >>"$LAB_DIR/$nf.log"
    # Under ASan, a known freeDiameter extension leak is suppressed (lsan.supp); its frames
    # are only seen by the slow unwinder.
    local lsan=${LSAN_OPTIONS:-} asan=${ASAN_OPTIONS:-}
    case $lsan in
        *suppressions=*) ;;
        *) lsan="${lsan:+$lsan:}suppressions=$IMSCORE_SOURCE_DIR/tests/integration/lib/lsan.supp" ;;
    esac
    case $asan in
        *fast_unwind_on_malloc=*) ;;
        *) asan="${asan:+$asan:}fast_unwind_on_malloc=0" ;;
    esac
    LSAN_OPTIONS=$lsan ASAN_OPTIONS=$asan "$bin" -c "$LAB_DIR/$nf.conf" --state-dir "$LAB_DIR/$nf" "$@" \
        </dev/null >>"$LAB_DIR/$nf.log" 2>&1 &
    pid=$!
    echo "$pid" >"$(lab__pidfile "$nf")"
    lab__wait_line "$nf" "$off" "$nf: ready" "$pid" "ready"
    # A Cx client: a diameter section that names the HSS (not, e.g., a P-CSCF's Rx peer).
    if [ "$nf" != hss ] && grep -Eq '^[[:space:]]*diameter[[:space:]]*[=:]' "$LAB_DIR/$nf.conf" &&
        grep -v '^[[:space:]]*#' "$LAB_DIR/$nf.conf" | grep -qF "$LAB_HSS_IDENTITY"; then
        lab__wait_line "$nf" "$off" "diameter peer ${LAB_HSS_IDENTITY//./\\.} open" "$pid" \
            "connected to the HSS (diameter peer $LAB_HSS_IDENTITY open)"
    fi
    lab__say "$nf ready (pid $pid)"
}

# lab__stop_quiet NF: SIGTERM, wait LAB_STOP_TIMEOUT, then SIGKILL. Status 1 if it had to be
# killed, 0 otherwise (also when not running).
lab__stop_quiet() {
    local nf=$1 pid rc=0
    pid=$(lab_pid "$nf") || {
        rm -f "$(lab__pidfile "$nf")"
        return 0
    }
    kill -TERM "$pid" 2>/dev/null || true
    if ! lab__wait_dead "$pid" "$LAB_STOP_TIMEOUT"; then
        kill -KILL "$pid" 2>/dev/null || true
        lab__wait_dead "$pid" 5 || true
        rc=1
    fi
    rm -f "$(lab__pidfile "$nf")"
    return $rc
}

# lab_stop NF: stop NF with SIGTERM and wait for it to exit; fail if it needs SIGKILL after
# LAB_STOP_TIMEOUT seconds or exits with an error status. A stopped NF is not an error.
lab_stop() {
    local nf=$1 pid rc=0
    lab__need_dir
    pid=$(lab_pid "$nf") || {
        lab__say "$nf is not running"
        rm -f "$(lab__pidfile "$nf")"
        return 0
    }
    kill -TERM "$pid" 2>/dev/null || true
    if lab__wait_dead_status "$pid" "$LAB_STOP_TIMEOUT"; then
        rc=$LAB__EXIT_STATUS
    else
        kill -KILL "$pid" 2>/dev/null || true
        lab__wait_dead "$pid" 5 || true
        rm -f "$(lab__pidfile "$nf")"
        LAB__FAIL_NF=$nf
        lab_fail "$nf (pid $pid) did not exit within $LAB_STOP_TIMEOUT s of SIGTERM (killed)"
    fi
    rm -f "$(lab__pidfile "$nf")"
    if [ "$rc" -ne 0 ]; then
        LAB__FAIL_NF=$nf
        lab_fail "$nf (pid $pid) exited with status $rc on SIGTERM"
    fi
    lab__say "$nf stopped (pid $pid)"
}

# lab__wait_dead_status PID SECONDS: like lab__wait_dead, and sets LAB__EXIT_STATUS to the
# exit status of our child (0 when PID is not our child).
lab__wait_dead_status() {
    local pid=$1 t=$(($2 * 10))
    LAB__EXIT_STATUS=0
    while lab__alive "$pid"; do
        t=$((t - 1))
        [ $t -gt 0 ] || return 1
        sleep 0.1
    done
    wait "$pid" 2>/dev/null || LAB__EXIT_STATUS=$?
    # 127: not our child (./lab down); that is no error.
    [ "$LAB__EXIT_STATUS" -eq 127 ] && LAB__EXIT_STATUS=0
    return 0
}

# lab_kill9 NF: SIGKILL NF (a crash) and wait until it is gone.
lab_kill9() {
    local nf=$1 pid
    lab__need_dir
    pid=$(lab_pid "$nf") || lab_fail "lab_kill9: $nf is not running"
    kill -KILL "$pid"
    lab__wait_dead "$pid" 5 || lab_fail "lab_kill9: $nf (pid $pid) survived SIGKILL"
    rm -f "$(lab__pidfile "$nf")"
    printf '=== lab: %s %s killed with SIGKILL ===\n' "$(date -u +%FT%TZ)" "$nf" >>"$LAB_DIR/$nf.log"
    lab__say "$nf killed (pid $pid)"
}

# lab_core [--with-as] [NF...]: start hss, provision the demo subscribers (with the AS iFC
# when --with-as), then start the NFs asked for (default: scscf icscf) in dependency order
# scscf, icscf, pcscf.
lab_core() {
    local with_as="" nf want=" "
    while [ $# -gt 0 ]; do
        case $1 in
            --with-as) with_as=--with-as ;;
            hss | scscf | icscf | pcscf) want+="$1 " ;;
            *) lab_fail "lab_core: unknown argument '$1'" ;;
        esac
        shift
    done
    [ "$want" = " " ] && want=" scscf icscf "
    lab_start hss
    lab_provision_demo $with_as
    for nf in scscf icscf pcscf; do
        case $want in *" $nf "*) lab_start "$nf" ;; esac
    done
}

# ---------------------------------------------------------------- provisioning

# lab__hss_db: the HSS store of this lab: store.path of $LAB_DIR/hss.conf (default
# hss.sqlite), relative to the HSS state directory $LAB_DIR/hss as the HSS resolves it.
lab__hss_db() {
    local p
    [ -f "$LAB_DIR/hss.conf" ] || lab_render hss
    p=$(perl -0ne 'print $1 if /\bstore\s*[=:]\s*\{[^}]*?\bpath\s*[=:]\s*"([^"]*)"/s' "$LAB_DIR/hss.conf")
    [ -n "$p" ] || p=hss.sqlite
    case $p in
        /*) echo "$p" ;;
        *) echo "$LAB_DIR/hss/$p" ;;
    esac
}

# lab_imsctl ARGS...: run imsctl against this lab: `lab_imsctl subscriber ACTION ...` uses the
# lab's HSS store (--db), `lab_imsctl hss ...` the lab's HSS control socket
# (-c $LAB_DIR/hss.conf --state-dir $LAB_DIR/hss); anything else is passed through.
# Returns imsctl's exit status (0 ok, 1 failed, 2 usage), so negative tests can check it.
lab_imsctl() {
    local bin=$IMSCORE_BINARY_DIR/bin/imsctl
    lab__need_dir
    [ -x "$bin" ] || lab_fail "lab_imsctl: $bin is not built"
    case ${1:-} in
        subscriber)
            shift
            local db
            [ -f "$LAB_DIR/hss.conf" ] || lab_render hss
            db=$(lab__hss_db)
            mkdir -p "$(dirname "$db")"
            "$bin" subscriber --db "$db" "$@"
            ;;
        hss)
            shift
            [ -f "$LAB_DIR/hss.conf" ] || lab_render hss
            "$bin" hss -c "$LAB_DIR/hss.conf" --state-dir "$LAB_DIR/hss" "$@"
            ;;
        *) "$bin" "$@" ;;
    esac
}

# lab_provision_demo [--with-as]: add the demo subscribers (README.md) unless present; with
# --with-as, give the AKA demo subscriber an iFC sending REGISTER to the test AS
# sip:as.<domain>:AS_PORT (DefaultHandling SESSION_CONTINUED).
lab_provision_demo() {
    local with_as=0 out
    [ "${1:-}" = --with-as ] && with_as=1
    lab__need_dir
    if ! lab_imsctl subscriber show "$LAB_DEMO_IMPI" >/dev/null 2>&1; then
        out=$(lab_imsctl subscriber add --impi "$LAB_DEMO_IMPI" --impu "$LAB_DEMO_IMPU" \
            --impu "$LAB_DEMO_TEL" --k "$LAB_DEMO_K_HEX" --op "$LAB_DEMO_OP_HEX" \
            --amf "$LAB_DEMO_AMF_HEX" --sqn "$LAB_DEMO_SQN" --scheme aka 2>&1) ||
            lab_fail "lab_provision_demo: imsctl subscriber add $LAB_DEMO_IMPI: $out"
    fi
    if ! lab_imsctl subscriber show "$LAB_DEMO2_IMPI" >/dev/null 2>&1; then
        out=$(lab_imsctl subscriber add --impi "$LAB_DEMO2_IMPI" --impu "$LAB_DEMO2_IMPU" \
            --password "$LAB_DEMO2_PASSWORD" --scheme digest 2>&1) ||
            lab_fail "lab_provision_demo: imsctl subscriber add $LAB_DEMO2_IMPI: $out"
    fi
    if [ $with_as = 1 ]; then
        cat >"$LAB_DIR/ifc-as.xml" <<EOF
<InitialFilterCriteria>
  <Priority>1</Priority>
  <TriggerPoint>
    <ConditionTypeCNF>0</ConditionTypeCNF>
    <SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>REGISTER</Method></SPT>
  </TriggerPoint>
  <ApplicationServer>
    <ServerName>sip:as.$LAB_DOMAIN:$AS_PORT</ServerName>
    <DefaultHandling>0</DefaultHandling>
  </ApplicationServer>
</InitialFilterCriteria>
EOF
        out=$(lab_imsctl subscriber set "$LAB_DEMO_IMPI" --ifc "$LAB_DIR/ifc-as.xml" 2>&1) ||
            lab_fail "lab_provision_demo: imsctl subscriber set --ifc: $out"
    fi
}

# ---------------------------------------------------------------- SIPp

lab__sipp_file() {
    case $1 in
        /*) echo "$1" ;;
        *) echo "$IMSCORE_SOURCE_DIR/tests/integration/sipp/$1" ;;
    esac
}

# lab__sipp_cmd SCENARIO TARGET_PORT PREFIX [ARGS...]: fill LAB__CMD with the sipp command
# and LAB__LPORT with its local port. `-key NAME VALUE` and `-p PORT` in ARGS replace the
# defaults (SIPp itself keeps the first -key of a name). Writes PREFIX.auth.csv, the -inf
# injection file whose fields are the [authentication] keywords built from the key values
# (SIPp 3.6.1 cannot nest [impi] inside [authentication ...]; it parses an injected one).
lab__sipp_cmd() {
    local sf=$1 port=$2 pfx=$3 name
    local -A kv=([impi]="$LAB_DEMO_IMPI" [impu]="$LAB_DEMO_IMPU" [tel]="$LAB_DEMO_TEL"
        [k]="$LAB_DEMO_K" [op]="$LAB_DEMO_OP" [amf]="$LAB_DEMO_AMF" [domain]="$LAB_DOMAIN"
        [impi2]="$LAB_DEMO2_IMPI" [impu2]="$LAB_DEMO2_IMPU" [password2]="$LAB_DEMO2_PASSWORD"
        [p_port]="$P_PORT" [i_port]="$I_PORT" [s_port]="$S_PORT" [ue_port]="$UE_PORT"
        [as_port]="$AS_PORT" [expires]=600 [path]=none)
    local rest=() keys=()
    shift 3
    LAB__LPORT=$UE_PORT
    case $(basename "$sf") in uas*) LAB__LPORT=$AS_PORT ;; esac
    while [ $# -gt 0 ]; do
        if [ "$1" = -key ] && [ $# -ge 3 ]; then
            kv[$2]=$3
            shift 3
        elif [ "$1" = -p ] && [ $# -ge 2 ]; then
            LAB__LPORT=$2
            shift 2
        else
            rest+=("$1")
            shift
        fi
    done
    for name in "${!kv[@]}"; do
        keys+=(-key "$name" "${kv[$name]}")
    done
    {
        echo SEQUENTIAL
        printf '%s;[authentication username=%s aka_K=%s aka_OP=%s aka_AMF=%s];' "${kv[impi]}" \
            "${kv[impi]}" "${kv[k]}" "${kv[op]}" "${kv[amf]}"
        printf '[authentication username=%s password=%s]\n' "${kv[impi2]}" "${kv[password2]}"
    } >"$pfx.auth.csv"
    LAB__CMD=(timeout -k 5 "$((LAB_SIPP_TIMEOUT + 10))"
        sipp -sf "$sf" -m 1 -i "$LAB_ADDR" -p "$LAB__LPORT" "$LAB_ADDR:$port" "${keys[@]}"
        -inf "$pfx.auth.csv" -nostdin -timeout "${LAB_SIPP_TIMEOUT}s" -timeout_error
        -trace_msg -message_file "$pfx.msg.log" -trace_err -error_file "$pfx.err.log"
        -trace_logs -log_file "$pfx.log.log" -trace_screen -screen_file "$pfx.screen.log"
        ${rest[@]+"${rest[@]}"})
}

# lab_sipp SCENARIO TARGET_PORT [SIPP ARGS...]: run one SIPp call (UDP unless `-t t1`) of
# tests/integration/sipp/SCENARIO (or an absolute path) from 127.0.0.1:UE_PORT (AS_PORT for
# uas* scenarios) to 127.0.0.1:TARGET_PORT with the demo -key values; traces in
# $LAB_DIR/sipp-<scenario>-<n>.*; LAB_SIPP_LAST is set to that prefix. Retries once
# (SIPp 3.6.1 computes a wrong AKA response when RES holds a 0x00 byte); fails the test when
# the second run fails too.
lab_sipp() {
    local scn=$1 port=$2 sf base pfx attempt rc
    shift 2
    lab__need_dir
    sf=$(lab__sipp_file "$scn")
    [ -f "$sf" ] || lab_fail "lab_sipp: no scenario $sf"
    base=$(basename "$sf" .xml)
    for attempt in 1 2; do
        LAB__SIPP_SEQ=$((LAB__SIPP_SEQ + 1))
        pfx=$LAB_DIR/sipp-$base-$LAB__SIPP_SEQ
        lab__sipp_cmd "$sf" "$port" "$pfx" "$@"
        rc=0
        (cd "$LAB_DIR" && exec "${LAB__CMD[@]}") >"$pfx.out" 2>&1 || rc=$?
        export LAB_SIPP_LAST=$pfx
        if [ $rc -eq 0 ]; then
            lab__say "sipp $base passed (attempt $attempt, traces $pfx.*)"
            return 0
        fi
        lab__say "sipp $base failed (attempt $attempt, status $rc, traces $pfx.*)"
    done
    lab__tail "$pfx.err.log" 30
    lab__tail "$pfx.msg.log" 60
    lab__tail "$pfx.out" 15
    lab_fail "sipp $base to port $port failed twice (status $rc)"
}

# lab_sipp_bg SCENARIO TARGET_PORT [SIPP ARGS...]: start one SIPp run in the background (no
# retry), e.g. the AS: `lab_sipp_bg uas-as.xml "$S_PORT"` listens on AS_PORT. Waits until
# SIPp has bound its port. Sets LAB_SIPP_BG_PID and LAB_SIPP_BG (the trace prefix).
lab_sipp_bg() {
    local scn=$1 port=$2 sf base pfx pid t=50
    shift 2
    lab__need_dir
    sf=$(lab__sipp_file "$scn")
    [ -f "$sf" ] || lab_fail "lab_sipp_bg: no scenario $sf"
    base=$(basename "$sf" .xml)
    LAB__SIPP_SEQ=$((LAB__SIPP_SEQ + 1))
    pfx=$LAB_DIR/sipp-$base-$LAB__SIPP_SEQ
    lab__sipp_cmd "$sf" "$port" "$pfx" "$@"
    (cd "$LAB_DIR" && exec "${LAB__CMD[@]}") >"$pfx.out" 2>&1 &
    pid=$!
    echo "$pid" >"$LAB_DIR/run/sipp-$LAB__SIPP_SEQ.pid"
    echo "$pfx" >"$LAB_DIR/run/sipp-$LAB__SIPP_SEQ.prefix"
    export LAB_SIPP_BG_PID=$pid LAB_SIPP_BG=$pfx
    # Ready when SIPp has bound its local port (UDP socket or TCP listener), at most 5 s.
    while [ $t -gt 0 ] && lab__alive "$pid"; do
        if [ -n "$(ss -Hanu "sport = :$LAB__LPORT" 2>/dev/null)" ] ||
            [ -n "$(ss -Hltn "sport = :$LAB__LPORT" 2>/dev/null)" ]; then
            break
        fi
        t=$((t - 1))
        sleep 0.1
    done
    lab__alive "$pid" || {
        lab__tail "$pfx.out" 15
        lab_fail "sipp $base (background) exited at once"
    }
    sleep 0.2
    lab__say "sipp $base started in the background (pid $pid, traces $pfx.*)"
}

# lab_sipp_wait [PID]: wait for a background SIPp run (default: the last one) to end; fail
# with its traces unless it succeeded.
lab_sipp_wait() {
    local pid=${1:-${LAB_SIPP_BG_PID:-}} rc=0 f pfx=""
    [ -n "$pid" ] || lab_fail "lab_sipp_wait: no background sipp"
    for f in "$LAB_DIR"/run/sipp-*.pid; do
        [ -e "$f" ] || continue
        if [ "$(cat "$f")" = "$pid" ]; then
            pfx=$(cat "${f%.pid}.prefix")
            rm -f "$f" "${f%.pid}.prefix"
        fi
    done
    wait "$pid" 2>/dev/null || rc=$?
    if [ $rc -ne 0 ]; then
        if [ -n "$pfx" ]; then
            lab__tail "$pfx.err.log" 30
            lab__tail "$pfx.msg.log" 60
            lab__tail "$pfx.out" 15
        fi
        lab_fail "background sipp ${pfx##*/} (pid $pid) failed (status $rc)"
    fi
    lab__say "background sipp ${pfx##*/} passed"
}

# ---------------------------------------------------------------- capture

# The tshark decode-as options for this lab's ports.
lab__decode_as() {
    local p
    LAB__DA=()
    for p in "$HSS_DIAM" "$I_DIAM" "$S_DIAM"; do
        LAB__DA+=(-d "tcp.port==$p,diameter")
    done
    for p in "$P_PORT" "$I_PORT" "$S_PORT" "$AS_PORT" "$UE_PORT"; do
        LAB__DA+=(-d "udp.port==$p,sip" -d "tcp.port==$p,sip")
    done
}

# lab_capture_start: capture loopback traffic of every port of this lab (SIP, Diameter, UE,
# AS) with dumpcap into $LAB_DIR/capture.pcapng; returns once the capture is running.
lab_capture_start() {
    local filter pid t=100
    lab__need_dir
    command -v dumpcap >/dev/null || lab_fail "lab_capture_start: dumpcap (tshark) is not installed"
    if pid=$(lab_pid capture); then
        lab_fail "lab_capture_start: a capture is already running (pid $pid)"
    fi
    filter="port $P_PORT or port $I_PORT or port $S_PORT or port $AS_PORT or port $UE_PORT"
    filter+=" or port $HSS_DIAM or port $I_DIAM or port $S_DIAM"
    rm -f "$LAB_DIR/capture.pcapng"
    dumpcap -q -i lo -f "$filter" -w "$LAB_DIR/capture.pcapng" >"$LAB_DIR/capture.out" 2>&1 &
    pid=$!
    echo "$pid" >"$LAB_DIR/run/capture.pid"
    until grep -q 'Capturing on' "$LAB_DIR/capture.out" 2>/dev/null && [ -s "$LAB_DIR/capture.pcapng" ]; do
        lab__alive "$pid" || {
            lab__tail "$LAB_DIR/capture.out"
            lab_fail "lab_capture_start: dumpcap exited"
        }
        t=$((t - 1))
        [ $t -gt 0 ] || lab_fail "lab_capture_start: dumpcap did not start within 10 s"
        sleep 0.1
    done
    sleep 0.2
}

# lab_capture_stop: stop the capture (SIGINT, dumpcap flushes and closes the file).
lab_capture_stop() {
    local pid
    lab__need_dir
    pid=$(lab_pid capture) || {
        rm -f "$LAB_DIR/run/capture.pid"
        return 0
    }
    sleep 0.3 # let the last packets reach the ring buffer
    kill -INT "$pid"
    lab__wait_dead "$pid" 10 || {
        kill -KILL "$pid" 2>/dev/null || true
        lab_fail "lab_capture_stop: dumpcap did not stop"
    }
    rm -f "$LAB_DIR/run/capture.pid"
    [ -s "$LAB_DIR/capture.pcapng" ] || lab_fail "lab_capture_stop: no $LAB_DIR/capture.pcapng"
}

lab__capture_file() {
    lab__need_dir
    lab_pid capture >/dev/null && lab_capture_stop
    [ -s "$LAB_DIR/capture.pcapng" ] || lab_fail "no capture: call lab_capture_start first"
    lab__decode_as
}

# lab_capture_check_clean: fail (listing the frames) when tshark finds any malformed or
# expert-error SIP or Diameter packet in the capture (stops a running capture first).
lab_capture_check_clean() {
    local out
    lab__capture_file
    out=$(tshark -n -r "$LAB_DIR/capture.pcapng" "${LAB__DA[@]}" \
        -Y '(sip || diameter) && (_ws.malformed || _ws.expert.severity == error)' \
        -T fields -e frame.number -e _ws.col.Protocol -e _ws.expert.message -e _ws.col.Info \
        2>"$LAB_DIR/tshark.err") || {
        lab__tail "$LAB_DIR/tshark.err"
        lab_fail "lab_capture_check_clean: tshark could not read the capture"
    }
    if [ -n "$out" ]; then
        lab_fail "malformed or expert-error SIP/Diameter packets in $LAB_DIR/capture.pcapng:
$out"
    fi
    lab__say "capture clean: $(tshark -n -r "$LAB_DIR/capture.pcapng" "${LAB__DA[@]}" -Y 'sip || diameter' 2>/dev/null | wc -l) SIP/Diameter frames, none malformed"
}

# lab_cx_count NAME: print how many Cx requests NAME (UAR MAR SAR LIR RTR PPR) the capture
# holds (every Diameter message of a frame counts; answers do not).
lab_cx_count() {
    local code
    case $1 in
        UAR) code=300 ;; SAR) code=301 ;; LIR) code=302 ;; MAR) code=303 ;;
        RTR) code=304 ;; PPR) code=305 ;;
        *) lab_fail "lab_cx_count: unknown command '$1' (UAR MAR SAR LIR RTR PPR)" ;;
    esac
    lab__capture_file
    tshark -n -r "$LAB_DIR/capture.pcapng" "${LAB__DA[@]}" -Y "diameter.cmd.code == $code" \
        -T fields -E aggregator=, -e diameter.cmd.code -e diameter.flags.request 2>/dev/null |
        awk -F'\t' -v c="$code" '{ n = split($1, cs, ","); split($2, rs, ",");
            for (i = 1; i <= n; i++) if (cs[i] == c && (rs[i] == "1" || rs[i] == "True")) k++ }
            END { print k + 0 }'
}

# lab_reginfo_valid FILE [WHAT]: fail unless FILE is an application/reginfo+xml document valid
# against RFC 3680 (the schema in tests/integration/lib/reginfo.xsd, checked by xmllint).
lab_reginfo_valid() {
    local out
    out=$(xmllint --noout --schema "$IMSCORE_SOURCE_DIR/tests/integration/lib/reginfo.xsd" "$1" 2>&1) ||
        lab_fail "${2:-$1} is not valid reginfo (RFC 3680): $out"
}

# lab_sip_text: print the decoded SIP messages of the capture (request/status line, headers,
# one per line, a line `-- frame N` before each message).
lab_sip_text() {
    lab__capture_file
    tshark -n -r "$LAB_DIR/capture.pcapng" "${LAB__DA[@]}" -Y sip -V -O sip 2>/dev/null |
        awk '/^Frame [0-9]+:/ { print "-- frame " $2; next }
             /^Session Initiation Protocol/ { insip = 1; next }
             /^[^ ]/ { insip = 0 }
             insip { sub(/^ +/, ""); print }'
}

# lab_sip_grep REGEX: print the lines of the decoded SIP text of the capture matching the
# extended REGEX; status 1 when none matches (like grep).
lab_sip_grep() {
    local text
    text=$(lab_sip_text)
    grep -E -- "$1" <<<"$text"
}
