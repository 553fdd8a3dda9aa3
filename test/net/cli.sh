#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_cli: the examples' command line: --help, bad arguments (exit 2),
# missing privileges (exit 3), missing interface (exit 4), XDP attach failure
# and a queue the interface does not have (exit 1), each with a clear message.
. "$(dirname "$0")/lib.sh"
need_prog axip-udp-echo
net_setup 1
ECHO="$BUILD/examples/axip-udp-echo"

expect 0 'usage:' "$ECHO" --help
expect 2 'ifname is required' "$ECHO"
expect 2 'invalid port' "$ECHO" --ifname "$IFA" --port 0
expect 2 'invalid port' "$ECHO" --ifname "$IFA" --port 70000
expect 2 'invalid queue count' "$ECHO" --ifname "$IFA" --queues x
expect 2 'invalid core list' "$ECHO" --ifname "$IFA" --cores 1,,z
expect 2 "unrecognized option '--no-such-option'" "$ECHO" --ifname "$IFA" --no-such-option
expect 0 "axip-udp-echo axip " "$ECHO" --version
expect 2 'invalid address' "$ECHO" --ifname "$IFA" --addr 300.1.1.1
expect 4 "no interface named 'nosuch0'" in_a timeout 20 "$ECHO" --ifname nosuch0
expect 3 'insufficient privileges' in_a timeout 20 setpriv --reuid=65534 --regid=65534 \
	--clear-groups --inh-caps=-all --bounding-set=-all "$ECHO" --ifname "$IFA"
# loopback has no native XDP support (its MTU lowered to fit a UMEM frame)
in_a ip link set lo mtu 1500
expect 1 'XDP attach to lo failed' in_a timeout 20 "$ECHO" --ifname lo --native
expect 1 'queue 1 failed' in_a timeout 20 "$ECHO" --ifname "$IFA" --queues 2
xdp_attached && fail "a failed start left an XDP program"
echo "PASS net_cli"
