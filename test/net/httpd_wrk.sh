#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_httpd_wrk: wrk from the peer namespace against axip-httpd for
# $AXT_WRK_SECONDS seconds (default 10), 2 threads, 32 keep-alive
# connections, on the fixed page and on a static file. A request counts as
# timed out after 10 s (wrk's default of 2 s is shorter than TCP's
# retransmission backoff after a few losses on a busy machine). wrk's report must show
# requests, no "Socket errors" line and no "Non-2xx" line; axip-httpd's
# counters must agree (no rejected connection, no bad request, no 4xx/5xx).
. "$(dirname "$0")/lib.sh"
need_prog axip-httpd
command -v wrk >/dev/null || { echo "SKIP: wrk not installed" >&2; exit 77; }
SECS=${AXT_WRK_SECONDS:-10}
net_setup 1

mkdir -p "$WORK/www"
head -c 4096 /dev/urandom >"$WORK/www/page.bin"
start_axip httpd "$BUILD/examples/axip-httpd" --ifname "$IFA" --port 80 --docroot "$WORK/www"
wait_attached httpd

# run_wrk NAME URL: wrk's report in $WORK/wrk-NAME.out, checked
run_wrk() {
	local out=$WORK/wrk-$1.out n
	in_b timeout $((SECS + 30)) wrk -t2 -c32 -d"${SECS}s" --timeout 10s "$2" >"$out" 2>&1 ||
		fail "wrk $1 exited with $?: $(cat "$out")"
	sed "s/^/  wrk $1: /" "$out"
	grep -q 'Socket errors' "$out" && fail "wrk $1: socket errors"
	grep -q 'Non-2xx' "$out" && fail "wrk $1: non-2xx responses"
	n=$(awk '$2 == "requests" && $3 == "in" { print $1 }' "$out")
	[ -n "$n" ] || fail "wrk $1: no request count in its report"
	[ "$n" -gt 0 ] || fail "wrk $1: no request completed"
	grep -Eq '^Requests/sec: +[0-9]' "$out" || fail "wrk $1: no Requests/sec line"
}
run_wrk fixed "http://$ADDR_A/"
run_wrk file "http://$ADDR_A/page.bin"

stop_axip httpd TERM
# (conns_reset is not checked: when its time is up wrk closes connections
# whose last response it has not read, and the kernel then sends RST)
for c in conns_rejected responses_4xx responses_5xx bad_requests; do
	grep -Eq "^worker 0 httpd_$c 0$" "$WORK/httpd.log" || fail "axip-httpd counted $c"
done
grep -Eq '^worker 0 httpd_responses_2xx [1-9]' "$WORK/httpd.log" || fail "no 2xx responses counted"
xdp_attached && fail "XDP program left after exit"
grep -qi sanitizer "$WORK/httpd.log" && fail "sanitizer report"
echo "PASS net_httpd_wrk"
