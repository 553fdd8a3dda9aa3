#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_xdp_steer6: the steering program attached by libaxip_xdp on a veth end
# with an IPv6 address given through steer_set_cfg (test/bpf/xdp_steer6.c)
# and an IPv6 UDP rule, driven by kernel traffic from the peer, judged by its
# counters. Shared: UDP to the rule's port is steered (rule udp6/PORT hits),
# UDP to another port, ICMPv6 and NDP are passed (ping6 keeps working while
# attached). Dedicated (an address the kernel does not have): the peer's
# Neighbor Solicitations for it are steered (nd_hit), while the kernel's own
# address stays reachable.
. "$(dirname "$0")/lib.sh"
PROG="$BUILD/test/xdp_steer6"
[ -x "$PROG" ] || { echo "SKIP: $PROG not built" >&2; exit 77; }
net_setup 1
A6=fd00:$NET::1
B6=fd00:$NET::2
D6=fd00:$NET::99
in_a ip addr add "$A6/64" dev "$IFA" nodad || fail "ip addr add"
in_b ip addr add "$B6/64" dev "$IFB" nodad || fail "ip addr add"
in_b ping -6 -c1 -W2 "$A6" >/dev/null || fail "no IPv6 connectivity before attaching"

udp6() { # udp6 PORT COUNT: datagrams from the peer to A6
	in_b timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for i in range(int(sys.argv[3])):
    s.sendto(b"steer6 %d" % i, (sys.argv[1], int(sys.argv[2])))
' "$A6" "$1" "$2" || fail "sending UDP over IPv6"
}
ctr() { awk -v n="$1" '$1 == n { v = $2 } END { print v + 0 }' "$WORK/$2.log"; }

# shared: the kernel keeps the address
start_axip shared "$PROG" "$IFA" "$A6" shared 9999
wait_log shared "xdp_steer6: ready"
in_b ip -6 neigh flush dev "$IFB"
in_b ping -6 -c2 -W2 "$A6" >/dev/null || fail "shared: ping6 to the kernel's address while attached"
udp6 9999 7
udp6 9998 3
sleep 0.3
stop_axip shared TERM
cat "$WORK/shared.log"
grep -Eq '^  rule udp6/9999 +hits +7$' "$WORK/shared.log" || fail "shared: rule udp6/9999 not hit 7 times"
[ "$(ctr rule_hit shared)" = 7 ] || fail "shared: rule_hit $(ctr rule_hit shared), want 7"
[ "$(ctr nd_hit shared)" = 0 ] || fail "shared: NDP steered"
[ "$(ctr pass_no_rule shared)" -ge 6 ] || fail "shared: ICMPv6/NDP/UDP 9998 not passed"

# dedicated: D6 is axip's alone; nobody answers for it here, but the
# solicitations for it are steered
start_axip dedicated "$PROG" "$IFA" "$D6" dedicated 9999
wait_log dedicated "xdp_steer6: ready"
in_b ping -6 -c1 -W2 "$D6" >/dev/null 2>&1
in_b ping -6 -c2 -W2 "$A6" >/dev/null || fail "dedicated: ping6 to the kernel's address while attached"
udp6 9999 2
sleep 0.3
stop_axip dedicated TERM
cat "$WORK/dedicated.log"
[ "$(ctr nd_hit dedicated)" -ge 1 ] || fail "dedicated: no Neighbor Solicitation for $D6 steered"
[ "$(ctr rule_hit dedicated)" = 0 ] || fail "dedicated: UDP to the kernel's address steered"
xdp_attached && fail "an XDP program is still attached after exit"
echo "PASS net_xdp_steer6"
