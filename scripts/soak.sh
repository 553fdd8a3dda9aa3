#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# scripts/soak.sh - long mixed load against the AddressSanitizer build of the
# AF_XDP examples, with loss on the links; at the end: no sanitizer report,
# every connection closed, every UMEM frame back, the counters consistent.
# Opt-in (not part of scripts/test.sh or CI). Needs root.
#
# Three veth pairs, each between two namespaces of its own, one axip program
# on each (one XDP program per interface):
#   H  axip-httpd (docroot with a 16 MiB file), 0.5% loss each way:
#      wrk keep-alive (16 connections), wrk with "Connection: close" (4),
#      and curl fetching the file over and over, each body checked by sha256
#   T  axip-tcp-echo, 1% loss each way: socat sending 2 MiB of random data
#      over and over, the echo compared byte for byte
#   U  axip-udp-echo on a dedicated address (so that fragments reach it too),
#      no loss: a python3 client sending datagrams of 1..1472 and 3000 bytes
#      (fragmented) one at a time and checking every answer
# Loss comes from test/net/faults.bpf.c (a tc program on the kernel-side
# veth end: this kernel has no netem). When the time is up the clients stop,
# the servers wait past TIME_WAIT (60 s) and are stopped (SIGTERM), and the
# checks run on the counters they print on exit. Exit 0 when all of them pass.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: scripts/soak.sh [--minutes N] [--build-dir DIR] [--no-build] [--help]
  --minutes N      length of the load (default 10)
  --build-dir DIR  sanitizer build directory (default: build-asan, shared
                   with scripts/test.sh); configured with -DAXIP_SANITIZE=ON
  --no-build       use DIR as it is
  --help           this text
Creates namespaces and veth pairs named axs<PID>..., sends only to addresses
inside them, and removes them and its processes on exit. Logs stay in the
directory printed at the start.
USAGE
}

minutes=10
build="build-asan"
do_build=1
while [ $# -gt 0 ]; do
	case $1 in
	--minutes)
		minutes=${2:?--minutes needs a number}
		[[ $minutes =~ ^[1-9][0-9]{0,3}$ ]] || { echo "--minutes: 1..9999" >&2; exit 2; }
		shift ;;
	--build-dir) build=${2:?--build-dir needs a directory}; shift ;;
	--no-build) do_build= ;;
	--help | -h) usage; exit 0 ;;
	*) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/packages.sh
. scripts/lib/packages.sh
[ "$(id -u)" = 0 ] || { echo "soak.sh needs root (network namespaces, XDP)" >&2; exit 1; }
axip_ensure_packages build net

if [ -n "$do_build" ]; then
	echo "=== building $build (AddressSanitizer + UBSan)"
	cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAXIP_SANITIZE=ON >/dev/null
	cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >"$build/soak-build.log" 2>&1 ||
		{ tail -n 40 "$build/soak-build.log"; exit 1; }
fi
grep -q '^AXIP_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" ||
	{ echo "$build is not a sanitizer build (AXIP_SANITIZE=ON)" >&2; exit 1; }
for p in axip-httpd axip-tcp-echo axip-udp-echo; do
	[ -x "$build/examples/$p" ] || { echo "$build/examples/$p not built" >&2; exit 1; }
done

SFX=$$
LOG=$(mktemp -d /tmp/axip-soak.XXXXXX)
NET=$((100 + SFX % 50))
# sanitizer options: keep going after a report would hide nothing (reports are
# counted at the end), but a leak check at exit is wanted
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

cleanup() {
	local f l
	for f in "$LOG"/*.pid; do
		[ -e "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
	done
	sleep 0.5
	for f in "$LOG"/*.pid; do
		[ -e "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null || true
	done
	for l in h t u; do
		ip netns del "axs${SFX}${l}a" 2>/dev/null || true
		ip netns del "axs${SFX}${l}b" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

die() { echo "soak: $*" >&2; exit 1; }

# link L I: namespaces axs<PID>La / axs<PID>Lb, 10.<NET+I>.0.1 (axip) / .2 (kernel)
link() {
	local l=$1 i=$2 a b
	a=axs${SFX}${l}a
	b=axs${SFX}${l}b
	ip netns add "$a"
	ip netns add "$b"
	ip link add "axs${SFX}${l}x" netns "$a" type veth peer name "axs${SFX}${l}y" netns "$b"
	ip -n "$a" addr add "10.$((NET + i)).0.1/24" dev "axs${SFX}${l}x"
	ip -n "$b" addr add "10.$((NET + i)).0.2/24" dev "axs${SFX}${l}y"
	ip -n "$a" link set lo up
	ip -n "$b" link set lo up
	ip -n "$a" link set "axs${SFX}${l}x" up
	ip -n "$b" link set "axs${SFX}${l}y" up
	# kernel TCP/UDP over veth send partial checksums: compute them (docs/xdp.md)
	ip netns exec "$b" ethtool -K "axs${SFX}${l}y" tx off >/dev/null
	ip netns exec "$b" ping -c1 -W2 "10.$((NET + i)).0.1" >/dev/null || die "no connectivity on link $l"
}

# loss L PCT: PCT% of the TCP/UDP frames dropped both ways on link L
loss() {
	local l=$1 pct=$2 dev=axs${SFX}${1}y ns=axs${SFX}${1}b rate hook
	rate=$(awk -v p="$pct" 'BEGIN { printf "%d", p * 100 + 0.5 }')
	clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -DFAULT_LOSS="$rate" \
		-c test/net/faults.bpf.c -o "$LOG/loss-$l.o"
	ip netns exec "$ns" ethtool -K "$dev" gso off gro off >/dev/null 2>&1 || true
	ip -n "$ns" link set dev "$dev" gso_max_segs 1
	ip netns exec "$ns" tc qdisc add dev "$dev" clsact
	for hook in ingress egress; do
		ip netns exec "$ns" tc filter add dev "$dev" "$hook" prio 1 bpf da obj "$LOG/loss-$l.o" sec fault
	done
}

# loss_report L: frames seen and dropped per direction on link L
loss_report() {
	local l=$1 ns=axs${SFX}${1}b dev=axs${SFX}${1}y hook id map seen drop
	for hook in egress ingress; do
		id=$(ip netns exec "$ns" tc filter show dev "$dev" "$hook" prio 1 | sed -n 's/.* id \([0-9]*\) .*/\1/p' | head -n1)
		map=$(bpftool prog show id "$id" | sed -n 's/.*map_ids \([0-9]*\).*/\1/p')
		seen=$(bpftool map lookup id "$map" key 0 0 0 0 | sed -n 's/.*"value": *\([0-9]*\).*/\1/p')
		drop=$(bpftool map lookup id "$map" key 1 0 0 0 | sed -n 's/.*"value": *\([0-9]*\).*/\1/p')
		echo "link $l $([ $hook = egress ] && echo "kernel->axip" || echo "axip->kernel"): $seen frames, $drop dropped"
	done
}

# start NAME L CMD...: CMD in namespace axs<PID>La (L=a side) or b; PID in NAME.pid
start() {
	local name=$1 ns=axs${SFX}$2
	shift 2
	ip netns exec "$ns" sh -c 'echo $$ >"$0"; exec "$@"' "$LOG/$name.pid" "$@" >"$LOG/$name.log" 2>&1 &
	disown $!
	for _ in $(seq 50); do
		[ -s "$LOG/$name.pid" ] && return 0
		sleep 0.1
	done
	die "$name did not start"
}

attached() {
	for _ in $(seq 200); do
		grep -q 'attached to' "$LOG/$1.log" && return 0
		kill -0 "$(cat "$LOG/$1.pid")" 2>/dev/null || { cat "$LOG/$1.log"; die "$1 exited"; }
		sleep 0.1
	done
	die "$1 did not attach"
}

dump() {
	local n
	n=$(grep -c "$2" "$LOG/$1.log" || true)
	kill -USR1 "$(cat "$LOG/$1.pid")"
	for _ in $(seq 100); do
		[ "$(grep -c "$2" "$LOG/$1.log" || true)" -gt "$n" ] && return 0
		sleep 0.1
	done
	die "$1 printed no counters"
}

# ctr NAME LOG: worker 0's counter NAME in the last dump of LOG (0 if absent)
ctr() {
	awk -v n="$1" '/^worker 0 \(queue/ { delete v } $1 == n { v[n] = $2 } END { print v[n] + 0 }' "$2"
}
steer() { awk -v n="$1" '$1 == n { v = $2 } END { print v + 0 }' "$2"; }
hstat() { awk -v n="httpd_$1" '$1 == "worker" && $3 == n { v = $4 } END { print v + 0 }' "$2"; }
frames_free() { awk '$1 == "umem_frames_free" { v = $2 } END { print v }' "$1"; }

echo "=== soak: $minutes min, build $build, logs in $LOG"
link h 1
link t 2
link u 3
H=10.$((NET + 1)).0.1
T=10.$((NET + 2)).0.1
U=10.$((NET + 3)).0.3 # dedicated (--addr): fragments go to axip too
mkdir -p "$LOG/www"
head -c 16M /dev/urandom >"$LOG/www/big.bin"
big_sum=$(sha256sum <"$LOG/www/big.bin" | cut -d' ' -f1)
head -c 2M /dev/urandom >"$LOG/echo.in"

start httpd ha "$build/examples/axip-httpd" --ifname "axs${SFX}hx" --port 80 --docroot "$LOG/www"
start tcpecho ta "$build/examples/axip-tcp-echo" --ifname "axs${SFX}tx" --port 7
start udpecho ua "$build/examples/axip-udp-echo" --ifname "axs${SFX}ux" --port 7 --addr "$U/24"
attached httpd
attached tcpecho
attached udpecho
sleep 1.5 # past axip-httpd's first tick
dump httpd httpd_send_stalls
dump tcpecho umem_frames_free
dump udpecho umem_frames_free
declare -A f0 # UMEM frames free before the load, per server
for p in httpd tcpecho udpecho; do
	f0[$p]=$(frames_free "$LOG/$p.log")
done
loss h 0.5
loss t 1

secs=$((minutes * 60))
end=$(($(date +%s) + secs))
echo "=== load until $(date -d "@$end" +%T)"

# curl loop: fetch the file until the end, check every body
(
	ok=0 bad=0
	while [ "$(date +%s)" -lt "$end" ]; do
		if s=$(ip netns exec "axs${SFX}hb" timeout 120 curl -sS --max-time 110 "http://$H/big.bin" | sha256sum | cut -d' ' -f1) &&
			[ "$s" = "$big_sum" ]; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
	done
	echo "curl: $ok bodies identical, $bad failed or different"
) >"$LOG/curl.out" 2>&1 &
curl_pid=$!

# echo loop: 2 MiB through the TCP echo server, compared
(
	ok=0 bad=0
	while [ "$(date +%s)" -lt "$end" ]; do
		t0=$(date +%s.%N)
		rc=0
		# -t60: after its input ends socat waits this long for the rest of the
		# echo (default 0.5 s, shorter than a retransmission timeout)
		ip netns exec "axs${SFX}tb" timeout 120 socat -t60 -T60 -b65536 - "TCP:$T:7,shut-down" \
			<"$LOG/echo.in" >"$LOG/echo.out" 2>"$LOG/socat.err" || rc=$?
		if [ $rc = 0 ] && cmp -s "$LOG/echo.in" "$LOG/echo.out"; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
			echo "failed at $(date +%T): socat exit $rc after" \
				"$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s," \
				"$(stat -c %s "$LOG/echo.out") of $(stat -c %s "$LOG/echo.in") bytes back:" \
				"$(head -c 300 "$LOG/socat.err")"
			cp "$LOG/echo.out" "$LOG/echo.out.bad$bad"
		fi
	done
	echo "tcp echo: $ok transfers identical, $bad failed or different"
) >"$LOG/echo.res" 2>&1 &
echo_pid=$!

# UDP client: datagrams of random size, answers checked, about 2000 a second
ip netns exec "axs${SFX}ub" timeout $((secs + 30)) /usr/bin/python3 - "$U" "$secs" >"$LOG/udp.out" 2>&1 <<'PY' &
import os, random, socket, sys, time
host, secs = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((host, 7))
s.settimeout(0.5)
sent = ok = lost = bad = late = refused = 0
end = time.time() + secs
while time.time() < end:
    n = 3000 if random.random() < 0.05 else random.randint(1, 1472)
    msg = os.urandom(n)
    s.send(msg)
    sent += 1
    try:
        r = s.recv(65536)
        while r != msg and len(r) != n:  # a late answer to an earlier datagram
            late += 1
            r = s.recv(65536)
        if r == msg:
            ok += 1
        else:
            bad += 1
    except socket.timeout:
        lost += 1
    except ConnectionRefusedError:  # ICMP port unreachable
        refused += 1
    time.sleep(0.0005)
print(f"udp echo: {sent} datagrams sent, {ok} answered identically, {lost} unanswered, "
      f"{late} late, {refused} refused, {bad} wrong")
PY
udp_pid=$!

ip netns exec "axs${SFX}hb" timeout $((secs + 30)) wrk -t1 -c16 -d"${secs}s" --timeout 10s \
	"http://$H/" >"$LOG/wrk-keepalive.out" 2>&1 &
wrk1=$!
ip netns exec "axs${SFX}hb" timeout $((secs + 30)) wrk -t1 -c4 -d"${secs}s" --timeout 10s \
	-H 'Connection: close' "http://$H/" >"$LOG/wrk-close.out" 2>&1 &
wrk2=$!

wait $wrk1 $wrk2 $udp_pid $curl_pid $echo_pid || true
echo "=== load done at $(date +%T); waiting 65 s (TIME_WAIT), then stopping the servers"
sleep 65
stop_all() {
	local p
	for p in httpd tcpecho udpecho; do
		kill -TERM "$(cat "$LOG/$p.pid")" 2>/dev/null || true
	done
	for p in httpd tcpecho udpecho; do
		for _ in $(seq 300); do
			kill -0 "$(cat "$LOG/$p.pid")" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$(cat "$LOG/$p.pid")" 2>/dev/null && die "$p did not exit after SIGTERM"
		rm -f "$LOG/$p.pid"
	done
}
# the counters they print on exit are the final ones
stop_all

fails=0
check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	if "$@"; then
		echo "  ok    $what"
	else
		echo "  FAIL  $what"
		fails=$((fails + 1))
	fi
}

echo "=== results"
cat "$LOG/curl.out" "$LOG/echo.res" "$LOG/udp.out"
for w in keepalive close; do
	echo "wrk $w: $(grep -E 'requests in' "$LOG/wrk-$w.out" | sed 's/^ *//')" \
		"$(grep -E 'Socket errors|Non-2xx' "$LOG/wrk-$w.out" | tr -s ' ' | tr '\n' ' ')"
done
loss_report h
loss_report t

for p in httpd tcpecho udpecho; do
	l=$LOG/$p.log
	echo "$p: rx_packets $(ctr rx_packets "$l") tx_packets $(ctr tx_packets "$l")" \
		"tcp_conn_alloc $(ctr tcp_conn_alloc "$l") tcp_conn_free $(ctr tcp_conn_free "$l")" \
		"tcp_passive_open $(ctr tcp_passive_open "$l") tcp_retransmit $(ctr tcp_retransmit "$l")" \
		"tcp_rto $(ctr tcp_rto "$l") udp_rx $(ctr udp_rx "$l") ip_frag_reassembled $(ctr ip_frag_reassembled "$l")" \
		"pkt_pool_empty $(ctr pkt_pool_empty "$l") umem_frames_free $(frames_free "$l")"
done
h=$LOG/httpd.log
echo "httpd: conns_accepted $(hstat conns_accepted "$h") conns_active $(hstat conns_active "$h")" \
	"conns_reset $(hstat conns_reset "$h") requests $(hstat requests "$h")" \
	"responses_2xx $(hstat responses_2xx "$h") bad_requests $(hstat bad_requests "$h")"

echo "=== checks"
grep -q ' 0 failed or different' "$LOG/curl.out" && c=0 || c=1
check "curl: every body identical" [ $c = 0 ]
grep -q ' 0 failed or different' "$LOG/echo.res" && c=0 || c=1
check "tcp echo: every transfer identical" [ $c = 0 ]
grep -q ' 0 wrong' "$LOG/udp.out" && c=0 || c=1
check "udp echo: no wrong answer" [ $c = 0 ]
# an answer later than the client's 0.5 s wait counts as unanswered and late
c=$(awk '/^udp echo:/ { print ($9 == $11 && $13 == 0) ? 0 : 1 }' "$LOG/udp.out")
check "udp echo: every datagram answered, maybe late (no loss on this link)" [ "${c:-1}" = 0 ]
for w in keepalive close; do
	grep -q 'requests in' "$LOG/wrk-$w.out" && ! grep -q 'Non-2xx' "$LOG/wrk-$w.out" && c=0 || c=1
	check "wrk $w: ran, only 2xx answers" [ $c = 0 ]
done
for p in httpd tcpecho; do
	l=$LOG/$p.log
	check "$p: every TCP connection freed (tcp_conn_alloc == tcp_conn_free)" \
		[ "$(ctr tcp_conn_alloc "$l")" = "$(ctr tcp_conn_free "$l")" ]
done
check "httpd: no connection active" [ "$(hstat conns_active "$h")" = 0 ]
check "httpd: every accepted connection was a passive open" \
	[ "$(hstat conns_accepted "$h")" = "$(ctr tcp_passive_open "$h")" ]
for p in httpd tcpecho udpecho; do
	l=$LOG/$p.log
	check "$p: UMEM frames free back to the start (${f0[$p]})" [ "$(frames_free "$l")" = "${f0[$p]}" ]
	# every frame the core received went to IPv4 or ARP or a counted Ethernet drop
	sum=$(($(ctr ip_rx "$l") + $(ctr arp_rx_request "$l") + $(ctr arp_rx_reply "$l") + $(ctr arp_rx_bad "$l") +
		$(ctr eth_rx_short "$l") + $(ctr eth_rx_not_for_us "$l") + $(ctr eth_rx_vlan "$l") +
		$(ctr eth_rx_unknown_type "$l")))
	check "$p: rx_packets ($(ctr rx_packets "$l")) == IPv4 + ARP + Ethernet drops ($sum)" \
		[ "$(ctr rx_packets "$l")" = "$sum" ]
	# every frame the XDP program redirected reached the stack or a kernel xsk drop counter
	redir=$(($(steer rule_hit "$l") + $(steer range_hit "$l") + $(steer addr_hit "$l") + $(steer arp_hit "$l") +
		$(steer nd_hit "$l")))
	got=$(($(ctr xdp_rx_frames "$l") + $(ctr xsk_rx_dropped "$l") + $(ctr xsk_rx_ring_full "$l")))
	check "$p: redirected by XDP ($redir) == received + xsk drops ($got)" [ "$redir" = "$got" ]
done
n=$(cat "$LOG"/httpd.log "$LOG"/tcpecho.log "$LOG"/udpecho.log |
	grep -cE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' || true)
check "no AddressSanitizer/LeakSanitizer/UBSan report ($n)" [ "$n" = 0 ]
echo "=== soak $minutes min: $([ $fails = 0 ] && echo PASSED || echo "FAILED ($fails checks)")"
echo "logs: $LOG"
[ $fails = 0 ]
