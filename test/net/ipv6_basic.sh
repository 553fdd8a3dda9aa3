#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_ipv6_basic: IPv6 through AF_XDP beside the kernel's IPv6 (docs/ipv6.md,
# "On AF_XDP").
#
# Shared mode (the interface's own IPv6 addresses): axip-udp-echo answers
# UDP over IPv6 at the kernel's global and link-local addresses, neighbours
# come from the kernel's table; the kernel still answers ping -6 and keeps
# TCP over IPv6 on another port; the steering counters show IPv6 rule hits.
# Dedicated mode (--addr6): axip runs DAD and neighbour discovery for its
# own address, answers ping -6 (also 3000-byte, fragmented pings) and echoes
# UDP datagrams of up to 8000 bytes, which arrive and leave as fragments;
# the kernel's own address keeps answering.
. "$(dirname "$0")/lib.sh"
need_prog axip-udp-echo
PY=/usr/bin/python3
[ -x $PY ] || { echo "SKIP: python3 not installed" >&2; exit 77; }
net_setup 1
if ! in_a sysctl -qn net.ipv6.conf.all.disable_ipv6 >/dev/null 2>&1; then
	echo "SKIP: the kernel has no IPv6" >&2
	exit 77
fi
net_setup_ipv6
CLIENT=$(dirname "$0")/udp6_client.py

# ---- shared mode
start_axip echo6 "$BUILD/examples/axip-udp-echo" --ifname "$IFA" --port 7
wait_attached echo6
grep -q "IPv6 on" "$WORK/echo6.log" || fail "axip-udp-echo did not turn IPv6 on"
in_b timeout 30 $PY "$CLIENT" "$A6" 7 1x3 100x20 1000x20 1452x5 || fail "UDP echo over IPv6 (shared, global)"
in_b timeout 30 $PY "$CLIENT" "$LL_A%$IFB" 7 64x10 || fail "UDP echo over IPv6 (shared, link-local)"
in_b timeout 30 $PY "$CLIENT" "$ADDR_A" 7 64x10 || fail "UDP echo over IPv4 beside IPv6"
in_b ping -6 -c2 -i0.2 -W2 "$A6" >/dev/null || fail "the kernel stopped answering ping -6 while axip is attached"
# kernel TCP over IPv6 on another port
in_a timeout 30 socat TCP6-LISTEN:5006,reuseaddr EXEC:cat >/dev/null 2>&1 &
wait_listen "$NSA" 5006
out=$(echo kernel-tcp6 | in_b timeout 10 socat -t5 -T5 - "TCP6:[$A6]:5006") || fail "kernel TCP over IPv6"
[ "$out" = kernel-tcp6 ] || fail "kernel TCP over IPv6 returned '$out'"
# address changes are followed: an address added while attached is served
# at once, a removed one no longer
N6=fd00:$NET::7
in_a ip addr add "$N6/64" dev "$IFA" nodad || fail "ip addr add $N6"
ok=0
for _ in $(seq 20); do
	in_b timeout 5 $PY "$CLIENT" "$N6" 7 64x2 >/dev/null 2>&1 && { ok=1; break; }
	sleep 0.2
done
[ $ok = 1 ] || fail "UDP echo at an address added while attached"
in_a ip addr del "$N6/64" dev "$IFA" || fail "ip addr del $N6"
sleep 0.5
in_b timeout 10 $PY "$CLIENT" "$N6" 7 64 >/dev/null 2>&1 && fail "a removed address is still served"
in_b timeout 30 $PY "$CLIENT" "$A6" 7 64x3 || fail "UDP echo at the first address after the changes"
stop_axip echo6
grep -Eq "rule udp6/7 +hits +[1-9]" "$WORK/echo6.log" || fail "no IPv6 rule hits counted"
grep -Eq "xdp_addr6_updates +[1-9]" "$WORK/echo6.log" || fail "no IPv6 address update counted"
echo "ok: shared mode"

# ---- dedicated mode
start_axip ded6 "$BUILD/examples/axip-udp-echo" --ifname "$IFA" --port 7 --addr6 "$D6/64"
wait_attached ded6
sleep 1.5 # DAD of the dedicated address (RetransTimer, 1 s)
in_b ping -6 -c3 -i0.2 -W2 "$D6" >"$WORK/ping6.txt" 2>&1 || { cat "$WORK/ping6.txt" >&2; fail "ping -6 to the dedicated address"; }
in_b ping -6 -c2 -i0.2 -W2 -s 3000 "$D6" >"$WORK/ping6big.txt" 2>&1 || { cat "$WORK/ping6big.txt" >&2; fail "fragmented ping -6 to the dedicated address"; }
in_b timeout 30 $PY "$CLIENT" "$D6" 7 100x10 1452x5 3000x5 8000x5 || fail "UDP echo over IPv6 (dedicated, fragments both ways)"
in_b ping -6 -c2 -i0.2 -W2 "$A6" >/dev/null || fail "the kernel's own address stopped answering ping -6"
in_b ip -6 neigh show "$D6" dev "$IFB" | grep -q lladdr || fail "the peer never resolved the dedicated address"
stop_axip ded6
grep -Eq "nd_hit +[1-9]" "$WORK/ded6.log" || fail "no neighbour discovery steered to axip"
echo "ok: dedicated mode"
echo "PASS net_ipv6_basic"
