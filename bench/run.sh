#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/run.sh - axip against Linux kernel TCP/UDP, side by side, on one veth
# pair between two network namespaces. Run as root from anywhere:
#
#     bench/run.sh            # everything (under 10 minutes on a 2-core VM)
#     bench/run.sh --quick    # short runs, to check the machinery (about 4 minutes)
#     bench/run.sh --only rpc,udp
#
# See --help and docs/benchmarks.md.
set -u
set -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/netns.sh
. "$ROOT/scripts/lib/netns.sh"
# shellcheck source=scripts/lib/nginx.sh
. "$ROOT/scripts/lib/nginx.sh"
ALL_WORKLOADS="rpc http connrate bulk udp rpc6 http6 apps scaling idle"

usage() {
	cat <<EOF
usage: bench/run.sh [options]
Runs each workload against axip and against Linux kernel TCP/UDP on the same
veth pair between two network namespaces (server namespace: axip or the
kernel server; client namespace: the load generator), client and server
pinned to different CPUs. The configurations of a workload are measured in
rounds (repetition r of each before repetition r+1 of any, so background load
hits them alike); each repetition starts its server, warms up (2 s in the
first round; after that the clients' own 0.5 s warm-up, 1 s for wrk),
measures, and stops it. Tables show the median of --reps
repetitions and the spread (min..max). Progress goes
to stderr, tables to stdout, CSVs (and a copy of the tables) to the output
directory. Needs root, iproute2, ethtool, wrk, nginx (nginx-light), iperf3,
cmake and a C compiler; bench/plot.sh draws the charts (gnuplot-nox).

Workloads (--only takes a comma-separated list):
  rpc       TCP request/response, 64-byte messages, ping-pong, 1 and 32
            connections: bench/rpc client against the kernel rpc server and
            against axip-tcp-echo; bench/axip-rpc (AF_XDP) against axip-tcp-echo.
            axip in its default (adaptive polling), --poll-us 0 (1 connection)
            and --busy-poll; the kernel also with its busy polling (gro+bp)
  http      HTTP/1.1 keep-alive, 2-byte body, wrk 1 and 32 connections
            (nginx, one worker, vs axip-httpd; both also busy-polling)
  connrate  connect-request-response-close: wrk -H "Connection: close", 32
            connections (nginx vs axip-httpd)
  bulk      one TCP connection: iperf3 kernel <-> kernel, and one HTTP GET of
            1 GB (nginx or axip-httpd sends, curl or axip-http-get receives)
            for kernel <-> kernel, axip -> kernel, kernel -> axip, axip <-> axip
  udp       UDP echo, 64 bytes, 1 and 32 in flight: bench/udp_rr (kernel) against
            the kernel echo and axip-udp-echo; bench/axip-udp-rr (AF_XDP) against
            axip-udp-echo: the AF_XDP ceiling without TCP (default and busy-poll);
            and 1472 bytes, 32 in flight (full-size frames: the frames/s ceiling
            of one direction, for the bulk rows)
  rpc6      rpc over IPv6 (1 and 32 connections): the kernel rpc server and
            axip-tcp-echo (shared mode: the interface's IPv6 address)
  http6     http over IPv6 (wrk 1 and 32 connections against http://[addr]/):
            nginx and axip-httpd
  apps      the same unmodified binaries on the kernel and under axip-run:
            redis-server (one process) with redis-benchmark GET, 50
            connections, no pipelining and -P 16; nginx (one process,
            master_process off) with wrk, 32 connections, keep-alive and
            Connection: close (redis rows skipped without redis-server and
            redis-benchmark)
  scaling   rpc with 1..N server cores on an N-queue veth (kernel: SO_REUSEPORT
            threads; axip: --queues). On a 2-CPU machine client and server
            share CPUs at N=2, so it only shows the machinery works.
  idle      CPU time of an attached, idle axip process (default mode) over
            --idle-secs, from /proc/PID/stat (kernel rpc server alongside)

Options:
  --quick             1 s runs, 0.5 s warm-up, 3 s idle window
  --only LIST         run only these workloads
  --reps N            repetitions per measurement (default 3, at least 3)
  --duration S        seconds per repetition (default 3)
  --idle-secs S       idle window (default 10)
  --out DIR           output directory (default bench/results/<date>)
  --build DIR         build directory (default build-bench); configured and
                      built here unless --no-build
  --no-build          use the binaries already in --build DIR
  --server-cpu N      CPU of the server (default 1)
  --client-cpu N      CPU of the client (default 0)
  --scale-max N       largest server core count of 'scaling' (default: CPUs)
  --apps-base LIB     apps: also run the axip-run rows with this libaxip-preload.so
                      (AXIP_PRELOAD_LIB; e.g. the shim of an earlier commit built
                      against the same core and backend), as stack axip-run-base,
                      in the same interleaved rounds
  -h, --help          this text

Checksum offload: kernel TCP/UDP over veth leaves checksums partial; axip
checks them, so for axip runs the client-side veth gets 'ethtool -K IF tx off'
('tx off 2': both ends, when a kernel sender feeds an axip receiver).
Kernel <-> kernel is measured both with the default offloads ('default') and
with that same setting ('tx off'). Ratios in the tables are against the kernel
with default offloads. 'gro+bp': the kernel's own busy polling, default
offloads plus GRO on both veth ends (so veth receives through NAPI and its
sockets have a NAPI id to poll) and net.core.busy_poll = busy_read = 50 us
(global sysctls, restored at exit); without GRO they change nothing on veth.

Every table of a measured workload is followed by its CPU table: busy % of
the server CPU and of the client CPU over each run (from /proc/stat: all
that ran on them, other programs included), the server processes' own
utime+stime, the server's CPU per transaction/request (us) or per GB (ms),
and which side bounded the run (>= 90 % busy; a busy-polling side is busy
by construction and not counted).

axip programs are looked up in the build directory (examples/axip-tcp-echo,
examples/axip-udp-echo, examples/axip-httpd, bench/axip-rpc, bench/axip-udp-rr);
a missing one gives the row "axip: not built yet" instead of failing.
EOF
}

ARGS="$*"
QUICK=0 ONLY=$ALL_WORKLOADS REPS=3 DUR=3 IDLE_S=10 OUT= BUILD=$ROOT/build-bench DO_BUILD=1
SCPU=1 CCPU=0 SCALE_MAX=$(nproc) APPS_BASE=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--only) ONLY=${2:?--only needs a list}; shift ;;
	--reps) REPS=${2:?}; shift ;;
	--duration) DUR=${2:?}; shift ;;
	--idle-secs) IDLE_S=${2:?}; shift ;;
	--out) OUT=${2:?}; shift ;;
	--build) BUILD=$(realpath -m "${2:?}"); shift ;;
	--no-build) DO_BUILD=0 ;;
	--server-cpu) SCPU=${2:?}; shift ;;
	--client-cpu) CCPU=${2:?}; shift ;;
	--scale-max) SCALE_MAX=${2:?}; shift ;;
	--apps-base)
		APPS_BASE=$(realpath -e "${2:?}" 2>/dev/null) || { echo "bench/run.sh: --apps-base: no file '$2'" >&2; exit 2; }
		shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench/run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
ONLY=${ONLY//,/ }
for w in $ONLY; do
	case " $ALL_WORKLOADS " in *" $w "*) ;; *) echo "bench/run.sh: unknown workload '$w'" >&2; exit 2 ;; esac
done
[[ $REPS =~ ^[0-9]+$ ]] && [ "$REPS" -ge 3 ] || { echo "bench/run.sh: --reps must be >= 3" >&2; exit 2; }
WARM=2 CWARM=0.5 BULK_BYTES=1000000000
if [ "$QUICK" = 1 ]; then
	DUR=1 WARM=0.5 CWARM=0.3 IDLE_S=3 BULK_BYTES=500000000
fi
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: needs root (network namespaces, XDP)" >&2; exit 3; }
for t in ip ethtool taskset wrk nginx iperf3 cmake; do
	command -v "$t" >/dev/null || { echo "bench/run.sh: '$t' not found (apt-get install iproute2 ethtool util-linux wrk nginx-light iperf3 cmake)" >&2; exit 3; }
done
OUT=${OUT:-$ROOT/bench/results/$(date +%Y-%m-%d_%H%M%S)}
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)

T0=$(date +%s)
log() { printf '[%4ds] %s\n' $(($(date +%s) - T0)) "$*" >&2; }

# ---------------------------------------------------------------- build
if [ "$DO_BUILD" = 1 ]; then
	log "building in $BUILD"
	cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >"$OUT/build.log" 2>&1 ||
		cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DAXIP_BUILD_XDP=OFF >>"$OUT/build.log" 2>&1 ||
		{ echo "bench/run.sh: cmake failed, see $OUT/build.log" >&2; exit 1; }
	cmake --build "$BUILD" -j2 --target rpc udp_rr >>"$OUT/build.log" 2>&1 ||
		{ echo "bench/run.sh: building bench/ failed, see $OUT/build.log" >&2; exit 1; }
	for t in axip-udp-echo axip-tcp-echo axip-httpd axip-http-get axip-rpc axip-udp-rr; do
		cmake --build "$BUILD" -j2 --target "$t" >>"$OUT/build.log" 2>&1 ||
			log "$t: not built (no such target yet, or it failed: see $OUT/build.log)"
	done
fi
RPC=$BUILD/bench/rpc
UDPRR=$BUILD/bench/udp_rr
[ -x "$RPC" ] && [ -x "$UDPRR" ] || { echo "bench/run.sh: $RPC or $UDPRR missing" >&2; exit 1; }
axip_bin() { # axip_bin NAME: print the path of an axip program, or nothing
	local d
	for d in examples bench; do
		[ -x "$BUILD/$d/$1" ] && { echo "$BUILD/$d/$1"; return 0; }
	done
	return 1
}

# ---------------------------------------------------------------- namespaces
SFX=$$
NSS=axb${SFX}s NSC=axb${SFX}c IF_S=axb${SFX}s0 IF_C=axb${SFX}c0
NET=$((200 + SFX % 50))
ADDR_S=10.$NET.0.1 ADDR_C=10.$NET.0.2
ADDR6_S=fd00:$NET::1 ADDR6_C=fd00:$NET::2
# what the clients connect to: IPv4, or IPv6 in rpc6/http6
HOST_S=$ADDR_S URLHOST_S=$ADDR_S
WORK=$(mktemp -d /tmp/axip-bench.XXXXXX)
chmod 711 "$WORK" # nginx workers (not root) read the bulk file below it

BP_SET=0 BP_SAVED="$(sysctl -n net.core.busy_poll 2>/dev/null) $(sysctl -n net.core.busy_read 2>/dev/null)"
cleanup() {
	pid_kill_all "$WORK"
	[ "$BP_SET" = 1 ] && sysctl -qw net.core.busy_poll="${BP_SAVED% *}" net.core.busy_read="${BP_SAVED#* }"
	ip netns del "$NSS" 2>/dev/null
	ip netns del "$NSC" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

in_s() { in_ns "$NSS" "$@"; }
in_c() { in_ns "$NSC" "$@"; }

# link_setup QUEUES: (re)create the veth pair with QUEUES queues per end
link_setup() {
	local q=$1
	ip netns del "$NSS" 2>/dev/null
	ip netns del "$NSC" 2>/dev/null
	ip netns add "$NSS" && ip netns add "$NSC" || { echo "ip netns add failed" >&2; exit 1; }
	ns_veth_pair "$NSS" "$IF_S" "$ADDR_S" "$NSC" "$IF_C" "$ADDR_C" "$q" || exit 1
	# connection-rate runs leave many TIME_WAITs on the client side
	in_c sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="10000 60999"
	in_c ping -c1 -W2 "$ADDR_S" >/dev/null || { echo "no connectivity over the veth" >&2; exit 1; }
	# IPv6 (rpc6, http6): addresses without DAD; the link-local ones finish theirs
	in_s ip addr add "$ADDR6_S/64" dev "$IF_S" nodad && in_c ip addr add "$ADDR6_C/64" dev "$IF_C" nodad ||
		{ echo "cannot add IPv6 addresses" >&2; exit 1; }
	local i
	for i in $(seq 50); do
		[ -z "$(in_s ip -6 addr show dev "$IF_S" tentative)$(in_c ip -6 addr show dev "$IF_C" tentative)" ] && break
		sleep 0.1
	done
	in_c ping -6 -c1 -W2 "$ADDR6_S" >/dev/null || { echo "no IPv6 connectivity over the veth" >&2; exit 1; }
}

# offload default|txoff|txoff2: checksum offload of the client-side veth
# (txoff), or of both ends (txoff2: a kernel sender in the server namespace
# feeding an axip receiver)
# gro+bp: default offloads, GRO on both ends (veth then receives through
# NAPI, so its sockets get a NAPI id and busy polling has something to
# poll) and the kernel's busy polling on (net.core.busy_poll and busy_read
# 50 us: global sysctls, not per namespace, restored at exit; without GRO
# they change nothing on veth, measured)
offload() {
	local c=on s=on gro=off bp=0
	case $1 in
	txoff) c=off ;;
	txoff2) c=off s=off ;;
	gro+bp) gro=on bp=50 ;;
	esac
	in_c ethtool -K "$IF_C" tx $c gro $gro >/dev/null 2>&1
	in_s ethtool -K "$IF_S" tx $s gro $gro >/dev/null 2>&1
	if [ "$bp" != 0 ] || [ "$BP_SET" = 1 ]; then
		sysctl -qw net.core.busy_poll="$bp" net.core.busy_read="$bp" 2>/dev/null
		BP_SET=$([ "$bp" != 0 ] && echo 1 || echo 0)
	fi
}
offload_label() {
	case $1 in
	txoff) echo "tx off" ;;
	txoff2) echo "tx off 2" ;;
	gro+bp) echo "gro+bp" ;;
	*) echo "default" ;;
	esac
}

# start_bg NAME NS CPUS CMD...: run CMD in namespace NS pinned to CPUS; its
# own PID (exec) goes to $WORK/NAME.pid, output to $WORK/NAME.log
start_bg() {
	local name=$1 ns=$2 cpus=$3
	shift 3
	ns_spawn "$ns" "$WORK/$name.pid" "$WORK/$name.log" "" "$cpus" "$@" && return 0
	log "$name did not start"
	return 1
}

# stop_bg NAME: SIGTERM, up to 5 s to exit, then SIGKILL
stop_bg() {
	local f=$WORK/$1.pid
	[ -s "$f" ] || return 0
	pid_stop "$f" TERM 50 && return 0
	kill -KILL "$(cat "$f")" 2>/dev/null
	rm -f "$f"
}

# wait_listen PROTO PORT: until something in the server namespace listens
wait_listen() { ns_wait_listen "$NSS" "$1" "$2" 50; }

# wait_attached NAME: until an axip program printed that it attached
wait_attached() {
	if log_wait_attached "$WORK/$1.log" "$WORK/$1.pid" 100; then
		sleep 0.3
		return 0
	fi
	log "$1 did not attach: $(tail -n 3 "$WORK/$1.log" 2>/dev/null | tr '\n' ' ')"
	return 1
}

# ---------------------------------------------------------------- results
# Raw rows: workload,variant,stack,offload,rep,value,p50_us,p99_us,p999_us,extra
# Summary rows (one per measurement, $OUT/WORKLOAD.csv):
#   workload,variant,stack,offload,unit,reps,median,min,max,p50_us,p99_us,p999_us,ratio,note
kv() { # kv KEY LINE: value of KEY=... in a result line
	local k=$1
	shift
	echo "$*" | tr ' ' '\n' | sed -n "s/^$k=//p" | head -n1
}
median_of() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }
min_of() { sort -g | head -n1; }
max_of() { sort -g | tail -n1; }

raw_header() {
	[ -s "$OUT/$1_raw.csv" ] || echo "workload,variant,stack,offload,rep,value,p50_us,p99_us,p999_us,extra" >"$OUT/$1_raw.csv"
}
sum_header() {
	[ -s "$OUT/$1.csv" ] ||
		echo "workload,variant,stack,offload,unit,reps,median,min,max,p50_us,p99_us,p999_us,ratio,note" >"$OUT/$1.csv"
}

# summarize WORKLOAD VARIANT STACK OFFLOAD UNIT: from the raw rows of this
# measurement, append the summary row; the ratio is against the kernel row
# with default offloads of the same variant
summarize() {
	local w=$1 v=$2 st=$3 of=$4 unit=$5 rows med mn mx p50 p99 p999 ref ratio=
	rows=$(awk -F, -v v="$v" -v s="$st" -v o="$of" '$2==v && $3==s && $4==o' "$OUT/${w}_raw.csv")
	if [ -z "$rows" ]; then
		pending "$w" "$v" "$st" "all repetitions failed (see $OUT/logs/)"
		return
	fi
	med=$(echo "$rows" | cut -d, -f6 | median_of)
	mn=$(echo "$rows" | cut -d, -f6 | min_of)
	mx=$(echo "$rows" | cut -d, -f6 | max_of)
	p50=$(echo "$rows" | cut -d, -f7 | median_of)
	p99=$(echo "$rows" | cut -d, -f8 | median_of)
	p999=$(echo "$rows" | cut -d, -f9 | median_of)
	ref=$(awk -F, -v v="$v" '$2==v && $3=="kernel" && $4=="default" && $6 > 0 {print $7}' "$OUT/$w.csv" | head -n1)
	[ -n "$ref" ] || ref=$(awk -F, -v v="$v" '$2==v && $3=="kernel" && $6 > 0 {print $7}' "$OUT/$w.csv" | head -n1)
	if [ -n "$ref" ] && [ "$w" != idle ] && ! { [ "$st" = kernel ] && [ "$of" = default ]; } &&
		! { [ "$st" = kernel ] && [ "$w" = scaling ]; }; then
		ratio=$(awk -v a="$med" -v b="$ref" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
	fi
	echo "$w,$v,$st,$of,$unit,$(echo "$rows" | grep -c .),$med,$mn,$mx,$p50,$p99,$p999,$ratio," >>"$OUT/$w.csv"
}

# pending WORKLOAD VARIANT STACK NOTE: a row that could not be measured
pending() {
	echo "$1,$2,$3,-,,0,,,,,,,,$4" >>"$OUT/$1.csv"
	log "$1 $2 $3: $4"
}

# measure WORKLOAD VARIANT STACK OFFLOAD UNIT CMD...: one warm-up run, then
# $REPS runs of CMD (a function printing one line: value p50 p99 p999 extra)
measure() {
	local w=$1 v=$2 st=$3 of=$4 unit=$5 r line
	shift 5
	raw_header "$w"
	sum_header "$w"
	log "$w: $v, $st, $(offload_label "$of"): warm-up"
	"$@" warm >/dev/null
	for r in $(seq "$REPS"); do
		line=$("$@" "$r")
		if [ -z "$line" ]; then
			log "$w: $v, $st: repetition $r failed"
			continue
		fi
		log "$w: $v, $st, $(offload_label "$of"): rep $r/$REPS: $(echo "$line" | cut -d' ' -f1) $unit"
		echo "$w,$v,$st,$of,$r,$(echo "$line" | awk '{print $1","$2","$3","$4","$5}')" >>"$OUT/${w}_raw.csv"
	done
	summarize "$w" "$v" "$st" "$of" "$unit"
}

# ---------------------------------------------------------------- clients
# Each prints "value p50_us p99_us p999_us extra" (or nothing on failure);
# the last argument is the repetition ("warm" for the warm-up).
rpc_client() { # rpc_client CONNS DEPTH REP
	local d line
	[ "$3" = rewarm ] && return 0 # its own --warmup covers a restarted server
	d=$(warm_secs "$3")
	line=$(in_c taskset -c "$CCPU" "$RPC" client --host "$HOST_S" --port 6201 --conns "$1" \
		--depth "$2" --duration "$d" --warmup "$CWARM" 2>>"$WORK/client.log") || return 0
	echo "$(kv tps "$line") $(kv p50_us "$line") $(kv p99_us "$line") $(kv p999_us "$line") -"
}

# axip clients take the axip mode first: "-" (default: adaptive polling) or
# an option such as --busy-poll
axip_rpc_client() { # axip_rpc_client MODE CONNS DEPTH REP: bench/axip-rpc on the client-side veth
	local d line m=()
	[ "$1" = - ] || m=("$1")
	shift
	[ "$3" = rewarm ] && return 0 # its own --warmup covers a restarted server
	d=$(warm_secs "$3")
	line=$(in_c taskset -c "$CCPU" timeout 60 "$AXRPC" --ifname "$IF_C" --cores "$CCPU" "${m[@]}" --host "$ADDR_S" \
		--port 6201 --conns "$1" --depth "$2" --duration "$d" --warmup "$CWARM" 2>>"$WORK/axip-client.log") ||
		return 0
	echo "$(kv tps "$line") $(kv p50_us "$line") $(kv p99_us "$line") $(kv p999_us "$line") -"
}

axip_udp_client() { # axip_udp_client MODE DEPTH REP: bench/axip-udp-rr on the client-side veth
	local d line m=()
	[ "$1" = - ] || m=("$1")
	shift
	[ "$2" = rewarm ] && return 0 # its own --warmup covers a restarted server
	d=$(warm_secs "$2")
	line=$(in_c taskset -c "$CCPU" timeout 60 "$AXUDP" --ifname "$IF_C" --cores "$CCPU" "${m[@]}" --host "$ADDR_S" \
		--port 7 --depth "$1" --size "${UDP_SIZE:-64}" --duration "$d" --warmup "$CWARM" \
		2>>"$WORK/axip-client.log") || return 0
	echo "$(kv tps "$line") $(kv p50_us "$line") $(kv p99_us "$line") $(kv p999_us "$line") lost=$(kv lost "$line")"
}

udp_client() { # udp_client DEPTH REP (payload UDP_SIZE bytes, default 64)
	local d line
	[ "$2" = rewarm ] && return 0 # its own --warmup covers a restarted server
	d=$(warm_secs "$2")
	line=$(in_c taskset -c "$CCPU" "$UDPRR" client --host "$ADDR_S" --port 7 --depth "$1" --size "${UDP_SIZE:-64}" \
		--duration "$d" --warmup "$CWARM" 2>>"$WORK/client.log") || return 0
	echo "$(kv tps "$line") $(kv p50_us "$line") $(kv p99_us "$line") $(kv p999_us "$line") lost=$(kv lost "$line")"
}

# wrk latency value (e.g. 95.00us, 1.20ms, 2.00s) in microseconds
wrk_us() { awk -v x="$1" 'BEGIN { v = x + 0; if (x ~ /ms$/) v *= 1000; else if (x ~ /[0-9]s$/) v *= 1e6; printf "%.2f", v }'; }

wrk_client() { # wrk_client CONNS CLOSE(0|1) REP
	local d out rps p50 p99 errs hdr=()
	d=$(warm_secs "$3")
	[ "$2" = 1 ] && hdr=(-H "Connection: close")
	d=${d%.*}
	[ "$d" -ge 1 ] 2>/dev/null || d=1
	out=$(in_c taskset -c "$CCPU" wrk -t1 -c"$1" -d"${d}s" --latency "${hdr[@]}" \
		"http://$URLHOST_S:8080/" 2>>"$WORK/client.log") || return 0
	rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
	p50=$(echo "$out" | awk '$1=="50%" {print $2}')
	p99=$(echo "$out" | awk '$1=="99%" {print $2}')
	errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {printf "%s;", $0}' | tr -s ' ,' '__')
	[ -n "$rps" ] || return 0
	echo "$rps $(wrk_us "$p50") $(wrk_us "$p99") - ${errs:--}"
}

# get_client RECEIVER PATH REP: one HTTP GET of BULK_BYTES, Gbit/s.
# RECEIVER curl (kernel) or axip (axip-http-get on the client-side veth; its
# time is measured from process start to exit, so it includes the attach)
get_client() {
	local out t0 t1
	[ "$3" = warm ] || [ "$3" = rewarm ] && return 0
	if [ "$1" = curl ]; then
		out=$(in_c taskset -c "$CCPU" curl -s -o /dev/null -w '%{size_download} %{speed_download}' \
			"http://$ADDR_S:8080$2" 2>>"$WORK/client.log") || return 0
		[ "${out% *}" = "$BULK_BYTES" ] || return 0
		awk -v b="${out#* }" 'BEGIN { printf "%.2f - - - -\n", b * 8 / 1e9 }'
	else
		t0=$(date +%s%N)
		in_c taskset -c "$CCPU" timeout 120 "$AXGET" --ifname "$IF_C" --cores "$CCPU" \
			--url "http://$ADDR_S:8080$2" --output /dev/null 2>>"$WORK/axip-client.log" || return 0
		t1=$(date +%s%N)
		awk -v n="$BULK_BYTES" -v t=$((t1 - t0)) 'BEGIN { printf "%.2f - - - -\n", n * 8 / t }'
	fi
}

iperf_client() { # iperf_client REP: Gbit/s received
	local d out
	d=$(warm_secs "$1")
	d=${d%.*}
	[ "$d" -ge 1 ] 2>/dev/null || d=1
	out=$(in_c taskset -c "$CCPU" iperf3 -c "$ADDR_S" -p 5201 -t "$d" -f m 2>>"$WORK/client.log") || return 0
	echo "$out" | awk '/receiver$/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") printf "%.2f - - - -\n", $(i-1) / 1000 }'
}

# ---------------------------------------------------------------- servers
kernel_rpc_server() { start_bg srv "$NSS" "$SCPU" "$RPC" server --port 6201 && wait_listen tcp 6201; }
kernel_udp_server() { start_bg srv "$NSS" "$SCPU" "$UDPRR" server --port 7 && wait_listen udp 7; }
iperf_server() { start_bg srv "$NSS" "$SCPU" iperf3 -s -p 5201 && wait_listen tcp 5201; }

nginx_server() {
	local d=$WORK/nginx
	mkdir -p "$d/files"
	chmod 755 "$d" "$d/files"
	# a sparse file for the bulk HTTP GET (served from the page cache)
	if [ ! -e "$d/files/big" ]; then
		truncate -s "$BULK_BYTES" "$d/files/big"
		cat "$d/files/big" >/dev/null # into the page cache before the first measurement
	fi
	nginx_conf "$d" 8192 <<EOF
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    default_type text/plain;
    sendfile on;
    server {
        listen $ADDR_S:8080 backlog=4096;
        listen [$ADDR6_S]:8080 backlog=4096;
        location / { return 200 "ok"; }
        location /files/ { root $d; }
    }
EOF
	start_bg srv "$NSS" "$SCPU" nginx -e "$d/error.log" -c "$d/nginx.conf" -p "$d" && wait_listen tcp 8080
}

# axip_server PROG PORT [ARGS...]: an axip example on the server-side veth
axip_server() {
	local prog=$1 port=$2
	shift 2
	start_bg srv "$NSS" "$SCPU" "$prog" --ifname "$IF_S" --port "$port" --cores "$SCPU" "$@" &&
		wait_attached srv || return 1
	# axip-httpd's idle clock starts at its first 1 s tick: a connection
	# accepted before it is closed as idle at that tick (seen with a 2 GB
	# response), so serve only after it
	case $prog in */axip-httpd) sleep 1.2 ;; esac
}

# axip_why BIN NAME: why there is no axip row (BIN empty: not built); the
# failed program's log is kept as $OUT/NAME-axip.log
axip_why() {
	if [ -z "$1" ]; then
		echo "axip: not built yet"
	else
		cp "$WORK/srv.log" "$OUT/$2-axip.log" 2>/dev/null
		echo "axip: $(basename "$1") did not start (see $2-axip.log)"
	fi
}

# http_shape LABEL: record what the HTTP server answers (status line, header
# and body sizes) so that the comparison's fairness can be checked
http_shape() {
	grep -qF "$1:" "$OUT/http_responses.txt" 2>/dev/null && return 0
	in_c curl -s -o /dev/null -w "$1: %{http_code}, header %{size_header} B, body %{size_download} B\n" \
		"http://$ADDR_S:8080/" >>"$OUT/http_responses.txt" 2>/dev/null
}

# ---------------------------------------------------------------- workloads
# run_matrix WORKLOAD SPEC...: measure several configurations of a workload
# in rounds: repetition r of every configuration runs before repetition r+1
# of any, so that a change in background load hits all of them alike. Each
# repetition starts its server afresh, runs a warm-up (WARM seconds in the
# first round, CWARM after) and one measured run, and stops the server.
# SPEC: "variant|stack|offload|unit|server command|client command" (the
# commands are word-split; the client gets the repetition number appended).
run_matrix() {
	local w=$1 r spec v st of unit srv cli line c0 c1 p0 p1
	local -A bad=()
	shift
	raw_header "$w"
	sum_header "$w"
	for r in $(seq "$REPS"); do
		for spec in "$@"; do
			IFS='|' read -r v st of unit srv cli <<<"$spec"
			[ -n "${bad[$spec]:-}" ] && continue
			offload "$of"
			if ! $srv; then
				stop_bg srv
				log "$w: $v, $st: server did not start"
				bad[$spec]=1
				continue
			fi
			if [ "$r" = 1 ]; then $cli warm >/dev/null; else $cli rewarm >/dev/null; fi
			c0=$(cpu_snap) p0=$(srv_ticks)
			line=$($cli "$r")
			c1=$(cpu_snap) p1=$(srv_ticks)
			stop_bg srv
			[ -n "$line" ] && cpu_row "$w" "$v" "$st" "$of" "$r" "$c0" "$c1" "$p0" "$p1" "$(echo "$line" | cut -d' ' -f1)" "$unit"
			if [ -z "$line" ]; then
				log "$w: $v, $st, $(offload_label "$of"): repetition $r failed"
				continue
			fi
			log "$w: $v, $st, $(offload_label "$of"): rep $r/$REPS: $(echo "$line" | cut -d' ' -f1) $unit"
			echo "$w,$v,$st,$of,$r,$(echo "$line" | awk '{print $1","$2","$3","$4","$5}')" >>"$OUT/${w}_raw.csv"
		done
	done
	for spec in "$@"; do
		IFS='|' read -r v st of unit srv cli <<<"$spec"
		if [ -n "${bad[$spec]:-}" ]; then
			cp "$WORK/srv.log" "$OUT/$w-server.log" 2>/dev/null
			pending "$w" "$v" "$st" "server did not start (see $w-server.log)"
		else
			summarize "$w" "$v" "$st" "$of" "$unit"
		fi
	done
}

# ---------------------------------------------------------------- CPU use
# cpu_snap: busy and total jiffies of the server CPU, then of the client CPU
# (/proc/stat: busy = user nice system irq softirq; total adds idle, iowait,
# steal). They count everything on those CPUs, other programs included.
cpu_snap() {
	awk -v s="cpu$SCPU" -v c="cpu$CCPU" '$1 == s { sb = $2+$3+$4+$7+$8; st = sb+$5+$6+$9 }
		$1 == c { cb = $2+$3+$4+$7+$8; ct = cb+$5+$6+$9 }
		END { print sb, st, cb, ct }' /proc/stat
}
# srv_ticks: utime+stime of the server process and its children (nginx's
# worker), clock ticks
srv_ticks() {
	local p t=0 pid
	pid=$(cat "$WORK/srv.pid" 2>/dev/null) || { echo 0; return; }
	for p in "$pid" $(pgrep -P "$pid" 2>/dev/null); do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
# cpu_row W V ST OF REP SNAP0 SNAP1 TICKS0 TICKS1 VALUE UNIT: one row of
# $OUT/W_cpu.csv: server CPU busy %, client CPU busy %, server process %
# (of one CPU, over the same window), and the server's CPU per unit of work:
# us per transaction/request/round trip, or ms per GB for Gbit/s
cpu_row() {
	[ -s "$OUT/$1_cpu.csv" ] ||
		echo "workload,variant,stack,offload,rep,srv_cpu_pct,cli_cpu_pct,srv_proc_pct,srv_cpu_per_op,srv_proc_per_op,per" >"$OUT/$1_cpu.csv"
	echo "$6 $7 $8 $9 ${10} ${11}" | awk -v pre="$1,$2,$3,$4,$5" '{
		sb = $5 - $1; st = $6 - $2; cb = $7 - $3; ct = $8 - $4
		if (st <= 0 || ct <= 0 || $11 <= 0) exit
		s = sb / st; c = cb / ct; p = ($10 - $9) / st
		if ($12 == "Gbit/s") { k = 1000 / ($11 / 8); per = "ms/GB" } else { k = 1e6 / $11; per = "us/op" }
		printf "%s,%.1f,%.1f,%.1f,%.2f,%.2f,%s\n", pre, 100 * s, 100 * c, 100 * p, s * k, p * k, per
	}' >>"$OUT/$1_cpu.csv"
}

# warm-up length for a client's repetition argument
warm_secs() {
	case $1 in
	warm) echo "$WARM" ;;
	rewarm) echo "$CWARM" ;;
	*) echo "$DUR" ;;
	esac
}

srv_nginx() { nginx_server && http_shape "nginx ($CUR)"; }
srv_httpd() { axip_server "$1" 8080 "${@:2}" && http_shape "axip-httpd ($CUR)"; }

wl_rpc() {
	local of n bin specs=()
	for n in 1 32; do
		for of in default txoff gro+bp; do
			specs+=("${n} conn|kernel|$of|tps|kernel_rpc_server|rpc_client $n 1")
		done
		if bin=$(axip_bin axip-tcp-echo); then
			specs+=("${n} conn|kernel-client/axip-server|txoff|tps|axip_server $bin 6201|rpc_client $n 1")
			specs+=("${n} conn|kernel-client/axip-server busy-poll|txoff|tps|axip_server $bin 6201 --busy-poll|rpc_client $n 1")
			if AXRPC=$(axip_bin axip-rpc); then
				[ "$n" = 1 ] &&
					specs+=("${n} conn|axip --poll-us 0|txoff|tps|axip_server $bin 6201 --poll-us 0|axip_rpc_client --poll-us=0 $n 1")
				specs+=("${n} conn|axip|txoff|tps|axip_server $bin 6201|axip_rpc_client - $n 1")
				specs+=("${n} conn|axip busy-poll|txoff|tps|axip_server $bin 6201 --busy-poll|axip_rpc_client --busy-poll $n 1")
			fi
		fi
	done
	run_matrix rpc "${specs[@]}"
	if ! axip_bin axip-tcp-echo >/dev/null; then
		for n in 1 32; do pending rpc "${n} conn" kernel-client/axip-server "axip: not built yet"; done
	fi
	if ! axip_bin axip-tcp-echo >/dev/null || ! axip_bin axip-rpc >/dev/null; then
		for n in 1 32; do pending rpc "${n} conn" axip "axip: not built yet (axip-tcp-echo and bench/axip-rpc)"; done
	fi
}

# rpc6/http6: the kernel and axip over IPv6, the same clients
wl_rpc6() {
	local of n bin specs=()
	for n in 1 32; do
		for of in default txoff; do
			specs+=("${n} conn|kernel|$of|tps|kernel_rpc_server|rpc_client $n 1")
		done
		bin=$(axip_bin axip-tcp-echo) &&
			specs+=("${n} conn|kernel-client/axip-server|txoff|tps|axip_server $bin 6201|rpc_client $n 1")
	done
	HOST_S=$ADDR6_S
	run_matrix rpc6 "${specs[@]}"
	HOST_S=$ADDR_S
}

wl_http6() {
	local of n bin specs=()
	CUR=http6
	for n in 1 32; do
		for of in default txoff; do
			specs+=("${n} conn|kernel|$of|req/s|srv_nginx|wrk_client $n 0")
		done
		bin=$(axip_bin axip-httpd) &&
			specs+=("${n} conn|axip|txoff|req/s|srv_httpd $bin|wrk_client $n 0")
	done
	URLHOST_S="[$ADDR6_S]"
	run_matrix http6 "${specs[@]}"
	URLHOST_S=$ADDR_S
}

wl_http() { # wl_http: keep-alive; wl_http close: connection rate
	local w=http close=0 of n conns="1 32" bin specs=()
	if [ "${1:-}" = close ]; then
		w=connrate close=1 conns=32
	fi
	CUR=$w
	for n in $conns; do
		for of in default txoff; do
			specs+=("${n} conn|kernel|$of|req/s|srv_nginx|wrk_client $n $close")
		done
		[ "$close" = 0 ] && specs+=("${n} conn|kernel|gro+bp|req/s|srv_nginx|wrk_client $n $close")
		if bin=$(axip_bin axip-httpd); then
			specs+=("${n} conn|axip|txoff|req/s|srv_httpd $bin|wrk_client $n $close")
			[ "$close" = 0 ] &&
				specs+=("${n} conn|axip busy-poll|txoff|req/s|srv_httpd $bin --busy-poll|wrk_client $n $close")
		fi
	done
	run_matrix "$w" "${specs[@]}"
	if ! axip_bin axip-httpd >/dev/null; then
		for n in $conns; do pending "$w" "${n} conn" axip "axip: not built yet"; done
	fi
}

# ---------------------------------------------------------------- apps
# redis_client PIPELINE REP: redis-benchmark GET, 50 connections: requests/s
# and latency percentiles, for about DUR seconds (the request count comes
# from the rate the run before measured, kept in $WORK/redis_rate.PIPELINE
# because clients run in a subshell)
redis_client() {
	local n out rps p50 p99 d rate
	d=$(warm_secs "$2")
	rate=$(cat "$WORK/redis_rate.$1" 2>/dev/null || echo $((20000 * $1)))
	n=$(awk -v r="$rate" -v d="$d" 'BEGIN { n = int(r * d); if (n < 1000) n = 1000; print n }')
	out=$(in_c taskset -c "$CCPU" timeout 120 redis-benchmark -h "$ADDR_S" -p 6379 -c 50 -n "$n" \
		-P "$1" -t get --csv 2>>"$WORK/client.log") || return 0
	# "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
	rps=$(echo "$out" | awk -F'"' '$2 == "GET" { print $4 }')
	p50=$(echo "$out" | awk -F'"' '$2 == "GET" { printf "%.1f", $10 * 1000 }')
	p99=$(echo "$out" | awk -F'"' '$2 == "GET" { printf "%.1f", $14 * 1000 }')
	[ -n "$rps" ] || return 0
	echo "${rps%.*}" >"$WORK/redis_rate.$1"
	echo "$rps $p50 $p99 - -"
}

REDIS_ARGS=(--port 6379 --save "" --appendonly no --protected-mode no --daemonize no)
srv_redis() { start_bg srv "$NSS" "$SCPU" redis-server "${REDIS_ARGS[@]}" && wait_listen tcp 6379; }
srv_redis_axip() {
	start_bg srv "$NSS" "$SCPU" "$AXRUN" --ifname "$IF_S" --verbose -- redis-server "${REDIS_ARGS[@]}" &&
		wait_attached srv
}
# the same with the shim of --apps-base
srv_redis_axip_base() { AXIP_PRELOAD_LIB=$APPS_BASE srv_redis_axip; }

# nginx in one process (the shim serves a forked worker only with --queues)
apps_nginx_conf() {
	local d=$WORK/nginx-apps
	mkdir -p "$d"
	chmod 755 "$d"
	nginx_conf "$d" 8192 <<EOF
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    default_type text/plain;
    server {
        listen $ADDR_S:8080 backlog=4096;
        listen [$ADDR6_S]:8080 backlog=4096;
        location / { return 200 "ok"; }
    }
EOF
	echo "$d"
}
srv_nginx1() {
	local d
	d=$(apps_nginx_conf)
	start_bg srv "$NSS" "$SCPU" nginx -g "master_process off;" -e "$d/error.log" -c "$d/nginx.conf" -p "$d" &&
		wait_listen tcp 8080
}
srv_nginx1_axip() {
	local d
	d=$(apps_nginx_conf)
	start_bg srv "$NSS" "$SCPU" "$AXRUN" --ifname "$IF_S" --verbose -- nginx -g "master_process off;" \
		-e "$d/error.log" -c "$d/nginx.conf" -p "$d" && wait_attached srv
}
srv_nginx1_axip_base() { AXIP_PRELOAD_LIB=$APPS_BASE srv_nginx1_axip; }

wl_apps() {
	local p v specs=() redis=1
	AXRUN=$BUILD/preload/axip-run
	command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null || redis=0
	if [ $redis = 1 ]; then
		for p in 1 16; do
			specs+=("redis -P $p|kernel|default|req/s|srv_redis|redis_client $p"
				"redis -P $p|kernel|txoff|req/s|srv_redis|redis_client $p")
			[ -x "$AXRUN" ] && specs+=("redis -P $p|axip-run|txoff|req/s|srv_redis_axip|redis_client $p")
			[ -x "$AXRUN" ] && [ -n "$APPS_BASE" ] &&
				specs+=("redis -P $p|axip-run-base|txoff|req/s|srv_redis_axip_base|redis_client $p")
		done
	fi
	for p in 0 1; do
		v="nginx keep-alive"
		[ $p = 1 ] && v="nginx close"
		specs+=("$v|kernel|default|req/s|srv_nginx1|wrk_client 32 $p"
			"$v|kernel|txoff|req/s|srv_nginx1|wrk_client 32 $p")
		[ -x "$AXRUN" ] && specs+=("$v|axip-run|txoff|req/s|srv_nginx1_axip|wrk_client 32 $p")
		[ -x "$AXRUN" ] && [ -n "$APPS_BASE" ] &&
			specs+=("$v|axip-run-base|txoff|req/s|srv_nginx1_axip_base|wrk_client 32 $p")
	done
	run_matrix apps "${specs[@]}"
	[ $redis = 1 ] || pending apps redis kernel "redis-server or redis-benchmark not installed (Debian: redis-server, redis-tools)"
	[ -x "$AXRUN" ] || pending apps all axip-run "axip: not built yet (preload/axip-run)"
}

# bulk: iperf3 kernel <-> kernel, and one HTTP GET of BULK_BYTES for every
# sender/receiver pairing (nginx or axip-httpd sends; curl or axip-http-get
# receives)
wl_bulk() {
	local httpd= get= specs=()
	specs=("iperf3|kernel|default|Gbit/s|iperf_server|iperf_client"
		"iperf3|kernel|txoff|Gbit/s|iperf_server|iperf_client"
		"HTTP GET|kernel|default|Gbit/s|nginx_server|get_client curl /files/big"
		"HTTP GET|kernel|txoff|Gbit/s|nginx_server|get_client curl /files/big")
	httpd=$(axip_bin axip-httpd)
	AXGET=$(axip_bin axip-http-get)
	[ -n "$httpd" ] &&
		specs+=("HTTP GET|axip-sender/kernel-receiver|txoff|Gbit/s|axip_server $httpd 8080|get_client curl /bytes/$BULK_BYTES")
	[ -n "$AXGET" ] &&
		specs+=("HTTP GET|kernel-sender/axip-receiver|txoff2|Gbit/s|nginx_server|get_client axip /files/big")
	[ -n "$httpd" ] && [ -n "$AXGET" ] &&
		specs+=("HTTP GET|axip|txoff|Gbit/s|axip_server $httpd 8080|get_client axip /bytes/$BULK_BYTES")
	run_matrix bulk "${specs[@]}"
	[ -n "$httpd" ] || pending bulk "HTTP GET" axip-sender/kernel-receiver "axip: not built yet (axip-httpd)"
	[ -n "$AXGET" ] || pending bulk "HTTP GET" kernel-sender/axip-receiver "axip: not built yet (axip-http-get)"
	[ -n "$httpd" ] && [ -n "$AXGET" ] || pending bulk "HTTP GET" axip "axip: not built yet (axip-httpd, axip-http-get)"
}

wl_udp() {
	local of d bin specs=()
	for d in 1 32; do
		for of in default txoff gro+bp; do
			specs+=("${d} in flight|kernel|$of|rt/s|kernel_udp_server|udp_client $d")
		done
		if bin=$(axip_bin axip-udp-echo); then
			specs+=("${d} in flight|kernel-client/axip-server|txoff|rt/s|axip_server $bin 7|udp_client $d")
			if AXUDP=$(axip_bin axip-udp-rr); then
				specs+=("${d} in flight|axip|txoff|rt/s|axip_server $bin 7|axip_udp_client - $d")
				specs+=("${d} in flight|axip busy-poll|txoff|rt/s|axip_server $bin 7 --busy-poll|axip_udp_client --busy-poll $d")
			fi
		fi
	done
	run_matrix udp "${specs[@]}"
	# full-size frames (1472-byte payload: 1514-byte frames at MTU 1500), 32
	# in flight: each side's CPU sends one frame per round trip, so rt/s is
	# the frames/s ceiling of one direction that the bulk rows compare with
	specs=("32 in flight 1472 B|kernel|default|rt/s|kernel_udp_server|udp_client 32")
	bin=$(axip_bin axip-udp-echo) && AXUDP=$(axip_bin axip-udp-rr) &&
		specs+=("32 in flight 1472 B|axip|txoff|rt/s|axip_server $bin 7|axip_udp_client - 32")
	UDP_SIZE=1472
	run_matrix udp "${specs[@]}"
	UDP_SIZE=64
	if ! axip_bin axip-udp-echo >/dev/null; then
		for d in 1 32; do pending udp "${d} in flight" kernel-client/axip-server "axip: not built yet"; done
	fi
	if ! axip_bin axip-udp-echo >/dev/null || ! axip_bin axip-udp-rr >/dev/null; then
		for d in 1 32; do pending udp "${d} in flight" axip "axip: not built yet (axip-udp-echo and bench/axip-udp-rr)"; done
	fi
}

# scaling: k = 1..SCALE_MAX server cores (CPUs 0..k-1; the client gets the
# other CPUs, or all of them when none is left), 32 connections per core
wl_scaling() {
	local k scpus ccpus nc echo_bin= ncpu
	ncpu=$(nproc)
	for k in $(seq 1 "$SCALE_MAX"); do
		# k queues per end: axip serves queues 0..k-1, and a flow that landed
		# on a queue without an axip worker would reach the kernel instead
		link_setup "$k"
		offload txoff
		scpus=$(seq -s, 0 $((k - 1)))
		if [ "$k" -lt "$ncpu" ]; then ccpus=$(seq -s, "$k" $((ncpu - 1))); else ccpus=$(seq -s, 0 $((ncpu - 1))); fi
		nc=$(echo "$ccpus" | tr ',' '\n' | grep -c .)
		start_bg srv "$NSS" "$scpus" "$RPC" server --port 6201 --threads "$k" --cpus "$scpus" &&
			wait_listen tcp 6201 || { log "kernel rpc server did not start"; return; }
		measure scaling "${k} core" kernel txoff tps scale_client $((32 * k)) "$nc" "$ccpus"
		stop_bg srv
		if echo_bin=$(axip_bin axip-tcp-echo) &&
			start_bg srv "$NSS" "$scpus" "$echo_bin" --ifname "$IF_S" --port 6201 --queues "$k" \
				--cores "$scpus" && wait_attached srv; then
			measure scaling "${k} core" kernel-client/axip-server txoff tps scale_client $((32 * k)) "$nc" "$ccpus"
			stop_bg srv
		else
			stop_bg srv
			pending scaling "${k} core" kernel-client/axip-server "$(axip_why "$echo_bin" scaling)"
		fi
	done
	link_setup 1
}

scale_client() { # scale_client CONNS THREADS CPUS REP
	local d line
	[ "$4" = rewarm ] && return 0 # its own --warmup covers a restarted server
	d=$(warm_secs "$4")
	line=$(in_c taskset -c "$3" "$RPC" client --host "$ADDR_S" --port 6201 --conns "$1" \
		--threads "$2" --cpus "$3" --duration "$d" --warmup "$CWARM" 2>>"$WORK/client.log") || return 0
	echo "$(kv tps "$line") $(kv p50_us "$line") $(kv p99_us "$line") $(kv p999_us "$line") -"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }

# idle: the axip process and a kernel rpc server, both idle, sampled over
# the same windows; CPU milliseconds per window
wl_idle() {
	local bin name r a0 a1 k0 k1 hz apid kpid
	hz=$(getconf CLK_TCK)
	raw_header idle
	sum_header idle
	start_bg idlek "$NSS" "$SCPU" "$RPC" server --port 6202 || return
	kpid=$(cat "$WORK/idlek.pid")
	if bin=$(axip_bin axip-tcp-echo) || bin=$(axip_bin axip-udp-echo); then
		name=$(basename "$bin")
		offload txoff
		axip_server "$bin" 6201 || bin=
	fi
	apid=
	[ -n "$bin" ] && apid=$(cat "$WORK/srv.pid")
	sleep 1
	for r in $(seq "$REPS"); do
		log "idle: window $r/$REPS (${IDLE_S} s)"
		k0=$(cpu_ticks "$kpid")
		[ -n "$apid" ] && a0=$(cpu_ticks "$apid")
		sleep "$IDLE_S"
		k1=$(cpu_ticks "$kpid")
		echo "idle,${IDLE_S} s,kernel,default,$r,$(((k1 - k0) * 1000 / hz)),,,,rpc server" >>"$OUT/idle_raw.csv"
		if [ -n "$apid" ]; then
			a1=$(cpu_ticks "$apid")
			echo "idle,${IDLE_S} s,axip,txoff,$r,$(((a1 - a0) * 1000 / hz)),,,,$name" >>"$OUT/idle_raw.csv"
		fi
	done
	summarize idle "${IDLE_S} s" kernel default "CPU ms"
	if [ -n "$apid" ]; then
		summarize idle "${IDLE_S} s" axip txoff "CPU ms"
		stop_bg srv
	else
		pending idle "${IDLE_S} s" axip "axip: not built yet"
	fi
	stop_bg idlek
}

# ---------------------------------------------------------------- tables
title_of() {
	case $1 in
	rpc) echo "TCP request/response, 64-byte messages, ping-pong (transactions/s)" ;;
	http) echo "HTTP/1.1 keep-alive, 2-byte body, wrk (requests/s)" ;;
	connrate) echo "Connection rate: wrk -H 'Connection: close' (connections/s)" ;;
	bulk) echo "Bulk, one TCP connection: iperf3, and one 1 GB HTTP GET (Gbit/s)" ;;
	udp) echo "UDP echo, 64-byte payload: the AF_XDP ceiling (round trips/s)" ;;
	rpc6) echo "TCP request/response over IPv6, 64-byte messages, ping-pong (transactions/s)" ;;
	http6) echo "HTTP/1.1 keep-alive over IPv6, 2-byte body, wrk (requests/s)" ;;
	apps) echo "Unmodified programs, kernel vs axip-run: redis-benchmark GET and wrk on nginx (requests/s)" ;;
	scaling) echo "RPC scaling over server cores, 32 connections per core (transactions/s)" ;;
	idle) echo "Idle cost: CPU time of an idle server process (ms per window)" ;;
	esac
}

print_table() {
	local w=$1
	[ -s "$OUT/$w.csv" ] || return 0
	echo
	echo "== $w: $(title_of "$w") =="
	awk -F, 'NR > 1 {
		of = $4 == "txoff" ? "tx off" : $4 == "txoff2" ? "tx off 2" : $4 == "default" || $4 == "gro+bp" ? $4 : "-"
		if ($6 == 0) {
			printf "%-12s %-36s %-8s %s\n", $2, $3, of, $14
			next
		}
		spread = sprintf("%s..%s", $8, $9)
		lat = $10 == "" ? "" : sprintf("%8s %8s %8s", $10, $11, $12)
		printf "%-12s %-36s %-8s %12s %-25s %-8s %s\n", $2, $3, of, $7, spread, ($13 == "" ? "-" : $13 "x"), lat
	}
	BEGIN {
		printf "%-12s %-36s %-8s %12s %-25s %-8s %8s %8s %8s\n", "variant", "stack", "offload", "median", "min..max", "vs kern", "p50 us", "p99 us", "p99.9 us"
	}' "$OUT/$w.csv"
}

# print_md WORKLOAD: the same table in Markdown (for docs/benchmarks.md)
print_md() {
	local w=$1
	[ -s "$OUT/$w.csv" ] || return 0
	echo
	echo "**$w** — $(title_of "$w")"
	echo
	echo "| variant | stack | offload | median | min..max | vs kernel | p50 µs | p99 µs | p99.9 µs |"
	echo "|---|---|---|--:|--:|--:|--:|--:|--:|"
	awk -F, 'NR > 1 {
		of = $4 == "txoff" ? "tx off" : $4 == "txoff2" ? "tx off 2" : $4 == "default" || $4 == "gro+bp" ? $4 : "–"
		if ($6 == 0) {
			printf "| %s | %s | %s | %s | | | | | |\n", $2, $3, of, $14
			next
		}
		printf "| %s | %s | %s | %s | %s..%s | %s | %s | %s | %s |\n", $2, $3, of, $7, $8, $9,
			($13 == "" ? "–" : $13 "x"), ($10 == "" || $10 == "-" ? "–" : $10),
			($11 == "" || $11 == "-" ? "–" : $11), ($12 == "" || $12 == "-" ? "–" : $12)
	}' "$OUT/$w.csv"
}

# cpu_summary WORKLOAD: per configuration, medians over the repetitions of
# $OUT/WORKLOAD_cpu.csv and the side that bounded the run: a side whose CPU
# was at least 90 % busy (a busy-polling axip side is always busy: it is not
# counted as the bound), "neither" when both had room (latency-bound)
cpu_summary() {
	awk -F, 'function med(key, n, i, j, t, a) {
			n = split(vals[key], a, " ")
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
			return a[int((n + 1) / 2)]
		}
		NR > 1 {
			k = $2 "," $3 "," $4
			if (!(k in seen)) { seen[k] = 1; order[++n] = k }
			for (f = 6; f <= 10; f++) vals[k SUBSEP f] = vals[k SUBSEP f] " " $f
			per[k] = $11
		}
		END {
			for (i = 1; i <= n; i++) {
				k = order[i]; split(k, p, ",")
				s = med(k SUBSEP 6); c = med(k SUBSEP 7)
				spin_s = p[2] ~ /busy-poll/
				spin_c = p[2] ~ /^axip busy-poll/ && w != "http"
				bs = s >= 90 && !spin_s; bc = c >= 90 && !spin_c
				b = bs && bc ? "both" : bs ? "server" : bc ? "client" : "neither"
				print k "," s "," c "," med(k SUBSEP 8) "," med(k SUBSEP 9) "," med(k SUBSEP 10) "," per[k] "," b
			}
		}' w="$1" "$OUT/$1_cpu.csv"
}

print_cpu() {
	local w=$1
	[ -s "$OUT/${w}_cpu.csv" ] || return 0
	echo
	echo "-- $w: CPU (server CPU $SCPU, client CPU $CCPU; busy % of each CPU over the run, all programs on it)"
	printf '%-12s %-38s %-8s %7s %7s %8s %12s %12s %s\n' variant stack offload "srv %" "cli %" "srvproc%" \
		"srv CPU/op" "proc CPU/op" bound
	cpu_summary "$w" | awk -F, '{ printf "%-12s %-38s %-8s %7s %7s %8s %12s %12s %s\n",
		$1, $2, ($3 == "txoff" ? "tx off" : $3 == "txoff2" ? "tx off 2" : $3), $4, $5, $6, $7 " " $9, $8 " " $9, $10 }'
}

print_cpu_md() {
	local w=$1
	[ -s "$OUT/${w}_cpu.csv" ] || return 0
	echo
	echo "*$w, CPU* — busy % of the server CPU and the client CPU over the run (everything on them), the server processes' own share, the server's CPU per unit of work from each, and the side that bounded the run"
	echo
	echo "| variant | stack | offload | server CPU % | client CPU % | server process % | server CPU per op | server process per op | bound |"
	echo "|---|---|---|--:|--:|--:|--:|--:|---|"
	cpu_summary "$w" | awk -F, '{ printf "| %s | %s | %s | %s | %s | %s | %s %s | %s %s | %s |\n",
		$1, $2, ($3 == "txoff" ? "tx off" : $3 == "txoff2" ? "tx off 2" : $3), $4, $5, $6, $7, $9, $8, $9, $10 }'
}

# ---------------------------------------------------------------- main
log "namespaces $NSS/$NSC, veth $IF_S/$IF_C, $ADDR_S <- $ADDR_C; server CPU $SCPU, client CPU $CCPU"
log "reps $REPS x ${DUR}s (warm-up ${WARM}s); output $OUT"
link_setup 1
{
	echo "date: $(date -Iseconds)"
	echo "command: bench/run.sh $ARGS"
	echo "kernel: $(uname -srm)"
	echo "cpu: $(lscpu | sed -n 's/^Model name: *//p') x $(nproc)"
	echo "reps: $REPS, duration: ${DUR}s, warm-up: ${WARM}s, server CPU $SCPU, client CPU $CCPU"
	echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.txt"
LOAD1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 4) }'; then
	log "warning: load average $LOAD1 on $(nproc) CPUs: other work is running, results will be noisy"
fi
for w in $ALL_WORKLOADS; do
	case " $ONLY " in *" $w "*) ;; *) continue ;; esac
	rm -f "$OUT/$w.csv" "$OUT/${w}_raw.csv" "$OUT/${w}_cpu.csv"
	case $w in
	connrate) wl_http close ;;
	*) "wl_$w" ;;
	esac
	mkdir -p "$OUT/logs" && cp "$WORK"/*.log "$OUT/logs/" 2>/dev/null
	{ print_table "$w"; print_cpu "$w"; } | tee -a "$OUT/tables.txt"
	{ print_md "$w"; print_cpu_md "$w"; } >>"$OUT/tables.md"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
log "done in $(($(date +%s) - T0)) s; results in $OUT (charts: bench/plot.sh $OUT)"
