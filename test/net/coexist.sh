#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_coexist: while axip serves UDP port 7 on an interface, the kernel keeps
# the rest of it: ping, a kernel TCP server on another port of the same
# address, and ARP. axip's local port range is reserved in the kernel while
# it runs. After SIGTERM no XDP program is left and the reservation is undone.
# A program left by SIGKILL is replaced at the next start, and
# axip-xdp-detach removes one; a second instance on the same interface is
# refused while the first runs.
. "$(dirname "$0")/lib.sh"
need_prog axip-udp-echo
net_setup 1
ECHO="$BUILD/examples/axip-udp-echo"
DETACH="$BUILD/xdp/axip-xdp-detach"

udp_once() { # udp_once PAYLOAD: one round trip through axip
	in_b timeout 5 /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
for _ in range(3):
    s.sendto(sys.argv[2].encode(), (sys.argv[1], 7))
    try:
        d = s.recv(2048)
    except socket.timeout:
        continue
    sys.exit(0 if d == sys.argv[2].encode() else 1)
sys.exit(1)' "$ADDR_A" "$1"
}

reserved_before=$(in_a cat /proc/sys/net/ipv4/ip_local_reserved_ports)
# kernel TCP service on the same address, another port
in_a timeout 120 socat TCP-LISTEN:8080,reuseaddr,fork SYSTEM:'echo kernel-tcp-ok' \
	>"$WORK/socat.log" 2>&1 &
echo $! >"$WORK/socat.pid"
disown $!

start_axip echo "$ECHO" --ifname "$IFA" --port 7
wait_attached echo
xdp_attached || fail "no XDP program attached"
udp_once hello || fail "UDP echo through axip"
in_b ping -c3 -i0.2 -W2 "$ADDR_A" >/dev/null || fail "ping to the shared address while attached"
out=$(in_b timeout 5 socat -T2 - TCP:"$ADDR_A":8080 </dev/null) || fail "kernel TCP server unreachable"
[ "$out" = kernel-tcp-ok ] || fail "kernel TCP server answered '$out'"
in_b ip neigh flush dev "$IFB"
in_b ping -c1 -W2 "$ADDR_A" >/dev/null || fail "ARP for the shared address no longer answered by the kernel"
in_a cat /proc/sys/net/ipv4/ip_local_reserved_ports | grep -q '61000-61999' ||
	fail "local port range not reserved in the kernel"

# a second instance is refused while the first runs
in_a timeout 20 "$ECHO" --ifname "$IFA" --port 9 >"$WORK/second.log" 2>&1 && fail "second instance attached"
grep -q 'already served by a running axip process' "$WORK/second.log" || fail "second instance: wrong error"

stop_axip echo TERM
grep -q 'xdp steering on' "$WORK/echo.log" || fail "no counters printed on exit"
xdp_attached && fail "XDP program left after SIGTERM"
[ "$(in_a cat /proc/sys/net/ipv4/ip_local_reserved_ports)" = "$reserved_before" ] ||
	fail "reserved ports not restored"

# SIGKILL leaves the program: the next start replaces it
start_axip echo2 "$ECHO" --ifname "$IFA" --port 7
wait_attached echo2
stop_axip echo2 KILL
xdp_attached || fail "expected a stale program after SIGKILL"
start_axip echo3 "$ECHO" --ifname "$IFA" --port 7
wait_attached echo3
grep -q 'removed a stale axip XDP program' "$WORK/echo3.log" || fail "stale program not reported"
udp_once again || fail "UDP echo after replacing a stale program"
stop_axip echo3 KILL

# the detach command removes it; with nothing left it says so (exit 3)
in_a timeout 20 "$DETACH" --ifname "$IFA" || fail "axip-xdp-detach failed"
xdp_attached && fail "XDP program left after axip-xdp-detach"
in_a timeout 20 "$DETACH" --ifname "$IFA" >/dev/null
[ $? = 3 ] || fail "axip-xdp-detach on a clean interface should exit 3"
in_b ping -c1 -W2 "$ADDR_A" >/dev/null || fail "ping after detach"
echo "PASS net_coexist"
