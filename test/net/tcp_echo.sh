#!/usr/bin/env bash
# net_tcp_echo: axip-tcp-echo answers kernel TCP clients (socat, nc) across a
# veth pair: a line, an 8 MiB random file compared byte for byte, and four
# concurrent 1 MiB connections; the exit counters show the passive opens.
. "$(dirname "$0")/lib.sh"
need_prog axip-tcp-echo
net_setup 1
start_axip echo "$BUILD/examples/axip-tcp-echo" --ifname "$IFA" --port 7
wait_attached echo

out=$(echo hello-axip | in_b timeout 10 socat -T5 - TCP:"$ADDR_A":7) || fail "socat line echo"
[ "$out" = hello-axip ] || fail "line echo returned '$out'"
out=$(printf 'nc-line\n' | in_b timeout 10 nc -q 2 -w 5 "$ADDR_A" 7) || fail "nc line echo"
[ "$out" = nc-line ] || fail "nc echo returned '$out'"

head -c 8M /dev/urandom >"$WORK/big.in"
in_b timeout 60 socat -T10 -b65536 - TCP:"$ADDR_A":7,shut-down <"$WORK/big.in" >"$WORK/big.out" ||
	fail "8 MiB transfer"
cmp "$WORK/big.in" "$WORK/big.out" || fail "8 MiB echo differs"

head -c 1M /dev/urandom >"$WORK/one.in"
for i in 1 2 3 4; do
	in_b timeout 60 socat -T10 - TCP:"$ADDR_A":7,shut-down <"$WORK/one.in" >"$WORK/one.$i" &
done
wait
for i in 1 2 3 4; do
	cmp "$WORK/one.in" "$WORK/one.$i" || fail "concurrent connection $i differs"
done

stop_axip echo TERM
grep -Eq '^  tcp_passive_open +7$' "$WORK/echo.log" || fail "expected 7 passive opens in the counters"
xdp_attached && fail "XDP program left after exit"
grep -qi sanitizer "$WORK/echo.log" && fail "sanitizer report"
echo "PASS net_tcp_echo"
