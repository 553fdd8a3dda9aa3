#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_sock_wait: the blocking helpers of <axip/xdp.h> over the socket layer.
# xdp/test/axip-sock-echo is a TCP echo server written like a POSIX one
# (axip_socket, axip_xdp_epoll_wait without a timeout, axip_xdp_sock_wait
# for send space), the stack running in its one thread while it blocks.
# A timed axip_xdp_sock_wait on the listener before any client must time
# out; then lines, 8 MiB and four concurrent 1 MiB connections echo byte for
# byte (check_echo); SIGTERM (axip_xdp_stop from the signal handler) ends the
# wait with -AXIP_EINTR and the program exits 0 after its counters.
. "$(dirname "$0")/lib.sh"
PROG="$BUILD/xdp/axip-sock-echo"
[ -x "$PROG" ] || { echo "SKIP: $PROG not built" >&2; exit 77; }
net_setup 1

start_axip echo "$PROG" "$IFA" 7
wait_attached echo
grep -Eq '^sock_wait: timed out after (19[0-9]|2[0-9][0-9]) ms$' "$WORK/echo.log" ||
	fail "the timed wait on the listener did not time out after ~200 ms"
check_echo 7
pid=$(cat "$WORK/echo.pid")
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "axip-sock-echo did not stop on SIGTERM"
grep -q '^stopped$' "$WORK/echo.log" || fail "the wait did not return -AXIP_EINTR after axip_xdp_stop"
grep -Eq '^  tcp_passive_open +7$' "$WORK/echo.log" || fail "expected 7 passive opens in the counters"
xdp_attached && fail "XDP program left after exit"
grep -qi sanitizer "$WORK/echo.log" && fail "sanitizer report"
echo "PASS net_sock_wait"
