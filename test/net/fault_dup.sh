#!/usr/bin/env bash
# net_fault_dup: 2% of the IPv4 TCP/UDP frames in each direction are sent
# twice. $AXT_FAULT_MB MiB (default 100; 20 in the sanitizer build) each way
# must arrive byte-identical, no more and no less.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.bash"
need_prog axip-http-get
need_prog axip-httpd
net_setup 1
need_faults
mb=$(fault_mb 100)
fault_files "$mb" f.bin
kernel_http_start
fault_set to_axip 0 2 0 0
fault_set from_axip 0 2 0 0
dsack0=$(kernel_tcp_stat TcpExtTCPDSACKOldSent)

xfer_to_axip f.bin 60
xfer_from_axip f.bin 75
fault_report
dsack=$(($(kernel_tcp_stat TcpExtTCPDSACKOldSent) - dsack0))
echo "kernel: TcpExtTCPDSACKOldSent +$dsack"
print_axip_counters "$WORK/get.log" tcp_rx tcp_rx_out_of_window tcp_ooo_queued
print_axip_counters "$WORK/httpd.log" tcp_rx tcp_tx tcp_retransmit tcp_rto
for d in to_axip from_axip; do
	[ "$(fault_stat $d duplicated)" -gt 0 ] || fail "no frame was duplicated $d"
done
# duplicates reach axip as extra frames beyond what the peer sent once
[ "$(axip_counter rx_packets "$WORK/get.log")" -gt $((mb * 1048576 / 1448)) ] ||
	fail "axip-http-get received fewer frames than the body needs"
# duplicated data from axip makes the kernel report it (D-SACK, RFC 2883)
[ "$dsack" -gt 0 ] || fail "the kernel saw no duplicate segment from axip"
echo "PASS net_fault_dup"
