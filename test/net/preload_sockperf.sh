#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_sockperf: Debian's sockperf 3.7, unmodified, ping-pong for
# $AXT_SOCKPERF_SECONDS seconds (default 3) both ways over TCP and UDP:
# `sockperf server` under axip-run in $NSA with a kernel `sockperf ping-pong`
# client in $NSB, and a kernel server in $NSB with the client under axip-run.
# Every client must exit 0 with its latency summary (avg-latency, the 50th
# and 99th percentiles, more than 0 observations, no dropped messages); the
# figures are printed, the four runs side by side at the end.
. "$(dirname "$0")/lib.sh"
need_axip_run sockperf
SECS=${AXT_SOCKPERF_SECONDS:-3}
net_setup 1

# check_pp NAME: the client's report in $WORK/pp-NAME.out holds a latency
# summary with observations; one summary line goes to $WORK/summary.txt
check_pp() {
	local out=$WORK/pp-$1.out clean=$WORK/pp-$1.txt obs avg p50 p99
	# sockperf colours some lines (ANSI escapes) even into a file
	sed 's/\x1b\[[0-9;]*m//g' "$out" >"$clean"
	sed -n '/Printing statistics/,$p' "$clean" | sed "s/^/  $1: /"
	obs=$(sed -n 's/.*Total \([0-9]*\) observations.*/\1/p' "$clean")
	avg=$(sed -n 's/.*avg-latency=\([0-9.]*\).*/\1/p' "$clean")
	p50=$(sed -n 's/.*percentile 50.000 = *\([0-9.]*\).*/\1/p' "$clean")
	p99=$(sed -n 's/.*percentile 99.000 = *\([0-9.]*\).*/\1/p' "$clean")
	[ -n "$obs" ] || fail "sockperf $1: no 'Total N observations' line"
	[ "$obs" -gt 0 ] || fail "sockperf $1: 0 observations"
	[ -n "$avg" ] || fail "sockperf $1: no avg-latency"
	[ -n "$p50" ] && [ -n "$p99" ] || fail "sockperf $1: no 50th/99th percentile"
	grep -q 'Summary: Latency is' "$clean" || fail "sockperf $1: no summary line"
	grep -q '# dropped messages = 0;' "$clean" || fail "sockperf $1: dropped messages"
	printf '%-24s %9s %10s %10s %10s\n' "$1" "$obs" "$avg" "$p50" "$p99" >>"$WORK/summary.txt"
}

# server_axip NAME PORT PROTO_ARGS...: sockperf server under axip-run on PORT;
# kernel_client NAME PORT PROTO_ARGS...: the kernel client against it
server_axip() {
	local name=$1 port=$2
	shift 2
	start_axip "$name" "$RUN" --ifname "$IFA" --verbose -- sockperf server "$@" -i 0.0.0.0 -p "$port"
	wait_attached "$name"
	in_a ss -Htlnu | grep -q ":$port " && fail "$name: a kernel socket has port $port: not served by axip"
	sleep 0.3
}
pp_kernel() {
	local name=$1 port=$2
	shift 2
	in_b timeout $((SECS + 30)) sockperf ping-pong "$@" -i "$ADDR_A" -p "$port" -t "$SECS" \
		>"$WORK/pp-$name.out" 2>&1 || { cat "$WORK/pp-$name.out" >&2; fail "sockperf $name exited $?"; }
	check_pp "$name"
}
pp_axip() {
	local name=$1 port=$2
	shift 2
	in_a timeout $((SECS + 30)) "$RUN" --ifname "$IFA" --verbose -- sockperf ping-pong "$@" \
		-i "$ADDR_B" -p "$port" -t "$SECS" >"$WORK/pp-$name.out" 2>&1 ||
		{ cat "$WORK/pp-$name.out" >&2; fail "sockperf $name exited $?"; }
	grep -q 'attached to' "$WORK/pp-$name.out" || fail "sockperf $name: the shim did not attach"
	check_pp "$name"
}
# stop_server NAME: sockperf ends on SIGINT (its own handler) and must not
# have a sanitizer report
stop_server() {
	stop_axip "$1" INT
	grep -qi sanitizer "$WORK/$1.log" && fail "$1: sanitizer report"
	return 0
}

: >"$WORK/summary.txt"
# (a) axip server, kernel client
server_axip srv-tcp 11111 --tcp
pp_kernel "tcp kernel->axip" 11111 --tcp
stop_server srv-tcp
server_axip srv-udp 11112
pp_kernel "udp kernel->axip" 11112
stop_server srv-udp

# (b) kernel server, axip client
start_in "$NSB" ksrv-tcp sockperf server --tcp -i "$ADDR_B" -p 11113
wait_listen "$NSB" 11113
pp_axip "tcp axip->kernel" 11113 --tcp
start_in "$NSB" ksrv-udp sockperf server -i "$ADDR_B" -p 11114
ns_wait_listen "$NSB" udp 11114 100 || fail "kernel sockperf UDP server not bound"
pp_axip "udp axip->kernel" 11114

echo "sockperf ping-pong, $SECS s each, latency in usec (half round trip):"
printf '%-24s %9s %10s %10s %10s\n' "run" "observ." "avg" "p50" "p99"
cat "$WORK/summary.txt"
xdp_attached && fail "XDP program left after the programs exited"
echo "PASS net_preload_sockperf"
