#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_udp_echo: axip-udp-echo on one end of a veth pair answers a kernel UDP
# client in the other namespace: 300 datagrams of 0..1472 bytes (the largest
# that fits the 1500 MTU unfragmented), every reply byte-identical; then the
# counters printed on exit show the traffic went through axip.
. "$(dirname "$0")/lib.sh"
need_prog axip-udp-echo
net_setup 1
start_axip echo "$BUILD/examples/axip-udp-echo" --ifname "$IFA" --port 7
wait_attached echo

in_b timeout 30 /usr/bin/python3 - "$ADDR_A" <<'PY' || fail "UDP echo from the kernel client"
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
sizes = [0, 1, 2, 17, 64, 100, 512, 1000, 1471, 1472] + [(i * 97) % 1473 for i in range(290)]
for i, n in enumerate(sizes):
    msg = os.urandom(n)
    for attempt in range(3):
        s.sendto(msg, (sys.argv[1], 7))
        try:
            data, peer = s.recvfrom(2048)
            break
        except socket.timeout:
            continue
    else:
        sys.exit("no reply to datagram %d (%d bytes)" % (i, n))
    if data != msg or peer != (sys.argv[1], 7):
        sys.exit("datagram %d (%d bytes): wrong reply (%d bytes from %s)" % (i, n, len(data), peer))
print("udp echo: %d datagrams ok" % len(sizes))
PY

stop_axip echo TERM
grep -Eq '^  udp_rx +(29[0-9]|3[0-9][0-9])$' "$WORK/echo.log" || fail "udp_rx counter missing or low"
grep -Eq '^  rule udp/7 +hits +(29[0-9]|3[0-9][0-9])$' "$WORK/echo.log" || fail "rule hit counter missing"
xdp_attached && fail "an XDP program is still attached after exit"
grep -qi sanitizer "$WORK/echo.log" && fail "sanitizer report"
echo "PASS net_udp_echo"
