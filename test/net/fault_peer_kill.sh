#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_fault_peer_kill: the kernel peer dies (kill -9) in the middle of a
# transfer, and axip must clean its connection up; nothing may leak.
# axip-httpd sends a file to curl (read at 10 MB/s), and curl is killed:
#   1. link up: the kernel resets the connection at once (RST);
#   2. link down while it dies, up 3 s later: the kernel's RST is lost, and
#      axip's next retransmission is answered with a RST;
#   3. link down while it dies and kept down: no answer ever comes, and the
#      server's idle timeout (60 s) aborts the connection.
# After each, the counters (SIGUSR1) must show no connection left: TCP
# connections allocated == freed, no HTTP connection active; at the end the
# UMEM frames free are what they were before the first request.
# Then the kernel HTTP server is killed while axip-http-get fetches from it:
# the fetch ends with exit 1 and a reason, within its bound.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.bash"
need_prog axip-http-get
need_prog axip-httpd
net_setup 1
fault_files 100 f.bin
url="http://$ADDR_A/f.bin"

AXT_TIMEOUT=170 start_axip httpd "$BUILD/examples/axip-httpd" --ifname "$IFA" --port 80 --docroot "$WORK/www"
wait_attached httpd
sleep 1.2 # past the server's first tick
dump_counters httpd httpd_send_stalls
frames0=$(awk '$1 == "umem_frames_free" { v = $2 } END { print v }' "$WORK/httpd.log")

# wait_gone SECONDS WHAT: until axip-httpd holds no connection any more
wait_gone() {
	local i a f act
	for i in $(seq "$1"); do
		sleep 1
		dump_counters httpd httpd_send_stalls
		a=$(axip_counter tcp_conn_alloc "$WORK/httpd.log")
		f=$(axip_counter tcp_conn_free "$WORK/httpd.log")
		act=$(httpd_stat conns_active "$WORK/httpd.log")
		if [ "$a" = "$f" ] && [ "$act" = 0 ]; then
			echo "$2: connection gone after ${i} s (tcp_conn_alloc $a tcp_conn_free $f," \
				"umem_frames_free $(awk '$1 == "umem_frames_free" { v = $2 } END { print v }' "$WORK/httpd.log")," \
				"tcp_rx_rst $(axip_counter tcp_rx_rst "$WORK/httpd.log")," \
				"httpd_conns_reset $(httpd_stat conns_reset "$WORK/httpd.log")," \
				"httpd_conns_idle_closed $(httpd_stat conns_idle_closed "$WORK/httpd.log"))"
			return 0
		fi
	done
	fail "$2: axip-httpd still holds a connection after $1 s (alloc $a free $f active $act)"
}

# start_curl N: curl in the peer namespace, until it has 5 MB
start_curl() {
	local i
	rm -f "$WORK/c$1"
	bg_in_b "curl$1" curl -sS --limit-rate 10M -o "$WORK/c$1" "$url"
	for i in $(seq 100); do
		[ "$(stat -c %s "$WORK/c$1" 2>/dev/null || echo 0)" -ge 5000000 ] && return 0
		sleep 0.1
	done
	fail "curl $1 did not get going"
}

# 1. the peer dies, its kernel resets the connection
start_curl 1
rst0=$(axip_counter tcp_rx_rst "$WORK/httpd.log")
kill -KILL "$(cat "$WORK/curl1.pid")"
wait_gone 5 "killed, link up"
[ "$(axip_counter tcp_rx_rst "$WORK/httpd.log")" -gt "$rst0" ] || fail "no RST reached axip"

# 2. the RST is lost; the next retransmission is refused
start_curl 2
rst0=$(axip_counter tcp_rx_rst "$WORK/httpd.log")
in_b ip link set "$IFB" down
kill -KILL "$(cat "$WORK/curl2.pid")"
sleep 3
in_b ip link set "$IFB" up
wait_gone 20 "killed while the link was down for 3 s"
[ "$(axip_counter tcp_rx_rst "$WORK/httpd.log")" -gt "$rst0" ] || fail "no RST reached axip"

# 3. silence: only the server's idle timeout ends it
start_curl 3
idle0=$(httpd_stat conns_idle_closed "$WORK/httpd.log")
in_b ip link set "$IFB" down
kill -KILL "$(cat "$WORK/curl3.pid")"
wait_gone 75 "killed, link kept down"
[ "$(httpd_stat conns_idle_closed "$WORK/httpd.log")" -gt "$idle0" ] || fail "not ended by the idle timeout"
in_b ip link set "$IFB" up

# the server still works; then every UMEM frame must be back (frames of
# the last transmissions return through the completion ring at the next
# flush: the server's once-a-second tick flushes)
out=$(in_b timeout 10 curl -sS --max-time 5 "http://$ADDR_A/") || fail "no answer after the link came back"
[ "$out" = hello ] || fail "unexpected answer '$out'"
sleep 1.5
dump_counters httpd httpd_send_stalls
frames=$(awk '$1 == "umem_frames_free" { v = $2 } END { print v }' "$WORK/httpd.log")
echo "umem_frames_free before $frames0, after $frames"
[ "$frames" = "$frames0" ] || fail "UMEM frames not back: $frames0 before, $frames after"
stop_axip httpd TERM
grep -qi sanitizer "$WORK/httpd.log" && fail "sanitizer report (axip-httpd)"

# 4. the kernel server dies while axip-http-get fetches from it
kernel_http_start
# the server itself: the owner of the listening socket
srv=$(in_b ss -Hltnp "sport = :8000" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1)
[ -n "$srv" ] || fail "no PID for the kernel HTTP server"
when_size "$WORK/got.f.bin" 20000000 kill -KILL "$srv"
rc=0
# 25 MB/s, so that the transfer lasts a few seconds
in_b tc qdisc add dev "$IFB" root tbf rate 200mbit burst 64k latency 50ms || fail "tbf on $IFB"
t0=$(date +%s)
in_a timeout -s INT 40 "$BUILD/examples/axip-http-get" --ifname "$IFA" --url "http://$ADDR_B:8000/f.bin" \
	--output "$WORK/got.f.bin" --timeout 30 >"$WORK/get.log" 2>&1 || rc=$?
t=$(($(date +%s) - t0))
msg=$(grep 'fetch 0:' "$WORK/get.log" || true)
echo "server killed at byte $(cat "$WORK/event.size" 2>/dev/null): axip-http-get exit $rc after $t s: $msg"
[ -s "$WORK/event.size" ] || fail "the server was not killed during the transfer"
[ "$rc" = 1 ] || fail "axip-http-get should have failed (exit 1), exit $rc"
[ -n "$msg" ] || fail "axip-http-get gave no reason"
[ "$t" -lt 30 ] || fail "axip-http-get took $t s to end"
grep -qi sanitizer "$WORK/get.log" && fail "sanitizer report (axip-http-get)"
echo "PASS net_fault_peer_kill"
