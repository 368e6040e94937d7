# Helpers of the imsua integration tests (sourced after lab.sh and lab_init).
# ua_start NAME ARGS...: runs build/bin/imsua ARGS in the background, stdout+stderr into
#   $LAB_DIR/NAME.out; sets UA_PID. The EXIT trap kills it if the test ends first.
# ua_wait_out NAME REGEX [SECONDS]: waits (default 15 s) for a line of NAME.out matching REGEX.
# ua_wait_exit EXPECTED_RC [SECONDS]: waits for the background imsua and checks its exit code.
UA_BIN=$IMSCORE_BINARY_DIR/bin/imsua
UA_PID=""
UA_NAME=""

ua__on_exit() {
    local rc=$?
    if [ -n "$UA_PID" ]; then
        kill -KILL "$UA_PID" 2>/dev/null || true
        wait "$UA_PID" 2>/dev/null || true
        [ -n "$UA_NAME" ] && [ "$rc" -ne 0 ] && tail -n 30 "$LAB_DIR/$UA_NAME.out" >&2
    fi
    (exit "$rc")
    lab__on_exit
}
trap ua__on_exit EXIT

ua_skip_unless_built() {
    local b
    for b in "$@"; do
        if [ ! -x "$IMSCORE_BINARY_DIR/bin/$b" ]; then
            echo "SKIP: $IMSCORE_BINARY_DIR/bin/$b not built"
            exit 77
        fi
    done
}

ua_start() {
    UA_NAME=$1
    shift
    "$UA_BIN" "$@" >"$LAB_DIR/$UA_NAME.out" 2>&1 &
    UA_PID=$!
}

ua_wait_out() {
    local name=$1 re=$2 t=$((${3:-15} * 10))
    while ! grep -Eq -- "$re" "$LAB_DIR/$name.out" 2>/dev/null; do
        t=$((t - 1))
        if [ $t -le 0 ]; then
            cat "$LAB_DIR/$name.out" >&2
            lab_fail "$name.out: no line matching /$re/ within ${3:-15} s"
        fi
        if [ -n "$UA_PID" ] && ! kill -0 "$UA_PID" 2>/dev/null; then
            grep -Eq -- "$re" "$LAB_DIR/$name.out" && return 0
            cat "$LAB_DIR/$name.out" >&2
            lab_fail "$name: imsua exited before printing /$re/"
        fi
        sleep 0.1
    done
}

ua_wait_exit() {
    local want=$1 t=$((${2:-15} * 10)) rc=0
    while kill -0 "$UA_PID" 2>/dev/null; do
        t=$((t - 1))
        [ $t -gt 0 ] || lab_fail "$UA_NAME: imsua still running after ${2:-15} s"
        sleep 0.1
    done
    wait "$UA_PID" || rc=$?
    UA_PID=""
    if [ "$rc" -ne "$want" ]; then
        cat "$LAB_DIR/$UA_NAME.out" >&2
        lab_fail "$UA_NAME: imsua exit $rc, expected $want"
    fi
}
