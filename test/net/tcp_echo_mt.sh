#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_tcp_echo_mt: axip-tcp-echo-mt (one application thread apart from the
# stack threads, SPSC rings between them) answers kernel TCP clients across a
# two-queue veth pair, with two workers (two stack threads). First as a plain
# echo: a line (socat, nc), an 8 MiB random file and four concurrent 1 MiB
# connections, compared byte for byte. Then with --upper
# and a pool of one message: every reply must equal `tr a-z A-Z` of what was
# sent, and the counters must show that the empty pool held data back
# (app_pool_empty) without losing any of it.
. "$(dirname "$0")/lib.sh"
need_prog axip-tcp-echo-mt
PROG="$BUILD/examples/axip-tcp-echo-mt"

# the command line itself (no privileges needed)
"$PROG" --help | grep -q -- '--app-core' || fail "--help does not list --app-core"
"$PROG" --ifname lo --pool 3 >/dev/null 2>&1
[ $? = 2 ] || fail "--pool 3 (not a power of two) should exit 2"

net_setup 2
counter() { # counter NAME LOG: a counter summed over the workers, 0 if absent
	awk -v n="$1" '$1 == n { v += $2 } END { print v + 0 }' "$2"
}

# ---- plain echo, default pool
start_axip echo "$PROG" --ifname "$IFA" --port 7 --queues 2 --cores 0,1
wait_attached echo
check_echo 7
stop_axip echo TERM
[ "$(counter tcp_passive_open "$WORK/echo.log")" = 7 ] || fail "expected 7 passive opens in the counters"
n=$(counter app_bytes_transformed "$WORK/echo.log")
[ "$n" = $((11 + 8 + 8 * 1048576 + 4 * 1048576)) ] ||
	fail "application thread handled $n bytes, expected every byte sent"
xdp_attached && fail "XDP program left after exit"

# ---- upper case, one message in the pool: data waits for the pool, none is lost
start_axip upper "$PROG" --ifname "$IFA" --port 7 --queues 2 --cores 0,1 --upper --pool 1
wait_attached upper
out=$(echo 'Hello, axip 42!' | in_b timeout 10 socat -t5 -T5 - TCP:"$ADDR_A":7) || fail "socat line (upper)"
[ "$out" = 'HELLO, AXIP 42!' ] || fail "upper-case echo returned '$out'"
LC_ALL=C tr a-z A-Z <"$WORK/big.in" >"$WORK/big.want"
in_b timeout 60 socat -t10 -T10 -b65536 - TCP:"$ADDR_A":7,shut-down <"$WORK/big.in" >"$WORK/big.up" ||
	fail "8 MiB transfer (upper)"
cmp -s "$WORK/big.up" "$WORK/big.want" || fail "8 MiB upper-case echo differs"
LC_ALL=C tr a-z A-Z <"$WORK/one.in" >"$WORK/one.want"
echo_parallel 7 "$WORK/one.in" "$WORK/one.want" 4 up
stop_axip upper TERM
[ "$(counter tcp_passive_open "$WORK/upper.log")" = 6 ] || fail "expected 6 passive opens (upper)"
[ "$(counter app_pool_empty "$WORK/upper.log")" -gt 0 ] ||
	fail "a pool of one message never ran empty"
[ "$(counter app_replies_dropped "$WORK/upper.log")" = 0 ] || fail "replies were dropped"
xdp_attached && fail "XDP program left after exit"
grep -qi sanitizer "$WORK"/*.log && fail "sanitizer report"
echo "PASS net_tcp_echo_mt"
