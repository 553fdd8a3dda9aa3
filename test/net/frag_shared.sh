#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_frag_shared: IP fragments to the shared address (docs/xdp.md,
# "Fragments in shared mode"). The interface's own IPv4 and IPv6 addresses
# serve axip's port and the kernel's ports at once; a peer that owns an
# address no kernel has (test/net/frag_peer.py, Scapy) sends UDP datagrams of
# 3000 and 8000 bytes and 1200-byte TCP segments as IP fragments, in order,
# reversed and shuffled, to axip-udp-echo / axip-tcp-echo and to a kernel UDP
# server / kernel TCP echo on another port, over IPv4 and IPv6, and checks
# each answer byte by byte. Fragments that arrive before their first go
# through the backend's hold (xdp/src/frag.c): axip's reach the core, the
# kernel's are re-injected into the kernel; the counters of both paths must
# have moved.
. "$(dirname "$0")/lib.sh"
need_prog axip-udp-echo
need_prog axip-tcp-echo
PY=/usr/bin/python3
[ -x $PY ] || { echo "SKIP: python3 not installed" >&2; exit 77; }
$PY -c 'import scapy.all' 2>/dev/null || { echo "SKIP: python3-scapy not installed" >&2; exit 77; }
command -v socat >/dev/null || { echo "SKIP: socat not installed" >&2; exit 77; }
net_setup 1
net_setup_ipv6
PEER=$(dirname "$0")/frag_peer.py
PEER_IP=10.$NET.0.5
PEER_IP6=fd00:$NET::5
PEER_MAC=02:00:5e:00:53:35
# the kernel of A reaches the peer's address through the table (the peer
# answers no ARP or NS of the kernel's: it reads frames only in its cases)
in_a ip neigh replace "$PEER_IP" lladdr $PEER_MAC dev "$IFA" nud permanent || fail "ip neigh"
in_a ip -6 neigh replace "$PEER_IP6" lladdr $PEER_MAC dev "$IFA" nud permanent || fail "ip -6 neigh"
# the kernel's servers on the same address: UDP answers "LEN SHA256", TCP echoes
in_a timeout 120 $PY -c '
import hashlib, socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 5008))
while True:
    d, a = s.recvfrom(65535)
    s.sendto(b"%d %s" % (len(d), hashlib.sha256(d).hexdigest().encode()), a)
' >"$WORK/kudp.log" 2>&1 &
in_a timeout 120 socat TCP6-LISTEN:5009,reuseaddr,fork,ipv6only=0 EXEC:cat >"$WORK/ktcp.log" 2>&1 &
wait_listen "$NSA" 5009

export FRAG_IFACE=$IFB FRAG_AXIP_IP=$ADDR_A FRAG_AXIP_MAC=$(mac_of "$NSA" "$IFA")
export FRAG_AXIP_IP6=$A6 FRAG_PEER_IP=$PEER_IP FRAG_PEER_IP6=$PEER_IP6 FRAG_PEER_MAC=$PEER_MAC
export FRAG_PORT=7

# counters: each path of the backend, and the steering program's
check_counters() { # NAME
	local log=$WORK/$1.log c
	for c in xdp_frag_held xdp_frag_released xdp_frag_core xdp_frag_to_kernel; do
		grep -Eq "$c +[1-9]" "$log" || fail "$1: counter $c did not move"
	done
	for c in frag_first_axip frag_first_kernel frag_later_axip frag_later_kernel frag_early frag_via; do
		grep -Eq "$c +[1-9]" "$log" || fail "$1: steering counter $c did not move"
	done
	! grep -Eq "xdp_frag_drop_[a-z0-9_]+ +[1-9]" "$log" || fail "$1: fragments dropped: $(grep xdp_frag_drop "$log")"
	echo "$1: $(grep -Eo '(xdp_)?frag_[a-z_]+ +[0-9]+' "$log" | tr -s ' ' | tr '\n' ' ')"
}

# run_peer MODE PROGRAM KPORT: PROGRAM (axip's echo) on port 7, the peer's
# MODE cases against it and the kernel's server on KPORT, then the counters
run_peer() {
	start_axip "$1" "$BUILD/examples/$2" --ifname "$IFA" --port 7
	wait_attached "$1"
	export FRAG_AXIP_PID=$(cat "$WORK/$1.pid") FRAG_AXIP_LOG=$WORK/$1.log FRAG_KPORT=$3
	in_b timeout 90 $PY "$PEER" "$1" || fail "$1 fragments (see above)"
	stop_axip "$1"
	check_counters "$1"
	echo "ok: $1"
}
run_peer udp axip-udp-echo 5008
run_peer tcp axip-tcp-echo 5009

# the kernel's own fragmented traffic from the kernel peer still works
in_b ping -c2 -i0.2 -W2 -s 3000 "$ADDR_A" >/dev/null || fail "fragmented ping to the kernel after detaching"
echo "PASS net_frag_shared"
