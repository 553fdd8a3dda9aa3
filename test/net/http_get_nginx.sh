#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_http_get_nginx: axip-http-get (axip's HTTP client over AF_XDP) fetches
# from a kernel nginx (one worker, its own config and prefix in the test's
# temp directory) in the peer namespace: a small page, and a file of
# $AXT_BIG_MB MiB (default 100) of random bytes, each compared with the file
# by SHA-256; a missing file makes the client fail with exit code 1.
. "$(dirname "$0")/lib.sh"
need_prog axip-http-get
command -v nginx >/dev/null || { echo "SKIP: nginx not installed" >&2; exit 77; }
BIG_MB=${AXT_BIG_MB:-100}
net_setup 1
sha() { sha256sum "$1" | cut -d' ' -f1; }

# nginx's worker runs as an unprivileged user: it must be able to read these
d=$WORK/nginx
mkdir -p "$d/www"
chmod 755 "$WORK" "$d" "$d/www"
printf '<!doctype html>\n<title>nginx</title>\n<p>served by the kernel stack</p>\n' >"$d/www/index.html"
head -c "${BIG_MB}M" /dev/urandom >"$d/www/big.bin"
chmod 644 "$d/www/index.html" "$d/www/big.bin"
nginx_files_conf "$d" "$ADDR_B:8080" "$d/www" 1024
start_in "$NSB" nginx nginx -e "$d/error.log" -c "$d/nginx.conf" -p "$d"
wait_listen "$NSB" 8080
URL=http://$ADDR_B:8080

get() { # get NAME URL OUT: run axip-http-get in the foreground, bounded
	in_a timeout -s KILL 150 "$BUILD/examples/axip-http-get" --ifname "$IFA" --url "$2" \
		--output "$3" --timeout 120 >"$WORK/$1.log" 2>&1
}

get small "$URL/index.html" "$WORK/small.out" || fail "axip-http-get of the small page (exit $?)"
[ "$(sha "$WORK/small.out")" = "$(sha "$d/www/index.html")" ] || fail "small page differs (sha256)"

want=$(sha "$d/www/big.bin")
t0=$(date +%s.%N)
get big "$URL/big.bin" "$WORK/big.out" || fail "axip-http-get of ${BIG_MB} MiB (exit $?)"
t1=$(date +%s.%N)
[ "$(sha "$WORK/big.out")" = "$want" ] || fail "${BIG_MB} MiB file differs (sha256)"
rm -f "$WORK/big.out"
awk -v a="$t0" -v b="$t1" -v m="$BIG_MB" 'BEGIN { printf "%d MiB: axip-http-get %.2f s (attach to exit)\n", m, b - a }'

get missing "$URL/missing.html" "$WORK/missing.out"
rc=$?
[ $rc = 1 ] || fail "a missing file: exit $rc, expected 1"
grep -q 'status 404' "$WORK/missing.log" || fail "a missing file: no 404 reported"

for f in small big missing; do
	grep -qi sanitizer "$WORK/$f.log" && fail "sanitizer report ($f)"
done
xdp_attached && fail "XDP program left after exit"
stop_axip nginx TERM
echo "PASS net_http_get_nginx"
