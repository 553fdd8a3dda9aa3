#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_fault_link: the kernel-side veth end goes down and up again during a
# transfer. Down for 2 s in the middle of a kernel -> axip transfer
# (axip-http-get) and of an axip -> kernel one (axip-httpd -> curl, read at
# 25 MB/s so it lasts): both complete byte-identical, the senders having
# retransmitted after timeouts (counted on both sides). Down for 10 s while
# axip-http-get gives up after 6 s: it exits 1 with a clear error instead of
# waiting.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.bash"
need_prog axip-http-get
need_prog axip-httpd
net_setup 1
mb=$(fault_mb 100)
fault_files "$mb" f.bin
kernel_http_start
bytes=$((mb * 1048576))
flap() { in_b ip link set "$IFB" down; sleep "$1"; in_b ip link set "$IFB" up; }
# flap 2, with a look at the kernel sender's socket 1.5 s into the outage
flap_watch() {
	in_b ip link set "$IFB" down
	sleep 1.5
	in_b ss -Htino state established '( sport = :8000 )' >"$WORK/outage.ss" 2>&1
	sleep 0.5
	in_b ip link set "$IFB" up
}

# kernel -> axip, 2 s down after a fifth of the file. The kernel sender
# waits the outage out on a timer: a retransmission timeout, or, when the
# receiver's window was closed as the link went down (axip-http-get behind
# on writing the file), zero-window probes. Those are counted; when the
# window was open but small, the persist timer sends data instead of a probe
# (tcp_write_wakeup) and no counter moves, so the socket's timer in the
# middle of the outage (ss: "on" = retransmission, "persist") counts too.
rto0=$(kernel_tcp_stat TcpExtTCPTimeouts)
probe0=$(kernel_tcp_stat TcpExtTCPWinProbe)
when_size "$WORK/got.f.bin" $((bytes / 5)) flap_watch
xfer_to_axip f.bin 60
[ "$(cat "$WORK/event.size" 2>/dev/null || echo "$bytes")" -lt "$bytes" ] ||
	fail "the link did not go down during the transfer"
rtos=$(($(kernel_tcp_stat TcpExtTCPTimeouts) - rto0))
probes=$(($(kernel_tcp_stat TcpExtTCPWinProbe) - probe0))
timer=$(grep -o 'timer:([a-z]*' "$WORK/outage.ss" 2>/dev/null | head -1 | cut -d'(' -f2)
echo "kernel -> axip: link down at byte $(cat "$WORK/event.size"), kernel RTOs +$rtos, window probes +$probes, sender's timer during the outage: ${timer:-none}"
[ $((rtos + probes)) -gt 0 ] || [ "$timer" = on ] || [ "$timer" = persist ] || {
	cat "$WORK/outage.ss" >&2
	fail "the kernel sender neither timed out nor probed during the outage"
}
rm -f "$WORK/event.size"

# axip -> kernel, the same
AXT_TIMEOUT=80 start_axip httpd "$BUILD/examples/axip-httpd" --ifname "$IFA" --port 80 --docroot "$WORK/www"
wait_attached httpd
sleep 1.2 # past the server's first tick
when_size "$WORK/curl.f.bin" $((bytes / 5)) flap 2
in_b timeout 60 curl -sS --max-time 60 --limit-rate 25M -o "$WORK/curl.f.bin" "http://$ADDR_A/f.bin" ||
	fail "curl failed after the link came back"
stop_axip httpd TERM
same_file "$WORK/www/f.bin" "$WORK/curl.f.bin" "axip -> kernel"
[ "$(cat "$WORK/event.size" 2>/dev/null || echo "$bytes")" -lt "$bytes" ] ||
	fail "the link did not go down during the transfer"
print_axip_counters "$WORK/httpd.log" tcp_tx tcp_retransmit tcp_rto arp_tx_request xdp_neigh_resolve_req \
	tcp_conn_alloc tcp_conn_free
echo "axip -> kernel: link down at byte $(cat "$WORK/event.size")"
[ "$(axip_counter tcp_rto "$WORK/httpd.log")" -gt 0 ] || fail "axip-httpd had no retransmission timeout"
grep -qi sanitizer "$WORK/httpd.log" && fail "sanitizer report (axip-httpd)"

# kernel -> axip, down for longer than the client waits: a clean failure
when_size "$WORK/got.f.bin" $((bytes / 5)) flap 10
t0=$(date +%s)
rc=0
in_a timeout -s INT 40 "$BUILD/examples/axip-http-get" --ifname "$IFA" --url "http://$ADDR_B:8000/f.bin" \
	--output "$WORK/got.f.bin" --timeout 6 >"$WORK/get.log" 2>&1 || rc=$?
t=$(($(date +%s) - t0))
msg=$(grep 'fetch 0:' "$WORK/get.log" || true)
echo "kernel -> axip with a 10 s outage: exit $rc after $t s: $msg"
[ "$rc" = 1 ] || fail "axip-http-get should have failed (exit 1), exit $rc"
[ -n "$msg" ] || fail "axip-http-get gave no reason"
[ "$t" -lt 15 ] || fail "axip-http-get took $t s to give up"
grep -qi sanitizer "$WORK/get.log" && fail "sanitizer report (axip-http-get)"
sleep 10 # the outage ends
echo "PASS net_fault_link"
