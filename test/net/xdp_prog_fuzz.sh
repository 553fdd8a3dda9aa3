#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_xdp_prog_fuzz: the XDP steering program, as embedded in the library,
# runs under BPF_PROG_TEST_RUN on random and mutated frames (Ethernet, VLAN,
# ARP, IPv4 with any IHL, IPv6 with 0-5 extension headers, fragments of
# both, TCP/UDP ports from the rules of both families, the range and
# elsewhere, NS/NA for axip's and other targets to multicast and unicast
# destinations, truncated at any byte or at a header boundary, bit flips)
# and every verdict is compared with a C model of its rules, the per-rule hit
# counters at the end (test/bpf/xdp_prog_fuzz.c); it fails too when no IPv6
# frame was redirected or none passed. A veth end with two queues gives the
# test runs an ingress device: queue 0 has an AF_XDP socket, queue 1 none.
#
# XDP_FUZZ_SECONDS (default 30) and XDP_FUZZ_SEED (default: from the clock,
# printed) reproduce or extend a run.
. "$(dirname "$0")/lib.sh"
FUZZ="$BUILD/test/xdp_prog_fuzz"
[ -x "$FUZZ" ] || { echo "SKIP: $FUZZ not built" >&2; exit 77; }
net_setup 2
seed=()
[ -n "${XDP_FUZZ_SEED:-}" ] && seed=(--seed "$XDP_FUZZ_SEED")
in_a timeout 150 "$FUZZ" --ifname "$IFA" --seconds "${XDP_FUZZ_SECONDS:-30}" "${seed[@]}" ||
	fail "xdp_prog_fuzz failed (rc $?)"
echo "PASS net_xdp_prog_fuzz"
