#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_nginx_workers: Debian's nginx with its master process and two
# workers under `axip-run --queues 2` on a veth pair with two queues: the
# master listens, each forked worker takes one receive queue (its own axip
# instance, the listener re-created there). 24 concurrent kernel clients
# fetch a page (by SHA-256); both workers must have answered (X-Pid header);
# $AXT_BIG_MB MiB (default 100) comes back byte-identical to curl and wget;
# wrk runs $AXT_WRK_SECS s (default 10) over 16 connections with zero errors.
# nginx also listens on [::]:80 (ipv6only): 24 clients over IPv6, both
# workers answer (the IPv6 listener is re-created per worker too).
# /up/ is proxied to a kernel HTTP server on the peer: each worker's
# upstream connections are axip's own active opens, whose replies the veth
# may put on the other worker's queue (the hand-off between the worker
# processes); 48 proxied pages by SHA-256, both workers answer.
. "$(dirname "$0")/lib.sh"
RUN=$BUILD/preload/axip-run
[ -x "$RUN" ] || { echo "SKIP: $RUN not built" >&2; exit 77; }
BIG_MB=${AXT_BIG_MB:-100}
WRK_S=${AXT_WRK_SECS:-10}
for p in nginx curl wget wrk; do
	command -v $p >/dev/null || { echo "SKIP: $p missing (Debian packages nginx-light, curl)" >&2; exit 77; }
done
net_setup 2
net_setup_ipv6
big_file_both "$BIG_MB"
D=$WORK/nginx
echo "<html>axip-run nginx workers</html>" >"$D/www/index.html"
chmod 644 "$D/www/index.html"
cat >"$D/nginx.conf" <<EOF2
worker_processes 2;
daemon off;
pid $D/nginx.pid;
error_log $D/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $D/body;
    default_type application/octet-stream;
    sendfile on;
    server {
        listen 0.0.0.0:80;
        listen [::]:80 ipv6only=on;
        root $D/www;
        add_header X-Pid \$pid;
        location /up/ {
            proxy_pass http://$ADDR_B:8000/;
        }
    }
}
EOF2
mkdir -p "$WORK/up"
chmod 755 "$WORK/up"
head -c 65536 /dev/urandom >"$WORK/up/u.bin"
start_in "$NSB" uphttp /usr/bin/python3 -m http.server --directory "$WORK/up" --bind "$ADDR_B" 8000
wait_listen "$NSB" 8000
start_axip nginx "$RUN" --ifname "$IFA" --queues 2 --verbose -- nginx -e "$D/error.log" -c "$D/nginx.conf" -p "$D"
wait_attached nginx
for _ in $(seq 50); do
	[ "$(cat "$WORK/nginx.log" "$D/error.log" 2>/dev/null | grep -c "serves axip on queue")" = 2 ] && break
	sleep 0.2
done
cat "$WORK/nginx.log" "$D/error.log" | grep -q "serves axip on queue 0" || fail "no worker took queue 0"
cat "$WORK/nginx.log" "$D/error.log" | grep -q "serves axip on queue 1" || fail "no worker took queue 1"
in_a ss -Htln | grep -q ':80 ' && fail "a kernel socket listens on port 80: not served by axip"
want=$(sha256sum <"$D/www/index.html")
fetch_pids 24 "http://$ADDR_A/index.html" "$want" request
echo "workers that answered: $PIDS"
[ "$PIDS" = 2 ] || fail "expected both workers to answer, got $PIDS"
in_a ss -Htln | grep -q '\[::\]:80 ' && fail "a kernel socket listens on [::]:80: not served by axip"
fetch_pids 24 "http://[$A6]/index.html" "$want" "IPv6 request" -6
echo "workers that answered over IPv6: $PIDS"
[ "$PIDS" = 2 ] || fail "expected both workers to answer over IPv6, got $PIDS"
fetch_pids 48 "http://$ADDR_A/up/u.bin" "$(sha256sum <"$WORK/up/u.bin")" "proxied request"
echo "workers that answered proxied requests: $PIDS"
[ "$PIDS" = 2 ] || fail "expected both workers to answer proxied requests, got $PIDS"
want_big=$(sha256sum <"$D/www/big.bin")
[ "$(in_b timeout 120 curl -sf "http://$ADDR_A/big.bin" | sha256sum)" = "$want_big" ] || fail "curl $BIG_MB MiB"
[ "$(in_b timeout 120 wget -q -O - "http://$ADDR_A/big.bin" | sha256sum)" = "$want_big" ] || fail "wget $BIG_MB MiB"
wrk_zero_errors "http://$ADDR_A/index.html" "$WRK_S" 16
grep -E '\[(alert|emerg|crit)\]' "$D/error.log" && fail "nginx logged errors"
# graceful stop: on TERM nginx SIGKILLs a worker still running after ~1 s
# (an "exited on signal 9" alert), which a sanitizer build's exit (its leak
# check) can exceed on a loaded machine; QUIT lets each worker finish
stop_axip nginx QUIT
grep -E '\[(alert|emerg|crit)\]' "$D/error.log" && fail "nginx logged errors while stopping"
xdp_attached && fail "XDP program left after nginx exited"
echo "PASS net_preload_nginx_workers"
