#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_fault_corrupt: in 1% of the IPv4 TCP/UDP frames with payload in each
# direction one payload byte is inverted and the checksum left not matching
# (test/net/faults.bpf.c). Receivers must discard every one of them (axip's
# tcp_rx_bad_csum and the kernel's TcpInCsumErrors equal the corrupted
# counts) and TCP must repair the loss: $AXT_FAULT_MB MiB (default 100; 20 in
# the sanitizer build) each way arrive byte-identical.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults.bash"
fault_xfer_setup 0 0 1 0
csum0=$(kernel_tcp_stat TcpInCsumErrors)

xfer_to_axip f.bin 60
xfer_from_axip f.bin 90
fault_report
csum=$(($(kernel_tcp_stat TcpInCsumErrors) - csum0))
echo "kernel: TcpInCsumErrors +$csum"
print_axip_counters "$WORK/get.log" tcp_rx tcp_rx_bad_csum tcp_ooo_queued
print_axip_counters "$WORK/httpd.log" tcp_tx tcp_rx_bad_csum tcp_retransmit tcp_rto
for d in to_axip from_axip; do
	[ "$(fault_stat $d corrupted)" -gt 0 ] || fail "no frame was corrupted $d"
done
# only TCP crosses the link here: every corrupted frame is one bad checksum
bad=$(($(axip_counter tcp_rx_bad_csum "$WORK/get.log") + $(axip_counter tcp_rx_bad_csum "$WORK/httpd.log")))
[ "$bad" = "$(fault_stat to_axip corrupted)" ] ||
	fail "axip counted $bad bad TCP checksums, $(fault_stat to_axip corrupted) frames were corrupted"
[ "$csum" = "$(fault_stat from_axip corrupted)" ] ||
	fail "the kernel counted $csum bad TCP checksums, $(fault_stat from_axip corrupted) frames were corrupted"
echo "PASS net_fault_corrupt"
