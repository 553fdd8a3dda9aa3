#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_flood_syn: a SYN flood (hping3 --flood --rand-source, from the peer
# namespace) against axip-httpd while wrk runs keep-alive requests over
# established connections.
#
# Interleaved rounds of wrk without and with the flood give the share of the
# request rate kept under the flood (median of the per-round ratios, so slow
# changes of the machine's load cancel out). The flood runs as a SCHED_IDLE
# task on wrk's CPU: it takes all the CPU time wrk leaves, and the SYNs' XDP
# work runs there too, while axip's worker (on the other CPU) handles every
# SYN. One more round with hping3 at normal priority on wrk's CPU, and one
# against a loopback address instead of axip, show the part of the loss that
# is only CPU taken from wrk.
#
# Checked: the listener's backlog fills and SYN cookies engage (sent, and
# validated for curl's connections made during the flood); curl opens new
# connections during and after the flood; wrk sees no errors; the process'
# resident memory stays flat and the connections in use stay within the
# backlog plus wrk's connections; with no default route in axip's namespace
# the SYN-ACKs to the spoofed sources are counted drops (ip_tx_no_route) and
# none reaches the peer; with a default route (via the peer) they reach the
# peer's namespace, whose kernel drops them (no forwarding) — nothing leaves
# the two namespaces.
#
# Tunables (environment): FLOOD_ROUNDS (default 4), FLOOD_SECS per wrk run
# (default 3), FLOOD_MIN_PCT (default 50: the check fails below it; the
# target of 80 % is reported, see docs/robustness.md).
. "$(dirname "$0")/lib.sh"
need_prog axip-httpd
for t in hping3 wrk curl tcpdump chrt taskset /usr/bin/python3; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed" >&2; exit 77; }
done
[ "$(nproc)" -ge 2 ] || { echo "SKIP: needs 2 CPUs (client and server pinned apart)" >&2; exit 77; }
ROUNDS=${FLOOD_ROUNDS:-4}
SECS=${FLOOD_SECS:-3}
MIN_PCT=${FLOOD_MIN_PCT:-50}
export AXT_TIMEOUT=170 # axip-httpd and tcpdump outlive the whole test (ctest stops it at 180 s)
CCPU=0 # wrk, curl, hping3 (and the veth's XDP work for what they send)
SCPU=1 # axip's worker
net_setup 1
in_a ip route show default | grep -q . && fail "axip's namespace unexpectedly has a default route"

start_httpd() { # start_httpd NAME
	start_axip "$1" taskset -c $SCPU "$BUILD/examples/axip-httpd" --ifname "$IFA" --port 80 --cores $SCPU
	wait_attached "$1"
	sleep 1.2 # past the server's first tick
	PID=$(cat "$WORK/$1.pid")
}

# ctr NAME: the counter's value in the latest dump (SIGUSR1) of $LOG
dump() {
	local n
	n=$(grep -c 'umem_frames_free' "$LOG")
	kill -USR1 "$PID"
	for _ in $(seq 50); do
		[ "$(grep -c 'umem_frames_free' "$LOG")" -gt "$n" ] && break
		sleep 0.1
	done
	sleep 0.2
}
ctr() { awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' "$LOG"; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status"; }

# wrk_rate: requests/s of one keep-alive run; fails on socket errors or non-2xx
wrk_rate() {
	local out
	out=$(in_b timeout $((SECS + 20)) taskset -c $CCPU wrk -t1 -c8 -d${SECS}s "http://$ADDR_A/" 2>&1) ||
		fail "wrk: $out"
	echo "$out" | grep -Eq 'Socket errors|Non-2xx' && fail "wrk saw errors: $out"
	echo "$out" | awk '/^Requests\/sec/ { print int($2) }'
}

# flood_start TARGET PRIO: hping3 SYN flood from random sources to TARGET:80,
# pinned to the client CPU (PRIO idle or normal), bounded by timeout
flood_start() {
	local chrt=()
	[ "$2" = idle ] && chrt=(chrt --idle 0)
	rm -f "$WORK/hping.pid"
	in_b timeout -s INT 60 taskset -c $CCPU "${chrt[@]}" sh -c 'echo $$ >"$0"; exec "$@"' \
		"$WORK/hping.pid" hping3 --flood -S -p 80 --rand-source -q "$1" >"$WORK/hping.out" 2>&1 &
	FLOOD=$!
	FLOOD_T0=$(date +%s%N)
	for _ in $(seq 50); do [ -s "$WORK/hping.pid" ] && break; sleep 0.1; done
	sleep 0.5
}
# flood_stop: stop hping3 (SIGINT: it prints its statistics); SYNS: SYNs per second sent
flood_stop() {
	local n ms
	kill -INT "$(cat "$WORK/hping.pid")" 2>/dev/null
	wait "$FLOOD"
	rm -f "$WORK/hping.pid"
	ms=$((($(date +%s%N) - FLOOD_T0) / 1000000))
	n=$(awk '/packets transmitted/ { print $1 }' "$WORK/hping.out")
	[ -n "$n" ] || fail "no statistics from hping3: $(cat "$WORK/hping.out")"
	SYNS=$((n * 1000 / ms))
}

# curl_new: a new connection and a request while the flood runs
curl_new() {
	local code
	code=$(in_b timeout 10 curl -s -o /dev/null -w '%{http_code}' --max-time 8 "http://$ADDR_A/") || true
	[ "$code" = 200 ] || fail "new connection during the flood: curl got '$code'"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# ---- what reaches the peer's namespace that is not for the peer ----
start_in "$NSB" tcpdump tcpdump -i "$IFB" -Q in -n -w "$WORK/stray.pcap" -U "ip and not dst host $ADDR_B"
for _ in $(seq 50); do grep -q 'listening on' "$WORK/tcpdump.log" && break; sleep 0.1; done
stray() { sleep 0.5; in_b tcpdump -r "$WORK/stray.pcap" -n 2>/dev/null | wc -l; }

start_httpd httpd
LOG=$WORK/httpd.log
rss0=$(rss)
rss_max=$rss0
cookies_ok0=$(ctr tcp_syncookie_ok)

# ---- interleaved rounds: baseline, then flood (idle priority on wrk's CPU) ----
ratios=()
printf '%-6s %12s %12s %8s %12s\n' round base_req/s flood_req/s kept_% SYNs/s
for r in $(seq "$ROUNDS"); do
	base=$(wrk_rate)
	flood_start "$ADDR_A" idle
	curl_new
	under=$(wrk_rate)
	curl_new
	flood_stop
	r_rss=$(rss)
	[ "$r_rss" -gt "$rss_max" ] && rss_max=$r_rss
	[ -n "$base" ] && [ "$base" -gt 0 ] || fail "no baseline rate"
	pct=$((100 * under / base))
	ratios+=("$pct")
	printf '%-6s %12s %12s %8s %12s\n' "$r" "$base" "$under" "$pct" "$SYNS"
done
kept=$(printf '%s\n' "${ratios[@]}" | median)

# ---- the same flood at normal priority, and against a loopback address ----
base=$(wrk_rate)
flood_start "$ADDR_A" normal
under=$(wrk_rate)
flood_stop
syns=$SYNS
flood_start 127.0.0.1 normal
ctl=$(wrk_rate)
flood_stop
echo "normal-priority flood on wrk's CPU: $under req/s of $base ($((100 * under / base)) %)," \
	"$syns SYNs/s; same flood to 127.0.0.1 (CPU only): $ctl req/s" \
	"($((100 * ctl / base)) %), $SYNS SYNs/s"

# ---- after the flood: new connections, memory, counters ----
sleep 1
curl_new
rss1=$(rss)
dump
sent=$(ctr tcp_syncookie_sent)
ok=$(($(ctr tcp_syncookie_ok) - cookies_ok0))
backlog_full=$(ctr tcp_backlog_full)
no_route=$(ctr ip_tx_no_route)
in_use=$(($(ctr tcp_conn_alloc) - $(ctr tcp_conn_free)))
echo "counters: tcp_backlog_full $backlog_full, tcp_syncookie_sent $sent, tcp_syncookie_ok $ok," \
	"ip_tx_no_route $no_route, ip_rx_bad_src $(ctr ip_rx_bad_src), connections in use $in_use," \
	"xsk_rx_dropped $(ctr xsk_rx_dropped), xsk_rx_ring_full $(ctr xsk_rx_ring_full)," \
	"xsk_rx_fill_ring_empty $(ctr xsk_rx_fill_ring_empty)"
echo "VmRSS: $rss0 kB at start, at most $rss_max kB after a round, $rss1 kB at the end"
echo "share of the request rate kept under the flood (median of $ROUNDS rounds): $kept % (target 80 %)"

[ "$backlog_full" -gt 0 ] || fail "the backlog never filled"
[ "$sent" -gt 0 ] || fail "no SYN cookies sent"
[ "$ok" -ge $((2 * ROUNDS)) ] || fail "only $ok cookies validated for $((2 * ROUNDS)) curl connections made during the flood"
[ "$no_route" -gt 0 ] || fail "SYN-ACKs to spoofed sources not counted as ip_tx_no_route"
[ "$in_use" -le $((128 + 8 + 2)) ] || fail "$in_use connections in use: more than the backlog and wrk's"
[ $((rss1 - rss0)) -le 1024 ] && [ $((rss_max - rss0)) -le 1024 ] ||
	fail "resident memory grew: $rss0 -> $rss_max / $rss1 kB"
n=$(stray)
[ "$n" = 0 ] || fail "$n frames not for the peer reached its namespace (no default route in axip's)"
[ "$kept" -ge "$MIN_PCT" ] || fail "kept only $kept % of the request rate (floor $MIN_PCT %)"
stop_axip httpd TERM

# ---- with a default route: the SYN-ACKs go to the peer, which drops them ----
in_a ip route add default via "$ADDR_B" dev "$IFA"
[ "$(in_b cat /proc/sys/net/ipv4/ip_forward)" = 0 ] || fail "the peer namespace forwards"
start_httpd httpd2
LOG=$WORK/httpd2.log
in_b timeout -s INT 2 taskset -c $CCPU hping3 -i u1000 -S -p 80 --rand-source -q "$ADDR_A" >/dev/null 2>&1
dump
n=$(stray)
echo "with a default route: $n SYN-ACKs to spoofed sources reached the peer's namespace" \
	"(ip_tx_no_route $(ctr ip_tx_no_route), tcp_syncookie_sent $(ctr tcp_syncookie_sent))"
[ "$n" -gt 0 ] || fail "with a default route no SYN-ACK reached the gateway (is the capture working?)"
stop_axip httpd2 TERM
grep -qi sanitizer "$WORK"/*.log && fail "sanitizer report"
echo "PASS net_flood_syn"
