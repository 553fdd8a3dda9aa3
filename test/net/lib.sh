# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# test/net/lib.sh - shared setup of the network tests (sourced, bash).
#
# Two network namespaces joined by a veth pair, standing in for a host with a
# NIC (namespace $NSA, interface $IFA, 10.$NET.0.1/24 — where axip attaches)
# and its peer (namespace $NSB, interface $IFB, 10.$NET.0.2/24 — kernel
# clients and servers). Names carry the shell's PID so tests can run in
# parallel; everything is removed by the EXIT trap. The namespace, veth and
# background-program mechanics are scripts/lib/netns.sh's (shared with
# scripts/demo.sh and bench/run.sh); this file gives them the tests' names
# and makes every failure a FAIL with the logs. A kernel nginx's
# configuration: nginx_conf / nginx_files_conf (scripts/lib/nginx.sh).
#
#   net_setup [QUEUES]   create the pair (QUEUES rx/tx queues per end, default 1)
#   in_a CMD... / in_b CMD...   run in a namespace
#   in_ns NS CMD...      run in namespace NS: `ip netns exec`, or where that
#                        cannot work (a chroot whose / is not a mount point)
#                        `nsenter --net=/run/netns/NS`, which enters only the
#                        network namespace: /sys then stays the caller's view,
#                        so read interface facts with `ip`, not /sys/class/net.
#                        AXT_NS_EXEC=nsenter forces the second way.
#   start_axip NAME CMD...      start CMD in $NSA in the background; its PID
#                               goes to $WORK/NAME.pid, output to $WORK/NAME.log;
#                               killed after $AXT_TIMEOUT seconds (default 120)
#   start_in NS NAME CMD...     the same in namespace NS (kernel peers in $NSB)
#   stop_axip NAME [SIG]        signal it (default TERM) and wait for it to exit
#   wait_exit NAME SECONDS      wait for it to end by itself
#   wait_listen NS PORT         wait until a kernel TCP listener is up in NS
#   wait_attached NAME          wait until it printed that it is attached
#   wait_log NAME PATTERN       wait until its log holds PATTERN
#   mac_of NS IF                the MAC of interface IF in namespace NS
#   need_axip_run CMD...        RUN=axip-run of the build; skip without it or a CMD
#   fail MSG                    print MSG and the logs, exit 1
#   expect CODE PATTERN CMD...  CMD must exit with CODE and print PATTERN
#   echo_parallel PORT IN WANT N WHAT   N concurrent TCP echoes of file IN
#   fetch_pids N URL SHA WHAT [CURL OPTION...]   N concurrent curl GETs from
#                        $NSB, each body must have SHA-256 SHA; PIDS = how
#                        many different X-Pid headers answered
#   check_echo PORT             lines, 8 MiB and 4 x 1 MiB through a TCP echo
#   big_file_both MB            MB MiB of random bytes for nginx and axip-httpd
#   wrk_zero_errors URL S C     wrk S seconds, C connections, no errors

set -u
SFX=${AXT_SUFFIX:-$$}
NSA=axt${SFX}a
NSB=axt${SFX}b
IFA=axt${SFX}x
IFB=axt${SFX}y
NET=$((100 + SFX % 100))
ADDR_A=10.$NET.0.1
ADDR_B=10.$NET.0.2
WORK=$(mktemp -d /tmp/axip-net.XXXXXX)
BUILD=${AXIP_BUILD_DIR:?AXIP_BUILD_DIR must point at the build directory}
# shellcheck source=scripts/lib/netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/netns.sh"
# shellcheck source=scripts/lib/nginx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/nginx.sh"

cleanup() {
	# TERM first: `timeout` wrappers pass it on to their child
	pid_kill_all "$WORK" 0.3
	ip netns del "$NSA" 2>/dev/null || true
	ip netns del "$NSB" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	local f
	echo "FAIL: $*" >&2
	for f in "$WORK"/*.log; do
		[ -e "$f" ] || continue
		echo "---- $f" >&2
		tail -n 60 "$f" >&2
	done
	exit 1
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: network tests need root" >&2
		exit 77
	fi
	# `ip netns exec` needs / to be a mount point (it makes it rslave); in a
	# chroot without one, enter the namespace with nsenter instead
	local probe="axprobe$$"
	if ! ip netns add "$probe" 2>/dev/null; then
		echo "SKIP: cannot create network namespaces here" >&2
		exit 77
	fi
	NS_EXEC=${AXT_NS_EXEC:-}
	if ! ns_pick_exec "$probe"; then
		ip netns del "$probe" 2>/dev/null
		echo "SKIP: neither 'ip netns exec' nor 'nsenter --net' can enter a namespace here" >&2
		exit 77
	fi
	[ "$NS_EXEC" = ip ] || [ "${AXT_NS_EXEC:-}" = nsenter ] ||
		echo "note: 'ip netns exec' does not work here (is / a mount point?); using nsenter" >&2
	ip netns del "$probe"
}

# in_ns NS CMD... comes from scripts/lib/netns.sh
in_a() { in_ns "$NSA" "$@"; }
in_b() { in_ns "$NSB" "$@"; }

net_setup() {
	local q=${1:-1}
	need_root
	ip netns add "$NSA" || fail "ip netns add"
	ip netns add "$NSB" || fail "ip netns add"
	ns_veth_pair "$NSA" "$IFA" "$ADDR_A" "$NSB" "$IFB" "$ADDR_B" "$q" || fail "veth pair"
	# Kernel TCP/UDP over veth leave checksums partial (offloaded); axip
	# verifies checksums, so the kernel-side peer computes them in software.
	in_b ethtool -K "$IFB" tx off >/dev/null || fail "ethtool -K tx off"
	# resolve both ways now, so tests do not depend on ARP timing
	in_b ping -c1 -W2 "$ADDR_A" >/dev/null || fail "no kernel connectivity before attaching"
}

# net_setup_ipv6: after net_setup, IPv6 on the pair: A6=fd00:NET::1 on $IFA,
# B6=fd00:NET::2 on $IFB (without DAD), D6=fd00:NET::3 free for a dedicated
# address; waits for the link-local addresses to finish the kernel's DAD,
# sets LL_A/LL_B to them and checks kernel connectivity over IPv6
net_setup_ipv6() {
	A6=fd00:$NET::1
	B6=fd00:$NET::2
	D6=fd00:$NET::3
	in_a ip addr add "$A6/64" dev "$IFA" nodad || fail "ip addr add $A6"
	in_b ip addr add "$B6/64" dev "$IFB" nodad || fail "ip addr add $B6"
	for _ in $(seq 50); do
		[ -z "$(in_a ip -6 addr show dev "$IFA" tentative)$(in_b ip -6 addr show dev "$IFB" tentative)" ] && break
		sleep 0.1
	done
	LL_A=$(in_a ip -6 -o addr show dev "$IFA" scope link | awk '{print $4}' | cut -d/ -f1)
	LL_B=$(in_b ip -6 -o addr show dev "$IFB" scope link | awk '{print $4}' | cut -d/ -f1)
	[ -n "$LL_A" ] && [ -n "$LL_B" ] || fail "no link-local addresses"
	in_b ping -6 -c1 -W2 "$A6" >/dev/null || fail "no kernel IPv6 connectivity before attaching"
}

# mac_of NS IF: the interface's MAC (from netlink: /sys is the caller's view under nsenter)
mac_of() {
	in_ns "$1" ip -o link show dev "$2" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2
}

start_in() {
	local ns=$1 name=$2
	shift 2
	# the PID file holds the program's own PID (sh execs it), so SIGKILL
	# really reaches it; `timeout` above it bounds its lifetime
	ns_spawn "$ns" "$WORK/$name.pid" "$WORK/$name.log" "${AXT_TIMEOUT:-120}" "" "$@" ||
		fail "$name did not start"
}
start_axip() { start_in "$NSA" "$@"; }

# wait_listen NS PORT: wait until a kernel TCP socket listens on PORT in NS
wait_listen() {
	ns_wait_listen "$1" tcp "$2" 100 || fail "nothing listens on TCP port $2 in $1"
}

# wait_exit NAME SECONDS: wait for a program started with start_in to end by itself
wait_exit() {
	pid_wait_exit "$WORK/$1.pid" $(($2 * 10)) || fail "$1 did not finish within $2 s"
}

wait_attached() {
	log_wait_attached "$WORK/$1.log" "$WORK/$1.pid" 100
	case $? in
	0) ;;
	1) fail "$1 exited early" ;;
	*) fail "$1 did not attach" ;;
	esac
}

stop_axip() {
	local sig=${2:-TERM}
	pid_stop "$WORK/$1.pid" "$sig" 100 || fail "$1 did not exit after SIG$sig"
}

# expect CODE PATTERN CMD...: CMD (its output to $WORK/out.txt) exits with
# CODE and prints PATTERN (grep), or the test fails showing the output
expect() {
	local code=$1 pat=$2 rc
	shift 2
	"$@" >"$WORK/out.txt" 2>&1
	rc=$?
	[ "$rc" = "$code" ] || { cat "$WORK/out.txt" >&2; fail "'$*' exited $rc, expected $code"; }
	grep -q -- "$pat" "$WORK/out.txt" || { cat "$WORK/out.txt" >&2; fail "'$*': no '$pat' in output"; }
	echo "ok: exit $rc: $(head -n1 "$WORK/out.txt")"
}

# echo_parallel PORT IN WANT N WHAT: N concurrent kernel TCP connections
# (socat) from $NSB to $ADDR_A:PORT each send file IN; each reply must equal
# file WANT byte for byte ($WORK/WHAT.1 .. .N keep the replies)
echo_parallel() {
	local port=$1 in=$2 want=$3 n=$4 what=$5 i
	for i in $(seq "$n"); do
		in_b timeout 60 socat -t10 -T10 - TCP:"$ADDR_A":"$port",shut-down <"$in" >"$WORK/$what.$i" &
	done
	wait
	for i in $(seq "$n"); do
		cmp -s "$want" "$WORK/$what.$i" || fail "$what: connection $i of $n differs"
	done
}

# fetch_pids N URL SHA WHAT [CURL OPTION...]: N concurrent curl fetches of
# URL from $NSB; every body's SHA-256 (sha256sum's line) must be SHA, else
# FAIL "WHAT i: ..."; sets PIDS to the number of different X-Pid headers (a
# prefork server's workers that answered). $WORK/h.* and b.* hold them.
fetch_pids() {
	local n=$1 url=$2 sha=$3 what=$4 i
	shift 4
	rm -f "$WORK"/h.* "$WORK"/b.*
	for i in $(seq "$n"); do
		in_b timeout 20 curl "$@" -sf -D "$WORK/h.$i" -o "$WORK/b.$i" "$url" &
	done
	wait
	for i in $(seq "$n"); do
		[ "$(sha256sum <"$WORK/b.$i" 2>/dev/null)" = "$sha" ] || fail "$what $i: wrong or no body"
	done
	PIDS=$(cat "$WORK"/h.* | tr -d '\r' | awk -F': ' 'tolower($1) == "x-pid" { print $2 }' | sort -u | wc -l)
}

# check_echo PORT: an echo server on $ADDR_A:PORT answers kernel TCP clients
# in $NSB: a line by socat, one by nc, 8 MiB of random bytes ($WORK/big.in)
# and four concurrent connections of 1 MiB ($WORK/one.in), every reply
# compared byte for byte. 7 connections, 11 + 8 + 12 MiB sent; big.in and
# one.in are kept for the caller. Every socat client here waits -t seconds
# (not socat's default 0.5 s) for the rest of the echo after its own EOF: a
# sanitizer build on a loaded machine can lag more than that behind.
check_echo() {
	local port=$1 out
	out=$(echo hello-axip | in_b timeout 10 socat -t5 -T5 - TCP:"$ADDR_A":"$port") || fail "socat line echo"
	[ "$out" = hello-axip ] || fail "line echo returned '$out'"
	out=$(printf 'nc-line\n' | in_b timeout 10 nc -q 2 -w 5 "$ADDR_A" "$port") || fail "nc line echo"
	[ "$out" = nc-line ] || fail "nc echo returned '$out'"

	head -c 8M /dev/urandom >"$WORK/big.in"
	in_b timeout 60 socat -t10 -T10 -b65536 - TCP:"$ADDR_A":"$port",shut-down <"$WORK/big.in" >"$WORK/big.out" ||
		fail "8 MiB transfer"
	cmp -s "$WORK/big.in" "$WORK/big.out" || fail "8 MiB echo differs"

	head -c 1M /dev/urandom >"$WORK/one.in"
	echo_parallel "$port" "$WORK/one.in" "$WORK/one.in" 4 one
}

# big_file_both MB: MB MiB of random bytes as big.bin in two document roots:
# $WORK/nginx/www, for a kernel nginx with its directory $WORK/nginx (readable
# by nginx's unprivileged worker), and $WORK/www (axip-httpd's; a hard link)
big_file_both() {
	local d=$WORK/nginx
	mkdir -p "$d/www" "$WORK/www"
	chmod 755 "$WORK" "$d" "$d/www"
	head -c "${1}M" /dev/urandom >"$d/www/big.bin"
	chmod 644 "$d/www/big.bin"
	ln "$d/www/big.bin" "$WORK/www/big.bin"
}

# wrk_zero_errors URL SECONDS CONNS: wrk from $NSB for SECONDS with CONNS
# connections; fails unless it completed requests with no socket error and
# no non-2xx response (its output is printed)
wrk_zero_errors() {
	local out reqs
	out=$(in_b timeout $(($2 + 30)) wrk -t1 -c"$3" -d"$2s" "$1" 2>&1) || { echo "$out" >&2; fail "wrk $1"; }
	echo "$out"
	echo "$out" | grep -q "Socket errors" && fail "wrk $1: socket errors"
	echo "$out" | grep -q "Non-2xx" && fail "wrk $1: non-2xx responses"
	reqs=$(echo "$out" | awk '/requests in/ {print $1}')
	[ "${reqs:-0}" -gt 0 ] || fail "wrk $1: no request completed"
}

# xdp_attached: 0 if any XDP program is attached to $IFA
xdp_attached() {
	in_a ip -details link show dev "$IFA" | grep -q 'prog/xdp'
}

# need_prog NAME: skip when the example was not built
need_prog() {
	[ -x "$BUILD/examples/$1" ] || { echo "SKIP: $BUILD/examples/$1 not built" >&2; exit 77; }
}

# need_axip_run CMD...: RUN is the build's axip-run; skip unless it is built
# and every CMD (python3, socat, ...) is installed
need_axip_run() {
	local c
	RUN=$BUILD/preload/axip-run
	[ -x "$RUN" ] || { echo "SKIP: $RUN not built" >&2; exit 77; }
	for c in "$@"; do
		command -v "$c" >/dev/null || { echo "SKIP: $c missing (Debian package $c)" >&2; exit 77; }
	done
}

# wait_log NAME PATTERN: until $WORK/NAME.log holds PATTERN (10 s), or fail
wait_log() {
	local _
	for _ in $(seq 100); do
		grep -q -- "$2" "$WORK/$1.log" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "$1 did not print '$2'"
}
