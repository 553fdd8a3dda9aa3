#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_blocking: blocking calls on axip sockets and signals, as on
# Linux (signal(7), recv(2)): preload_blocking (preload/test/) under axip-run
# reads 100000 bytes with one recv(MSG_WAITALL) that a kernel client sends in
# 1000-byte pieces while SIGALRM with SA_RESTART fires every 20 ms (the call
# is restarted, not ended by EINTR); a blocking recv interrupted by a handler
# without SA_RESTART fails with EINTR; MSG_WAITALL returns the 500 bytes that
# came before the peer shut its side; a UDP socket in an epoll set waits in
# epoll_pwait2 (its timeout, then the datagrams), recvmmsg takes three
# datagrams and sendmmsg answers them.
. "$(dirname "$0")/lib.sh"
RUN=$BUILD/preload/axip-run
PROG=$BUILD/preload/preload_blocking
[ -x "$RUN" ] && [ -x "$PROG" ] || { echo "SKIP: axip-run / preload_blocking not built" >&2; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing" >&2; exit 77; }
net_setup 1
start_axip blk "$RUN" --ifname "$IFA" --verbose -- "$PROG" 9
wait_attached blk
wait_log blk serving
out=$(in_b timeout 30 python3 - "$ADDR_A" <<'PY'
import socket, sys, time
c = socket.create_connection((sys.argv[1], 9), timeout=10)
for i in range(100):
    c.sendall(bytes([i]) * 1000)
    time.sleep(0.002)
assert c.recv(1) == b"1", "no answer to phase 1"
assert c.recv(1) == b"2", "no answer to phase 2"
c.sendall(b"after")
assert c.recv(1) == b"3", "no answer to phase 3"
c.sendall(b"x" * 500)
c.shutdown(socket.SHUT_WR)
while c.recv(4096):
    pass
print("client done")
PY
) || fail "client: $out"
wait_log blk "udp ready"
in_a ss -Huln | grep -q ':10 ' && fail "a kernel UDP socket on port 10: not served by axip"
out=$(in_b timeout 10 python3 - "$ADDR_A" <<'PY'
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(5)
want = [b"one", b"two", b"three"]
for d in want:
    u.sendto(d, (sys.argv[1], 10))
got = sorted(u.recvfrom(256)[0] for _ in want)
assert got == sorted(want), got
print("udp done")
PY
) || fail "UDP client: $out"
wait_exit blk 10
grep -q 'preload_blocking:' "$WORK/blk.log" && fail "preload_blocking: $(grep 'preload_blocking:' "$WORK/blk.log")"
grep -q '^waitall 100000 restarted$' "$WORK/blk.log" || fail "MSG_WAITALL with SA_RESTART signals"
grep -q '^eintr ok$' "$WORK/blk.log" || fail "EINTR without SA_RESTART"
grep -q '^short 500$' "$WORK/blk.log" || fail "MSG_WAITALL at end of stream"
grep -q '^mmsg 3$' "$WORK/blk.log" || fail "recvmmsg/sendmmsg/epoll_pwait2"
echo "PASS net_preload_blocking"
