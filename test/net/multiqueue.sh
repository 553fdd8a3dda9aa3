#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_multiqueue: a veth pair with two queues per end, axip-tcp-echo and
# axip-udp-echo with two workers (queues 0 and 1, pinned to cores 0 and 1).
# 24 TCP connections and 24 UDP flows from the kernel side spread over the
# peer's two TX queues, i.e. over axip's two receive queues; every echo must
# be byte-identical and both workers must have carried connections.
. "$(dirname "$0")/lib.sh"
need_prog axip-tcp-echo
net_setup 2

start_axip tcp "$BUILD/examples/axip-tcp-echo" --ifname "$IFA" --port 7 --queues 2 --cores 0,1
wait_attached tcp
head -c 256K /dev/urandom >"$WORK/in"
echo_parallel 7 "$WORK/in" "$WORK/in" 24 out
stop_axip tcp TERM
for w in 0 1; do
	n=$(awk -v w="worker $w " 'index($0, w) == 1 { on = 1; next } /^worker |^xdp / { on = 0 }
		on && $1 == "tcp_passive_open" { print $2 }' "$WORK/tcp.log")
	[ "${n:-0}" -gt 0 ] || fail "worker $w carried no TCP connection"
	echo "worker $w: $n TCP connections"
done

start_axip udp "$BUILD/examples/axip-udp-echo" --ifname "$IFA" --port 7 --queues 2 --cores 0,1
wait_attached udp
in_b timeout 60 /usr/bin/python3 - "$ADDR_A" <<'PY' || fail "UDP flows"
import os, socket, sys
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(24)]
for k, s in enumerate(socks):
    s.settimeout(2)
    for i in range(20):
        msg = os.urandom(1 + (k * 61 + i * 37) % 1400)
        for attempt in range(3):
            s.sendto(msg, (sys.argv[1], 7))
            try:
                if s.recv(2048) == msg:
                    break
                sys.exit("flow %d: wrong reply" % k)
            except socket.timeout:
                pass
        else:
            sys.exit("flow %d: no reply" % k)
PY
stop_axip udp TERM
for w in 0 1; do
	n=$(awk -v w="worker $w " 'index($0, w) == 1 { on = 1; next } /^worker |^xdp / { on = 0 }
		on && $1 == "udp_rx" { print $2 }' "$WORK/udp.log")
	[ "${n:-0}" -gt 0 ] || fail "worker $w carried no UDP datagram"
	echo "worker $w: $n UDP datagrams"
done
xdp_attached && fail "XDP program left after exit"
echo "PASS net_multiqueue"
