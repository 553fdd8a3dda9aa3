# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# scripts/lib/netns.sh - network namespaces, a veth pair between two of them,
# and background programs kept track of by PID files. Sourced (bash) by
# test/net/lib.sh, scripts/demo.sh and bench/run.sh; each wraps these in its
# own names and its own way of failing. Every function here returns non-zero
# on failure and prints nothing, so the caller decides what a failure means.
#
#   in_ns NS CMD...          run CMD in network namespace NS, the way $NS_EXEC says
#   ns_pick_exec NS          set NS_EXEC to a way that can enter NS
#   ns_veth_pair NS_A IF_A ADDR_A NS_B IF_B ADDR_B [QUEUES]
#                            a veth pair between two namespaces
#   ns_spawn NS PIDFILE LOG LIMIT CPUS CMD...
#                            start CMD in NS in the background, PID to PIDFILE
#   pid_wait_exit PIDFILE TENTHS   wait for that program to end by itself
#   pid_stop PIDFILE SIG TENTHS    signal it and wait for it to end
#   pid_kill_all DIR [GRACE]       end every program with a PID file in DIR
#   ns_wait_listen NS tcp|udp PORT TENTHS   wait for a kernel socket on PORT
#   log_wait_attached LOG PIDFILE TENTHS    wait for an axip program to attach
#
# The caller owns the namespaces, the PID files and the logs; nothing here
# removes them except pid_wait_exit/pid_stop/pid_kill_all, which remove the
# PID file of a program that ended.

# in_ns NS CMD...: `ip netns exec` (NS_EXEC unset or ip), or `nsenter --net`
# (NS_EXEC=nsenter), which enters only the network namespace: /sys then stays
# the caller's view, so read interface facts with `ip`, not /sys/class/net.
in_ns() {
	local ns=$1
	shift
	if [ "${NS_EXEC:-ip}" = nsenter ]; then
		nsenter --net="/run/netns/$ns" "$@"
	else
		ip netns exec "$ns" "$@"
	fi
}

# ns_pick_exec NS: set NS_EXEC=ip when `ip netns exec` can enter the existing
# namespace NS, else NS_EXEC=nsenter when `nsenter --net` can (`ip netns exec`
# needs / to be a mount point, which a chroot may lack). NS_EXEC=nsenter
# beforehand skips the first. Returns 1 when neither works.
ns_pick_exec() {
	if [ "${NS_EXEC:-}" != nsenter ] && ip netns exec "$1" true 2>/dev/null; then
		NS_EXEC=ip
	elif command -v nsenter >/dev/null && nsenter --net="/run/netns/$1" true 2>/dev/null; then
		NS_EXEC=nsenter
	else
		return 1
	fi
}

# ns_veth_pair NS_A IF_A ADDR_A NS_B IF_B ADDR_B [QUEUES]: in the existing
# namespaces NS_A and NS_B, a veth pair IF_A (in NS_A) - IF_B (in NS_B) with
# QUEUES rx and tx queues per end (none or empty: the kernel's default, one
# per CPU); ADDR_A/24 and ADDR_B/24 on the ends, they and both loopbacks up.
# Returns 1 at the first step that fails.
ns_veth_pair() {
	local na=$1 ia=$2 aa=$3 nb=$4 ib=$5 ab=$6 q=${7:-}
	local qs=()
	[ -z "$q" ] || qs=(numrxqueues "$q" numtxqueues "$q")
	ip link add "$ia" netns "$na" "${qs[@]}" type veth \
		peer name "$ib" netns "$nb" "${qs[@]}" || return 1
	in_ns "$na" ip addr add "$aa/24" dev "$ia" &&
		in_ns "$nb" ip addr add "$ab/24" dev "$ib" &&
		in_ns "$na" ip link set lo up &&
		in_ns "$nb" ip link set lo up &&
		in_ns "$na" ip link set "$ia" up &&
		in_ns "$nb" ip link set "$ib" up || return 1
	# A veth delivers a packet on the receive queue numbered as the
	# sender's transmit queue, and kernel TCP picks another transmit queue
	# for a flow after a retransmission timeout (net.core.txrehash): the
	# flow would then reach another axip worker, which knows nothing of it
	# and resets it. A NIC's RSS hashes the flow instead, so this is veth's
	# alone; keep flows on their queue (the sysctl is per namespace, Linux
	# 5.19 and later; older kernels lack it).
	if [ -n "$q" ] && [ "$q" -gt 1 ]; then
		in_ns "$na" sysctl -qw net.core.txrehash=0 2>/dev/null
		in_ns "$nb" sysctl -qw net.core.txrehash=0 2>/dev/null
	fi
	return 0
}

# ns_spawn NS PIDFILE LOG LIMIT CPUS CMD...: start CMD in namespace NS in the
# background, stdout and stderr to LOG. PIDFILE gets the program's own PID
# (sh writes its PID and execs CMD), so a signal to it reaches the program.
# LIMIT: seconds after which `timeout` kills it with SIGKILL (empty: no
# limit); CPUS: the taskset CPU list it runs on (empty: any). Returns 1 when
# the PID file is not written within 5 s.
ns_spawn() {
	local ns=$1 pidf=$2 log=$3 limit=$4 cpus=$5 _
	local wrap=()
	shift 5
	[ -z "$limit" ] || wrap+=(timeout -s KILL "$limit")
	[ -z "$cpus" ] || wrap+=(taskset -c "$cpus")
	rm -f "$pidf"
	# shellcheck disable=SC2016 # $$ and $@ are for the inner sh
	in_ns "$ns" "${wrap[@]}" sh -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@" >"$log" 2>&1 &
	disown $!
	for _ in $(seq 50); do
		[ -s "$pidf" ] && return 0
		sleep 0.1
	done
	return 1
}

# pid_wait_exit PIDFILE TENTHS: wait up to TENTHS tenths of a second for the
# program whose PID is in PIDFILE to end; then remove PIDFILE. Returns 1 if it
# still runs.
pid_wait_exit() {
	local pid _
	pid=$(cat "$1")
	for _ in $(seq "$2"); do
		kill -0 "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
		sleep 0.1
	done
	return 1
}

# pid_stop PIDFILE SIG TENTHS: send SIG to the program whose PID is in PIDFILE,
# then pid_wait_exit PIDFILE TENTHS.
pid_stop() {
	kill "-$2" "$(cat "$1")" 2>/dev/null || true
	pid_wait_exit "$1" "$3"
}

# pid_kill_all DIR [GRACE]: SIGTERM to the PID of every DIR/*.pid, GRACE
# seconds for them to end (only when one was signalled), then SIGKILL to
# every one; without GRACE, SIGKILL at once. TERM first lets `timeout`
# wrappers pass it on and axip programs detach their XDP program.
pid_kill_all() {
	local f any=
	if [ -n "${2:-}" ]; then
		for f in "$1"/*.pid; do
			[ -s "$f" ] || continue
			kill -TERM "$(cat "$f")" 2>/dev/null && any=1
		done
		[ -z "$any" ] || sleep "$2"
	fi
	for f in "$1"/*.pid; do
		[ -s "$f" ] || continue
		kill -KILL "$(cat "$f")" 2>/dev/null || true
	done
}

# ns_wait_listen NS tcp|udp PORT TENTHS: wait up to TENTHS tenths of a second
# for a kernel socket of that protocol listening on PORT in NS; 1 if none.
ns_wait_listen() {
	local _ opt=-ltn
	[ "$2" = udp ] && opt=-lun
	for _ in $(seq "$4"); do
		in_ns "$1" ss -H $opt "sport = :$3" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# log_wait_attached LOG PIDFILE TENTHS: wait up to TENTHS tenths of a second
# for an axip program to print "attached to" into LOG. Returns 0 when it did,
# 1 when the program (PID in PIDFILE) ended first, 2 when time ran out.
log_wait_attached() {
	local _
	for _ in $(seq "$3"); do
		grep -q 'attached to' "$1" 2>/dev/null && return 0
		[ -s "$2" ] && kill -0 "$(cat "$2")" 2>/dev/null || return 1
		sleep 0.1
	done
	return 2
}
