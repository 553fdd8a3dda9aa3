#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_tcp_echo: axip-tcp-echo answers kernel TCP clients (socat, nc) across a
# veth pair: a line, an 8 MiB random file compared byte for byte, and four
# concurrent 1 MiB connections; the exit counters show the passive opens.
. "$(dirname "$0")/lib.sh"
need_prog axip-tcp-echo
net_setup 1
start_axip echo "$BUILD/examples/axip-tcp-echo" --ifname "$IFA" --port 7
wait_attached echo
check_echo 7
stop_axip echo TERM
grep -Eq '^  tcp_passive_open +7$' "$WORK/echo.log" || fail "expected 7 passive opens in the counters"
xdp_attached && fail "XDP program left after exit"
grep -qi sanitizer "$WORK/echo.log" && fail "sanitizer report"
echo "PASS net_tcp_echo"
