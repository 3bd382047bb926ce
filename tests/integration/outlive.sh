#!/usr/bin/env bash
# Nothing the target starts outlives the run (target/keeper.c): leakcheck
# is killed with SIGKILL in the middle of a run of a direct Go target, an
# `sh -c` wrapper, `go run` and a daemon that double-forks and calls
# setsid; within 2 s no process of the target's tree may be alive and its
# port must be free. A run whose target exits and leaves a setsid daemon
# behind ends with the daemon gone too, and so does an interrupted one.
#
#   tests/integration/outlive.sh BUILD_DIR
#
# Needs go (for `go run`) and tests/go/bin/healthy (tests/go/build.sh).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
it_args outlive "$@"
it_need go
it_services healthy
it_init outlive

# marked TAG: pid and command line of every process whose environment
# holds LC_OUTLIVE=TAG (the suite gives it to the target; every process the
# target starts inherits it)
marked() {
    local f p
    for f in $(grep -lsxz "LC_OUTLIVE=$1" /proc/[0-9]*/environ); do
        p=${f#/proc/}
        p=${p%/environ}
        [ "$p" = "$BASHPID" ] || echo "$p $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")"
    done
}
kill_marked() {
    local tag pid rest
    for tag in "${tags[@]}"; do
        marked "$tag" | while read -r pid rest; do kill -9 "$pid" 2>/dev/null; done
    done
}
tags=()
it_at_exit kill_marked

# port_of TAG: the port of the marked process serving "-addr 127.0.0.1:N"
port_of() { marked "$1" | grep -o -- '-addr 127.0.0.1:[0-9]*' | head -n 1 | sed 's/.*://'; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# none_left TAG DESCRIPTION: passes when no process of TAG's tree is alive
none_left() {
    local left
    left=$(marked "$1")
    if [ -z "$left" ]; then pass "$1: $2"; else fail "$1: $2" "$left"; fi
}

# suite TAG COMMAND-JSON [EXTRA-TARGET-JSON]: a suite of one test that
# observes for 60 s (killed long before)
suite() {
    cat >"$work/$1.json" <<JSON
{"suite": "outlive-$1", "tests": [{"name": "$1",
  "target": {"command": $2, "cwd": "$root/tests/go", "env": {"LC_OUTLIVE": "$1"},
             "ready": "http://127.0.0.1:\${port}/healthz", "ready_timeout": "60s"${3:-}},
  "sample": {"pprof": "http://127.0.0.1:\${port}/debug/pprof", "interval": "250ms"},
  "baseline": "500ms", "observe": "60s", "assert": ["goroutines < 100000"]}]}
JSON
}

# killed TAG COMMAND-JSON: leakcheck gets SIGKILL once its target serves
killed() {
    local tag=$1 port="" i lp left
    tags+=("$tag")
    suite "$tag" "$2"
    "$lc" run "$work/$tag.json" --out "$work/out-$tag" --quiet >"$work/$tag.log" 2>&1 &
    lp=$!
    for i in $(seq 1 300); do
        port=$(port_of "$tag")
        [ -n "$port" ] && listening "$port" && break
        sleep 0.1
    done
    if [ -z "$port" ] || ! listening "$port"; then
        fail "$tag: the target never served" "$(cat "$work/$tag.log")"
        kill -9 "$lp" 2>/dev/null
        return
    fi
    sleep 0.5
    kill -9 "$lp"
    wait "$lp" 2>/dev/null
    for i in $(seq 1 20); do
        left=$(marked "$tag")
        [ -z "$left" ] && ! listening "$port" && break
        sleep 0.1
    done
    none_left "$tag" "nothing of the target's tree outlives leakcheck's SIGKILL by 2 s"
    check "$tag: port $port free within 2 s" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$port)"
}

healthy=$gobin/healthy
killed direct "[\"$healthy\", \"-addr\", \"127.0.0.1:\${port}\"]"
# `; true`: sh forks the server instead of exec'ing it
killed shc "[\"sh\", \"-c\", \"$healthy -addr 127.0.0.1:\${port}; true\"]"
killed gorun '["go", "run", "healthy/main.go", "-addr", "127.0.0.1:${port}"]'
# double fork and setsid: the daemon has no parent, group or session of
# the target's; the target itself waits
daemon="( setsid $healthy -addr 127.0.0.1:\${port} </dev/null >/dev/null 2>&1 & ); exec sleep 600"
killed setsid "[\"sh\", \"-c\", \"$daemon\"]"

# A target that exits at once and leaves a setsid daemon: the run ends
# ("the target exited"), and the daemon with it.
tags+=(leftover)
left_cmd="( setsid $healthy -addr 127.0.0.1:\${port} </dev/null >/dev/null 2>&1 & ); sleep 1.5; exit 0"
suite leftover "[\"sh\", \"-c\", \"$left_cmd\"]"
"$lc" run "$work/leftover.json" --out "$work/out-leftover" --quiet >"$work/leftover.log" 2>&1
code=$?
check "leftover: the target's exit is an error (exit 3, got $code)" test "$code" -eq 3
none_left leftover "the setsid daemon the target left is gone when leakcheck exits"

# SIGINT: the partial report, exit 130, and the daemon gone too
tags+=(interrupted)
suite interrupted "[\"sh\", \"-c\", \"$daemon\"]" ', "stop_grace": "1s"'
"$lc" run "$work/interrupted.json" --out "$work/out-interrupted" --quiet >"$work/interrupted.log" 2>&1 &
lp=$!
for i in $(seq 1 300); do
    port=$(port_of interrupted)
    [ -n "$port" ] && listening "$port" && break
    sleep 0.1
done
sleep 0.5
kill -INT "$lp"
wait "$lp"
code=$?
check "interrupted: exit 130 (got $code)" test "$code" -eq 130
none_left interrupted "the setsid daemon is gone when leakcheck exits"
it_done
