#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_clients: outgoing connections of unmodified programs on axip:
# curl and wget under axip-run fetch $AXT_BIG_MB MiB (default 100) from a
# kernel nginx in the peer
# namespace (compared by SHA-256); iperf3 both ways for 2 s (axip server /
# kernel client, kernel server / axip client) with no error; a python3
# client reads TCP_INFO in Linux's layout while it downloads from nginx
# (state established, RTT, segment size, window, bytes received).
. "$(dirname "$0")/lib.sh"
RUN=$BUILD/preload/axip-run
[ -x "$RUN" ] || { echo "SKIP: $RUN not built" >&2; exit 77; }
for p in nginx curl wget iperf3; do
	command -v $p >/dev/null || { echo "SKIP: $p missing (Debian packages nginx-light, curl, wget, iperf3)" >&2; exit 77; }
done
BIG_MB=${AXT_BIG_MB:-100}
net_setup 1
big_file_both "$BIG_MB"
D=$WORK/nginx
nginx_files_conf "$D" "$ADDR_B:80" "$D/www" 64
start_in "$NSB" nginx nginx -e "$D/error.log" -c "$D/nginx.conf" -p "$D"
wait_listen "$NSB" 80
want=$(sha256sum <"$D/www/big.bin")
# Debian's curl hangs at start-up with the ASan runtime preloaded (even
# without the shim), so a sanitizer build checks wget only
if ldd "$BUILD/preload/libaxip-preload.so" | grep -q libasan; then
	echo "note: sanitizer build: curl skipped (it hangs under a preloaded ASan runtime)"
else
	got=$(in_a timeout 120 "$RUN" --ifname "$IFA" --verbose -- curl -sS "http://$ADDR_B/big.bin" \
		2>"$WORK/curl.log" | sha256sum)
	grep -q 'attached to' "$WORK/curl.log" || fail "curl: the shim did not attach"
	[ "$got" = "$want" ] || fail "curl under axip-run: $BIG_MB MiB differs"
fi
got=$(in_a timeout 120 "$RUN" --ifname "$IFA" --verbose -- wget -q -O - "http://$ADDR_B/big.bin" \
	2>"$WORK/wget.log" | sha256sum)
grep -q 'attached to' "$WORK/wget.log" || fail "wget: the shim did not attach"
[ "$got" = "$want" ] || fail "wget under axip-run: $BIG_MB MiB differs"

start_axip iperf "$RUN" --ifname "$IFA" --verbose -- iperf3 -4 -s -1 -p 5201
wait_attached iperf
sleep 0.3
in_b timeout 30 iperf3 -c "$ADDR_A" -p 5201 -t 2 >"$WORK/iperf-c.log" 2>&1 ||
	fail "iperf3 client to axip server exited $?"
grep -q 'receiver' "$WORK/iperf-c.log" || fail "iperf3 to axip: no result"
wait_exit iperf 10
start_in "$NSB" kiperf iperf3 -s -1 -p 5202
wait_listen "$NSB" 5202
in_a timeout 30 "$RUN" --ifname "$IFA" -- iperf3 -c "$ADDR_B" -p 5202 -t 2 >"$WORK/iperf-a.log" 2>&1 ||
	fail "iperf3 client under axip-run exited $?"
grep -q 'receiver' "$WORK/iperf-a.log" || fail "iperf3 from axip: no result"
grep -h 'receiver' "$WORK/iperf-c.log" "$WORK/iperf-a.log"

cat >"$WORK/tcpinfo.py" <<'PY'
import socket, struct, sys
c = socket.create_connection((sys.argv[1], 80))
c.sendall(b"GET /big.bin HTTP/1.0\r\n\r\n")
got = 0
while got < 1 << 20:
    b = c.recv(65536)
    if not b:
        break
    got += len(b)
ti = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 232)
state = ti[0]
rto, ato, snd_mss, rcv_mss = struct.unpack_from("4I", ti, 8)
rtt, rttvar, ssthresh, cwnd = struct.unpack_from("4I", ti, 68)
bytes_acked, bytes_received = struct.unpack_from("2Q", ti, 120)
print("len %d state %d rto %d snd_mss %d rcv_mss %d rtt %d cwnd %d bytes_received %d read %d"
      % (len(ti), state, rto, snd_mss, rcv_mss, rtt, cwnd, bytes_received, got))
ok = (len(ti) == 232 and state in (1, 8) and rto > 0 and 500 <= snd_mss <= 1460
      and 500 <= rcv_mss <= 1460 and rtt > 0 and cwnd > 0 and bytes_received >= got)
sys.exit(0 if ok else 1)
PY
out=$(in_a timeout 30 "$RUN" --ifname "$IFA" -- python3 "$WORK/tcpinfo.py" "$ADDR_B" 2>&1) ||
	fail "TCP_INFO under axip-run: $out"
echo "TCP_INFO: $out"
echo "PASS net_preload_clients"
