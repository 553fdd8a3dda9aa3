#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_exhaust_umem: clients that send to axip-tcp-echo and do not read, so
# the echo server cannot send, does not consume (axip_tcp_recved), and its
# receive window closes.
#
#  1. Two slow readers, default UMEM: axip advertises a zero window (seen on
#     the wire), then the clients read and every echo completes byte for byte.
#  2. Sixteen slow readers on a small UMEM (--umem-frames 4096 --ring-size
#     1024): the held frames exhaust it; the worker keeps receiving headers
#     and ACKs and drops payload (rx_low_buf_drop) instead of starving its
#     fill ring; when the clients read, all 16 echoes complete intact and
#     every frame comes back.
#  3. The same sixteen, then the clients close with unread data (the kernel
#     resets the connections): the connections are freed and every frame
#     comes back.
. "$(dirname "$0")/lib.sh"
need_prog axip-tcp-echo
for t in tcpdump /usr/bin/python3; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed" >&2; exit 77; }
done
net_setup 1
SLOW=$(dirname "$0")/slow_reader.py

ctr() { awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' "$LOG"; }
dump() { # SIGUSR1, and wait for the worker's counters
	local n
	n=$(grep -c 'umem_frames_free' "$LOG")
	kill -USR1 "$PID"
	for _ in $(seq 50); do
		[ "$(grep -c 'umem_frames_free' "$LOG")" -gt "$n" ] && { sleep 0.1; return; }
		sleep 0.1
	done
	fail "no counters after SIGUSR1"
}
# umem_free: free frames of worker 0 in the latest dump ("umem_frames_free F/N")
umem_free() { awk '$1 == "umem_frames_free" { split($2, a, "/"); v = a[1] } END { print v + 0 }' "$LOG"; }

start_echo() { # start_echo NAME ARGS...
	local name=$1
	shift
	start_axip "$name" "$BUILD/examples/axip-tcp-echo" --ifname "$IFA" --port 7 "$@"
	wait_attached "$name"
	PID=$(cat "$WORK/$name.pid")
	LOG=$WORK/$name.log
	sleep 0.3
	dump
	IDLE_FREE=$(umem_free)
}

# slow PHASE CONNS BYTES MODE: run slow_reader.py until it stalls; the caller
# looks at the server, then calls resume
slow() {
	rm -f "$WORK/$1.status" "$WORK/$1.go"
	start_in "$NSB" "$1" /usr/bin/python3 "$SLOW" "$ADDR_A" 7 "$2" "$3" "$WORK/$1.status" \
		"$WORK/$1.go" "$4"
	for _ in $(seq 300); do
		[ -s "$WORK/$1.status" ] && break
		kill -0 "$(cat "$WORK/$1.pid")" 2>/dev/null || fail "slow reader exited: $(cat "$WORK/$1.log")"
		sleep 0.1
	done
	[ -s "$WORK/$1.status" ] || fail "slow reader did not stall"
	echo "$1: $(cat "$WORK/$1.status")"
}
resume() { # resume PHASE EXPECT: let the slow reader go on; its last line must match EXPECT
	touch "$WORK/$1.go"
	wait_exit "$1" 100
	echo "$1: $(tail -n1 "$WORK/$1.log")"
	tail -n1 "$WORK/$1.log" | grep -q "^$2" || fail "$1: $(cat "$WORK/$1.log")"
}
# frames_back: wait until every UMEM frame is back (as many free as when idle)
frames_back() {
	local f
	for _ in $(seq 50); do
		dump
		f=$(umem_free)
		[ "$f" = "$IDLE_FREE" ] && return
		sleep 0.2
	done
	fail "$1: $f UMEM frames free, $IDLE_FREE when idle"
}

# ---- 1. zero window and resume ----
start_in "$NSB" tcpdump tcpdump -i "$IFB" -Q in -n -w "$WORK/zw.pcap" -U \
	"src host $ADDR_A and tcp[14:2] = 0 and tcp[tcpflags] & tcp-rst == 0"
for _ in $(seq 50); do grep -q 'listening on' "$WORK/tcpdump.log" && break; sleep 0.1; done
start_echo echo1
slow zero 2 8000000 read
sleep 0.5
zw=$(in_b tcpdump -r "$WORK/zw.pcap" -n 2>/dev/null | wc -l)
echo "zero: $zw zero-window segments from axip"
[ "$zw" -gt 0 ] || fail "axip never advertised a zero window to the slow readers"
resume zero "resumed: 2 of 2 "
frames_back zero
stop_axip echo1 TERM

# ---- 2. UMEM exhausted by slow readers, then they read ----
start_echo echo2 --umem-frames 4096 --ring-size 1024
slow umem 16 4000000 read
dump
echo "umem: $(umem_free) of 4096 frames free while stalled ($IDLE_FREE when idle)," \
	"fill_short $(ctr xdp_fill_short), xsk_rx_fill_ring_empty $(ctr xsk_rx_fill_ring_empty)"
[ "$(umem_free)" -lt $((IDLE_FREE / 2)) ] || fail "the slow readers did not take the UMEM ($(umem_free) free)"
resume umem "resumed: 16 of 16 "
dump
echo "umem: rx_low_buf_drop $(ctr rx_low_buf_drop), tcp_retransmit $(ctr tcp_retransmit)"
[ "$(ctr rx_low_buf_drop)" -gt 0 ] || fail "UMEM never ran low (rx_low_buf_drop 0)"
frames_back umem

# ---- 3. the same, then the clients go away without reading ----
slow abort 16 4000000 abort
resume abort "aborted 16 "
frames_back abort
[ "$(ctr tcp_conn_alloc)" = "$(ctr tcp_conn_free)" ] ||
	fail "abort: connections left: alloc $(ctr tcp_conn_alloc), free $(ctr tcp_conn_free)"
echo "abort: tcp_rx_rst $(ctr tcp_rx_rst), all connections freed, all frames back"
stop_axip echo2 TERM
grep -qi sanitizer "$WORK"/*.log && fail "sanitizer report"
echo "PASS net_exhaust_umem"
