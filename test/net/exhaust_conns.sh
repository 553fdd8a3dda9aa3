#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_exhaust_conns: more connections than the TCP pool holds. axip-tcp-echo
# with --tcp-conns 8: of 12 connections kept open, 8 echo and 4 are reset
# (the SYN is answered with a cookie, the ACK finds the pool full: RST),
# counted as tcp_conn_pool_full; once the first ones close, new connections
# succeed again and the pool empties completely.
. "$(dirname "$0")/lib.sh"
need_prog axip-tcp-echo
[ -x /usr/bin/python3 ] || { echo "SKIP: /usr/bin/python3 not installed" >&2; exit 77; }
net_setup 1
start_axip echo "$BUILD/examples/axip-tcp-echo" --ifname "$IFA" --port 7 --tcp-conns 8
wait_attached echo
PID=$(cat "$WORK/echo.pid")

# open_conns N: open N connections, each echoing one line, all kept open
# until the end; prints "OK FAILURES..."
open_conns() {
	in_b timeout 60 /usr/bin/python3 -c '
import socket, sys
addr, n = sys.argv[1], int(sys.argv[2])
keep, ok, bad = [], 0, []
for i in range(n):
    s = socket.socket(); s.settimeout(3)
    try:
        s.connect((addr, 7)); s.sendall(b"line%d\n" % i)
        d = s.recv(100)
        if d == b"line%d\n" % i:
            ok += 1; keep.append(s)
        else:
            bad.append("short:%r" % d)
    except Exception as e:
        bad.append(type(e).__name__)
print(ok, " ".join(sorted(set(bad))))' "$ADDR_A" "$1"
}
ctr() { awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' "$WORK/echo.log"; }
dump() {
	local n
	n=$(grep -c 'umem_frames_free' "$WORK/echo.log")
	kill -USR1 "$PID"
	for _ in $(seq 50); do
		[ "$(grep -c 'umem_frames_free' "$WORK/echo.log")" -gt "$n" ] && return
		sleep 0.1
	done
	fail "no counters after SIGUSR1"
}

out=$(open_conns 12)
echo "12 connections against a pool of 8: $out"
set -- $out
[ "$1" = 8 ] || fail "expected 8 connections to echo, got '$out'"
[ "$2" = ConnectionResetError ] || fail "the connections beyond the pool were not reset: '$out'"
sleep 0.5
dump
full=$(ctr tcp_conn_pool_full)
echo "tcp_conn_pool_full $full, tcp_syncookie_ok $(ctr tcp_syncookie_ok), tcp_tx_rst $(ctr tcp_tx_rst)"
[ "$full" -ge 4 ] || fail "tcp_conn_pool_full is $full, expected at least 4"
[ "$(ctr tcp_conn_alloc)" = "$(ctr tcp_conn_free)" ] ||
	fail "connections still in use after the clients closed: alloc $(ctr tcp_conn_alloc), free $(ctr tcp_conn_free)"

# the load is gone: the whole pool is usable again
out=$(open_conns 8)
echo "8 connections after the first ones closed: $out"
[ "${out%% *}" = 8 ] || fail "after recovery expected 8 connections to echo, got '$out'"
sleep 0.5
stop_axip echo TERM
[ "$(ctr tcp_conn_alloc)" = "$(ctr tcp_conn_free)" ] || fail "connections left in use at exit"
[ "$(ctr tcp_conn_pool_full)" = "$full" ] || fail "pool full again though it had room"
grep -qi sanitizer "$WORK/echo.log" && fail "sanitizer report"
echo "PASS net_exhaust_conns"
