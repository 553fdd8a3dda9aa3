#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/plot.sh DIR - charts from the summary CSVs that bench/run.sh wrote to
# DIR: for each workload W, DIR/W.png and DIR/W.svg (median with min..max
# error bars, one bar per measurement) and, where latencies were recorded,
# DIR/W_latency.png/.svg (median p50 and p99 in microseconds).
# Needs gnuplot (Debian: gnuplot-nox).
set -u
if [ $# -ne 1 ] || [ "$1" = --help ] || [ "$1" = -h ]; then
	echo "usage: bench/plot.sh RESULTS_DIR   (a directory written by bench/run.sh)"
	[ $# -eq 1 ] && [ "$1" != --help ] && [ "$1" != -h ] && exit 2
	[ $# -ne 1 ] && exit 2
	exit 0
fi
DIR=$1
command -v gnuplot >/dev/null || { echo "bench/plot.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 3; }
[ -d "$DIR" ] || { echo "bench/plot.sh: no directory $DIR" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

title_of() {
	case $1 in
	rpc) echo "TCP RPC, 64 B ping-pong" ;;
	http) echo "HTTP keep-alive, 2 B body (wrk)" ;;
	connrate) echo "Connection rate (wrk, Connection: close)" ;;
	bulk) echo "Bulk, one TCP connection (iperf3; HTTP GET)" ;;
	udp) echo "UDP echo, 64 B (AF_XDP ceiling)" ;;
	scaling) echo "RPC scaling over server cores" ;;
	idle) echo "Idle server process: CPU time per window" ;;
	*) echo "$1" ;;
	esac
}

n=0
for csv in "$DIR"/*.csv; do
	w=$(basename "$csv" .csv)
	case $w in *_raw) continue ;; esac
	# idx|label|median|min|max|color|p50|p99 for the rows that were measured
	awk -F, 'NR > 1 && $6 > 0 {
		of = $4 == "txoff" ? ", tx off" : ""
		c = $3 == "kernel" ? ($4 == "txoff" ? 2 : 1) : ($3 == "axip" ? 3 : 4)
		printf "%d|%s: %s%s|%s|%s|%s|%d|%s|%s\n", i++, $2, $3, of, $7, $8, $9, c, $10, $11
	}' "$csv" >"$TMP/$w.dat"
	[ -s "$TMP/$w.dat" ] || continue
	unit=$(awk -F, 'NR == 2 {print $5}' "$csv")
	rows=$(wc -l <"$TMP/$w.dat")
	width=$((400 + 110 * rows))
	[ "$width" -lt 640 ] && width=640
	for term in png svg; do
		if [ $term = png ]; then t="pngcairo size $width,520 font 'sans,10'"; else t="svg size $width,520 font 'sans,10'"; fi
		gnuplot <<EOF || exit 1
set terminal $t
set output "$DIR/$w.$term"
set datafile separator "|"
set title "$(title_of "$w") — median, min..max" noenhanced
set ylabel "$unit"
set yrange [0:*]
set style fill solid 0.7 border -1
set boxwidth 0.6
set xtics rotate by -25 left noenhanced
set key off
set grid ytics
set bmargin 9
set rmargin 14
set linetype 1 lc rgb "#4e79a7"
set linetype 2 lc rgb "#a0cbe8"
set linetype 3 lc rgb "#e15759"
set linetype 4 lc rgb "#f28e2b"
plot "$TMP/$w.dat" using 1:3:6:xtic(2) with boxes lc variable, \
     "" using 1:3:4:5 with yerrorbars lc rgb "black" pt 0
EOF
		if awk -F'|' '$7 != "" && $7 != "-" {f = 1} END {exit !f}' "$TMP/$w.dat"; then
			gnuplot <<EOF || exit 1
set terminal $t
set output "$DIR/${w}_latency.$term"
set datafile separator "|"
set title "$(title_of "$w") — latency (median of repetitions)" noenhanced
set ylabel "microseconds (log scale)"
set logscale y
set style fill solid 0.7 border -1
set boxwidth 0.35
set xtics rotate by -25 left noenhanced
set key top left
set grid ytics
set bmargin 9
set rmargin 14
plot "$TMP/$w.dat" using (\$1-0.18):7:xtic(2) with boxes lc rgb "#4e79a7" title "p50", \
     "" using (\$1+0.18):8 with boxes lc rgb "#e15759" title "p99"
EOF
		fi
	done
	n=$((n + 1))
	echo "bench/plot.sh: $DIR/$w.png, .svg" >&2
done
[ "$n" -gt 0 ] || { echo "bench/plot.sh: no measured rows in $DIR/*.csv" >&2; exit 1; }
