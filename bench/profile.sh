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
#           nginx-run, nginx-kernel (wrk keep-alive, 32 conn -> nginx in one process,
#                 master_process off, under axip-run / on the kernel)
#           nginx-close-run, nginx-close-kernel (the same with Connection: close)
#           redis-run, redis-kernel (redis-benchmark GET, 50 conn, no pipelining ->
#                 redis-server under axip-run / on the kernel)
#           The *-run workloads also print the shim's symbols (libaxip-preload.so)
#           and the program's system calls per request (strace -c -f for 1 s);
#           nginx-* and redis-* also the server's cycles by kind from the call
#           chains (bench/perf-kinds.py: shim, axip core, AF_XDP copy mode, the
#           veth client's receive path, epoll, socket()/close(), the program).
# Environment: MTU (bulk: both veth ends, default 1500), SRV_OPTS / CLI_OPTS
#              (extra options of the axip server / client, e.g. --tx-copy).
# Environment: BUILD (default build-bench, built by bench/run.sh); PERF_CALLGRAPH
#              (default -g: frame pointers; --call-graph dwarf for callers in
#              code built without them).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=${1:-}
SECS=${2:-5}
case $W in
http | connrate | rpc | rpc-axip | udp-axip | bulk) ;;
nginx-run | nginx-kernel | nginx-close-run | nginx-close-kernel | redis-run | redis-kernel) ;;
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

. "$ROOT/scripts/lib/nginx.sh"
AXRUN=$BUILD/preload/axip-run
# start_app CMD...: the program on CPU 1 in the server namespace, under
# axip-run for the *-run workloads
start_app() {
	local pre=()
	case $W in *-run) pre=("$AXRUN" --ifname "$IF_S" --verbose --) ;; esac
	ip netns exec "$NSS" sh -c 'echo $$ >"$0"; exec "$@"' "$OUT/server.pid" taskset -c 1 \
		"${pre[@]}" "$@" >"$OUT/server.log" 2>&1 &
}
SRV_ARGS=
case $W in
nginx-*)
	command -v nginx >/dev/null || { echo "bench/profile.sh: nginx not found (nginx-light)" >&2; exit 3; }
	WWW=$(mktemp -d /tmp/axip-profile.XXXXXX)
	chmod 755 "$WWW"
	nginx_conf "$WWW" 8192 <<EOF
    keepalive_requests 100000000;
    default_type text/plain;
    server {
        listen $A:8080 backlog=4096;
        location / { return 200 "ok"; }
    }
EOF
	start_app nginx -g "master_process off;" -e "$WWW/error.log" -c "$WWW/nginx.conf" -p "$WWW"
	comm=nginx port=8080 ;;
redis-*)
	command -v redis-server >/dev/null || { echo "bench/profile.sh: redis-server not found" >&2; exit 3; }
	start_app redis-server --port 6379 --save "" --appendonly no --protected-mode no --daemonize no
	comm=redis-server port=6379 ;;
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
case $W in
nginx-* | redis-*) ;;
*)
	[ -x "$srv" ] || { echo "bench/profile.sh: $srv not built" >&2; exit 1; }
	# shellcheck disable=SC2086 # option lists
	ip netns exec "$NSS" sh -c 'echo $$ >"$0"; exec "$@"' "$OUT/server.pid" taskset -c 1 "$srv" \
		--ifname "$IF_S" --port $port --cores 1 $SRV_ARGS ${SRV_OPTS:-} >"$OUT/server.log" 2>&1 &
	;;
esac
sleep 0.3
SPID=$(cat "$OUT/server.pid")
for _ in $(seq 50); do
	case $W in
	*-kernel) ip netns exec "$NSS" ss -Htln | grep -q ":$port " && break ;;
	*) grep -q 'attached to' "$OUT/server.log" && break ;;
	esac
	sleep 0.1
done
sleep 0.3
LOAD=$((SECS + 4))
case $W in
http) ip netns exec "$NSC" taskset -c 0 wrk -t1 -c32 -d${LOAD}s http://$A:8080/ >"$OUT/client.txt" 2>&1 & ;;
connrate) ip netns exec "$NSC" taskset -c 0 wrk -t1 -c32 -d${LOAD}s -H "Connection: close" \
	http://$A:8080/ >"$OUT/client.txt" 2>&1 & ;;
rpc) ip netns exec "$NSC" taskset -c 0 "$BUILD/bench/rpc" client --host $A --port 6201 --conns 32 \
	--duration $LOAD --warmup 0 >"$OUT/client.txt" 2>&1 & ;;
rpc-axip) ip netns exec "$NSC" taskset -c 0 "$BUILD/bench/axip-rpc" --ifname "$IF_C" --cores 0 --host $A \
	--port 6201 --conns 32 --duration $LOAD --warmup 0 ${CLI_OPTS:-} >"$OUT/client.txt" 2>"$OUT/client.log" & ;;
udp-axip) ip netns exec "$NSC" taskset -c 0 "$BUILD/bench/axip-udp-rr" --ifname "$IF_C" --cores 0 --host $A \
	--port 7 --depth 32 --duration $LOAD --warmup 0 >"$OUT/client.txt" 2>"$OUT/client.log" & ;;
nginx-run | nginx-kernel) ip netns exec "$NSC" taskset -c 0 wrk -t1 -c32 -d${LOAD}s http://$A:8080/ \
	>"$OUT/client.txt" 2>&1 & ;;
nginx-close-*) ip netns exec "$NSC" taskset -c 0 wrk -t1 -c32 -d${LOAD}s -H "Connection: close" \
	http://$A:8080/ >"$OUT/client.txt" 2>&1 & ;;
redis-*) ip netns exec "$NSC" taskset -c 0 timeout $((LOAD + 5)) redis-benchmark -h $A -p 6379 -c 50 \
	-n 100000000 -t get -q >"$OUT/client.txt" 2>&1 & ;;
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
perf record -q -C "$([ "$W" = bulk ] && echo 0,1 || echo 1)" ${PERF_CALLGRAPH:--g} -o "$OUT/perf.data" -- sleep "$SECS" 2>/dev/null
if [ "$W" = bulk ]; then
	RX1=$(ip netns exec "$NSS" cat /sys/class/net/"$IF_S"/statistics/tx_bytes 2>/dev/null)
	echo "sender throughput while recorded: $(awk -v a="$RX0" -v b="$RX1" -v t0="$T0" -v t1="$(date +%s.%N)" \
		'BEGIN { printf "%.2f Gbit/s", (b - a) * 8 / (t1 - t0) / 1e9 }')"
	kill "$CL" 2>/dev/null
fi
case $W in
*-run)
	# system calls of the program for 1 s of the same load (strace slows it:
	# the counts per request are what matter, not the rate)
	timeout 1.5 strace -c -f -p "$SPID" -o "$OUT/strace.txt" >/dev/null 2>&1 &
	sleep 2 ;;
esac
case $W in redis-*) sleep 1; kill "$CL" 2>/dev/null ;; esac
wait $CL
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "client: $(grep -E 'Requests/sec|tps=|requests per second' "$OUT/client.txt" | tail -n1 | tr '\r' '\n' | tail -n1)"
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
	case $W in
	nginx-* | redis-*)
		# the same samples by call chain: on veth the client's receive path
		# runs under the server's sends, which symbol names alone do not show
		if command -v python3 >/dev/null; then
			echo
			echo "== $c: cycles by kind, from the call chains (bench/perf-kinds.py)"
			python3 "$ROOT/bench/perf-kinds.py" "$OUT/perf.data" "$c"
		fi
		;;
	esac
	echo
	echo "== $c: top symbols (share of all recorded samples)"
	top_syms "$c"
done
case $W in
*-run)
	echo
	echo "== $comm: samples by library"
	perf report -i "$OUT/perf.data" --no-children --comms "$comm" --sort dso --stdio -g none 2>/dev/null |
		grep '%' | grep -v '^#' | head -8
	echo
	echo "== $comm: system calls during 1 s under strace (strace -c -f)"
	head -n 20 "$OUT/strace.txt" 2>/dev/null
	;;
esac
echo
echo "perf data: $OUT/perf.data (perf report -i ...)"
