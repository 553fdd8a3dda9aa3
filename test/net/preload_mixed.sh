#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_mixed: preload_mixed (preload/test/preload_mixed.c) under
# axip-run mixes a kernel Unix socket pair, a pipe and axip TCP sockets in one
# epoll set, then in one poll array; a kernel client in the peer namespace
# sends a line for each phase and checks both answers. Then a non-blocking
# TCP client socket registered in the epoll set before connect() (as nginx's
# upstreams) connects to a kernel socat echo in the peer namespace.
. "$(dirname "$0")/lib.sh"
RUN=$BUILD/preload/axip-run
PROG=$BUILD/preload/preload_mixed
[ -x "$RUN" ] && [ -x "$PROG" ] || { echo "SKIP: axip-run / preload_mixed not built" >&2; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing" >&2; exit 77; }
command -v socat >/dev/null || { echo "SKIP: socat missing (Debian package socat)" >&2; exit 77; }
net_setup 1
start_in "$NSB" peer socat TCP-LISTEN:7007,reuseaddr EXEC:cat
wait_listen "$NSB" 7007
start_axip mixed "$RUN" --ifname "$IFA" --verbose -- "$PROG" 9 "$ADDR_B" 7007
wait_attached mixed
in_a ss -Htln | grep -q ':9 ' && fail "a kernel socket listens on port 9: not served by axip"
cat >"$WORK/client.py" <<'PY'
import socket, sys
c = socket.create_connection((sys.argv[1], 9), timeout=10)
f = c.makefile("rb")
c.sendall(b"first\n")
a = f.readline().decode().strip()
c.sendall(b"second\n")
b = f.readline().decode().strip()
print(a)
print(b)
PY
out=$(in_b timeout 30 python3 "$WORK/client.py" "$ADDR_A") || fail "client: $out"
want=$'epoll:first pipe=p1 unix=u1\npoll:second pipe=p2 unix=u2'
[ "$out" = "$want" ] || fail "answers: '$out', expected '$want'"
wait_exit mixed 10
grep -q 'preload_mixed:' "$WORK/mixed.log" && fail "preload_mixed reported an error"
grep -q '^connect:mixed-connect$' "$WORK/mixed.log" || fail "no echo through the client registered before connect"
grep -q '^kset ok$' "$WORK/mixed.log" || fail "kernel descriptors joining an axip-only epoll set were not all reported"
echo "PASS net_preload_mixed"
