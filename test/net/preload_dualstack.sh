#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_dualstack: an unmodified server whose sockets are AF_INET6
# bound to :: with IPV6_V6ONLY off (the Linux default: it takes IPv4 too)
# serves its IPv4 clients on axip under axip-run, seeing IPv4-mapped
# addresses as the kernel would show them:
#  - a python3 TCP server: accept's peer, getpeername and getsockname are
#    ::ffff:a.b.c.d; a line and 1 MiB echoed byte for byte; no kernel socket
#    listens on its port;
#  - a python3 UDP server: recvfrom's peer is ::ffff:a.b.c.d, sendto to it
#    answers;
#  - a python3 AF_INET6 client connecting to ::ffff:a.b.c.d of a kernel
#    server goes out on axip (getsockname shows axip's mapped address);
#  - iperf3 -s without -4 (it binds ::): a 2-s run from a kernel client;
#  - --no-dual-stack: the same TCP server stays the kernel's.
. "$(dirname "$0")/lib.sh"
need_axip_run python3 socat
net_setup 1
in_a sysctl -qw net.ipv6.conf.all.disable_ipv6=0 2>/dev/null || true

cat >"$WORK/tcp6.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
s.listen(8)
print("serving", flush=True)
while True:
    c, peer = s.accept()
    c.sendall(("peer %s name %s sock %s\n" % (peer[0], c.getpeername()[0], c.getsockname()[0])).encode())
    while True:
        b = c.recv(65536)
        if not b:
            break
        c.sendall(b)
    c.close()
PY

start_axip tcp6 "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/tcp6.py" 7
wait_attached tcp6
wait_log tcp6 serving
in_a ss -Htln | grep -q ':7 ' && fail "a kernel socket listens on port 7: the dual-stack listener is not axip's"
out=$(echo hello-six | in_b timeout 10 socat -t5 -T5 - TCP:"$ADDR_A":7) || fail "socat line echo"
want="peer ::ffff:$ADDR_B name ::ffff:$ADDR_B sock ::ffff:$ADDR_A"
[ "$(echo "$out" | head -n1)" = "$want" ] || fail "addresses: '$(echo "$out" | head -n1)', expected '$want'"
[ "$(echo "$out" | sed -n 2p)" = hello-six ] || fail "line echo returned '$out'"
echo "ok: $want"
head -c 1M /dev/urandom >"$WORK/one.in"
in_b timeout 30 socat -t10 -T10 - TCP:"$ADDR_A":7,shut-down <"$WORK/one.in" >"$WORK/one.out" ||
	fail "1 MiB transfer"
tail -c +$(($(head -n1 "$WORK/one.out" | wc -c) + 1)) "$WORK/one.out" >"$WORK/one.body"
cmp -s "$WORK/one.in" "$WORK/one.body" || fail "1 MiB echo differs"
stop_axip tcp6 TERM
grep -qi sanitizer "$WORK/tcp6.log" && fail "sanitizer report"

cat >"$WORK/udp6.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
print("serving", flush=True)
while True:
    b, a = s.recvfrom(65535)
    s.sendto(b + (" from %s" % a[0]).encode(), a)
PY
start_axip udp6 "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/udp6.py" 5353
wait_attached udp6
wait_log udp6 serving
in_a ss -Huln | grep -q ':5353 ' && fail "a kernel socket is bound to UDP port 5353: not axip's"
out=$(printf udp-six | in_b timeout 5 socat -t2 -T2 - UDP:"$ADDR_A":5353) || fail "UDP echo"
[ "$out" = "udp-six from ::ffff:$ADDR_B" ] || fail "UDP echo returned '$out'"
echo "ok: $out"
stop_axip udp6 TERM

start_in "$NSB" ksrv socat TCP-LISTEN:9,reuseaddr EXEC:'echo kernel-here'
wait_listen "$NSB" 9
out=$(in_a timeout 20 "$RUN" --ifname "$IFA" --verbose -- python3 -c '
import socket, sys
c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
c.connect(("::ffff:" + sys.argv[1], 9))
print(c.getsockname()[0], c.getpeername()[0], c.recv(100).decode().strip())
' "$ADDR_B" 2>"$WORK/client6.log") || fail "dual-stack client under axip-run"
grep -q 'attached to' "$WORK/client6.log" || fail "dual-stack client: the shim did not attach"
[ "$out" = "::ffff:$ADDR_A ::ffff:$ADDR_B kernel-here" ] || fail "dual-stack client got '$out'"
echo "ok: client $out"

start_axip iperf "$RUN" --ifname "$IFA" --verbose -- iperf3 -s -1 -p 5201
wait_attached iperf
sleep 0.3
in_a ss -Htln | grep -q ':5201 ' && fail "a kernel socket listens on port 5201: iperf3's is not axip's"
in_b timeout 30 iperf3 -c "$ADDR_A" -p 5201 -t 2 >"$WORK/iperf-c.log" 2>&1 ||
	fail "iperf3 client to the dual-stack axip server exited $?"
grep -h 'receiver' "$WORK/iperf-c.log" || fail "iperf3: no result"
wait_exit iperf 10

start_axip kern "$RUN" --ifname "$IFA" --no-dual-stack -- python3 -u "$WORK/tcp6.py" 7
wait_log kern serving
in_a ss -Htln | grep -q ':7 ' || fail "--no-dual-stack: the kernel does not hold the listener"
out=$(echo hello-kernel | in_b timeout 10 socat -t5 -T5 - TCP:"$ADDR_A":7) || fail "kernel echo"
[ "$(echo "$out" | sed -n 2p)" = hello-kernel ] || fail "kernel echo returned '$out'"
grep -q 'attached to' "$WORK/kern.log" && fail "--no-dual-stack: the shim attached"
stop_axip kern TERM
echo "PASS net_preload_dualstack"
