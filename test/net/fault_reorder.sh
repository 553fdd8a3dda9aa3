#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_fault_reorder: 2% of the IPv4 TCP/UDP frames with payload in each
# direction are held back in a token bucket (ifb, test/net/faults.bash) while
# later frames overtake them. $AXT_FAULT_MB MiB (default 100; 20 in the
# sanitizer build) each way must arrive byte-identical; axip's out-of-order
# queue (kernel -> axip) and the kernel's (axip -> kernel) must have been used.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.bash"
fault_xfer_setup 0 0 0 2
ofo0=$(kernel_tcp_stat TcpExtTCPOFOQueue)

xfer_to_axip f.bin 60
xfer_from_axip f.bin 75
fault_report
ofo=$(($(kernel_tcp_stat TcpExtTCPOFOQueue) - ofo0))
echo "kernel: TcpExtTCPOFOQueue +$ofo"
print_axip_counters "$WORK/get.log" tcp_rx tcp_ooo_queued tcp_ooo_drop tcp_rx_out_of_window
print_axip_counters "$WORK/httpd.log" tcp_tx tcp_retransmit tcp_fast_retransmit tcp_rto
for d in to_axip from_axip; do
	[ "$(fault_stat $d reordered)" -gt 0 ] || fail "no frame was held back $d"
done
[ "$(axip_counter tcp_ooo_queued "$WORK/get.log")" -gt 0 ] || fail "axip-http-get queued nothing out of order"
[ "$ofo" -gt 0 ] || fail "the kernel queued nothing out of order"
echo "PASS net_fault_reorder"
