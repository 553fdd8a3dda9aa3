#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_misuse: starting axip without the privileges it needs (root without
# CAP_BPF alone still starts: CAP_SYS_ADMIN allows BPF), on an interface
# of another namespace, or on an interface another XDP program holds without
# libxdp's dispatcher: each start is refused with a clear message and its exit
# code, and leaves the interface as it was — no axip program, a foreign
# program still attached (same id), the port reservation unchanged, kernel
# traffic (ping) still passing. A foreign program forced over a running axip
# stays when axip exits. Finally axip attaches and serves on the same
# interface.
. "$(dirname "$0")/lib.sh"
need_prog axip-udp-echo
command -v clang >/dev/null || { echo "SKIP: clang not installed" >&2; exit 77; }
for t in setpriv /usr/bin/python3; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed" >&2; exit 77; }
done
net_setup 1
ECHO="$BUILD/examples/axip-udp-echo"

# A foreign XDP program that passes every frame (XDP_PASS = 2); no headers,
# so it builds without the kernel's asm/ include directories.
cat >"$WORK/foreign.c" <<'EOF'
struct xdp_md;
__attribute__((section("xdp"), used)) int foreign_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return 2;
}
__attribute__((section("license"), used)) char _license[] = "GPL";
EOF
clang -O2 -target bpf -c "$WORK/foreign.c" -o "$WORK/foreign.o" || fail "cannot build the foreign XDP program"

reserved_before=$(in_a cat /proc/sys/net/ipv4/ip_local_reserved_ports)

prog_id() { # the id of the XDP program on $IFA (any mode), empty if none
	in_a ip -details link show dev "$IFA" | grep -o 'prog/xdp id [0-9]*' | awk '{print $3}' | head -n1
}

intact() { # intact WHAT EXPECTED_ID: the interface is as it was before a refused start
	local id
	id=$(prog_id)
	[ "$id" = "$2" ] || fail "$1: XDP program on $IFA is '$id', expected '$2'"
	[ "$(in_a cat /proc/sys/net/ipv4/ip_local_reserved_ports)" = "$reserved_before" ] ||
		fail "$1: reserved ports changed"
	in_b ping -c1 -W2 "$ADDR_A" >/dev/null || fail "$1: ping through $IFA no longer works"
}

# ---- privileges (exit 3, the missing capabilities named) ----
expect 3 'insufficient privileges (missing CAP_NET_ADMIN CAP_NET_RAW CAP_BPF)' \
	in_a timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups "$ECHO" --ifname "$IFA"
intact "unprivileged user" ""
# root without CAP_BPF (and CAP_SYS_ADMIN, which also allows BPF): the
# bounding set limits what root gets at exec
expect 3 'missing CAP_BPF)' in_a timeout 20 setpriv --bounding-set=-bpf,-sys_admin "$ECHO" --ifname "$IFA"
intact "without CAP_BPF" ""
# CAP_BPF alone may go: CAP_SYS_ADMIN still allows BPF, and axip attaches
start_axip nobpf setpriv --bounding-set=-bpf "$ECHO" --ifname "$IFA" --port 7
wait_attached nobpf
grep -Eq '^CapEff:.*' "/proc/$(cat "$WORK/nobpf.pid")/status" || fail "no capability status"
cap_eff=$(awk '/^CapEff:/ { print $2 }' "/proc/$(cat "$WORK/nobpf.pid")/status")
[ $((0x$cap_eff >> 39 & 1)) = 0 ] || fail "CAP_BPF not dropped (CapEff $cap_eff)"
stop_axip nobpf TERM
echo "ok: without CAP_BPF but with CAP_SYS_ADMIN axip attaches (CapEff $cap_eff)"
intact "without CAP_BPF only" ""
expect 3 'missing CAP_NET_ADMIN)' in_a timeout 20 setpriv --bounding-set=-net_admin "$ECHO" --ifname "$IFA"
intact "without CAP_NET_ADMIN" ""
expect 3 'missing CAP_NET_RAW)' in_a timeout 20 setpriv --bounding-set=-net_raw "$ECHO" --ifname "$IFA"
intact "without CAP_NET_RAW" ""

# ---- interface of another namespace (exit 4) ----
expect 4 "no interface named '$IFA'" in_b timeout 20 "$ECHO" --ifname "$IFA"
intact "interface in another namespace" ""

# ---- a foreign program attached without the dispatcher (exit 1) ----
in_a ip link set dev "$IFA" xdp obj "$WORK/foreign.o" sec xdp || fail "cannot attach the foreign program"
foreign=$(prog_id)
[ -n "$foreign" ] || fail "foreign program not attached"
expect 1 "already has XDP program 'foreign_pass' (id $foreign, native mode)" \
	in_a timeout 20 "$ECHO" --ifname "$IFA"
intact "foreign native program" "$foreign"
expect 1 "leaves it in place" in_a timeout 20 "$ECHO" --ifname "$IFA" --generic
intact "foreign native program, axip --generic" "$foreign"
in_a ip link set dev "$IFA" xdp off

in_a ip link set dev "$IFA" xdpgeneric obj "$WORK/foreign.o" sec xdp || fail "cannot attach in generic mode"
foreign=$(prog_id)
expect 1 "(id $foreign, generic mode).*xdpgeneric off" in_a timeout 20 "$ECHO" --ifname "$IFA"
intact "foreign generic program" "$foreign"
in_a ip link set dev "$IFA" xdpgeneric off

# xdp-loader tries libxdp's dispatcher first; where that fails it attaches the
# program directly, and axip refuses as above
if command -v xdp-loader >/dev/null; then
	in_a sh -c "mount -t bpf bpf /sys/fs/bpf 2>/dev/null; xdp-loader load -m native '$IFA' '$WORK/foreign.o'" \
		>"$WORK/loader.txt" 2>&1 || { cat "$WORK/loader.txt" >&2; fail "xdp-loader load"; }
	foreign=$(prog_id)
	if in_a sh -c "mount -t bpf bpf /sys/fs/bpf 2>/dev/null; xdp-loader status '$IFA'" | grep -q xdp_dispatcher; then
		# the dispatcher loaded: axip joins it beside the foreign program
		start_axip disp "$ECHO" --ifname "$IFA" --port 7
		wait_attached disp
		grep -q 'libxdp dispatcher' "$WORK/disp.log" || fail "dispatcher in place but not used"
		stop_axip disp
		echo "ok: axip shared the interface through libxdp's dispatcher"
	else
		expect 1 "already has XDP program 'foreign_pass'" in_a timeout 20 "$ECHO" --ifname "$IFA"
		intact "program loaded by xdp-loader" "$foreign"
	fi
	in_a sh -c "mount -t bpf bpf /sys/fs/bpf 2>/dev/null; xdp-loader unload -a '$IFA'" >/dev/null 2>&1 ||
		in_a ip link set dev "$IFA" xdp off
else
	echo "note: xdp-loader not installed, its case not checked"
fi
[ -z "$(prog_id)" ] || fail "foreign program not removed before the next step"

# ---- a foreign program forced over a running axip stays when axip exits ----
start_axip echo "$ECHO" --ifname "$IFA" --port 7
wait_attached echo
in_a ip link set dev "$IFA" xdp obj "$WORK/foreign.o" sec xdp 2>/dev/null &&
	fail "the kernel let a second program replace axip's without -force"
in_a ip -force link set dev "$IFA" xdp obj "$WORK/foreign.o" sec xdp || fail "ip -force link set xdp"
foreign=$(prog_id)
stop_axip echo TERM
intact "foreign program forced over axip, after axip exits" "$foreign"
in_a ip link set dev "$IFA" xdp off

# ---- and the interface still works for axip ----
start_axip echo2 "$ECHO" --ifname "$IFA" --port 7
wait_attached echo2
out=$(in_b timeout 5 /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
for _ in range(3):
    s.sendto(b"misuse-ok", (sys.argv[1], 7))
    try:
        print(s.recv(2048).decode()); break
    except socket.timeout:
        pass' "$ADDR_A")
[ "$out" = misuse-ok ] || fail "UDP echo through axip after the refused starts returned '$out'"
stop_axip echo2 TERM
intact "after a clean run" ""
grep -qi sanitizer "$WORK"/*.log && fail "sanitizer report"
echo "PASS net_misuse"
