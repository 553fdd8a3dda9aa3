#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_redis: Debian's redis-server, unmodified, under axip-run;
# redis-benchmark from the kernel side (SET, GET, LPUSH, LRANGE_100, 50
# clients) must finish with no errors, and values written with redis-cli
# (a line, and 256 KiB of random bytes) read back byte-identical.
. "$(dirname "$0")/lib.sh"
RUN=$BUILD/preload/axip-run
[ -x "$RUN" ] || { echo "SKIP: $RUN not built" >&2; exit 77; }
for p in redis-server redis-benchmark redis-cli; do
	command -v $p >/dev/null || { echo "SKIP: $p missing (Debian packages redis-server, redis-tools)" >&2; exit 77; }
done
net_setup 1
start_axip redis "$RUN" --ifname "$IFA" --verbose -- redis-server --port 6379 --bind 0.0.0.0 \
	--protected-mode no --save "" --appendonly no --daemonize no --dir "$WORK" --logfile ""
wait_attached redis
for _ in $(seq 50); do
	[ "$(in_b timeout 2 redis-cli -h "$ADDR_A" ping 2>/dev/null)" = PONG ] && break
	sleep 0.2
done
[ "$(in_b timeout 5 redis-cli -h "$ADDR_A" ping)" = PONG ] || fail "redis-cli ping"
in_a ss -Htln | grep -q ':6379 ' && fail "a kernel socket listens on port 6379: not served by axip"

in_b timeout 60 redis-benchmark -h "$ADDR_A" -q -n 20000 -c 50 -t set,get,lpush,lrange_100 \
	>"$WORK/bench.out" 2>&1 || { cat "$WORK/bench.out" >&2; fail "redis-benchmark exited $?"; }
tr '\r' '\n' <"$WORK/bench.out" | grep -E 'requests per second' | tee "$WORK/rps.txt"
for t in SET GET LPUSH LRANGE_100; do
	grep -q "^$t[: ].*requests per second" "$WORK/rps.txt" || fail "redis-benchmark: no $t result"
done
grep -qiE 'error|refused|reset' "$WORK/bench.out" && { cat "$WORK/bench.out" >&2; fail "redis-benchmark reported errors"; }

in_b timeout 10 redis-cli -h "$ADDR_A" set axip:line "hello axip" >/dev/null || fail "redis-cli set"
[ "$(in_b timeout 10 redis-cli -h "$ADDR_A" get axip:line)" = "hello axip" ] || fail "redis-cli get"
head -c 256K /dev/urandom >"$WORK/value.bin"
in_b timeout 20 redis-cli -h "$ADDR_A" -x set axip:bin <"$WORK/value.bin" >/dev/null || fail "redis-cli -x set"
in_b timeout 20 redis-cli -h "$ADDR_A" --no-raw getrange axip:bin 0 -1 >/dev/null || fail "redis-cli getrange"
in_b timeout 20 redis-cli -h "$ADDR_A" --raw get axip:bin | head -c 262144 >"$WORK/value.out"
cmp -s "$WORK/value.bin" "$WORK/value.out" || fail "256 KiB value read back differs"
[ "$(in_b timeout 10 redis-cli -h "$ADDR_A" strlen axip:bin)" = 262144 ] || fail "strlen of the value"

# a background save forks redis with every client connected (the children's
# copies are relayed, preload/proxy.c): clients keep being served meanwhile
in_b timeout 60 redis-benchmark -h "$ADDR_A" -q -n 20000 -c 50 -t set,get >"$WORK/bench2.out" 2>&1 &
bpid=$!
sleep 0.3
[ "$(in_b timeout 10 redis-cli -h "$ADDR_A" bgsave)" = "Background saving started" ] || fail "redis-cli bgsave"
wait $bpid || { cat "$WORK/bench2.out" >&2; fail "redis-benchmark during a background save"; }
grep -qiE 'error|refused|reset' "$WORK/bench2.out" && { cat "$WORK/bench2.out" >&2; fail "redis-benchmark errors during a background save"; }
wait_log redis "Background saving terminated with success"
grep -Eq "fork: [0-9]+ connections? relayed to the child" "$WORK/redis.log" || fail "the save's fork relayed no connection"
[ "$(in_b timeout 10 redis-cli -h "$ADDR_A" get axip:line)" = "hello axip" ] || fail "redis-cli get after the save"

stop_axip redis TERM
grep -qi sanitizer "$WORK/redis.log" && fail "sanitizer report"
echo "PASS net_preload_redis"
