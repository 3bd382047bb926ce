# tests/integration/lib.sh: the plumbing every integration script shares.
# shellcheck shell=bash
# Sourced (bash), never run:
#
#   . "$here/lib.sh"
#   it_args NAME "$@"       # NAME.sh BUILD_DIR: sets $root, $build, $lc
#                           # (checked executable) and $gobin, or exits 2
#   it_need TOOL...         # exits 2 naming the first tool not on PATH
#   it_services SVC...      # (re)builds the Go services when go is there;
#                           # exits 2 when one of SVC is missing from $gobin
#   it_python MODULE PKG    # $py = Debian's python3 (then PATH's) that
#                           # imports MODULE, or exits 2 naming Debian's PKG
#   it_init NAME            # $work = a fresh /tmp/leakcheck-NAME.XXXXXX,
#                           # counters at 0, the EXIT trap installed
#   it_at_exit FUNCTION     # optional: call FUNCTION first at exit (e.g. to
#                           # stop a server whose command line lacks $work)
#   pass DESC               # "PASS DESC"
#   fail DESC [DETAIL]      # "FAIL DESC (DETAIL)"
#   check DESC COMMAND...   # pass or fail on COMMAND's status (its output
#                           # is dropped); returns 0 either way
#   check_jq DESC EXPR FILE # pass when jq's EXPR on FILE is true, else fail
#                           # with EXPR and the start of FILE
#   it_done                 # the last line: the script reached its end
#
# At exit (the trap): the it_at_exit functions run, every process whose
# command line holds "$work/" is killed (by pid), a script that never
# reached it_done counts one more failure ("FAIL NAME.sh stopped early"),
# $work is removed when nothing failed and kept (and named) otherwise, and
# the closing line "N passed, N failed" is printed last. The exit status is
# 0 when nothing failed, 1 otherwise. Works with and without `set -e`.

it_args() {
    local name=$1
    shift
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    if [ $# -ne 1 ]; then
        echo "usage: $name.sh BUILD_DIR" >&2
        exit 2
    fi
    build=$(cd "$1" 2>/dev/null && pwd) || { echo "$name.sh: no build directory $1" >&2; exit 2; }
    lc=$build/leakcheck
    gobin=$root/tests/go/bin
    it_script=$name
    [ -x "$lc" ] || { echo "$name.sh: $lc not found or not executable" >&2; exit 2; }
}

it_need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$it_script.sh: $tool not found" >&2; exit 2; }
    done
}

it_services() {
    local s
    if command -v go >/dev/null; then
        "$root/tests/go/build.sh" "$gobin" >/dev/null
    fi
    for s in "$@"; do
        [ -x "$gobin/$s" ] || { echo "$it_script.sh: $gobin/$s missing (run tests/go/build.sh)" >&2; exit 2; }
    done
}

it_python() {
    local p
    py=
    for p in /usr/bin/python3 python3; do
        if command -v "$p" >/dev/null && "$p" -c "import $1" 2>/dev/null; then
            py=$p
            return 0
        fi
    done
    echo "$it_script.sh: python3 with $1 not found (apt-get install $2)" >&2
    exit 2
}

npass=0
nfail=0
it_name=
it_finished=0
it_exit_fns=()
work=

# it_init NAME: private work dir and exit trap for the script NAME.sh.
it_init() {
    it_name=$1
    work=$(mktemp -d "/tmp/leakcheck-$1.XXXXXX")
    trap it_cleanup EXIT
}

# it_nginx [ACCESS_LOG]: nginx (one worker) on a free loopback port,
# answering "ok" to every request, stopped at exit; sets $nginx_port.
# ACCESS_LOG is a file to log each request to, or off (the default).
it_nginx() {
    nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
                 shuf -i 20000-60000 -n 1)
    cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log ${1:-off};
    server { listen 127.0.0.1:$nginx_port; location / { return 200 "ok\n"; } }
}
NGINX
    nginx -c "$work/nginx.conf" &
    it_nginx_pid=$!
    it_at_exit it_stop_nginx
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null && break; sleep 0.1; done
}
it_stop_nginx() { kill "$it_nginx_pid" 2>/dev/null; wait "$it_nginx_pid" 2>/dev/null; }

# it_at_exit FUNCTION: FUNCTION (no arguments) is called first at exit.
it_at_exit() { it_exit_fns+=("$1"); }

pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1${2:+ ($2)}"; nfail=$((nfail + 1)); }

# check DESCRIPTION COMMAND...: one line for the outcome of COMMAND (its
# output is dropped). Returns 0 either way.
check() {
    local desc=$1
    shift
    if "$@" >/dev/null 2>&1; then pass "$desc"; else fail "$desc"; fi
}

# check_jq DESCRIPTION JQ-EXPRESSION FILE: one line for whether the
# expression is true of the JSON in FILE.
check_jq() {
    if [ "$(jq -r "$2" "$3" 2>/dev/null)" = true ]; then pass "$1"; else fail "$1 ($2 on $(head -c 600 "$3"))"; fi
}

# it_done: marks the normal end of the script (the last line).
it_done() { it_finished=1; }

# The EXIT trap; see the top of the file.
it_cleanup() {
    local rc=$? pids fn
    set +e
    for fn in "${it_exit_fns[@]}"; do "$fn"; done
    if [ -n "$work" ]; then
        pids=$(pgrep -f -- "$work/")
        # shellcheck disable=SC2086
        [ -z "$pids" ] || kill -9 $pids 2>/dev/null
    fi
    if [ "$it_finished" -eq 0 ]; then
        echo "FAIL $it_name.sh stopped early (exit status $rc)"
        nfail=$((nfail + 1))
    fi
    if [ "$nfail" -eq 0 ]; then
        rm -rf "$work"
    else
        echo "outputs kept in $work"
    fi
    echo "$npass passed, $nfail failed"
    if [ "$nfail" -eq 0 ]; then exit 0; else exit 1; fi
}
