#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_fault_dup: 2% of the IPv4 TCP/UDP frames in each direction are sent
# twice. $AXT_FAULT_MB MiB (default 100; 20 in the sanitizer build) each way
# must arrive byte-identical, no more and no less.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.bash"
fault_xfer_setup 0 2 0 0
dsack0=$(kernel_tcp_stat TcpExtTCPDSACKOldSent)

xfer_to_axip f.bin 60
dup_in=$(fault_stat to_axip duplicated) # during the kernel -> axip transfer
xfer_from_axip f.bin 75
fault_report
dsack=$(($(kernel_tcp_stat TcpExtTCPDSACKOldSent) - dsack0))
echo "kernel: TcpExtTCPDSACKOldSent +$dsack"
print_axip_counters "$WORK/get.log" tcp_rx tcp_rx_out_of_window tcp_ooo_queued
print_axip_counters "$WORK/httpd.log" tcp_rx tcp_tx tcp_retransmit tcp_rto
for d in to_axip from_axip; do
	[ "$(fault_stat $d duplicated)" -gt 0 ] || fail "no frame was duplicated $d"
done
# one of each pair of identical segments is old news to axip: it must be
# recognised as such (RFC 9293 3.10.7.4: outside the window, ACKed, dropped)
old=$(axip_counter tcp_rx_out_of_window "$WORK/get.log")
echo "axip-http-get: $dup_in frames duplicated, $old segments outside the window"
[ "$old" -ge $((dup_in * 9 / 10)) ] && [ "$old" -le $((dup_in + 10)) ] ||
	fail "axip-http-get counted $old old segments for $dup_in duplicated frames"
# duplicated data from axip makes the kernel report it (D-SACK, RFC 2883)
[ "$dsack" -gt 0 ] || fail "the kernel saw no duplicate segment from axip"
echo "PASS net_fault_dup"
