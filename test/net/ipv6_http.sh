#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_ipv6_http: HTTP over IPv6 through AF_XDP.
#
# axip-httpd (one dual-stack listener on ::, shared mode) serves kernel
# clients in the peer namespace over IPv6: curl -6 and wget fetch a file of
# $AXT_BIG_MB MiB (default 100) of random bytes from http://[address]/, each
# compared with the file by SHA-256; the same listener answers IPv4 and the
# link-local address; wrk runs 5 s against http://[address]/ with zero
# errors. With --addr6 (a dedicated IPv6 address) a page is fetched by
# SHA-256. Then axip-http-get fetches the big file over IPv6 from a kernel
# nginx listening on [peer address]:8080.
. "$(dirname "$0")/lib.sh"
need_prog axip-httpd
need_prog axip-http-get
for p in curl wget wrk nginx; do
	command -v $p >/dev/null || { echo "SKIP: $p not installed" >&2; exit 77; }
done
BIG_MB=${AXT_BIG_MB:-100}
net_setup 1
sha() { sha256sum "$1" | cut -d' ' -f1; }
net_setup_ipv6

big_file_both "$BIG_MB"
printf '<!doctype html>\n<title>axip</title>\n<p>IPv6</p>\n' >"$WORK/www/index.html"
want=$(sha "$WORK/www/big.bin")

# ---- axip-httpd, shared mode
start_axip httpd "$BUILD/examples/axip-httpd" --ifname "$IFA" --port 80 --docroot "$WORK/www"
wait_attached httpd
URL="http://[$A6]"
out=$(in_b timeout 10 curl -6 -sS --fail "$URL/") || fail "curl -6 /"
[ "$out" = hello ] || fail "/ over IPv6 returned '$out'"
out=$(in_b timeout 10 curl -sS --fail "http://$ADDR_A/") || fail "curl / over IPv4 (dual-stack listener)"
[ "$out" = hello ] || fail "/ over IPv4 returned '$out'"
out=$(in_b timeout 10 curl -6 -sS --fail --interface "$IFB" "http://[$LL_A%25$IFB]/") || fail "curl -6 to the link-local address"
[ "$out" = hello ] || fail "/ over link-local returned '$out'"
in_b timeout 120 curl -6 -sS --fail -o "$WORK/c.big" "$URL/big.bin" || fail "curl -6 of ${BIG_MB} MiB"
[ "$(sha "$WORK/c.big")" = "$want" ] || fail "curl -6: ${BIG_MB} MiB file differs (sha256)"
rm -f "$WORK/c.big"
in_b timeout 120 wget -q -O "$WORK/w.big" "$URL/big.bin" || fail "wget of ${BIG_MB} MiB over IPv6"
[ "$(sha "$WORK/w.big")" = "$want" ] || fail "wget: ${BIG_MB} MiB file differs (sha256)"
rm -f "$WORK/w.big"
in_b timeout 30 wrk -t1 -c8 -d5s "$URL/" >"$WORK/wrk.txt" 2>&1 || { cat "$WORK/wrk.txt" >&2; fail "wrk over IPv6"; }
cat "$WORK/wrk.txt"
grep -q "Socket errors" "$WORK/wrk.txt" && fail "wrk over IPv6: socket errors"
grep -q "Non-2xx" "$WORK/wrk.txt" && fail "wrk over IPv6: non-2xx responses"
reqs=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
[ "${reqs:-0}" -gt 0 ] || fail "wrk over IPv6 completed no request"
stop_axip httpd TERM
grep -Eq "rule tcp6/80 +hits +[1-9]" "$WORK/httpd.log" || fail "no IPv6 rule hits counted"
grep -qi sanitizer "$WORK/httpd.log" && fail "sanitizer report (httpd)"
echo "ok: axip-httpd over IPv6 (shared)"

# ---- axip-httpd, dedicated IPv6 address
start_axip httpd6 "$BUILD/examples/axip-httpd" --ifname "$IFA" --port 80 --docroot "$WORK/www" --addr6 "$D6/64"
wait_attached httpd6
sleep 1.5 # DAD of the dedicated address
in_b timeout 10 curl -6 -sS --fail -o "$WORK/d.index" "http://[$D6]/index.html" || fail "curl -6 to the dedicated address"
[ "$(sha "$WORK/d.index")" = "$(sha "$WORK/www/index.html")" ] || fail "dedicated: index.html differs"
stop_axip httpd6 TERM
echo "ok: axip-httpd over IPv6 (dedicated)"

# ---- axip-http-get over IPv6 from a kernel nginx
d=$WORK/nginx
nginx_files_conf "$d" "[$B6]:8080" "$d/www" 1024
start_in "$NSB" nginx nginx -e "$d/error.log" -c "$d/nginx.conf" -p "$d"
wait_listen "$NSB" 8080
in_a timeout -s KILL 150 "$BUILD/examples/axip-http-get" --ifname "$IFA" --url "http://[$B6]:8080/big.bin" \
	--output "$WORK/g.big" --timeout 120 >"$WORK/get.log" 2>&1 || fail "axip-http-get over IPv6 (exit $?)"
[ "$(sha "$WORK/g.big")" = "$want" ] || fail "axip-http-get: ${BIG_MB} MiB file differs (sha256)"
rm -f "$WORK/g.big"
grep -qi sanitizer "$WORK/get.log" && fail "sanitizer report (http-get)"
stop_axip nginx TERM
xdp_attached && fail "XDP program left after exit"
echo "PASS net_ipv6_http"
