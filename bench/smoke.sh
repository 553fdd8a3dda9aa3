#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench_smoke BUILD_BENCH_DIR: the load generators against their own servers
# on loopback (127.0.0.1, no namespaces needed): rpc ping-pong and burst with
# two threads, udp_rr ping-pong and 32 in flight; each must complete
# transactions and print a well-formed result line. Also --help and bad
# arguments (exit 2).
set -u
B=${1:?usage: smoke.sh BUILD_BENCH_DIR}
PIDS=()
cleanup() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
port() { echo $((20000 + ($$ + $1) % 20000)); }

check_line() { # check_line LINE: transactions > 0, percentiles ordered
	local line=$1
	echo "$line" | awk '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		ok = v["transactions"] > 0 && v["tps"] > 0 && v["p50_us"] > 0 &&
		     v["p50_us"] <= v["p99_us"] && v["p99_us"] <= v["p999_us"] && v["p999_us"] <= v["max_us"]
		exit !ok
	}' || fail "bad result line: $line"
}

"$B/rpc" --help | grep -q 'usage:' || fail "rpc --help"
"$B/rpc" client --conns 0 2>/dev/null; [ $? = 2 ] || fail "rpc: bad argument should exit 2"
"$B/udp_rr" client --depth x 2>/dev/null; [ $? = 2 ] || fail "udp_rr: bad argument should exit 2"

P=$(port 1)
"$B/rpc" server --port "$P" --threads 2 2>/dev/null &
PIDS+=($!)
U=$(port 2)
"$B/udp_rr" server --port "$U" 2>/dev/null &
PIDS+=($!)
sleep 0.5
line=$("$B/rpc" client --host 127.0.0.1 --port "$P" --conns 1 --duration 0.5 --warmup 0.1) || fail "rpc ping-pong"
check_line "$line"
line=$("$B/rpc" client --host 127.0.0.1 --port "$P" --conns 4 --depth 8 --threads 2 --duration 0.5 --warmup 0.1) ||
	fail "rpc burst"
check_line "$line"
echo "$line" | grep -q 'conns=4 depth=8 size=64 threads=2' || fail "rpc burst parameters: $line"
line=$("$B/udp_rr" client --host 127.0.0.1 --port "$U" --duration 0.5 --warmup 0.1) || fail "udp_rr ping-pong"
check_line "$line"
line=$("$B/udp_rr" client --host 127.0.0.1 --port "$U" --depth 32 --duration 0.5 --warmup 0.1) || fail "udp_rr depth 32"
check_line "$line"
echo "PASS bench_smoke"
