#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_active_open: axip-http-get with two workers on a two-queue veth fetches
# a 2 MiB file 12 times from a kernel HTTP server (python3 http.server) in
# the peer namespace. Each worker connects from its own slice of the
# reserved port range; replies the peer sends to the other worker's queue
# are handed over through the SPSC rings. Every body must be identical to
# the file, and the counters must show hand-offs in both directions.
. "$(dirname "$0")/lib.sh"
need_prog axip-http-get
net_setup 2
mkdir "$WORK/www"
head -c 2M /dev/urandom >"$WORK/www/f.bin"
start_in "$NSB" pyhttp /usr/bin/python3 -m http.server --directory "$WORK/www" --bind "$ADDR_B" 8000
for i in $(seq 50); do
	in_b timeout 2 curl -s -o /dev/null "http://$ADDR_B:8000/" && break
	sleep 0.1
done

start_axip get "$BUILD/examples/axip-http-get" --ifname "$IFA" --queues 2 --cores 0,1 \
	--url "http://$ADDR_B:8000/f.bin" --count 12 --output "$WORK/out" --timeout 20
pid=$(cat "$WORK/get.pid")
for i in $(seq 600); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "axip-http-get did not finish"
grep -q 'fetches failed' "$WORK/get.log" && fail "fetches failed"
for i in $(seq 0 11); do
	cmp -s "$WORK/www/f.bin" "$WORK/out.$i" || fail "fetch $i differs from the file"
done
for w in 0 1; do
	n=$(awk -v w="worker $w " 'index($0, w) == 1 { on = 1; next } /^worker |^xdp / { on = 0 }
		on && $1 == "tcp_active_open" { print $2 }' "$WORK/get.log")
	[ "${n:-0}" = 6 ] || fail "worker $w: expected 6 active opens, got ${n:-0}"
done
grep -Eq '^  xdp_handoff_in +[1-9]' "$WORK/get.log" || fail "no frame was handed over between workers"
grep -qi sanitizer "$WORK/get.log" && fail "sanitizer report"
echo "PASS net_active_open"
