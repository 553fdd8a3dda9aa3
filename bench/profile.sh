#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/profile.sh WORKLOAD [SECONDS] - where the server core's cycles go.
#
# Sets up the same namespaces/veth as bench/run.sh (client-side 'tx off'),
# starts the axip server on CPU 1, drives it from CPU 0, and records CPU 1
# with `perf record -g` for SECONDS (default 5) in the middle of the load.
# Prints the CPU share of every process on CPU 1 (other work on the machine
# shows up here), the server's cycles grouped by kind, and its top symbols.
# Keeps perf.data under bench/results/profile-<WORKLOAD>-<date>/.
#
# WORKLOAD: http (wrk keep-alive, 32 conn -> axip-httpd)
#           connrate (wrk Connection: close, 32 conn -> axip-httpd)
#           rpc (bench/rpc 32 conn -> axip-tcp-echo)
#           rpc-axip (bench/axip-rpc 32 conn -> axip-tcp-echo)
#           udp-axip (bench/axip-udp-rr 32 in flight -> axip-udp-echo)
#           bulk (axip-http-get fetches a 4 GiB file (in /dev/shm) from axip-httpd;
#                 CPU 1 is the sender, CPU 0 the receiver: both recorded)
# Environment: MTU (bulk: both veth ends, default 1500), SRV_OPTS / CLI_OPTS
#              (extra options of the axip server / client, e.g. --tx-copy).
# Environment: BUILD (default build-bench, built by bench/run.sh).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=${1:-}
SECS=${2:-5}
case $W in
http | connrate | rpc | rpc-axip | udp-axip | bulk) ;;
*) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//; /^set -u/d'; [ "$W" = --help ] && exit 0; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "bench/profile.sh: needs root" >&2; exit 3; }
command -v perf >/dev/null || { echo "bench/profile.sh: perf not found (apt-get install linux-perf)" >&2; exit 3; }
BUILD=${BUILD:-$ROOT/build-bench}
OUT=$ROOT/bench/results/profile-$W-$(date +%Y-%m-%d_%H%M%S)
mkdir -p "$OUT"
NSS=axp$$s NSC=axp$$c IF_S=axp$$s0 IF_C=axp$$c0 A=10.252.0.1 B=10.252.0.2
SPID= WWW=
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && sleep 0.5
	[ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null
	ip netns del "$NSS" 2>/dev/null
	ip netns del "$NSC" 2>/dev/null
	[ -n "$WWW" ] && rm -rf "$WWW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NSS" && ip netns add "$NSC" || exit 1
ip link add "$IF_S" netns "$NSS" type veth peer name "$IF_C" netns "$NSC" || exit 1
ip -n "$NSS" addr add $A/24 dev "$IF_S"
ip -n "$NSC" addr add $B/24 dev "$IF_C"
for n in "$NSS" "$NSC"; do ip -n "$n" link set lo up; done
ip -n "$NSS" link set "$IF_S" mtu "${MTU:-1500}" up
ip -n "$NSC" link set "$IF_C" mtu "${MTU:-1500}" up
ip netns exec "$NSC" ethtool -K "$IF_C" tx off >/dev/null
ip netns exec "$NSC" ping -c1 -W2 $A >/dev/null || { echo "no connectivity" >&2; exit 1; }

SRV_ARGS=
case $W in
http | connrate) srv=$BUILD/examples/axip-httpd port=8080 comm=axip-httpd ;;
bulk)
	srv=$BUILD/examples/axip-httpd port=8080 comm=axip-httpd
	# in RAM, written (not sparse: reading a hole is a memset, not the copy a real file costs)
	WWW=$(mktemp -d /dev/shm/axip-profile.XXXXXX)
	dd if=/dev/zero of="$WWW/big" bs=1M count=4096 status=none || exit 1
	SRV_ARGS="--docroot $WWW" ;;
udp-axip) srv=$BUILD/examples/axip-udp-echo port=7 comm=axip-udp-echo ;;
*) srv=$BUILD/examples/axip-tcp-echo port=6201 comm=axip-tcp-echo ;;
esac
[ -x "$srv" ] || { echo "bench/profile.sh: $srv not built" >&2; exit 1; }
# shellcheck disable=SC2086 # option lists
ip netns exec "$NSS" sh -c 'echo $$ >"$0"; exec "$@"' "$OUT/server.pid" taskset -c 1 "$srv" \
	--ifname "$IF_S" --port $port --cores 1 $SRV_ARGS ${SRV_OPTS:-} >"$OUT/server.log" 2>&1 &
sleep 0.3
SPID=$(cat "$OUT/server.pid")
for _ in $(seq 50); do grep -q 'attached to' "$OUT/server.log" && break; sleep 0.1; done
sleep 0.3
LOAD=$((SECS + 4))
case $W in
http) ip netns exec "$NSC" taskset -c 0 wrk -t1 -c32 -d${LOAD}s http://$A:8080/ >"$OUT/client.txt" 2>&1 & ;;
connrate) ip netns exec "$NSC" taskset -c 0 wrk -t1 -c32 -d${LOAD}s -H "Connection: close" \
	http://$A:8080/ >"$OUT/client.txt" 2>&1 & ;;
rpc) ip netns exec "$NSC" taskset -c 0 "$BUILD/bench/rpc" client --host $A --port 6201 --conns 32 \
	--duration $LOAD --warmup 0 >"$OUT/client.txt" 2>&1 & ;;
rpc-axip) ip netns exec "$NSC" taskset -c 0 "$BUILD/bench/axip-rpc" --ifname "$IF_C" --cores 0 --host $A \
	--port 6201 --conns 32 --duration $LOAD --warmup 0 >"$OUT/client.txt" 2>"$OUT/client.log" & ;;
udp-axip) ip netns exec "$NSC" taskset -c 0 "$BUILD/bench/axip-udp-rr" --ifname "$IF_C" --cores 0 --host $A \
	--port 7 --depth 32 --duration $LOAD --warmup 0 >"$OUT/client.txt" 2>"$OUT/client.log" & ;;
bulk)
	# shellcheck disable=SC2086
	ip netns exec "$NSC" taskset -c 0 timeout $((LOAD + 30)) "$BUILD/examples/axip-http-get" --ifname "$IF_C" \
		--cores 0 --url http://$A:8080/big --output /dev/null --timeout $((LOAD + 20)) ${CLI_OPTS:-} \
		>"$OUT/client.txt" 2>"$OUT/client.log" &
	;;
esac
CL=$!
sleep 2
T0=$(date +%s.%N)
[ "$W" = bulk ] && RX0=$(ip netns exec "$NSS" cat /sys/class/net/"$IF_S"/statistics/tx_bytes 2>/dev/null)
perf record -q -C "$([ "$W" = bulk ] && echo 0,1 || echo 1)" -g -o "$OUT/perf.data" -- sleep "$SECS" 2>/dev/null
if [ "$W" = bulk ]; then
	RX1=$(ip netns exec "$NSS" cat /sys/class/net/"$IF_S"/statistics/tx_bytes 2>/dev/null)
	echo "sender throughput while recorded: $(awk -v a="$RX0" -v b="$RX1" -v t0="$T0" -v t1="$(date +%s.%N)" \
		'BEGIN { printf "%.2f Gbit/s", (b - a) * 8 / (t1 - t0) / 1e9 }')"
	kill "$CL" 2>/dev/null
fi
wait $CL
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "client: $(grep -E 'Requests/sec|tps=' "$OUT/client.txt" | head -n1)"
echo
echo "== recorded CPUs by process (other work on the machine included)"
perf report -i "$OUT/perf.data" --no-children --sort comm --stdio -g none 2>/dev/null | grep '%' | grep -v '^#' | head -8
by_kind() { # by_kind COMM
perf report -i "$OUT/perf.data" --no-children --comms "$1" --sort sym --stdio -g none 2>/dev/null |
	grep '%' | grep -v '^#' | awk '{
	p = $1; sub("%", "", p); s = $3; t += p
	if ($2 == "[.]") g = "axip user space (core, application, backend)"
	else if (s ~ /^(tcp|__tcp|inet|__inet|bbr|cubic|ip_|__ip|sk_|__sk|sock|skb_defer|raw_v4|ipv4)/) g = "kernel TCP/IP of the peer (veth delivers on the sender core)"
	else if (s ~ /(xsk|xp_|veth|xdp|bpf)/) g = "AF_XDP copy mode and veth"
	else if (s ~ /(finish_task_switch|schedule|switch|pick_|enqueue|dequeue|update_curr|poll|ep_|select)/) g = "poll() and scheduling"
	else if (s ~ /(net_rx|process_backlog|napi|netif|skb|alloc|free|slab|kmem|memcpy|page)/) g = "skb alloc/free/copy, softirq"
	else if (s ~ /(spin|irq)/) g = "locks, irq save/restore"
	else g = "other kernel"
	a[g] += p
} END { for (g in a) printf "%5.1f%%  %s\n", 100 * a[g] / t, g }' | sort -rn
}
top_syms() { # top_syms COMM
perf report -i "$OUT/perf.data" --no-children --comms "$1" --sort dso,sym --stdio -g none 2>/dev/null |
	grep '%' | grep -v '^#' | head -25
}
comms=$comm
[ "$W" = bulk ] && comms="$comm axip-http-get"
for c in $comms; do
	echo
	echo "== $c: cycles by kind"
	by_kind "$c"
	echo
	echo "== $c: top symbols (share of all recorded samples)"
	top_syms "$c"
done
echo
echo "perf data: $OUT/perf.data (perf report -i ...)"
