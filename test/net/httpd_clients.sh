#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_httpd_clients: kernel HTTP clients (curl, wget) fetch static files from
# axip-httpd --docroot across a veth pair: small pages (an index.html, a text
# file in a subdirectory, several pages over one keep-alive connection) and a
# file of $AXT_BIG_MB MiB (default 100) of random bytes, each compared with
# the file by SHA-256; a missing file is a 404, and / is the fixed page.
. "$(dirname "$0")/lib.sh"
need_prog axip-httpd
BIG_MB=${AXT_BIG_MB:-100}
net_setup 1
sha() { sha256sum "$1" | cut -d' ' -f1; }

www=$WORK/www
mkdir -p "$www/sub"
printf '<!doctype html>\n<title>axip</title>\n<p>served by axip-httpd over AF_XDP</p>\n' \
	>"$www/index.html"
seq 1 2000 >"$www/sub/page.txt"
head -c 3000 /dev/urandom >"$www/sub/blob.bin"
head -c "${BIG_MB}M" /dev/urandom >"$www/big.bin"

start_axip httpd "$BUILD/examples/axip-httpd" --ifname "$IFA" --port 80 --docroot "$www"
wait_attached httpd
URL=http://$ADDR_A

# small pages, curl
out=$(in_b timeout 10 curl -sS --fail "$URL/") || fail "curl /"
[ "$out" = hello ] || fail "/ returned '$out'"
# three pages over one keep-alive connection
in_b timeout 10 curl -sS --fail -o "$WORK/c.index" "$URL/index.html" \
	-o "$WORK/c.page" "$URL/sub/page.txt" -o "$WORK/c.blob" "$URL/sub/blob.bin" ||
	fail "curl of the small pages"
[ "$(sha "$WORK/c.index")" = "$(sha "$www/index.html")" ] || fail "curl: index.html differs"
[ "$(sha "$WORK/c.page")" = "$(sha "$www/sub/page.txt")" ] || fail "curl: sub/page.txt differs"
[ "$(sha "$WORK/c.blob")" = "$(sha "$www/sub/blob.bin")" ] || fail "curl: sub/blob.bin differs"
code=$(in_b timeout 10 curl -sS -o /dev/null -w '%{http_code}' "$URL/missing.html") || fail "curl 404"
[ "$code" = 404 ] || fail "missing file: status $code, expected 404"

# small pages, wget
in_b timeout 10 wget -q -O "$WORK/w.index" "$URL/index.html" || fail "wget /index.html"
in_b timeout 10 wget -q -O "$WORK/w.page" "$URL/sub/page.txt" || fail "wget /sub/page.txt"
[ "$(sha "$WORK/w.index")" = "$(sha "$www/index.html")" ] || fail "wget: index.html differs"
[ "$(sha "$WORK/w.page")" = "$(sha "$www/sub/page.txt")" ] || fail "wget: sub/page.txt differs"

# the big file: each client's copy is hashed and removed at once
want=$(sha "$www/big.bin")
t0=$(date +%s.%N)
in_b timeout 120 curl -sS --fail -o "$WORK/c.big" "$URL/big.bin" || fail "curl of ${BIG_MB} MiB"
t1=$(date +%s.%N)
[ "$(sha "$WORK/c.big")" = "$want" ] || fail "curl: ${BIG_MB} MiB file differs (sha256)"
rm -f "$WORK/c.big"
t2=$(date +%s.%N)
in_b timeout 120 wget -q -O "$WORK/w.big" "$URL/big.bin" || fail "wget of ${BIG_MB} MiB"
t3=$(date +%s.%N)
[ "$(sha "$WORK/w.big")" = "$want" ] || fail "wget: ${BIG_MB} MiB file differs (sha256)"
rm -f "$WORK/w.big"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v m="$BIG_MB" 'BEGIN {
	printf "%d MiB: curl %.2f s, wget %.2f s\n", m, b - a, d - c }'

stop_axip httpd TERM
# 3 + 2 small files and the big one twice; the missing one was the only 4xx
grep -Eq '^worker 0 httpd_files_served 7$' "$WORK/httpd.log" || fail "expected 7 files served"
grep -Eq '^worker 0 httpd_responses_4xx 1$' "$WORK/httpd.log" || fail "expected one 4xx response"
xdp_attached && fail "XDP program left after exit"
grep -qi sanitizer "$WORK/httpd.log" && fail "sanitizer report"
echo "PASS net_httpd_clients"
