#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_zerocopy: bulk transfers both ways over the multi-buffer AF_XDP path,
# compared by SHA-256, at MTU 1500 and 9000 on both veth ends:
#  - axip -> kernel: axip-httpd sends a file (pread into UMEM buffers,
#    axip_tcp_send; each segment leaves as header frame + payload frames),
#    curl in the peer namespace receives it;
#  - kernel -> axip: axip-http-get fetches the same file from a kernel nginx
#    (at MTU 9000 every full segment arrives as a multi-buffer frame).
# Configurations: zero-copy transmit at both MTUs, the copy
# fallback (--no-sg), TX checksum through AF_XDP TX metadata with the
# kernel's software sum (--tx-csum meta-sw, checked by the peer's
# TcpInCsumErrors) and with a partial sum (--tx-csum meta). Each run's
# counters must show the path it was meant to take. Size: $AXT_ZC_MB MiB
# (default 256, 32 under ASan).
. "$(dirname "$0")/lib.sh"
need_prog axip-httpd
need_prog axip-http-get
command -v nginx >/dev/null || { echo "SKIP: nginx not installed" >&2; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl not installed" >&2; exit 77; }
if grep -q '^AXIP_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
	MB=${AXT_ZC_MB:-32}
else
	MB=${AXT_ZC_MB:-256}
fi
net_setup 1
sha() { sha256sum "$1" | cut -d' ' -f1; }

d=$WORK/nginx
big_file_both "$MB"
WANT=$(sha "$d/www/big.bin")
nginx_files_conf "$d" "$ADDR_B:8080" "$d/www" 64
start_in "$NSB" nginx nginx -e "$d/error.log" -c "$d/nginx.conf" -p "$d"
wait_listen "$NSB" 8080

# ctr LOG NAME: a counter's value from an exit dump (0 when not printed)
ctr() { awk -v n="$2" '$1 == n { v = $2 } END { print v + 0 }' "$1"; }
csum_errors() { in_b nstat -az TcpInCsumErrors | awk '$1 == "TcpInCsumErrors" { print $2 }'; }

# run NAME MTU ARGS...: both directions with axip started with ARGS
run() {
	local name=$1 mtu=$2 t0 t1 t2
	shift 2
	in_a ip link set "$IFA" mtu "$mtu" || fail "mtu $mtu on $IFA"
	in_b ip link set "$IFB" mtu "$mtu" || fail "mtu $mtu on $IFB"

	start_axip "httpd-$name" "$BUILD/examples/axip-httpd" --ifname "$IFA" --port 80 \
		--docroot "$WORK/www" "$@"
	wait_attached "httpd-$name"
	t0=$(date +%s.%N)
	in_b timeout 120 curl -sS --max-time 100 -o "$WORK/out.bin" "http://$ADDR_A/big.bin" ||
		fail "$name: curl from axip-httpd (exit $?)"
	t1=$(date +%s.%N)
	[ "$(sha "$WORK/out.bin")" = "$WANT" ] || fail "$name: axip -> kernel: ${MB} MiB differs"
	rm -f "$WORK/out.bin"
	stop_axip "httpd-$name" TERM

	t2=$(date +%s.%N)
	in_a timeout -s KILL 150 "$BUILD/examples/axip-http-get" --ifname "$IFA" "$@" \
		--url "http://$ADDR_B:8080/big.bin" --output "$WORK/out.bin" --timeout 120 \
		>"$WORK/get-$name.log" 2>&1 || fail "$name: axip-http-get (exit $?)"
	[ "$(sha "$WORK/out.bin")" = "$WANT" ] || fail "$name: kernel -> axip: ${MB} MiB differs"
	rm -f "$WORK/out.bin"
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v e="$(date +%s.%N)" -v m="$MB" -v n="$name" \
		'BEGIN { printf "%-14s %d MiB: axip->kernel %.2f s, kernel->axip %.2f s (with attach)\n", n, m, b - a, e - c }'
	for f in "$WORK/httpd-$name.log" "$WORK/get-$name.log"; do
		grep -qi sanitizer "$f" && fail "$name: sanitizer report in $f"
		[ "$(ctr "$f" xdp_tx_drop_bad_buf)" = 0 ] || fail "$name: TX buffers refused"
		[ "$(ctr "$f" xdp_rx_drop_partial)" = 0 ] || fail "$name: partial multi-buffer frames"
		[ "$(ctr "$f" xdp_tx_drop_too_big)" = 0 ] || fail "$name: TX frames too big"
	done
	return 0
}

H() { echo "$WORK/httpd-$1.log"; }
G() { echo "$WORK/get-$1.log"; }

# zero copy at MTU 1500 (copy threshold 0: every payload chained):
# segments leave as multi-buffer packets
run sg-1500 1500 --tx-copy-max 0
grep -q 'multi-buffer on' "$(H sg-1500)" || fail "sg-1500: multi-buffer not on"
[ "$(ctr "$(H sg-1500)" xdp_tx_sg_frames)" -gt 1000 ] || fail "sg-1500: no zero-copy transmit"
[ "$(ctr "$(H sg-1500)" xdp_rx_hash)" -gt 0 ] || fail "sg-1500: no receive hash"

# MTU 9000 on 2048-byte frames, default threshold: 8948-byte payloads are
# chained, multi-buffer both ways
run sg-9000 9000
[ "$(ctr "$(H sg-9000)" xdp_tx_sg_frames)" -gt 1000 ] || fail "sg-9000: no zero-copy transmit"
[ "$(ctr "$(G sg-9000)" xdp_rx_multibuf)" -gt 1000 ] || fail "sg-9000: no multi-buffer receive"
grep -Eq '^  tcp_rx +' "$(G sg-9000)" || fail "sg-9000: no TCP counted"

# the copy fallback (what a kernel that refuses XDP_USE_SG gets)
run copy-1500 1500 --no-sg
grep -q 'multi-buffer off' "$(H copy-1500)" || fail "copy-1500: multi-buffer not off"
[ "$(ctr "$(H copy-1500)" xdp_tx_sg_frames)" = 0 ] || fail "copy-1500: chains sent with --no-sg"

# TX metadata, the kernel computes the sums: the peer must see no bad one
e0=$(csum_errors)
run meta-sw-9000 9000 --tx-csum meta-sw
e1=$(csum_errors)
[ "$e0" = "$e1" ] || fail "meta-sw-9000: the peer counted $((e1 - e0)) bad TCP checksums"
[ "$(ctr "$(G meta-sw-9000)" xdp_tx_csum_offload)" -gt 0 ] || fail "meta-sw-9000: no TX metadata"
[ "$(ctr "$(H meta-sw-9000)" xdp_tx_csum_sw_multibuf)" -gt 1000 ] ||
	fail "meta-sw-9000: multi-buffer sums not finished in software"

# TX metadata with a partial sum (veth passes it on as kernel TCP does);
# default threshold: 1448-byte payloads are copied into the header frame
run meta-1500 1500 --tx-csum meta
[ "$(ctr "$(H meta-1500)" xdp_tx_csum_offload)" -gt 1000 ] || fail "meta-1500: no TX metadata"
[ "$(ctr "$(H meta-1500)" xdp_tx_copy_small)" -gt 1000 ] || fail "meta-1500: payloads not copied"

xdp_attached && fail "XDP program left after exit"
echo "PASS net_zerocopy"
