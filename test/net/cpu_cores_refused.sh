#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_cpu_cores_refused: an explicit --cores CPU outside the CPUs the process
# may run on (here: outside a taskset) is refused by axip_xdp_open with a
# message naming the worker, the CPU and the allowed ones (exit 1), before
# anything is attached; -1 (not pinned) and an allowed CPU start.
. "$(dirname "$0")/lib.sh"
need_prog axip-udp-echo
ECHO="$BUILD/examples/axip-udp-echo"
first=$(/usr/bin/python3 -c 'import os; print(min(os.sched_getaffinity(0)))')
other=$((first + 1))
net_setup 2

expect 1 "worker 0: CPU $other (cores\[0\]) is not among the CPUs this process may run on: $first\$" \
	in_a taskset -c "$first" timeout 20 "$ECHO" --ifname "$IFA" --cores "$other"
xdp_attached && fail "a refused start left an XDP program"
expect 1 "worker 1: CPU $other (cores\[1\]) is not among the CPUs this process may run on: $first\$" \
	in_a taskset -c "$first" timeout 20 "$ECHO" --ifname "$IFA" --queues 2 --cores "$first,$other"
xdp_attached && fail "a refused start left an XDP program"

start_axip ok taskset -c "$first" "$ECHO" --ifname "$IFA" --port 7 --queues 2 --cores "$first,-1"
wait_attached ok
stop_axip ok TERM
grep -q "^worker 0 (queue 0, core $first):" "$WORK/ok.log" || fail "worker 0 not on CPU $first"
grep -q '^worker 1 (queue 1, core -1):' "$WORK/ok.log" || fail "worker 1 not left unpinned"
xdp_attached && fail "XDP program left after exit"
grep -qi sanitizer "$WORK"/*.log && fail "sanitizer report"
echo "PASS net_cpu_cores_refused"
