#!/usr/bin/env bash
# net_tcp_echo_mt: axip-tcp-echo-mt (one application thread apart from the
# stack threads, SPSC rings between them) answers kernel TCP clients across a
# two-queue veth pair, with two workers (two stack threads). First as a plain
# echo: a line (socat, nc), an 8 MiB random file and four concurrent 1 MiB
# connections, compared by SHA-256. Then with --upper
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
sha() { sha256sum "$1" | cut -d' ' -f1; }
counter() { # counter NAME LOG: a counter summed over the workers, 0 if absent
	awk -v n="$1" '$1 == n { v += $2 } END { print v + 0 }' "$2"
}

# ---- plain echo, default pool
start_axip echo "$PROG" --ifname "$IFA" --port 7 --queues 2 --cores 0,1
wait_attached echo
out=$(echo hello-axip | in_b timeout 10 socat -T5 - TCP:"$ADDR_A":7) || fail "socat line echo"
[ "$out" = hello-axip ] || fail "line echo returned '$out'"
out=$(printf 'nc-line\n' | in_b timeout 10 nc -q 2 -w 5 "$ADDR_A" 7) || fail "nc line echo"
[ "$out" = nc-line ] || fail "nc echo returned '$out'"

head -c 8M /dev/urandom >"$WORK/big.in"
in_b timeout 60 socat -T10 -b65536 - TCP:"$ADDR_A":7,shut-down <"$WORK/big.in" >"$WORK/big.out" ||
	fail "8 MiB transfer"
[ "$(sha "$WORK/big.out")" = "$(sha "$WORK/big.in")" ] || fail "8 MiB echo differs (sha256)"

head -c 1M /dev/urandom >"$WORK/one.in"
for i in 1 2 3 4; do
	in_b timeout 60 socat -T10 - TCP:"$ADDR_A":7,shut-down <"$WORK/one.in" >"$WORK/one.$i" &
done
wait
want=$(sha "$WORK/one.in")
for i in 1 2 3 4; do
	[ "$(sha "$WORK/one.$i")" = "$want" ] || fail "concurrent connection $i differs (sha256)"
done
stop_axip echo TERM
[ "$(counter tcp_passive_open "$WORK/echo.log")" = 7 ] || fail "expected 7 passive opens in the counters"
n=$(counter app_bytes_transformed "$WORK/echo.log")
[ "$n" = $((11 + 8 + 8 * 1048576 + 4 * 1048576)) ] ||
	fail "application thread handled $n bytes, expected every byte sent"
xdp_attached && fail "XDP program left after exit"

# ---- upper case, one message in the pool: data waits for the pool, none is lost
start_axip upper "$PROG" --ifname "$IFA" --port 7 --queues 2 --cores 0,1 --upper --pool 1
wait_attached upper
out=$(echo 'Hello, axip 42!' | in_b timeout 10 socat -T5 - TCP:"$ADDR_A":7) || fail "socat line (upper)"
[ "$out" = 'HELLO, AXIP 42!' ] || fail "upper-case echo returned '$out'"
LC_ALL=C tr a-z A-Z <"$WORK/big.in" >"$WORK/big.want"
in_b timeout 60 socat -T10 -b65536 - TCP:"$ADDR_A":7,shut-down <"$WORK/big.in" >"$WORK/big.up" ||
	fail "8 MiB transfer (upper)"
[ "$(sha "$WORK/big.up")" = "$(sha "$WORK/big.want")" ] || fail "8 MiB upper-case echo differs (sha256)"
for i in 1 2 3 4; do
	in_b timeout 60 socat -T10 - TCP:"$ADDR_A":7,shut-down <"$WORK/one.in" >"$WORK/up.$i" &
done
wait
LC_ALL=C tr a-z A-Z <"$WORK/one.in" >"$WORK/one.want"
want=$(sha "$WORK/one.want")
for i in 1 2 3 4; do
	[ "$(sha "$WORK/up.$i")" = "$want" ] || fail "concurrent connection $i differs (upper, sha256)"
done
stop_axip upper TERM
[ "$(counter tcp_passive_open "$WORK/upper.log")" = 6 ] || fail "expected 6 passive opens (upper)"
[ "$(counter app_pool_empty "$WORK/upper.log")" -gt 0 ] ||
	fail "a pool of one message never ran empty"
[ "$(counter app_replies_dropped "$WORK/upper.log")" = 0 ] || fail "replies were dropped"
xdp_attached && fail "XDP program left after exit"
grep -qi sanitizer "$WORK"/*.log && fail "sanitizer report"
echo "PASS net_tcp_echo_mt"
