#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_passthrough: a program that uses only loopback, Unix and IPv6
# sockets behaves exactly the same under axip-run as without it (same
# output, same exit status), and the shim never attaches to the interface.
. "$(dirname "$0")/lib.sh"
RUN=$BUILD/preload/axip-run
[ -x "$RUN" ] || { echo "SKIP: $RUN not built" >&2; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing" >&2; exit 77; }
net_setup 1
in_a ip link set lo up
cat >"$WORK/local.py" <<'PY'
import errno, os, select, selectors, socket, threading
out = []
# TCP over loopback: a threaded echo, blocking and non-blocking clients
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(4); port = srv.getsockname()[1]
def serve():
    for _ in range(2):
        c, _a = srv.accept()
        while True:
            b = c.recv(65536)
            if not b: break
            c.sendall(b)
        c.close()
threading.Thread(target=serve, daemon=True).start()
c = socket.create_connection(("127.0.0.1", port))
data = os.urandom(1 << 20); c.sendall(data); c.shutdown(socket.SHUT_WR)
got = b"".join(iter(lambda: c.recv(65536), b""))
out.append("tcp-loopback %s" % (got == data))
c.close()
c = socket.socket(); c.setblocking(False)
out.append("nb-connect %s" % errno.errorcode.get(c.connect_ex(("127.0.0.1", port)), "0"))
sel = selectors.DefaultSelector(); sel.register(c, selectors.EVENT_WRITE)
out.append("writable %d" % len(sel.select(5)))
sel.unregister(c); c.setblocking(True); c.sendall(b"x" * 10); c.shutdown(socket.SHUT_WR)
out.append("echo10 %d" % len(b"".join(iter(lambda: c.recv(100), b""))))
c.close()
# refused connection, unbound address
d = socket.socket(); d.bind(("127.0.0.1", 0)); dead = d.getsockname()[1]; d.close()
e = socket.socket()
out.append("refused %s" % errno.errorcode[e.connect_ex(("127.0.0.1", dead))]); e.close()
f = socket.socket()
try: f.bind(("192.0.2.1", 0)); out.append("bind-foreign ok")
except OSError as x: out.append("bind-foreign %s" % errno.errorcode[x.errno])
f.close()
# UDP over loopback
u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u1.bind(("127.0.0.1", 0))
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u2.sendto(b"dgram", u1.getsockname())
m, a = u1.recvfrom(100); out.append("udp %s %s" % (m, a[1] == u2.getsockname()[1]))
# Unix stream pair, a pipe, poll over all
s1, s2 = socket.socketpair(); r, w = os.pipe()
s2.send(b"u"); os.write(w, b"p")
p = select.poll(); p.register(s1, select.POLLIN); p.register(r, select.POLLIN)
out.append("poll %d" % len(p.poll(5000)))
ep = select.epoll(); ep.register(s1.fileno(), select.EPOLLIN); ep.register(r, select.EPOLLIN)
out.append("epoll %d" % len(ep.poll(5)))
# IPv6 loopback
try:
    v = socket.socket(socket.AF_INET6); v.bind(("::1", 0)); v.listen(1)
    k = socket.create_connection(("::1", v.getsockname()[1])); a, _x = v.accept()
    k.sendall(b"six"); out.append("ipv6 %s" % a.recv(10))
except OSError as x: out.append("ipv6 %s" % errno.errorcode[x.errno])
print("\n".join(out))
PY
in_a timeout 60 python3 "$WORK/local.py" >"$WORK/plain.out" 2>&1
rc_plain=$?
in_a timeout 60 "$RUN" --ifname "$IFA" --verbose -- python3 "$WORK/local.py" >"$WORK/shim.out" 2>"$WORK/shim.err"
rc_shim=$?
cat "$WORK/plain.out"
[ "$rc_plain" = 0 ] || fail "without axip-run: exit $rc_plain"
[ "$rc_shim" = "$rc_plain" ] || { cat "$WORK/shim.err" >&2; fail "under axip-run: exit $rc_shim"; }
cmp -s "$WORK/plain.out" "$WORK/shim.out" || { diff "$WORK/plain.out" "$WORK/shim.out" >&2; fail "output differs under axip-run"; }
grep -q 'attached to' "$WORK/shim.err" && fail "the shim attached for a loopback-only program"
xdp_attached && fail "an XDP program is attached"
echo "PASS net_preload_passthrough"
