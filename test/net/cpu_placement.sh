#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_cpu_placement: without --cores, worker i goes on the i-th CPU the
# process may run on (sched_getaffinity: taskset, cgroup cpusets), wrapping.
# `taskset -c 1 axip-httpd` must run its worker thread on CPU 1 (it used to
# be pinned to CPU 0, "worker i on CPU i"); `taskset -c 1 axip-udp-echo
# --queues 2` both workers; without taskset two workers take the first two
# allowed CPUs. Checked per thread: the affinity (Cpus_allowed_list) and the
# CPU it last ran on (/proc/PID/task/TID/stat field 39), and the CPU the
# counters name.
. "$(dirname "$0")/lib.sh"
need_prog axip-httpd
need_prog axip-udp-echo
allowed=$(/usr/bin/python3 -c 'import os; print(" ".join(map(str, sorted(os.sched_getaffinity(0)))))')
read -r -a cpus <<<"$allowed"
if [ "${#cpus[@]}" -lt 2 ] || ! [[ " $allowed " == *" 1 "* ]]; then
	echo "SKIP: needs CPU 1 and a second CPU among those allowed (have: $allowed)" >&2
	exit 77
fi
net_setup 2

# workers NAME N: the TIDs of the N threads beside the main one, once they exist
workers() {
	local pid tids _
	pid=$(cat "$WORK/$1.pid")
	for _ in $(seq 50); do
		tids=$(ls "/proc/$pid/task" 2>/dev/null | grep -vx "$pid" || true)
		[ "$(echo "$tids" | grep -c .)" = "$2" ] && { echo "$tids"; return; }
		sleep 0.1
	done
	fail "$1: expected $2 worker threads, found: $(ls "/proc/$pid/task" | tr '\n' ' ')"
}
# on_cpu NAME TID CPU: the thread may run on CPU only and last ran there
on_cpu() {
	local pid st aff psr
	pid=$(cat "$WORK/$1.pid")
	st=/proc/$pid/task/$2
	aff=$(awk '/^Cpus_allowed_list:/ { print $2 }' "$st/status")
	# fields after the command name, which ends at the last ')': field 39 is the 37th
	psr=$(sed 's/.*) //' "$st/stat" | awk '{ print $37 }')
	[ "$aff" = "$3" ] || fail "$1: thread $2 may run on CPUs '$aff', expected $3"
	[ "$psr" = "$3" ] || fail "$1: thread $2 last ran on CPU $psr, expected $3"
	echo "ok: $1 thread $2 on CPU $psr (allowed: $aff)"
}

# ---- one worker under taskset -c 1
start_axip httpd taskset -c 1 "$BUILD/examples/axip-httpd" --ifname "$IFA" --port 80
wait_attached httpd
tid=$(workers httpd 1)
on_cpu httpd "$tid" 1
stop_axip httpd TERM
grep -q '^worker 0 (queue 0, core 1):' "$WORK/httpd.log" || fail "httpd: counters do not name core 1"

# ---- two workers, one allowed CPU: both on it
start_axip echo1 taskset -c 1 "$BUILD/examples/axip-udp-echo" --ifname "$IFA" --port 7 --queues 2
wait_attached echo1
for tid in $(workers echo1 2); do on_cpu echo1 "$tid" 1; done
stop_axip echo1 TERM
[ "$(grep -c '^worker [01] (queue [01], core 1):' "$WORK/echo1.log")" = 2 ] ||
	fail "echo1: counters do not name core 1 for both workers"

# ---- two workers, no taskset: the first two allowed CPUs, in order
start_axip echo2 "$BUILD/examples/axip-udp-echo" --ifname "$IFA" --port 7 --queues 2
wait_attached echo2
workers echo2 2 >/dev/null
stop_axip echo2 TERM
grep -q "^worker 0 (queue 0, core ${cpus[0]}):" "$WORK/echo2.log" || fail "echo2: worker 0 not on CPU ${cpus[0]}"
grep -q "^worker 1 (queue 1, core ${cpus[1]}):" "$WORK/echo2.log" || fail "echo2: worker 1 not on CPU ${cpus[1]}"
echo "ok: without taskset the workers took CPUs ${cpus[0]} and ${cpus[1]}"
xdp_attached && fail "XDP program left after exit"
grep -qi sanitizer "$WORK"/*.log && fail "sanitizer report"
echo "PASS net_cpu_placement"
