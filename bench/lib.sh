# shellcheck shell=bash disable=SC2034 # the variables set here are for the callers
# bench/lib.sh: what the bench/*.sh scripts share (sourced, not run): the
# build directory, a private temporary directory, private nginx instances
# on free loopback ports, /usr/bin/time, medians.

bench_init() {
    if [ $# -lt 1 ] || [ ! -x "$1/leakcheck" ]; then
        echo "usage: $0 BUILD_DIR ... (BUILD_DIR/leakcheck must exist: meson setup build && ninja -C build)" >&2
        exit 2
    fi
    lc=$(cd "$1" && pwd)/leakcheck
    for t in nginx /usr/bin/time ss awk; do
        command -v "$t" >/dev/null || {
            echo "missing $t (apt-get install -y nginx-light time iproute2)" >&2
            exit 2
        }
    done
    # BENCH_PIN=1: nginx on core 0, the load generator on core 1, so that
    # each has a core of its own instead of taking turns on two
    pin_server=() pin_client=()
    if [ "${BENCH_PIN:-0}" = 1 ]; then
        command -v taskset >/dev/null || { echo "BENCH_PIN needs taskset (util-linux)" >&2; exit 2; }
        pin_server=(taskset -c 0) pin_client=(taskset -c 1)
    fi
    tmp=$(mktemp -d /tmp/leakcheck-bench.XXXXXX)
    nginx_pids=()
    trap bench_cleanup EXIT
    # 1000 connections need more descriptors than the usual 1024
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}

bench_cleanup() {
    local p
    for p in "${nginx_pids[@]}"; do
        [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
    done
    rm -rf "$tmp"
}

# A free loopback TCP port below the ephemeral range (so that no client
# socket can take it meanwhile).
free_port() {
    local p
    for _ in $(seq 100); do
        p=$((10000 + RANDOM % 20000))
        if ! ss -Htan "( sport = :$p or dport = :$p )" | grep -q .; then
            echo "$p"
            return 0
        fi
    done
    echo "no free port found" >&2
    return 1
}

# nginx_start NAME LOG [SCHEME]: a private nginx-light (one worker,
# `return 200;`) under $tmp/NAME; LOG is "off" or "on" (then every request
# is a line of $tmp/NAME/access.log); SCHEME "https" serves TLS (1.2 and
# 1.3, session tickets) with a self-signed certificate for 127.0.0.1 made
# here, $nginx_cert; "h2c" serves HTTP/2 without TLS (prior knowledge),
# "h2" HTTP/2 over TLS (ALPN). Sets nginx_url.
nginx_start() {
    local log=$2 dir=$tmp/$1 port scheme=${3:-http}
    port=$(free_port)
    mkdir -p "$dir"
    local access="access_log off;" listen="listen 127.0.0.1:$port backlog=4096;"
    [ "$log" = on ] && access="access_log $dir/access.log;"
    local http2= more=
    case $scheme in h2c) scheme=http http2=" http2" ;; h2) scheme=https http2=" http2" ;; esac
    # HTTP/2: no GOAWAY after nginx's default 1000 requests per connection
    [ -n "$http2" ] && more="keepalive_requests 100000000;"
    listen="listen 127.0.0.1:$port$http2 backlog=4096;"
    if [ "$scheme" = https ]; then
        nginx_cert=$dir/cert.pem
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -keyout "$dir/key.pem" -out "$nginx_cert" -subj /CN=127.0.0.1 \
            -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
        listen="listen 127.0.0.1:$port ssl$http2 backlog=4096;
        ssl_certificate $nginx_cert;
        ssl_certificate_key $dir/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;"
    fi
    cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 16384;
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 8192; }
http {
    $access
    $more
    server {
        $listen
        location / { return 200; }
    }
}
CONF
    "${pin_server[@]}" nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log"
    nginx_pids+=("$dir/nginx.pid")
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    nginx_url="$scheme://127.0.0.1:$port/"
}

# The median of the numbers on stdin, one a line.
median() {
    sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

loadavg() { cut -d' ' -f1 /proc/loadavg; }

# timed OUT CMD...: runs CMD with stdout to OUT and writes "user+sys
# peak_rss_kb" to OUT.time.
timed() {
    local out=$1
    shift
    "${pin_client[@]}" /usr/bin/time -f "TIME %U %S %M" -o "$out.rawtime" "$@" >"$out"
    awk '/^TIME/ {print $2 + $3, $4}' "$out.rawtime" >"$out.time"
}

# record TOOL RUN RPS REQUESTS: appends "tool run rps requests cpu_s rss_kb
# load cpu_s_per_100k" to $tmp/results, the CPU and RSS from the last
# `timed "$tmp/out" ...`.
record() {
    local cpu rss
    read -r cpu rss <"$tmp/out.time"
    echo "$1 $2 $3 $4 $cpu $rss $(loadavg) $(awk -v c="$cpu" -v n="$4" 'BEGIN {print c / n * 100000}')" \
        >>"$tmp/results"
}

# ratio A B COLUMN: the median over runs of A's figure over B's in that run
ratio() {
    join <(awk -v t="$1" -v c="$3" '$1 == t {print $2, $c}' "$tmp/results" | sort) \
        <(awk -v t="$2" -v c="$3" '$1 == t {print $2, $c}' "$tmp/results" | sort) |
        awk '{print $2 / $3}' | median
}
