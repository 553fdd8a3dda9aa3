#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_nginx: Debian's nginx (nginx-light), unmodified, under axip-run
# in one process (master_process off; net_preload_nginx_workers has the
# master and workers) serving static
# files with sendfile; curl and wget from the kernel side fetch a page and
# $AXT_BIG_MB MiB (default 100), compared by SHA-256, 20 keep-alive requests
# in one connection, and wrk runs $AXT_WRK_SECS s (default 10) with zero
# errors.
. "$(dirname "$0")/lib.sh"
RUN=$BUILD/preload/axip-run
[ -x "$RUN" ] || { echo "SKIP: $RUN not built" >&2; exit 77; }
BIG_MB=${AXT_BIG_MB:-100}
WRK_S=${AXT_WRK_SECS:-10}
for p in nginx curl wget wrk; do
	command -v $p >/dev/null || { echo "SKIP: $p missing (Debian packages nginx-light, curl, wget)" >&2; exit 77; }
done
net_setup 1
big_file_both "$BIG_MB"
D=$WORK/nginx
echo "<html>axip-run nginx</html>" >"$D/www/index.html"
chmod 644 "$D/www/index.html"
nginx_files_conf "$D" "0.0.0.0:80" "$D/www" 256
start_axip nginx "$RUN" --ifname "$IFA" --verbose -- nginx -g "master_process off;" \
	-e "$D/error.log" -c "$D/nginx.conf" -p "$D"
wait_attached nginx
for _ in $(seq 50); do
	in_b timeout 2 curl -sf -o /dev/null "http://$ADDR_A/index.html" && break
	sleep 0.2
done
in_a ss -Htln | grep -q ':80 ' && fail "a kernel socket listens on port 80: not served by axip"
want_page=$(sha256sum <"$D/www/index.html")
want_big=$(sha256sum <"$D/www/big.bin")
[ "$(in_b timeout 10 curl -sf "http://$ADDR_A/index.html" | sha256sum)" = "$want_page" ] || fail "curl page"
[ "$(in_b timeout 120 curl -sf "http://$ADDR_A/big.bin" | sha256sum)" = "$want_big" ] || fail "curl $BIG_MB MiB"
[ "$(in_b timeout 120 wget -q -O - "http://$ADDR_A/big.bin" | sha256sum)" = "$want_big" ] || fail "wget $BIG_MB MiB"
urls=()
for _ in $(seq 20); do urls+=("http://$ADDR_A/index.html"); done
n=$(in_b timeout 30 curl -sf "${urls[@]}" | grep -c 'axip-run nginx')
[ "$n" = 20 ] || fail "keep-alive: $n of 20 responses"
wrk_zero_errors "http://$ADDR_A/index.html" "$WRK_S" 16
stop_axip nginx TERM
grep -E '\[(alert|emerg|crit)\]' "$D/error.log" && fail "nginx logged errors"
echo "PASS net_preload_nginx"
