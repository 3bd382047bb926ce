#!/bin/bash
# capture.sh: re-captures the raw HTTP responses in tests/data/http from
# nginx-light, a Go net/http server and a libevent evhttp server, all on
# 127.0.0.1. Run from anywhere; needs nginx, go and libevent-dev.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(dirname "$here")
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")"; rm -rf "$tmp"' EXIT

freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# fetch PORT PATH FILE [METHOD] [VERSION]: one request, raw response bytes saved.
fetch() {
    local port=$1 path=$2 file=$3 method=${4:-GET} ver=${5:-HTTP/1.1}
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf '%s %s %s\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' \
        "$method" "$path" "$ver" "$port" >&3
    cat <&3 >"$out/$file"
    exec 3<&-
}

# fetch2 PORT PATH FILE: two pipelined requests on one connection, the first
# keep-alive, the second with Connection: close; both responses saved.
fetch2() {
    local port=$1 path=$2 file=$3
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n' "$path" "$port" >&3
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' \
        "$path" "$port" >&3
    cat <&3 >"$out/$file"
    exec 3<&-
}

# nginx-light, one worker
np=$(freeport)
chmod 755 "$tmp"
mkdir -p "$tmp/html"
head -c 70000 /dev/zero | tr '\0' 'a' >"$tmp/html/big.txt"
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$np;
        root $tmp/html;
        location = /empty { return 200; }
        location = /text { default_type text/plain; return 200 "hello from nginx\n"; }
        location = /gone { return 404; }
        location = /redir { return 302 /text; }
    }
}
CONF
nginx -c "$tmp/nginx.conf" -p "$tmp"
sleep 0.3
fetch "$np" /empty nginx_empty_200.bin
fetch "$np" /text nginx_text_200.bin
fetch "$np" /gone nginx_404.bin
fetch "$np" /redir nginx_302.bin
fetch "$np" /big.txt nginx_static_70000.bin
fetch "$np" /text nginx_head.bin HEAD
fetch "$np" /text nginx_http10.bin GET HTTP/1.0
fetch2 "$np" /empty nginx_keepalive_pair.bin

# Go net/http
gp=$(freeport)
(cd "$here" && go build -o "$tmp/goserver" goserver.go)
PORT=$gp "$tmp/goserver" &
sleep 0.5
fetch "$gp" /chunked go_chunked.bin
fetch "$gp" /big go_big_65536.bin
fetch "$gp" /small go_small.bin
fetch "$gp" /nocontent go_204.bin
fetch "$gp" /trailer go_trailer.bin
fetch "$gp" /missing go_404.bin
fetch2 "$gp" /chunked go_keepalive_pair.bin

# libevent evhttp
ep=$(freeport)
cc -O1 -o "$tmp/evserver" "$here/evserver.c" -levent
"$tmp/evserver" "$ep" &
sleep 0.3
fetch "$ep" /ok evhttp_ok.bin
fetch "$ep" /chunked evhttp_chunked.bin GET
fetch "$ep" /nothing evhttp_404.bin
fetch2 "$ep" /ok evhttp_keepalive_pair.bin
echo "captured into $out"
