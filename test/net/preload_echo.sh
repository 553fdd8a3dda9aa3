#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_echo: unmodified programs on axip through axip-run, driven by
# kernel clients across the veth pair:
#  - a python3 threaded echo server (socketserver: poll() on the listener,
#    a thread per connection with blocking recv/sendall): a line by socat and
#    nc, 8 MiB and four concurrent 1 MiB connections compared byte for byte;
#  - socat TCP-LISTEN ... EXEC:cat (socat forks cat: the child runs on the
#    kernel, the parent serves the connection on axip): 1 MiB compared;
#  - a server that writes 4 MiB after the client's FIN, closes and exits at
#    once: the exit waits until the data is acknowledged (4 MiB compared);
#  - a python3 UDP echo (recvfrom/sendto): a line and a 1400-byte datagram.
# The listeners are axip's: no kernel socket listens on their ports.
. "$(dirname "$0")/lib.sh"
need_axip_run python3 socat
net_setup 1

cat >"$WORK/echo.py" <<'PY'
import socketserver, sys
class H(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            b = self.request.recv(65536)
            if not b:
                return
            self.request.sendall(b)
class S(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
srv = S(("0.0.0.0", int(sys.argv[1])), H)
print("serving", flush=True)
srv.serve_forever()
PY
start_axip pyecho "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/echo.py" 7
wait_attached pyecho
in_a ss -Htln | grep -q ':7 ' && fail "a kernel socket listens on port 7: not served by axip"
check_echo 7
stop_axip pyecho TERM
grep -qi sanitizer "$WORK/pyecho.log" && fail "sanitizer report"

start_axip socat "$RUN" --ifname "$IFA" --verbose -- socat -t10 TCP-LISTEN:8,reuseaddr EXEC:cat
wait_attached socat
head -c 1M /dev/urandom >"$WORK/s.in"
in_b timeout 30 socat -t10 -T10 - TCP:"$ADDR_A":8,shut-down <"$WORK/s.in" >"$WORK/s.out" ||
	fail "socat EXEC:cat transfer"
cmp -s "$WORK/s.in" "$WORK/s.out" || fail "socat EXEC:cat echo differs"
wait_exit socat 10

# exit with data in flight after both directions closed: the client shuts
# its side first and reads slowly, the server then writes 4 MiB, closes and
# exits at once; the shim must keep the process until the peer acknowledged
# all of it
cat >"$WORK/tail.py" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(1)
print("serving", flush=True)
c, _ = s.accept()
while c.recv(65536):
    pass
c.sendall(bytes(range(256)) * 16384)
c.close()
PY
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 16384)' >"$WORK/t.want"
start_axip tail "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/tail.py" 9
wait_attached tail
wait_log tail serving
cat >"$WORK/slow.py" <<'PY'
import socket, sys, time
c = socket.socket()
c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
c.connect((sys.argv[1], int(sys.argv[2])))
c.shutdown(socket.SHUT_WR)
with open(sys.argv[3], "wb") as f:
    while True:
        b = c.recv(32768)
        if not b:
            break
        f.write(b)
        time.sleep(0.005)
PY
in_b timeout 30 python3 "$WORK/slow.py" "$ADDR_A" 9 "$WORK/t.out" || fail "reading what the server wrote before close and exit (cut off?)"
cmp -s "$WORK/t.want" "$WORK/t.out" ||
	fail "data written before close and exit was cut off: $(stat -c %s "$WORK/t.out") of 4194304 bytes"
wait_exit tail 10

cat >"$WORK/udp.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
print("serving", flush=True)
while True:
    b, a = s.recvfrom(65535)
    s.sendto(b, a)
PY
start_axip udp "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/udp.py" 5353
wait_attached udp
in_a ss -Huln | grep -q ':5353 ' && fail "a kernel socket is bound to UDP port 5353: not served by axip"
out=$(echo udp-hello | in_b timeout 5 socat -t2 -T2 - UDP:"$ADDR_A":5353) || fail "UDP line echo"
[ "$out" = udp-hello ] || fail "UDP echo returned '$out'"
head -c 1400 /dev/urandom >"$WORK/d.in"
in_b timeout 5 socat -t2 -T2 - UDP:"$ADDR_A":5353 <"$WORK/d.in" >"$WORK/d.out" || fail "UDP datagram echo"
cmp -s "$WORK/d.in" "$WORK/d.out" || fail "UDP 1400-byte echo differs"
stop_axip udp TERM
echo "PASS net_preload_echo"
