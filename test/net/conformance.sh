#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_conformance: an independent peer written with Scapy sends crafted
# frames to axip and checks its answers against the RFCs
# (test/conformance/*.py, docs/conformance.md).
#
# axip-tcp-echo runs on the veth pair of lib.sh with a dedicated address
# (so axip itself handles ARP, ICMP and every IPv4 packet to it), and
# axip-httpd on a second pair (it closes first after "Connection: close",
# which reaches FIN-WAIT, CLOSING and TIME-WAIT). The peer uses an address
# and a MAC that the kernel of namespace B does not own: the kernel drops
# axip's answers as frames for another host, so it never sends RSTs or ICMP
# errors of its own, and the Scapy peer answers axip's ARP requests itself.
#
# IPv6 (nd6, ipv6, frag6, icmp6, tcp6, dad6): axip-tcp-echo
# also has a dedicated IPv6 address (--addr6, so axip runs DAD and neighbour
# discovery for it and the XDP program steers every IPv6 packet to it); the
# peer uses IPv6 addresses the kernel of namespace B does not own and answers
# axip's neighbour solicitations itself. A third pair is left free for the
# DAD cases, which start their own axip-tcp-echo on it while the peer claims
# its address.
#
# CONF_CASES="module[.case] ..." runs only those cases.
. "$(dirname "$0")/lib.sh"
need_prog axip-tcp-echo
need_prog axip-httpd
PY=/usr/bin/python3
if ! [ -x $PY ] || ! $PY -c 'import scapy.all' 2>/dev/null; then
	echo "SKIP: python3-scapy not installed (/usr/bin/python3 -c 'import scapy.all' failed)" >&2
	exit 77
fi
CONF_DIR=$(cd "$(dirname "$0")/../conformance" && pwd)
net_setup 1

# second pair for axip-httpd, same namespaces
IFA2=${IFA}2
IFB2=${IFB}2
ip link add "$IFA2" netns "$NSA" type veth peer name "$IFB2" netns "$NSB" || fail "ip link add (second pair)"
in_a ip link set "$IFA2" up
in_b ip link set "$IFB2" up
# third pair for the DAD cases (dad6.py starts axip-tcp-echo on it)
IFA3=${IFA}3
IFB3=${IFB}3
ip link add "$IFA3" netns "$NSA" type veth peer name "$IFB3" netns "$NSB" || fail "ip link add (third pair)"
in_a ip link set "$IFA3" up
in_b ip link set "$IFB3" up

AXIP_IP=10.$NET.0.3
PEER_IP=10.$NET.0.4
HTTP_IP=10.$NET.1.3
HTTP_PEER_IP=10.$NET.1.4
AXIP_IP6=fd00:$NET::3
PEER_IP6=fd00:$NET::4

export AXT_TIMEOUT=170
start_axip echo "$BUILD/examples/axip-tcp-echo" --ifname "$IFA" --port 7 --addr "$AXIP_IP/24" \
	--addr6 "$AXIP_IP6/64"
wait_attached echo
sleep 1.5 # DAD of the dedicated IPv6 address (RetransTimer, 1 s)
start_axip http "$BUILD/examples/axip-httpd" --ifname "$IFA2" --port 80 --addr "$HTTP_IP/24"
wait_attached http

export CONF_IFACE=$IFB CONF_AXIP_IP=$AXIP_IP CONF_AXIP_MAC=$(mac_of "$NSA" "$IFA")
export CONF_PEER_IP=$PEER_IP CONF_PEER_MAC=02:00:5e:00:53:04 CONF_PORT=7
export CONF_AXIP_IP6=$AXIP_IP6 CONF_PEER_IP6=$PEER_IP6
export CONF_AXIP_PID=$(cat "$WORK/echo.pid") CONF_AXIP_LOG=$WORK/echo.log
export CONF_HTTP_IFACE=$IFB2 CONF_HTTP_AXIP_IP=$HTTP_IP CONF_HTTP_AXIP_MAC=$(mac_of "$NSA" "$IFA2")
export CONF_HTTP_PEER_IP=$HTTP_PEER_IP CONF_HTTP_PEER_MAC=02:00:5e:00:53:14 CONF_HTTP_PORT=80
export CONF_HTTP_AXIP_PID=$(cat "$WORK/http.pid") CONF_HTTP_AXIP_LOG=$WORK/http.log
# the DAD link: dad6.py starts "$CONF_DAD_PROG" in namespace $CONF_DAD_NS on
# $CONF_DAD_AXIP_IFACE itself (PID file in $CONF_WORK, so cleanup stops it)
export CONF_DAD_IFACE=$IFB3 CONF_DAD_AXIP_IFACE=$IFA3 CONF_DAD_NS=$NSA CONF_WORK=$WORK
export CONF_DAD_PROG=$BUILD/examples/axip-tcp-echo CONF_DAD_AXIP_MAC=$(mac_of "$NSA" "$IFA3")
export CONF_DAD_AXIP_IP=10.$NET.2.3 CONF_DAD_PEER_IP=10.$NET.2.4 CONF_DAD_PEER_MAC=02:00:5e:00:53:24
export CONF_DAD_AXIP_IP6=fd00:$NET:2::3 CONF_DAD_PEER_IP6=fd00:$NET:2::4 CONF_DAD_PORT=7

# shellcheck disable=SC2086 # word splitting of the case list intended
in_b timeout 160 $PY "$CONF_DIR/run.py" ${CONF_CASES:-} | tee "$WORK/conformance.out"
rc=${PIPESTATUS[0]}

stop_axip echo TERM
stop_axip http TERM
grep -qi sanitizer "$WORK/echo.log" "$WORK/http.log" && fail "sanitizer report"
[ "$rc" = 0 ] || fail "conformance cases failed (rc $rc)"
echo "PASS net_conformance"
