#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_ipv6: unmodified programs' IPv6 sockets on axip under axip-run
# (shared mode, the interface's fd00:N::1/64 and link-local addresses):
#  - a python3 TCP echo server, AF_INET6 with IPV6_V6ONLY on, bound to ::,
#    answers socat over IPv6 (lines, 4 MiB byte for byte) at the global and
#    the link-local address; accept/getpeername show the client's IPv6
#    address (link-local with its scope), no kernel socket listens on the
#    port, and an IPv4 client is refused;
#  - a dual-stack python3 TCP server (:: with IPV6_V6ONLY off) answers IPv4
#    clients (peers ::ffff:a.b.c.d) and IPv6 clients on one axip socket;
#  - a python3 UDP echo bound to the interface's IPv6 address (recvfrom/
#    sendto), and a python3 UDP client that only calls sendto;
#  - curl -6 (wget in a sanitizer build) fetches a file from a kernel
#    python3 http.server on the peer by SHA-256, from a local port of axip's
#    range, with the shim attached;
#  - a program using only ::1 and an address of another interface stays on
#    the kernel (same output as without axip-run, never attaches);
#  - iperf3 -6 both ways for 2 s;
#  - --no-ip6 leaves the IPv6-only server to the kernel; --addr6 serves a
#    dedicated address.
. "$(dirname "$0")/lib.sh"
need_axip_run python3 socat iperf3
net_setup 1
sha() { sha256sum "$1" | cut -d' ' -f1; }
in_a sysctl -qw net.ipv6.conf.all.disable_ipv6=0 2>/dev/null || true
in_b sysctl -qw net.ipv6.conf.all.disable_ipv6=0 2>/dev/null || true
net_setup_ipv6
ASAN=0
ldd "$BUILD/preload/libaxip-preload.so" | grep -q libasan && ASAN=1

# ---- a TCP echo server: argv[1] port, argv[2] IPV6_V6ONLY
cat >"$WORK/tcp6.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(sys.argv[2]))
s.bind(("::", int(sys.argv[1])))
s.listen(8)
print("serving v6only", s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), flush=True)
def name(a):  # address%interface for a scoped one
    return a[0] + ("%" + socket.if_indextoname(a[3]) if a[3] else "")
while True:
    c, peer = s.accept()
    c.sendall(("peer %s name %s sock %s\n" % (name(peer), name(c.getpeername()), name(c.getsockname()))).encode())
    while True:
        b = c.recv(65536)
        if not b:
            break
        c.sendall(b)
    c.close()
PY
# first line of an echo through socat to $1 (socat address), input $2
echo_line() { printf '%s\n' "$2" | in_b timeout 10 socat -t5 -T5 - "$1"; }
big_echo() { # $1 socat address, $2 what
	in_b timeout 60 socat -t10 -T10 - "$1",shut-down <"$WORK/big.in" >"$WORK/big.out" || fail "$2: 4 MiB transfer"
	tail -c +$(($(head -n1 "$WORK/big.out" | wc -c) + 1)) "$WORK/big.out" >"$WORK/big.body"
	cmp -s "$WORK/big.in" "$WORK/big.body" || fail "$2: 4 MiB echo differs"
}
head -c 4M /dev/urandom >"$WORK/big.in"

# ---- (a) IPv6-only TCP server
start_axip only "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/tcp6.py" 7 1
wait_attached only
wait_log only serving
grep -q 'serving v6only 1' "$WORK/only.log" || fail "IPV6_V6ONLY reads back wrong: $(grep serving "$WORK/only.log")"
grep -q 'IPv6 on' "$WORK/only.log" || fail "the attachment has no IPv6"
in_a ss -Htln | grep -q ':7 ' && fail "a kernel socket listens on port 7: the IPv6 listener is not axip's"
out=$(echo_line "TCP6:[$A6]:7" hello-v6) || fail "socat line echo over IPv6"
want="peer $B6 name $B6 sock $A6"
[ "$(echo "$out" | head -n1)" = "$want" ] || fail "addresses: '$(echo "$out" | head -n1)', expected '$want'"
[ "$(echo "$out" | sed -n 2p)" = hello-v6 ] || fail "line echo returned '$out'"
echo "ok: $want"
for i in 1 2 3; do
	out=$(echo_line "TCP6:[$A6]:7" "line-$i") || fail "line $i"
	[ "$(echo "$out" | sed -n 2p)" = "line-$i" ] || fail "line $i returned '$out'"
done
big_echo "TCP6:[$A6]:7" "IPv6-only server"
echo "ok: 4 MiB over IPv6"
out=$(echo_line "TCP6:[$LL_A%$IFB]:7" hello-ll) || fail "socat line echo over link-local"
want="peer $LL_B%$IFA name $LL_B%$IFA sock $LL_A%$IFA"
[ "$(echo "$out" | head -n1)" = "$want" ] || fail "link-local addresses: '$(echo "$out" | head -n1)', expected '$want'"
[ "$(echo "$out" | sed -n 2p)" = hello-ll ] || fail "link-local echo returned '$out'"
echo "ok: $want"
echo x | in_b timeout 5 socat -t2 -T2 - TCP4:"$ADDR_A":7 >/dev/null 2>&1 &&
	fail "an IPv4 client reached the IPV6_V6ONLY server"
stop_axip only TERM
grep -qi sanitizer "$WORK/only.log" && fail "sanitizer report"

# ---- (b) dual-stack TCP server: one axip socket for both families
start_axip dual "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/tcp6.py" 8 0
wait_attached dual
wait_log dual serving
in_a ss -Htln | grep -q ':8 ' && fail "a kernel socket listens on port 8: the dual-stack listener is not axip's"
out=$(echo_line "TCP4:$ADDR_A:8" hello-four) || fail "IPv4 client of the dual-stack server"
want="peer ::ffff:$ADDR_B name ::ffff:$ADDR_B sock ::ffff:$ADDR_A"
[ "$(echo "$out" | head -n1)" = "$want" ] || fail "IPv4 addresses: '$(echo "$out" | head -n1)', expected '$want'"
[ "$(echo "$out" | sed -n 2p)" = hello-four ] || fail "IPv4 echo returned '$out'"
echo "ok: $want"
out=$(echo_line "TCP6:[$A6]:8" hello-six) || fail "IPv6 client of the dual-stack server"
want="peer $B6 name $B6 sock $A6"
[ "$(echo "$out" | head -n1)" = "$want" ] || fail "IPv6 addresses: '$(echo "$out" | head -n1)', expected '$want'"
[ "$(echo "$out" | sed -n 2p)" = hello-six ] || fail "IPv6 echo returned '$out'"
echo "ok: $want"
big_echo "TCP4:$ADDR_A:8" "dual-stack server over IPv4"
big_echo "TCP6:[$A6]:8" "dual-stack server over IPv6"
echo "ok: 4 MiB each way on the dual-stack server"
stop_axip dual TERM
grep -qi sanitizer "$WORK/dual.log" && fail "sanitizer report"

# ---- (c) UDP over IPv6: a server bound to the interface's address, a sendto-only client
cat >"$WORK/udp6.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
print("serving", s.getsockname()[0], flush=True)
while True:
    b, a = s.recvfrom(65535)
    s.sendto(b + (" from %s" % a[0]).encode(), a)
PY
start_axip udp6 "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/udp6.py" "$A6" 5353
wait_attached udp6
wait_log udp6 serving
in_a ss -Huln | grep -q ':5353 ' && fail "a kernel socket is bound to UDP port 5353: not axip's"
out=$(printf udp-six | in_b timeout 5 socat -t2 -T2 - UDP6:"[$A6]":5353) || fail "UDP echo over IPv6"
[ "$out" = "udp-six from $B6" ] || fail "UDP echo returned '$out'"
echo "ok: $out"
stop_axip udp6 TERM
start_in "$NSB" kudp socat UDP6-RECVFROM:5354,fork EXEC:'cat'
sleep 0.3
out=$(in_a timeout 20 "$RUN" --ifname "$IFA" --verbose -- python3 -c '
import socket, sys
c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
c.settimeout(5)
c.sendto(b"ping6", (sys.argv[1], 5354))
b, a = c.recvfrom(100)
print(b.decode(), a[0], 61000 <= c.getsockname()[1] <= 61999)
' "$B6" 2>"$WORK/udpc.log") || fail "UDP client under axip-run"
grep -q 'attached to' "$WORK/udpc.log" || fail "UDP client: the shim did not attach"
[ "$out" = "ping6 $B6 True" ] || fail "UDP client got '$out'"
echo "ok: UDP client $out"

# ---- (d) a client under axip-run fetching from a kernel server over IPv6
mkdir -p "$WORK/www"
head -c 16M /dev/urandom >"$WORK/www/big.bin"
want=$(sha "$WORK/www/big.bin")
start_in "$NSB" khttp python3 -m http.server --bind "$B6" --directory "$WORK/www" 8000
for _ in $(seq 50); do in_b ss -Htln | grep -q ':8000 ' && break; sleep 0.1; done
if [ "$ASAN" = 0 ] && command -v curl >/dev/null; then
	port=$(in_a timeout 60 "$RUN" --ifname "$IFA" --verbose -- curl -6 -sS --fail -o "$WORK/c.big" \
		-w '%{local_port}' "http://[$B6]:8000/big.bin" 2>"$WORK/curl.log") || fail "curl -6 under axip-run"
	grep -q 'attached to' "$WORK/curl.log" || fail "curl: the shim did not attach"
	[ "$port" -ge 61000 ] && [ "$port" -le 61999 ] || fail "curl's local port $port is not axip's"
	[ "$(sha "$WORK/c.big")" = "$want" ] || fail "curl -6: 16 MiB file differs (sha256)"
	echo "ok: curl -6 16 MiB from port $port"
else
	echo "note: curl skipped (sanitizer build or not installed)"
fi
if command -v wget >/dev/null; then
	in_a timeout 60 "$RUN" --ifname "$IFA" --verbose -- wget -q -O "$WORK/w.big" "http://[$B6]:8000/big.bin" \
		2>"$WORK/wget.log" || fail "wget over IPv6 under axip-run"
	grep -q 'attached to' "$WORK/wget.log" || fail "wget: the shim did not attach"
	[ "$(sha "$WORK/w.big")" = "$want" ] || fail "wget: 16 MiB file differs (sha256)"
	echo "ok: wget 16 MiB over IPv6"
fi
out=$(in_a timeout 30 "$RUN" --ifname "$IFA" --verbose -- python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], 8000))
c.sendall(b"GET / HTTP/1.0\r\n\r\n")
r = b"".join(iter(lambda: c.recv(65536), b""))
print(c.getpeername()[0], 61000 <= c.getsockname()[1] <= 61999, r.split(b" ")[1].decode())
' "$B6" 2>"$WORK/pyc.log") || fail "python3 client under axip-run"
grep -q 'attached to' "$WORK/pyc.log" || fail "python3 client: the shim did not attach"
[ "$out" = "$B6 True 200" ] || fail "python3 client got '$out'"
echo "ok: python3 client $out"

# ---- (e) ::1 and another interface's address stay the kernel's
in_a ip link set lo up
in_a ip link add "${IFA}d" type veth peer name "${IFA}e" || fail "a second interface"
in_a ip link set "${IFA}d" up
in_a ip link set "${IFA}e" up
in_a ip addr add fd99:$NET::1/64 dev "${IFA}d" nodad
cat >"$WORK/local6.py" <<'PY'
import socket, sys
out = []
for addr in ("::1", sys.argv[1]):
    v = socket.socket(socket.AF_INET6); v.bind((addr, 0)); v.listen(1)
    k = socket.create_connection((addr, v.getsockname()[1])); a, peer = v.accept()
    k.sendall(b"six"); out.append("%s %s %s" % (addr, a.recv(10), peer[0]))
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind((addr, 0))
    w = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); w.sendto(b"dg", u.getsockname())
    m, f = u.recvfrom(10); out.append("udp %s %s %s" % (addr, m, f[0]))
print("\n".join(out))
PY
in_a timeout 20 python3 "$WORK/local6.py" "fd99:$NET::1" >"$WORK/l-plain.out" 2>&1 || fail "local6.py without axip-run"
in_a timeout 20 "$RUN" --ifname "$IFA" --verbose -- python3 "$WORK/local6.py" "fd99:$NET::1" \
	>"$WORK/l-shim.out" 2>"$WORK/l-shim.err" || { cat "$WORK/l-shim.err" >&2; fail "local6.py under axip-run"; }
cat "$WORK/l-plain.out"
cmp -s "$WORK/l-plain.out" "$WORK/l-shim.out" || { diff "$WORK/l-plain.out" "$WORK/l-shim.out" >&2; fail "::1 program: output differs"; }
grep -q 'attached to' "$WORK/l-shim.err" && fail "the shim attached for a ::1-only program"
echo "ok: ::1 and another interface stay the kernel's"

# ---- (f) iperf3 -6 both ways
start_axip iperf "$RUN" --ifname "$IFA" --verbose -- iperf3 -6 -s -1 -p 5201
wait_attached iperf
sleep 0.3
in_a ss -Htln | grep -q ':5201 ' && fail "a kernel socket listens on port 5201: iperf3's is not axip's"
in_b timeout 30 iperf3 -6 -c "$A6" -p 5201 -t 2 >"$WORK/iperf-c.log" 2>&1 ||
	fail "iperf3 -6 client to the axip server exited $?"
grep -h 'receiver' "$WORK/iperf-c.log" || fail "iperf3 -6 to axip: no result"
wait_exit iperf 10
start_in "$NSB" kiperf iperf3 -6 -s -1 -p 5202
sleep 0.3
in_a timeout 30 "$RUN" --ifname "$IFA" --verbose -- iperf3 -6 -c "$B6" -p 5202 -t 2 >"$WORK/iperf-a.log" 2>&1 ||
	fail "iperf3 -6 client under axip-run exited $?"
grep -q 'attached to' "$WORK/iperf-a.log" || fail "iperf3 -6 client: the shim did not attach"
grep -h 'receiver' "$WORK/iperf-a.log" || fail "iperf3 -6 from axip: no result"

# ---- --no-ip6: the IPv6-only server is the kernel's
start_axip kern "$RUN" --ifname "$IFA" --verbose --no-ip6 -- python3 -u "$WORK/tcp6.py" 7 1
wait_log kern serving
in_a ss -Htln | grep -q ':7 ' || fail "--no-ip6: the kernel does not hold the listener"
out=$(echo_line "TCP6:[$A6]:7" hello-kernel) || fail "--no-ip6: kernel echo"
[ "$(echo "$out" | sed -n 2p)" = hello-kernel ] || fail "--no-ip6: echo returned '$out'"
grep -q 'attached to' "$WORK/kern.log" && fail "--no-ip6: the shim attached"
stop_axip kern TERM
echo "ok: --no-ip6"

# ---- --addr6: a dedicated address (the core runs DAD for it)
start_axip ded "$RUN" --ifname "$IFA" --verbose --addr6 "$D6/64" -- python3 -u "$WORK/tcp6.py" 7 1
wait_attached ded
wait_log ded serving
grep -q 'IPv6 on (dedicated)' "$WORK/ded.log" || fail "--addr6: not dedicated"
out=""
for _ in $(seq 30); do # DAD of the address (about a second)
	out=$(echo_line "TCP6:[$D6]:7" hello-ded 2>/dev/null) && break
	sleep 0.2
done
[ "$(echo "$out" | head -n1)" = "peer $B6 name $B6 sock $D6" ] || fail "--addr6: got '$out'"
[ "$(echo "$out" | sed -n 2p)" = hello-ded ] || fail "--addr6: echo returned '$out'"
stop_axip ded TERM
echo "ok: --addr6 $D6"
grep -qi sanitizer "$WORK"/*.log "$WORK"/*.err 2>/dev/null && fail "sanitizer report"
echo "PASS net_preload_ipv6"
