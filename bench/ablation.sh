#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/ablation.sh - the AF_XDP transmit features of axip switched on and off
# one at a time, next to kernel TCP (iperf3) on the same veth pair, in one run.
# Run as root from anywhere (needs a build with the examples and bench/):
#
#     bench/ablation.sh [--build DIR] [--mb N] [--reps N] [--quick]
#
# Tables (markdown) go to stdout, progress to stderr. Workloads, one TCP
# connection each, axip on CPU 1 and the kernel peer on CPU 0:
#  bulk      axip -> kernel: axip-httpd sends an N MiB file (default 1024),
#            curl receives it; kernel -> axip: axip-http-get fetches it from
#            nginx; kernel -> kernel: iperf3 for 3 s. Throughput in Gbit/s and
#            CPU cycles per payload byte of the sender (axip process, or the
#            iperf3 client: CPU time x the nominal clock from /proc/cpuinfo;
#            the VM exposes no cycle counter). For each MTU (1500, 9000):
#              copy       --tx-copy: the core copies payload into each frame
#                         (segments are cut to one UMEM frame's room)
#              sg         --tx-copy-max 0: every payload chained, zero copy
#              default    zero copy above the copy threshold
#              csum-meta  default + --tx-csum meta (TX metadata, partial sum)
#              csum-ksw   default + --tx-csum meta-sw (kernel software sum)
#  segsize   axip -> kernel bulk at MTU 576/1500/4000/9000 (segment payload
#            524..8948 bytes; copy cuts segments to one 4096-byte frame's
#            room), copy against sg: cycles per byte, --frame-size 4096.
# Every axip figure is the median of --reps runs (default 3, 1 with --quick).
#  small     ping-pong of B-byte messages (bench/rpc client, 64..1448 bytes)
#            against axip-tcp-echo, which echoes by reference (header frame +
#            view of the received frame): copy threshold 0 (chain) against
#            2048 (copy into the header frame); axip CPU per round trip.
set -u
set -o pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
MB=1024
QUICK=
REPS=3
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$(cd "$2" && pwd); shift 2 ;;
	--mb) MB=$2; shift 2 ;;
	--quick) QUICK=1; MB=128; REPS=1; shift ;;
	--reps) REPS=$2; shift 2 ;;
	-h|--help) sed -n 2,30p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench/ablation.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
for t in curl nginx iperf3 taskset python3; do
	command -v "$t" >/dev/null || { echo "bench/ablation.sh: '$t' not found" >&2; exit 3; }
done
for p in examples/axip-httpd examples/axip-http-get examples/axip-tcp-echo bench/rpc; do
	[ -x "$BUILD/$p" ] || { echo "bench/ablation.sh: $BUILD/$p not built" >&2; exit 3; }
done
export AXIP_BUILD_DIR=$BUILD AXT_TIMEOUT=600
. "$ROOT/test/net/lib.sh"
net_setup 1
MHZ=$(awk -F: '/cpu MHz/ { printf "%d", $2; exit }' /proc/cpuinfo)
HZ=$(getconf CLK_TCK)
SCPU=1 CCPU=0
log() { echo "ablation: $*" >&2; }

d=$WORK/nginx
big_file_both "$MB"
BYTES=$((MB * 1048576))
nginx_files_conf "$d" "$ADDR_B:8080" "$d/www" 64
start_in "$NSB" nginx taskset -c "$CCPU" nginx -e "$d/error.log" -c "$d/nginx.conf" -p "$d"
wait_listen "$NSB" 8080

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
set_mtu() {
	in_a ip link set "$IFA" mtu "$1" && in_b ip link set "$IFB" mtu "$1"
}

# tx MTU ARGS...: axip -> kernel; prints "gbit cycles_per_byte"
tx() {
	local pid t0 c0 t1 c1
	start_axip httpd taskset -c "$SCPU" "$BUILD/examples/axip-httpd" --ifname "$IFA" --port 80 \
		--docroot "$WORK/www" --cores "$SCPU" "$@"
	wait_attached httpd
	pid=$(cat "$WORK/httpd.pid")
	in_b taskset -c "$CCPU" curl -sS -o /dev/null "http://$ADDR_A/big.bin" # warm (page cache)
	c0=$(ticks "$pid")
	t0=$(date +%s.%N)
	in_b taskset -c "$CCPU" curl -sS -o /dev/null "http://$ADDR_A/big.bin" || log "curl failed"
	t1=$(date +%s.%N)
	c1=$(ticks "$pid")
	stop_axip httpd TERM
	awk -v a="$t0" -v b="$t1" -v c="$((c1 - c0))" -v hz="$HZ" -v mhz="$MHZ" -v n="$BYTES" \
		'BEGIN { printf "%.2f %.2f\n", n * 8 / (b - a) / 1e9, c / hz * mhz * 1e6 / n }'
}

# rx ARGS...: kernel -> axip (nginx sends); prints "gbit" (attach to exit)
rx() {
	local t0 t1
	t0=$(date +%s.%N)
	in_a timeout -s KILL 300 taskset -c "$SCPU" "$BUILD/examples/axip-http-get" --ifname "$IFA" \
		--cores "$SCPU" --url "http://$ADDR_B:8080/big.bin" --output /dev/null --timeout 200 "$@" \
		>"$WORK/get.log" 2>&1 || log "axip-http-get failed: $(tail -3 "$WORK/get.log")"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v n="$BYTES" 'BEGIN { printf "%.2f\n", n * 8 / (b - a) / 1e9 }'
}

# med CMD ARGS...: run CMD $REPS times, print the per-column median
med() {
	local i
	for i in $(seq "$REPS"); do "$@"; done | python3 -c '
import sys
rows = [l.split() for l in sys.stdin if l.strip()]
if not rows: sys.exit(0)
cols = list(zip(*rows))
def m(c):
    v = sorted(float(x) for x in c)
    return v[len(v) // 2]
print(" ".join("%.2f" % m(c) for c in cols))'
}

# iperf: kernel -> kernel on the same pair; prints "gbit cycles_per_byte"
iperf() {
	start_in "$NSA" iperf3s taskset -c "$SCPU" iperf3 -s -p 5201
	wait_listen "$NSA" 5201
	in_b taskset -c "$CCPU" iperf3 -c "$ADDR_A" -p 5201 -t 3 -J >"$WORK/iperf.json" 2>&1
	stop_axip iperf3s TERM
	python3 - "$WORK/iperf.json" "$MHZ" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
e = j["end"]["sum_sent"]
cpu = j["end"]["cpu_utilization_percent"]["host_total"] / 100.0
print("%.2f %.2f" % (e["bits_per_second"] / 1e9, cpu * e["seconds"] * float(sys.argv[2]) * 1e6 / e["bytes"]))
PY
}

declare -A CFG=(
	[copy]="--tx-copy"
	[sg]="--tx-copy-max 0"
	[default]=""
	[csum-meta]="--tx-csum meta"
	[csum-ksw]="--tx-csum meta-sw"
)
ORDER="copy sg default csum-meta csum-ksw"

echo "### Bulk, one connection, $MB MiB (axip on CPU $SCPU, kernel peer on CPU $CCPU, ${MHZ} MHz nominal)"
echo
echo "| MTU | configuration | axip -> kernel Gbit/s | cycles/byte (axip) | kernel -> axip Gbit/s |"
echo "|---|---|---|---|---|"
for mtu in 1500 9000; do
	set_mtu "$mtu"
	for c in $ORDER; do
		log "bulk mtu $mtu $c"
		# shellcheck disable=SC2086
		read -r g cpb < <(med tx ${CFG[$c]})
		# shellcheck disable=SC2086
		r=$(med rx ${CFG[$c]})
		echo "| $mtu | $c | $g | $cpb | $r |"
	done
	log "bulk mtu $mtu iperf3"
	read -r g cpb < <(iperf)
	echo "| $mtu | kernel TCP (iperf3 -> kernel) | $g | $cpb (iperf3 client) | |"
done
echo

echo "### Segment payload size, axip -> kernel, cycles per byte"
echo
echo "| MTU | segment payload | copy Gbit/s | copy cycles/byte | sg Gbit/s | sg cycles/byte |"
echo "|---|---|---|---|---|---|"
for mtu in 576 1500 4000 9000; do
	set_mtu "$mtu"
	log "segsize mtu $mtu"
	read -r gc cc < <(med tx --tx-copy --frame-size 4096)
	read -r gs cs < <(med tx --tx-copy-max 0 --frame-size 4096)
	echo "| $mtu | $((mtu - 52)) | $gc | $cc | $gs | $cs |"
done
echo
set_mtu 1500

echo "### Small messages: ping-pong against axip-tcp-echo, axip CPU per round trip"
echo
echo "| message bytes | threshold 0 (chain): rt/s | us CPU/rt | threshold 2048 (copy): rt/s | us CPU/rt |"
echo "|---|---|---|---|---|"
DUR=5
[ -n "$QUICK" ] && DUR=2
for b in 64 256 512 1024 1448; do
	row="| $b |"
	for thr in 0 2048; do
		log "small $b threshold $thr"
		start_axip echo taskset -c "$SCPU" "$BUILD/examples/axip-tcp-echo" --ifname "$IFA" --port 7 \
			--cores "$SCPU" --tx-copy-max "$thr"
		wait_attached echo
		pid=$(cat "$WORK/echo.pid")
		c0=$(ticks "$pid")
		out=$(in_b taskset -c "$CCPU" "$BUILD/bench/rpc" client --host "$ADDR_A" --port 7 \
			--size "$b" --duration "$DUR" --warmup 1 2>/dev/null)
		c1=$(ticks "$pid")
		stop_axip echo TERM
		n=$(echo "$out" | tr ' ' '\n' | awk -F= '$1 == "transactions" { print $2 }')
		tps=$(echo "$out" | tr ' ' '\n' | awk -F= '$1 == "tps" { print $2 }')
		us=$(awk -v c="$((c1 - c0))" -v hz="$HZ" -v n="${n:-0}" \
			'BEGIN { if (n > 0) printf "%.2f", c / hz * 1e6 / n; else print "-" }')
		row="$row ${tps:-0} | $us |"
	done
	echo "$row"
done
