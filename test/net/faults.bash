# SPDX-License-Identifier: BSD-2-Clause
# test/net/faults.bash - link faults for the network tests (sourced after lib.sh).
#
# This kernel has no netem, so faults come from test/net/faults.bpf.c, a tc
# program compiled here with the rates asked for and attached (clsact) to the
# kernel-side veth end $IFB:
#   egress  of $IFB: frames from the kernel peer to axip
#   ingress of $IFB: frames from axip to the kernel peer
# Loss, duplication and corruption happen in the program itself; frames picked
# for reordering go through an ifb device ($IFB_R) whose token bucket holds
# them back while later frames overtake them.
#
#   fault_set DIR LOSS DUP CORRUPT REORDER
#       DIR is to_axip or from_axip; rates in percent of the IPv4 TCP/UDP
#       frames (decimals allowed, 0.01 steps). Replaces what DIR had.
#   fault_clear [DIR]           remove the faults of DIR (default both)
#   fault_stat DIR NAME         one counter: seen, dropped, duplicated,
#                               corrupted, reordered
#   fault_report                print the counters of both directions
#   kernel_tcp_stat NAME        a TcpExt/Tcp counter of the peer namespace
#                               (nstat -as), e.g. TcpInCsumErrors
#   axip_counter NAME LOG       the last value of an axip counter in a log

FAULT_SRC="$(dirname "${BASH_SOURCE[0]}")/faults.bpf.c"
IFB_R=${IFB}r
FAULT_RATE_TBF="rate 20mbit burst 3000 latency 40ms"
declare -A FAULT_PROG  # DIR -> program id of the "fault" filter
declare -A FAULT_RPROG # DIR -> program id of the "reorder" filter (own counters)

need_faults() {
	command -v clang >/dev/null || { echo "SKIP: clang not installed" >&2; exit 77; }
	command -v bpftool >/dev/null || { echo "SKIP: bpftool not installed" >&2; exit 77; }
	in_b tc qdisc add dev "$IFB" clsact 2>/dev/null || fail "tc qdisc clsact on $IFB"
	# one frame per skb at the hooks: no software segmentation behind them
	in_b ethtool -K "$IFB" gso off gro off >/dev/null 2>&1 || true
	# TCP builds GSO packets whatever the device says; one segment each
	in_b ip link set dev "$IFB" gso_max_segs 1 || fail "gso_max_segs on $IFB"
}

# percent -> units of 1/10000
fault_rate() {
	awk -v p="$1" 'BEGIN { if (p !~ /^[0-9]+(\.[0-9]+)?$/ || p > 100) exit 1; printf "%d", p * 100 + 0.5 }' ||
		fail "bad fault rate '$1'"
}

fault_hook() {
	case $1 in
	to_axip) echo egress ;;
	from_axip) echo ingress ;;
	*) fail "fault direction must be to_axip or from_axip, not '$1'" ;;
	esac
}

fault_set() {
	local dir=$1 hook obj loss dup corrupt reorder ingress=0
	hook=$(fault_hook "$dir")
	loss=$(fault_rate "$2")
	dup=$(fault_rate "$3")
	corrupt=$(fault_rate "$4")
	reorder=$(fault_rate "$5")
	[ "$hook" = ingress ] && ingress=1
	fault_clear "$dir"
	obj=$WORK/fault-$dir.o
	clang -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu \
		-DFAULT_LOSS="$loss" -DFAULT_DUP="$dup" -DFAULT_CORRUPT="$corrupt" \
		-DFAULT_REORDER="$reorder" -DFAULT_INGRESS=$ingress \
		-c "$FAULT_SRC" -o "$obj" || fail "compile $FAULT_SRC"
	in_b tc filter add dev "$IFB" "$hook" prio 1 bpf da obj "$obj" sec fault ||
		fail "attach the fault program ($dir)"
	if [ "$reorder" != 0 ]; then
		if ! in_b ip link show "$IFB_R" >/dev/null 2>&1; then
			in_b ip link add "$IFB_R" type ifb || fail "ip link add ifb"
			in_b ip link set "$IFB_R" up
			# shellcheck disable=SC2086 # word splitting intended
			in_b tc qdisc add dev "$IFB_R" root tbf $FAULT_RATE_TBF || fail "tbf on $IFB_R"
		fi
		in_b tc filter add dev "$IFB" "$hook" prio 2 bpf obj "$obj" sec reorder \
			action mirred egress redirect dev "$IFB_R" || fail "attach the reorder program ($dir)"
	fi
	FAULT_PROG[$dir]=$(fault_prog_id "$hook" 1)
	[ -n "${FAULT_PROG[$dir]}" ] || fail "no program id for the $dir faults"
	FAULT_RPROG[$dir]=
	[ "$reorder" = 0 ] || FAULT_RPROG[$dir]=$(fault_prog_id "$hook" 2)
	echo "faults $dir: loss $2% dup $3% corrupt $4% reorder $5%"
}

# fault_prog_id HOOK PRIO: id of the BPF program of that filter on $IFB
fault_prog_id() {
	in_b tc filter show dev "$IFB" "$1" prio "$2" | sed -n 's/.* id \([0-9]*\) .*/\1/p' | head -n1
}

fault_clear() {
	local dir
	for dir in ${1:-to_axip from_axip}; do
		in_b tc filter del dev "$IFB" "$(fault_hook "$dir")" 2>/dev/null || true
	done
}

# fault_stat DIR NAME: counter of the last program attached for DIR
fault_stat() {
	local dir=$1 name=$2 idx map prog
	case $name in
	seen) idx=0 ;; dropped) idx=1 ;; duplicated) idx=2 ;; corrupted) idx=3 ;; reordered) idx=4 ;;
	*) fail "unknown fault counter $name" ;;
	esac
	prog=${FAULT_PROG[$dir]:-}
	[ "$name" = reordered ] && prog=${FAULT_RPROG[$dir]:-}
	[ -n "$prog" ] || { echo 0; return; }
	map=$(bpftool prog show id "$prog" | sed -n 's/.*map_ids \([0-9]*\).*/\1/p')
	[ -n "$map" ] || fail "no counters map for the $dir faults"
	# the map has BTF, so bpftool prints {"key": 0, "value": N}
	bpftool map lookup id "$map" key $idx 0 0 0 | sed -n 's/.*"value": *\([0-9]*\).*/\1/p'
}

fault_report() {
	local dir n
	for dir in to_axip from_axip; do
		[ -n "${FAULT_PROG[$dir]:-}" ] || continue
		printf 'fault counters %-9s' "$dir:"
		for n in seen dropped duplicated corrupted reordered; do
			printf ' %s %s' "$n" "$(fault_stat "$dir" "$n")"
		done
		echo
	done
}

kernel_tcp_stat() {
	in_b nstat -asz "$1" | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

# axip_counter NAME LOG: a core/backend counter summed over the workers, from
# the last counter dump in LOG (SIGUSR1 or exit); 0 when not printed (zero)
axip_counter() {
	awk -v n="$1" '/^worker 0 \(queue/ { delete v }
		/^worker [0-9]+ \(queue/ { w = $2 }
		$1 == n { v[w] = $2 }
		END { s = 0; for (k in v) s += v[k]; print s }' "$2"
}

# ---- transfers through the faults ----
#
#   fault_files MB NAME...      random files $WORK/www/NAME of MB MiB each
#   kernel_http_start           python3 http.server in $NSB on $ADDR_B:8000
#                               serving $WORK/www
#   xfer_to_axip NAME SECONDS   axip-http-get fetches NAME from the kernel
#                               server into $WORK/got.NAME (log: get.log)
#   xfer_from_axip NAME SECONDS axip-httpd serves $WORK/www, curl in $NSB
#                               fetches NAME into $WORK/curl.NAME (log:
#                               httpd.log); axip-httpd is stopped afterwards
#   same_file A B WHAT          sha256 of A and B equal, or fail
#   fault_mb DEFAULT            transfer size: $AXT_FAULT_MB, else DEFAULT in
#                               the normal build and DEFAULT/5 (at least 4)
#                               in the sanitizer build
#   fault_xfer_setup LOSS DUP CORRUPT REORDER
#                               the start of the bulk transfer tests: both
#                               programs built, namespaces with one queue,
#                               faults ready, $WORK/www/f.bin of fault_mb 100
#                               MiB served by kernel_http_start, and the same
#                               fault_set rates in both directions

fault_xfer_setup() {
	need_prog axip-http-get
	need_prog axip-httpd
	net_setup 1
	need_faults
	fault_files "$(fault_mb 100)" f.bin
	kernel_http_start
	fault_set to_axip "$@"
	fault_set from_axip "$@"
}

fault_mb() {
	if [ -n "${AXT_FAULT_MB:-}" ]; then
		echo "$AXT_FAULT_MB"
	elif grep -q '^AXIP_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
		echo $(($1 / 5 > 4 ? $1 / 5 : 4))
	else
		echo "$1"
	fi
}

fault_files() {
	local mb=$1 f
	shift
	mkdir -p "$WORK/www"
	for f in "$@"; do
		head -c "${mb}M" /dev/urandom >"$WORK/www/$f" || fail "cannot write $WORK/www/$f"
	done
}

kernel_http_start() {
	AXT_TIMEOUT=170 start_in "$NSB" pyhttp /usr/bin/python3 -m http.server --directory "$WORK/www" \
		--bind "$ADDR_B" 8000
	for _ in $(seq 50); do
		in_b ss -Hltn "sport = :8000" | grep -q . && return 0
		sleep 0.1
	done
	fail "the kernel HTTP server did not start"
}

same_file() {
	local a b
	a=$(sha256sum <"$1" | cut -d' ' -f1)
	b=$(sha256sum <"$2" 2>/dev/null | cut -d' ' -f1)
	echo "sha256 $3: sent ${a:0:16}... received ${b:0:16}... ($(stat -c %s "$2" 2>/dev/null || echo 0) bytes)"
	[ "$a" = "$b" ] || fail "$3: received data differs from what was sent"
}

xfer_to_axip() {
	local name=$1 secs=$2 t0 rc=0
	t0=$(date +%s.%N)
	in_a timeout -k 5 -s INT $((secs + 5)) "$BUILD/examples/axip-http-get" --ifname "$IFA" \
		--url "http://$ADDR_B:8000/$name" --output "$WORK/got.$name" --timeout "$secs" \
		>"$WORK/get.log" 2>&1 || rc=$?
	echo "kernel -> axip: $name in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s (axip-http-get exit $rc)"
	[ $rc = 0 ] || fail "axip-http-get exit code $rc"
	grep -qi sanitizer "$WORK/get.log" && fail "sanitizer report (axip-http-get)"
	same_file "$WORK/www/$name" "$WORK/got.$name" "kernel -> axip"
}

xfer_from_axip() {
	local name=$1 secs=$2 t0 rc=0
	AXT_TIMEOUT=$((secs + 20)) start_axip httpd "$BUILD/examples/axip-httpd" --ifname "$IFA" \
		--port 80 --docroot "$WORK/www"
	wait_attached httpd
	sleep 1.2 # past the server's first tick
	t0=$(date +%s.%N)
	in_b timeout -k 5 "$secs" curl -sS --max-time "$secs" -o "$WORK/curl.$name" \
		"http://$ADDR_A/$name" || rc=$?
	echo "axip -> kernel: $name in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s (curl exit $rc)"
	[ $rc = 0 ] || fail "curl exit code $rc"
	stop_axip httpd TERM
	grep -qi sanitizer "$WORK/httpd.log" && fail "sanitizer report (axip-httpd)"
	same_file "$WORK/www/$name" "$WORK/curl.$name" "axip -> kernel"
}

# print_axip_counters LOG NAME...: "NAME VALUE" of the last dump in LOG
print_axip_counters() {
	local log=$1 n line=
	shift
	for n in "$@"; do
		line="$line $n $(axip_counter "$n" "$log")"
	done
	echo "axip ($(basename "$log" .log)):$line"
}

# ---- events during a transfer ----
#
#   when_size FILE BYTES CMD...   in the background: once FILE has at least
#                                 BYTES, run CMD (output to $WORK/event.log);
#                                 the size seen then goes to $WORK/event.size
#   bg_in_b NAME CMD...           run CMD in $NSB in the background; its own
#                                 PID goes to $WORK/NAME.pid (for kill -9)
#   httpd_stat NAME LOG           an axip-httpd statistic (httpd_NAME) of
#                                 worker 0 from the last dump in LOG
#   dump_counters NAME [LAST]     SIGUSR1 to the axip program NAME and wait
#                                 until its log has one more line matching
#                                 LAST, the dump's last line (default
#                                 umem_frames_free; httpd_send_stalls for
#                                 axip-httpd, whose statistics come after)

when_size() {
	local file=$1 bytes=$2
	shift 2
	(
		for _ in $(seq 6000); do
			s=$(stat -c %s "$file" 2>/dev/null || echo 0)
			if [ "$s" -ge "$bytes" ]; then
				echo "$s" >"$WORK/event.size"
				"$@" >>"$WORK/event.log" 2>&1
				exit 0
			fi
			sleep 0.01
		done
	) &
	echo $! >"$WORK/event.pid"
	disown $!
}

bg_in_b() {
	local name=$1
	shift
	in_b sh -c 'echo $$ >"$0"; exec "$@"' "$WORK/$name.pid" "$@" >"$WORK/$name.log" 2>&1 &
	disown $!
	for _ in $(seq 50); do
		[ -s "$WORK/$name.pid" ] && return 0
		sleep 0.1
	done
	fail "$name did not start"
}

httpd_stat() {
	awk -v n="httpd_$1" '$1 == "worker" && $2 == 0 && $3 == n { v = $4 } END { print v + 0 }' "$2"
}

dump_counters() {
	local name=$1 last=${2:-umem_frames_free} n
	n=$(grep -c "$last" "$WORK/$name.log")
	kill -USR1 "$(cat "$WORK/$name.pid")" || fail "$name is not running"
	for _ in $(seq 50); do
		[ "$(grep -c "$last" "$WORK/$name.log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	fail "$name printed no counters after SIGUSR1"
}
