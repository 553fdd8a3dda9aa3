#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_fault_loss: 1% of the IPv4 TCP/UDP frames dropped in each direction
# (tc program on the kernel-side veth, test/net/faults.bash). A file of
# $AXT_FAULT_MB MiB (default 100; 20 in the sanitizer build) goes kernel ->
# axip (python3 http.server -> axip-http-get) and axip -> kernel (axip-httpd
# -> curl); both must arrive byte-identical (sha256), the fault counters must
# show drops both ways and axip must have retransmitted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.bash"
fault_xfer_setup 1 0 0 0

xfer_to_axip f.bin 75
xfer_from_axip f.bin 75
fault_report
print_axip_counters "$WORK/get.log" tcp_rx tcp_ooo_queued tcp_retransmit tcp_rto
print_axip_counters "$WORK/httpd.log" tcp_tx tcp_retransmit tcp_fast_retransmit tcp_rto \
	tcp_conn_alloc tcp_conn_free
for d in to_axip from_axip; do
	[ "$(fault_stat $d dropped)" -gt 0 ] || fail "no frame was dropped $d"
done
[ "$(axip_counter tcp_retransmit "$WORK/httpd.log")" -gt 0 ] || fail "axip-httpd retransmitted nothing"
[ "$(axip_counter tcp_ooo_queued "$WORK/get.log")" -gt 0 ] || fail "axip-http-get queued nothing out of order"
echo "PASS net_fault_loss"
