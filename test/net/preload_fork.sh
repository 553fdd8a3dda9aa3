#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_fork: servers that fork per connection after accepting, under
# axip-run (preload/proxy.c: the parent relays the connection to the child
# through a socket pair). socat TCP-LISTEN:...,fork EXEC:cat and a python3
# socketserver.ForkingTCPServer echo each pass check_echo (a line by socat
# and by nc, 8 MiB both ways, 4 concurrent 1 MiB echoes, each connection in
# its own child), the parent keeps accepting after its children exited, and
# the parent's log shows the relays; a parent that sleeps in waitpid() while
# its child echoes a line and 2 MiB (the timer thread relays then).
. "$(dirname "$0")/lib.sh"
need_axip_run python3 socat nc
net_setup 1

start_axip socat "$RUN" --ifname "$IFA" --verbose -- socat -t10 TCP-LISTEN:7,reuseaddr,fork EXEC:cat
wait_attached socat
check_echo 7
sleep 0.5 # the children exit; the parent accepts on
out=$(echo again | in_b timeout 10 socat -t5 -T5 - TCP:"$ADDR_A":7) || fail "socat after children exited"
[ "$out" = again ] || fail "socat after children exited returned '$out'"
grep -q "relayed to the child" "$WORK/socat.log" || fail "no relay in socat's log"
stop_axip socat
echo "ok: socat fork"

cat >"$WORK/fork.py" <<'PY'
import socketserver
class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            b = self.request.recv(65536)
            if not b:
                break
            self.request.sendall(b)
socketserver.ForkingTCPServer.allow_reuse_address = True
with socketserver.ForkingTCPServer(("0.0.0.0", 8), Echo) as s:
    print("serving", flush=True)
    s.serve_forever()
PY
start_axip pyfork "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/fork.py"
wait_attached pyfork
wait_log pyfork serving
check_echo 8
grep -q "relayed to the child" "$WORK/pyfork.log" || fail "no relay in the python server's log"
stop_axip pyfork
echo "ok: python3 ForkingTCPServer"

# a parent that waits for its child in waitpid() (a kernel call): the shim's
# timer thread relays meanwhile
cat >"$WORK/wait.py" <<'PY'
import os, socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9))
s.listen(4)
print("serving", flush=True)
for _ in range(2):
    c, _ = s.accept()
    pid = os.fork()
    if pid == 0:
        s.close()
        while True:
            b = c.recv(65536)
            if not b:
                break
            c.sendall(b)
        os._exit(0)
    c.close()
    os.waitpid(pid, 0)
print("done", flush=True)
PY
start_axip pywait "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/wait.py"
wait_attached pywait
wait_log pywait serving
out=$(echo waited | in_b timeout 10 socat -t5 -T5 - TCP:"$ADDR_A":9) || fail "echo through a child the parent waits for"
[ "$out" = waited ] || fail "echo through a waited-for child returned '$out'"
head -c 2M /dev/urandom >"$WORK/w.in"
in_b timeout 30 socat -t10 -T10 - TCP:"$ADDR_A":9,shut-down <"$WORK/w.in" >"$WORK/w.out" || fail "2 MiB through a waited-for child"
cmp -s "$WORK/w.in" "$WORK/w.out" || fail "2 MiB through a waited-for child differs"
wait_exit pywait 10
grep -q '^done$' "$WORK/pywait.log" || fail "the waiting parent did not finish"
echo "ok: parent in waitpid"
echo "PASS net_preload_fork"
