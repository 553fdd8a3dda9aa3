#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/scaling-device.sh - the multi-core RPC scaling sweep, self-contained,
# for a many-core Linux machine that has no packages installed (no iproute2,
# no libxdp): kernel SO_REUSEPORT threads (bench/rpc server) against axip
# workers (axip-tcp-echo --queues N) on an N-queue veth, 1, 2, 4, 8 server
# cores, 32 connections per server core from bench/rpc client threads on
# other cores. Its table is printed last. See docs/benchmarks.md.
#
# Here (a build machine with the packages), make the bundle:
#     bench/scaling-device.sh bundle DIR [BUILD]     (BUILD default build-bench)
# DIR then holds this script, bench/rpc and axip-tcp-echo, the shared
# libraries they and iproute2's `ip` need, with the dynamic loader (a fully
# static build is not possible from Debian's packages: there is no
# libmnl.a), and `ip`. Every program runs through DIR/lib's loader with
# --library-path DIR/lib, so nothing on the target is used but the kernel,
# bash and coreutils (sleep, sort, seq, mktemp).
# There, as root:
#     DIR/scaling-device.sh run [--cores "1 2 4 8"] [--reps 3] [--duration 5]
#                               [--client-cpus LIST] [--out FILE]
# Each point: a fresh veth pair with N queues per end, the server on CPUs
# 0..N-1, the client on --client-cpus (default: CPUs 8..15 when there are at
# least 16, else the CPUs after the largest N, else all of them). Median of
# --reps runs. With the defaults (4 points x 2 stacks x 3 reps x (5 s + 1 s
# warm-up + start)) it takes about 4 minutes.
set -u
set -o pipefail

usage() { sed -n '3,27p' "$0" | sed 's/^# \{0,1\}//'; }

bundle() {
	local dir=${1:?usage: scaling-device.sh bundle DIR [BUILD]} build root b lib
	root=$(cd "$(dirname "$0")/.." && pwd)
	build=$(cd "${2:-$root/build-bench}" && pwd) || exit 1
	mkdir -p "$dir/lib" || exit 1
	for b in "$build/bench/rpc" "$build/examples/axip-tcp-echo" "$(command -v ip)"; do
		[ -x "$b" ] || { echo "scaling-device.sh: $b missing (build it first)" >&2; exit 1; }
		cp "$b" "$dir/" || exit 1
		for lib in $(ldd "$b" | awk '/=>/ {print $3}'); do cp -L "$lib" "$dir/lib/"; done
	done
	cp -L /lib64/ld-linux-x86-64.so.2 "$dir/lib/" || exit 1
	cp "$0" "$dir/scaling-device.sh" && chmod +x "$dir/scaling-device.sh"
	echo "bundle ready in $dir ($(du -sh "$dir" | cut -f1)): run '$dir/scaling-device.sh run' there"
}

[ $# -ge 1 ] || { usage; exit 2; }
case $1 in
bundle) shift; bundle "$@"; exit ;;
run) shift ;;
-h | --help) usage; exit 0 ;;
*) echo "scaling-device.sh: unknown command '$1' (bundle or run; see --help)" >&2; exit 2 ;;
esac

CORES="1 2 4 8" REPS=3 DUR=5 CCPUS= OUTF=
while [ $# -gt 0 ]; do
	case $1 in
	--cores) CORES=${2:?}; shift ;;
	--reps) REPS=${2:?}; shift ;;
	--duration) DUR=${2:?}; shift ;;
	--client-cpus) CCPUS=${2:?}; shift ;;
	--out) OUTF=${2:?}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "scaling-device.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "scaling-device.sh: needs root" >&2; exit 3; }
D=$(cd "$(dirname "$0")" && pwd)
LD=$D/lib/ld-linux-x86-64.so.2
run_b() { local b=$1; shift; "$LD" --library-path "$D/lib" "$D/$b" "$@"; }
IP() { run_b ip "$@"; }
for b in rpc axip-tcp-echo ip; do
	[ -x "$D/$b" ] || { echo "scaling-device.sh: $D/$b missing: make the bundle (see --help)" >&2; exit 1; }
done
NCPU=$(nproc)
MAXK=1
for k in $CORES; do [ "$k" -gt "$MAXK" ] && MAXK=$k; done
if [ -z "$CCPUS" ]; then
	if [ "$NCPU" -ge 16 ]; then CCPUS=8-15
	elif [ "$NCPU" -gt "$MAXK" ]; then CCPUS=$MAXK-$((NCPU - 1))
	else CCPUS=0-$((NCPU - 1)); fi
fi
# expand "a-b,c" into a comma list
CLIST=$(echo "$CCPUS" | tr ',' '\n' | while IFS=- read -r a b; do seq "$a" "${b:-$a}"; done | paste -sd, -)
NCT=$(echo "$CLIST" | tr ',' '\n' | grep -c .)
NSS=axsd$$s NSC=axsd$$c IFS_=axsd$$s0 IFC=axsd$$c0 AS=10.251.0.1 AC=10.251.0.2
WORK=$(mktemp -d /tmp/axip-scaling.XXXXXX)
RES=$WORK/results.txt
T0=$(date +%s)
log() { printf '[%4ds] %s\n' $(($(date +%s) - T0)) "$*" >&2; }

SRV_PID=
stop_srv() {
	[ -n "$SRV_PID" ] || return 0
	kill -TERM "$SRV_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	SRV_PID=
}
cleanup() {
	stop_srv
	IP netns del "$NSS" 2>/dev/null
	IP netns del "$NSC" 2>/dev/null
	[ -n "$OUTF" ] && cp "$RES" "$OUTF" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

link_setup() { # link_setup QUEUES
	IP netns del "$NSS" 2>/dev/null
	IP netns del "$NSC" 2>/dev/null
	IP netns add "$NSS" && IP netns add "$NSC" &&
		IP link add "$IFS_" netns "$NSS" numrxqueues "$1" numtxqueues "$1" type veth \
			peer name "$IFC" netns "$NSC" numrxqueues "$1" numtxqueues "$1" &&
		IP -n "$NSS" addr add "$AS/24" dev "$IFS_" && IP -n "$NSC" addr add "$AC/24" dev "$IFC" &&
		IP -n "$NSS" link set lo up && IP -n "$NSC" link set lo up &&
		IP -n "$NSS" link set "$IFS_" up && IP -n "$NSC" link set "$IFC" up ||
		{ echo "scaling-device.sh: veth setup failed" >&2; exit 1; }
}

# start_srv kernel|axip K CPULIST: the server in $NSS, waits until it serves
start_srv() {
	local st=$1 k=$2 cpus=$3
	if [ "$st" = kernel ]; then
		IP netns exec "$NSS" "$LD" --library-path "$D/lib" "$D/rpc" server --port 6201 \
			--threads "$k" --cpus "$cpus" >"$WORK/srv.log" 2>&1 &
	else
		# --trusted-csum: the kernel client leaves TCP checksums partial on
		# veth, and there may be no ethtool here to turn that off
		IP netns exec "$NSS" "$LD" --library-path "$D/lib" "$D/axip-tcp-echo" --ifname "$IFS_" \
			--port 6201 --queues "$k" --cores "$cpus" --trusted-csum >"$WORK/srv.log" 2>&1 &
	fi
	SRV_PID=$!
	for _ in $(seq 100); do
		if [ "$st" = kernel ]; then
			grep -q ':1839 00000000:0000 0A' <(IP netns exec "$NSS" cat /proc/net/tcp 2>/dev/null) &&
				return 0
		else
			grep -q 'attached to' "$WORK/srv.log" && { sleep 0.3; return 0; }
		fi
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	log "$st server did not start: $(tail -n 3 "$WORK/srv.log" | tr '\n' ' ')"
	stop_srv
	return 1
}

client() { # client CONNS: one line "tps p50_us" or nothing
	local line
	line=$(IP netns exec "$NSC" "$LD" --library-path "$D/lib" "$D/rpc" client --host "$AS" \
		--port 6201 --conns "$1" --threads "$NCT" --cpus "$CLIST" --duration "$DUR" --warmup 1 \
		2>>"$WORK/client.log") || return 0
	line=" $line "
	local tps=${line#* tps=} p50=${line#* p50_us=}
	echo "${tps%% *} ${p50%% *}"
}

median() { sort -g | { mapfile -t a; [ "${#a[@]}" -gt 0 ] && echo "${a[$(((${#a[@]} - 1) / 2))]}"; }; }

log "$NCPU CPUs; server cores: $CORES; client CPUs $CLIST ($NCT threads); $REPS x ${DUR}s"
: >"$RES"
for k in $CORES; do
	if [ "$k" -gt "$NCPU" ]; then log "skipping $k cores: only $NCPU CPUs"; continue; fi
	link_setup "$k"
	IP netns exec "$NSC" ping -c1 -W2 "$AS" >/dev/null 2>&1 || true
	scpus=$(seq -s, 0 $((k - 1)))
	for r in $(seq "$REPS"); do
		for st in kernel axip; do
			start_srv "$st" "$k" "$scpus" || continue
			out=$(client $((32 * k)))
			stop_srv
			log "$k cores, $st, rep $r: ${out:-failed}"
			[ -n "$out" ] && echo "$k $st $out" >>"$RES"
		done
	done
done

echo
echo "RPC scaling, 64 B ping-pong, 32 connections per server core; client CPUs $CLIST"
echo "($(uname -r), $NCPU CPUs, $(date -u +%Y-%m-%dT%H:%MZ); median of $REPS x ${DUR}s)"
printf '%-6s %12s %12s %8s %10s %10s %9s %9s\n' cores "kernel tps" "axip tps" "axip/k" \
	"kern eff" "axip eff" "kern p50" "axip p50"
k1=0 a1=0
for k in $CORES; do
	kt=$(grep "^$k kernel " "$RES" | cut -d' ' -f3 | median)
	at=$(grep "^$k axip " "$RES" | cut -d' ' -f3 | median)
	kp=$(grep "^$k kernel " "$RES" | cut -d' ' -f4 | median)
	ap=$(grep "^$k axip " "$RES" | cut -d' ' -f4 | median)
	[ "$k" = 1 ] && { k1=${kt:-0}; a1=${at:-0}; }
	printf '%-6s %12s %12s %8s %10s %10s %9s %9s\n' "$k" "${kt:--}" "${at:--}" \
		"$(awk -v a="${at:-0}" -v b="${kt:-0}" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')" \
		"$(awk -v t="${kt:-0}" -v o="$k1" -v k="$k" 'BEGIN { if (o > 0) printf "%.2f", t / (o * k); else print "-" }')" \
		"$(awk -v t="${at:-0}" -v o="$a1" -v k="$k" 'BEGIN { if (o > 0) printf "%.2f", t / (o * k); else print "-" }')" \
		"${kp:--}" "${ap:--}"
done
echo "eff: tps / (1-core tps x cores), 1.00 = linear"
log "done"
