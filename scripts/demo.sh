#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# scripts/demo.sh - build axip and show it working.
# 1. Two axip instances on the simulated Ethernet link (axip-sim-demo):
#    gratuitous ARP, ARP resolution, ping, UDP echo (small and fragmented).
# 2. The real thing (root): two network namespaces joined by a veth pair,
#    axip-httpd attached to one end over AF_XDP, kernel networking on the same
#    interface still working beside it (ping, a kernel TCP server on another
#    port), pages and a 100 MiB file fetched with curl and wget and checked by
#    hash, 10 s of wrk against axip-httpd (no errors allowed), axip's own
#    client (axip-http-get) fetching from a kernel nginx by hash, the threaded
#    echo server (axip-tcp-echo-mt), and wrk against nginx (one worker) on the
#    same interface for a side-by-side figure.
# Installs missing Debian packages first (Debian 12, root or sudo). Safe to run
# again: names carry the PID, and everything it made is removed on exit.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: scripts/demo.sh [--build-dir DIR] [--sim-only] [--big-mb N] [--help] [-- DEMO-ARG...]
  --build-dir DIR  build in DIR (default: build, shared with scripts/test.sh)
  --sim-only       only the simulated-link demo (no root, no namespaces)
  --big-mb N       size of the large file fetched both ways, in MiB (default 100)
  --help           this text
Arguments after -- go to axip-sim-demo (for example: -- --loss 20 --seed 7).
The AF_XDP demo needs root; it creates two network namespaces and a veth pair
(names axd<PID>...), sends only to addresses inside them, and removes them,
its processes and its XDP program on exit. Where 'ip netns exec' cannot work
(a chroot whose / is not a mount point) it enters the namespaces with nsenter.
USAGE
}

build=build
sim_only=
big_mb=100
demo_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--build-dir) build=${2:?--build-dir needs a directory}; shift ;;
	--sim-only) sim_only=1 ;;
	--big-mb)
		big_mb=${2:?--big-mb needs a size in MiB}
		[[ $big_mb =~ ^[1-9][0-9]{0,4}$ ]] || { echo "--big-mb: 1..99999 MiB" >&2; exit 2; }
		shift ;;
	--help | -h) usage; exit 0 ;;
	--) shift; demo_args=("$@"); break ;;
	*) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/packages.sh
. scripts/lib/packages.sh
# shellcheck source=scripts/lib/netns.sh
. scripts/lib/netns.sh
# shellcheck source=scripts/lib/nginx.sh
. scripts/lib/nginx.sh

step_no=0
# step TITLE: print a step header
step() {
	step_no=$((step_no + 1))
	echo
	echo "=== [$step_no] $*"
}
# die MSG: the current step failed; the logs of the servers, then exit 1
die() {
	local f
	echo "demo: FAILED in step $step_no: $*" >&2
	if [ -n "${WORK:-}" ]; then
		for f in "$WORK"/*.log; do
			[ -e "$f" ] || continue
			echo "---- $f" >&2
			tail -n 30 "$f" >&2
		done
	fi
	exit 1
}

step_packages() {
	step "packages"
	axip_ensure_packages build net
}

# step_build TARGET... : configure (once) and build the named targets, quietly.
step_build() {
	step "build $*"
	mkdir -p "$build"
	# the AF_XDP parts are on by default; say so, in case the cache has them off
	local xdp=()
	[ -n "$sim_only" ] || xdp=(-DAXIP_BUILD_XDP=ON)
	if ! cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAXIP_SANITIZE=OFF "${xdp[@]}" \
		>"$build/configure.log" 2>&1; then
		cat "$build/configure.log" >&2
		echo "demo: configuring the build failed" >&2
		exit 1
	fi
	local t targets
	targets=$(cmake --build "$build" --target help)
	for t in "$@"; do
		if ! grep -qE "^\.\.\. $t( |$)" <<<"$targets"; then
			echo "demo: the build has no target '$t' (is its source in the tree?)" >&2
			exit 1
		fi
	done
	if ! cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target "$@" >"$build/build.log" 2>&1; then
		grep -E -A6 'error:|Error [0-9]' "$build/build.log" | head -n 60 >&2 || true
		echo "demo: building $* failed (log: $build/build.log)" >&2
		exit 1
	fi
}

# The simulated link: everything in one process, virtual time, no privileges.
step_sim_demo() {
	local bin
	step "simulated link: axip-sim-demo ${demo_args[*]}"
	bin=$(find "$build" -type f -name axip-sim-demo -perm -u+x | head -n 1)
	[ -n "$bin" ] || { echo "demo: axip-sim-demo was not built" >&2; exit 1; }
	# indented, so that its own verdict lines stand apart from this script's
	timeout 120 "$bin" "${demo_args[@]}" | sed 's/^/  /'
}

# ------------------------------------------------------------ AF_XDP demo
# Namespace $NSA holds $IFA (10.$NET.0.1, where axip-httpd attaches: the
# "existing NIC"); $NSB holds its peer $IFB (10.$NET.0.2: kernel clients).
SFX=$$
NSA=axd${SFX}a NSB=axd${SFX}b IFA=axd${SFX}x IFB=axd${SFX}y
NET=$((100 + SFX % 100))
ADDR_A=10.$NET.0.1 ADDR_B=10.$NET.0.2
WORK=
CCPU=0 SCPU=0
NS_EXEC=ip

# in_ns NS CMD... (scripts/lib/netns.sh): `ip netns exec`, or where that
# cannot work (a chroot whose / is not a mount point) `nsenter --net`, which
# enters the network namespace alone (/sys then stays the caller's view;
# nothing here reads it).
in_a() { in_ns "$NSA" "$@"; }
in_b() { in_ns "$NSB" "$@"; }

xdp_attached() { in_a ip -details link show dev "$IFA" 2>/dev/null | grep -q 'prog/xdp'; }

cleanup() {
	[ -n "$WORK" ] || return 0
	# TERM first: axip-httpd detaches its XDP program on it
	pid_kill_all "$WORK" 0.5
	ip netns del "$NSA" 2>/dev/null || true
	ip netns del "$NSB" 2>/dev/null || true
	rm -rf "$WORK"
	WORK=
}

# Namespaces of earlier runs that were killed before their trap ran.
remove_stale() {
	local ns pid
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^axd[0-9]+[ab]$' || true); do
		pid=${ns#axd}
		pid=${pid%?}
		kill -0 "$pid" 2>/dev/null || ip netns del "$ns" 2>/dev/null || true
	done
}

# start_bg NAME NS CPU CMD...: run CMD in namespace NS pinned to CPU, in the
# background, bounded to 120 s; its own PID goes to $WORK/NAME.pid
start_bg() {
	local name=$1 ns=$2 cpu=$3
	shift 3
	ns_spawn "$ns" "$WORK/$name.pid" "$WORK/$name.log" 120 "$cpu" "$@" || die "$name did not start"
}
stop_bg() { # stop_bg NAME: SIGTERM, wait up to 10 s
	pid_stop "$WORK/$1.pid" TERM 100 || die "$1 did not exit after SIGTERM"
}
wait_listen() { # wait_listen NS PORT
	ns_wait_listen "$1" tcp "$2" 50 || die "nothing listens on port $2"
}
# wait_attached NAME PROGRAM: until PROGRAM (started as NAME) printed that it attached
wait_attached() {
	local rc=0
	log_wait_attached "$WORK/$1.log" "$WORK/$1.pid" 100 || rc=$?
	case $rc in
	0) ;;
	1) die "$2 exited early" ;;
	*) die "$2 did not attach" ;;
	esac
}

step_net_setup() {
	step "network: namespaces $NSA ($IFA $ADDR_A) and $NSB ($IFB $ADDR_B), one veth pair"
	[ "$(id -u)" = 0 ] || die "the AF_XDP demo needs root (or run with --sim-only)"
	remove_stale
	WORK=$(mktemp -d /tmp/axip-demo.XXXXXX)
	chmod 755 "$WORK"
	ip netns add "$NSA" && ip netns add "$NSB" || die "ip netns add"
	ns_pick_exec "$NSA" ||
		die "neither 'ip netns exec' nor 'nsenter --net' can enter a network namespace here"
	[ "$NS_EXEC" = ip ] ||
		echo "note: 'ip netns exec' does not work here (is / a mount point?); using nsenter --net"
	ns_veth_pair "$NSA" "$IFA" "$ADDR_A" "$NSB" "$IFB" "$ADDR_B" || die "veth pair"
	# kernel TCP/UDP over veth leave checksums partial (offloaded); axip
	# verifies them, so the kernel's end computes them (docs/xdp.md)
	in_b ethtool -K "$IFB" tx off >/dev/null || die "ethtool -K $IFB tx off"
	in_b timeout 5 ping -c1 -W2 "$ADDR_A" >/dev/null || die "no kernel connectivity over the veth"
	if [ "$(nproc)" -ge 2 ]; then CCPU=0 SCPU=1; fi
	echo "ok: veth up, kernel ping works, tx checksum offload off on $IFB"
}

# The static files served both ways: a small page and $big_mb MiB of random bytes.
make_files() {
	local d=$WORK/www
	mkdir -p "$d"
	chmod 755 "$d"
	printf '<!doctype html>\n<title>axip</title>\n<p>a small static page</p>\n' >"$d/index.html"
	head -c "${big_mb}M" /dev/urandom >"$d/big.bin" || die "cannot write $d/big.bin"
	chmod 644 "$d/index.html" "$d/big.bin"
	BIG_SHA=$(sha256sum "$d/big.bin" | cut -d' ' -f1)
	SMALL_SHA=$(sha256sum "$d/index.html" | cut -d' ' -f1)
}

# sha_check FILE WANT WHAT: compare FILE's SHA-256 with WANT, then remove FILE
sha_check() {
	local have
	have=$(sha256sum "$1" | cut -d' ' -f1)
	rm -f "$1"
	[ "$have" = "$2" ] || die "$3: sha256 $have, expected $2"
}

# timed CMD...: run CMD; print the seconds it took into $SECS
timed() {
	local t0 t1 rc=0
	t0=$(date +%s.%N)
	"$@" || rc=$?
	t1=$(date +%s.%N)
	SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	return $rc
}
rate() { awk -v m="$big_mb" -v s="$1" 'BEGIN { printf "%.0f MiB/s", (s > 0 ? m / s : 0) }'; }

step_attach() {
	step "attach axip-httpd to $IFA (port 80, address shared with the kernel, files from $WORK/www)"
	make_files
	start_bg httpd "$NSA" "$SCPU" "$HTTPD" --ifname "$IFA" --port 80 --cores "$SCPU" --docroot "$WORK/www"
	wait_attached httpd axip-httpd
	xdp_attached || die "no XDP program on $IFA"
	# serve after axip-httpd's first 1 s timer tick
	sleep 1.2
	grep -m1 'attached to' "$WORK/httpd.log"
	in_a ip -details link show dev "$IFA" | grep -o 'prog/xdp id [0-9]*' | sed 's/^/ok: /'
}

step_kernel_beside() {
	step "kernel networking on $IFA still works: ping, and a kernel TCP server on port 8081"
	in_b timeout 10 ping -c3 -i0.2 -W2 "$ADDR_A" | tail -n 2 || die "ping $ADDR_A failed while axip is attached"
	mkdir -p "$WORK/kdoc"
	echo "served by the Linux kernel's TCP" >"$WORK/kdoc/kernel.txt"
	start_bg kserver "$NSA" "$SCPU" python3 -m http.server 8081 --bind "$ADDR_A" --directory "$WORK/kdoc"
	wait_listen "$NSA" 8081
	local got
	got=$(in_b timeout 10 curl -sS --fail "http://$ADDR_A:8081/kernel.txt") || die "curl from the kernel server failed"
	[ "$got" = "served by the Linux kernel's TCP" ] || die "kernel server sent '$got'"
	echo "ok: http://$ADDR_A:8081/kernel.txt -> '$got'"
	stop_bg kserver
}

step_curl() {
	step "curl from $NSB against axip-httpd at http://$ADDR_A/"
	local got n=1048576 want have
	got=$(in_b timeout 10 curl -sS --fail "http://$ADDR_A/") || die "curl http://$ADDR_A/ failed"
	[ "$got" = hello ] || die "expected 'hello', got '$got'"
	echo "ok: GET / -> '$got'"
	in_b timeout 30 curl -sS --fail -o "$WORK/bytes.bin" "http://$ADDR_A/bytes/$n" || die "curl /bytes/$n failed"
	[ "$(stat -c %s "$WORK/bytes.bin")" = "$n" ] || die "/bytes/$n: $(stat -c %s "$WORK/bytes.bin") bytes"
	# the generator's bytes (examples/http/httpd.c httpd_gen_fill): byte i is
	# the top byte of i * 2654435761 mod 2^32
	want=$(timeout 60 python3 -c 'import sys, hashlib
n = int(sys.argv[1])
print(hashlib.sha256(bytes(((i * 2654435761) & 0xffffffff) >> 24 for i in range(n))).hexdigest())' "$n") ||
		die "computing the expected hash failed"
	have=$(sha256sum "$WORK/bytes.bin" | cut -d' ' -f1)
	[ "$have" = "$want" ] || die "/bytes/$n: sha256 $have, expected $want"
	echo "ok: GET /bytes/$n -> $n bytes, sha256 ${have:0:16}... matches the generator"
}

step_files() {
	step "static files from axip-httpd: curl and wget, a small page and $big_mb MiB, checked by sha256"
	local url=http://$ADDR_A
	in_b timeout 10 curl -sS --fail -o "$WORK/c.small" "$url/index.html" || die "curl /index.html failed"
	sha_check "$WORK/c.small" "$SMALL_SHA" "curl /index.html"
	in_b timeout 10 wget -q -O "$WORK/w.small" "$url/index.html" || die "wget /index.html failed"
	sha_check "$WORK/w.small" "$SMALL_SHA" "wget /index.html"
	echo "ok: GET /index.html with curl and with wget: sha256 ${SMALL_SHA:0:16}... matches the file"
	timed in_b timeout 120 curl -sS --fail -o "$WORK/c.big" "$url/big.bin" || die "curl /big.bin failed"
	sha_check "$WORK/c.big" "$BIG_SHA" "curl /big.bin"
	echo "ok: curl GET /big.bin: $big_mb MiB in $SECS s ($(rate "$SECS")), sha256 ${BIG_SHA:0:16}... matches"
	timed in_b timeout 120 wget -q -O "$WORK/w.big" "$url/big.bin" || die "wget /big.bin failed"
	sha_check "$WORK/w.big" "$BIG_SHA" "wget /big.bin"
	echo "ok: wget GET /big.bin: $big_mb MiB in $SECS s ($(rate "$SECS")), sha256 ${BIG_SHA:0:16}... matches"
}

# wrk_run NAME URL: 10 s, 32 connections, from $NSB on CPU $CCPU; requests/s.
# Any "Socket errors" or "Non-2xx" line, or no completed request, fails. A
# request counts as timed out after 10 s: wrk's default of 2 s is shorter than
# TCP's retransmission backoff after a few losses on a busy machine (seen
# with nginx as with axip-httpd while other work loaded both CPUs).
wrk_run() {
	local out rps n
	out=$(in_b timeout 40 taskset -c "$CCPU" wrk -t1 -c32 -d10s --timeout 10s "$2" 2>&1) ||
		die "wrk against $1 failed: $out"
	echo "$out" >"$WORK/wrk-$1.log"
	if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
		echo "$out" >&2
		die "wrk against $1 saw errors"
	fi
	n=$(awk '$2 == "requests" && $3 == "in" { print $1 }' <<<"$out")
	[ "${n:-0}" -gt 0 ] || { echo "$out" >&2; die "wrk against $1 completed no request"; }
	rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	[ -n "$rps" ] || die "no result from wrk against $1"
	echo "$rps"
}

step_wrk_axip() {
	step "wrk, 10 s, 32 connections against axip-httpd (server CPU $SCPU, wrk CPU $CCPU)"
	RPS_AXIP=$(wrk_run axip "http://$ADDR_A/")
	echo "ok: axip-httpd $RPS_AXIP requests/s, no socket errors, no non-2xx responses"
}

step_detach() {
	step "detach axip-httpd (SIGTERM) and check that no XDP program remains"
	stop_bg httpd
	! xdp_attached || die "an XDP program is still attached to $IFA"
	in_b timeout 5 ping -c1 -W2 "$ADDR_A" >/dev/null || die "no kernel connectivity after detaching"
	echo "ok: detached, no XDP program on $IFA, kernel ping works"
}

# The other direction: axip's HTTP client against a kernel server.
step_http_get() {
	step "axip-http-get on $IFA fetches from a kernel nginx in $NSB: a small page and $big_mb MiB, by sha256"
	local d=$WORK/nginx-files url=http://$ADDR_B:8080
	mkdir -p "$d"
	nginx_files_conf "$d" "$ADDR_B:8080" "$WORK/www" 1024
	start_bg files "$NSB" "$CCPU" nginx -e "$d/error.log" -c "$d/nginx.conf" -p "$d"
	wait_listen "$NSB" 8080
	in_a timeout 60 "$GET" --ifname "$IFA" --cores "$SCPU" --url "$url/index.html" \
		--output "$WORK/g.small" >"$WORK/get-small.log" 2>&1 || die "axip-http-get $url/index.html failed"
	sha_check "$WORK/g.small" "$SMALL_SHA" "axip-http-get /index.html"
	echo "ok: GET $url/index.html: sha256 ${SMALL_SHA:0:16}... matches the file"
	timed in_a timeout 150 "$GET" --ifname "$IFA" --cores "$SCPU" --url "$url/big.bin" \
		--output "$WORK/g.big" --timeout 120 >"$WORK/get-big.log" 2>&1 || die "axip-http-get $url/big.bin failed"
	sha_check "$WORK/g.big" "$BIG_SHA" "axip-http-get /big.bin"
	echo "ok: GET $url/big.bin: $big_mb MiB in $SECS s from attach to exit ($(rate "$SECS")), sha256 ${BIG_SHA:0:16}... matches"
	stop_bg files
	! xdp_attached || die "an XDP program is still attached to $IFA"
}

# The application in a thread of its own: axip-tcp-echo-mt --upper.
step_echo_mt() {
	step "axip-tcp-echo-mt: the application thread apart from the stack thread (port 7, --upper)"
	local got want have
	start_bg echo "$NSA" "$SCPU" "$ECHO_MT" --ifname "$IFA" --port 7 --cores "$SCPU" --app-core "$CCPU" --upper
	wait_attached echo axip-tcp-echo-mt
	got=$(echo 'hello from the kernel' | in_b timeout 10 socat -T5 - TCP:"$ADDR_A":7) || die "socat to port 7 failed"
	[ "$got" = 'HELLO FROM THE KERNEL' ] || die "echo returned '$got'"
	echo "ok: 'hello from the kernel' -> '$got'"
	head -c 8M /dev/urandom >"$WORK/echo.in"
	want=$(LC_ALL=C tr a-z A-Z <"$WORK/echo.in" | sha256sum | cut -d' ' -f1)
	in_b timeout 60 socat -T10 -b65536 - TCP:"$ADDR_A":7,shut-down <"$WORK/echo.in" >"$WORK/echo.out" ||
		die "8 MiB through axip-tcp-echo-mt failed"
	have=$(sha256sum "$WORK/echo.out" | cut -d' ' -f1)
	rm -f "$WORK/echo.in" "$WORK/echo.out"
	[ "$have" = "$want" ] || die "8 MiB echo: sha256 $have, expected $want (tr a-z A-Z of the input)"
	echo "ok: 8 MiB random bytes echoed in upper case, sha256 ${have:0:16}... matches tr a-z A-Z"
	stop_bg echo
	grep -E '^  app_(msgs|bytes)_transformed' "$WORK/echo.log" | sed 's/^ */  /'
	! xdp_attached || die "an XDP program is still attached to $IFA"
}

step_wrk_nginx() {
	step "wrk, 10 s, 32 connections against nginx (one worker) on the same interface"
	local d=$WORK/nginx
	mkdir -p "$d"
	nginx_conf "$d" 4096 <<NGINX
    keepalive_requests 100000000;
    default_type text/plain;
    server {
        listen $ADDR_A:80 backlog=4096;
        location / { return 200 "hello\n"; }
    }
NGINX
	start_bg nginx "$NSA" "$SCPU" nginx -e "$d/error.log" -c "$d/nginx.conf" -p "$d"
	wait_listen "$NSA" 80
	[ "$(in_b timeout 10 curl -sS --fail "http://$ADDR_A/")" = hello ] || die "nginx did not serve 'hello'"
	RPS_NGINX=$(wrk_run nginx "http://$ADDR_A/")
	stop_bg nginx
	echo "ok: nginx $RPS_NGINX requests/s"
}

step_compare() {
	step "side by side: HTTP/1.1 keep-alive, 6-byte body, wrk -t1 -c32 -d10s"
	printf '  %-28s %14s\n' server requests/s
	printf '  %-28s %14s\n' "axip-httpd (AF_XDP)" "$RPS_AXIP"
	printf '  %-28s %14s\n' "nginx, 1 worker (kernel TCP)" "$RPS_NGINX"
	awk -v a="$RPS_AXIP" -v k="$RPS_NGINX" 'BEGIN { printf "  ratio axip/nginx: %.2fx\n", a / k }'
	[ "$(nproc)" -ge 2 ] || echo "  (one CPU: client and server share it; a rough comparison only)"
}

main() {
	local targets=(axip-sim-demo)
	[ -n "$sim_only" ] || targets+=(axip-httpd axip-http-get axip-tcp-echo-mt)
	step_packages
	step_build "${targets[@]}"
	step_sim_demo
	if [ -z "$sim_only" ]; then
		HTTPD=$build/examples/axip-httpd
		GET=$build/examples/axip-http-get
		ECHO_MT=$build/examples/axip-tcp-echo-mt
		for p in "$HTTPD" "$GET" "$ECHO_MT"; do
			[ -x "$p" ] || die "$p was not built"
		done
		trap cleanup EXIT
		trap 'exit 130' INT TERM
		step_net_setup
		step_attach
		step_kernel_beside
		step_curl
		step_files
		step_wrk_axip
		step_detach
		step_http_get
		step_echo_mt
		step_wrk_nginx
		step_compare
		step "clean up"
		cleanup
		for ns in "$NSA" "$NSB"; do
			! ip netns list | grep -qw "$ns" || die "namespace $ns remains"
		done
		echo "ok: namespaces, veth pair and processes removed"
	fi
	echo
	echo "ALL STEPS OK"
}

main
