#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_prefork: prefork servers under plain `axip-run` (no --queues)
# on a one-queue veth: the hand-over of the attachment to the first child
# that uses it (docs/preload.md, "Prefork servers without --queues").
#  - Debian's nginx, master and 2 workers: one worker serves every request
#    (24 concurrent pages by SHA-256, one X-Pid), the other's listener is
#    silent, $AXT_BIG_MB MiB (default 20) byte-identical, wrk
#    $AXT_WRK_SECS s (default 5) with zero errors, no alert in nginx's log,
#    and after QUIT the XDP program is gone (the master detaches it);
#  - the same with `daemon on` (the process that listened forks the master
#    and exits: it leaves the attachment to its children);
#  - python3: a listener, 3 children in select()+accept(), the parent in
#    waitpid(): one child serves all 6 connections, the others none;
#  - the parent takes it back: after a fork with no connection the parent
#    accepts on its own listener, the child's select() on it stays silent.
. "$(dirname "$0")/lib.sh"
need_axip_run python3 socat
for p in nginx curl wrk; do
	command -v $p >/dev/null || { echo "SKIP: $p missing (Debian packages nginx-light, curl)" >&2; exit 77; }
done
BIG_MB=${AXT_BIG_MB:-20}
WRK_S=${AXT_WRK_SECS:-5}
net_setup 1
big_file_both "$BIG_MB"
D=$WORK/nginx
# a daemon master (setsid) is no child of ours: end its session too
daemon_cleanup() {
	local p
	p=$(cat "$D/nginx.pid" 2>/dev/null || true)
	[ -n "$p" ] && [ "$p" -gt 1 ] && pkill -KILL -s "$p" 2>/dev/null
	cleanup
}
trap daemon_cleanup EXIT
echo "<html>axip-run prefork</html>" >"$D/www/index.html"
chmod 644 "$D/www/index.html"

# nginx_prefork DAEMON: master and two workers; checks as above
nginx_prefork() {
	local daemon=$1 log=$WORK/nginx-$1.log
	: >"$D/error.log"
	cat >"$D/nginx.conf" <<EOF2
worker_processes 2;
daemon $daemon;
pid $D/nginx.pid;
error_log $D/error.log info;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $D/body;
    default_type application/octet-stream;
    sendfile on;
    server {
        listen 0.0.0.0:80;
        root $D/www;
        add_header X-Pid \$pid;
    }
}
EOF2
	rm -f "$D/nginx.pid"
	start_axip "nginx-$daemon" "$RUN" --ifname "$IFA" --verbose -- nginx -e "$D/error.log" \
		-c "$D/nginx.conf" -p "$D"
	for _ in $(seq 100); do
		grep -q "took the attachment over" "$D/error.log" "$log" 2>/dev/null &&
			grep -q "stay silent" "$D/error.log" "$log" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "took the attachment over: it serves" "$D/error.log" "$log" ||
		fail "nginx (daemon $daemon): no worker took the attachment over"
	grep -q "stay silent" "$D/error.log" "$log" || fail "nginx (daemon $daemon): the other worker is not silent"
	in_a ss -Htln | grep -q ':80 ' && fail "a kernel socket listens on port 80: not served by axip"
	fetch_pids 24 "http://$ADDR_A/index.html" "$(sha256sum <"$D/www/index.html")" \
		"nginx (daemon $daemon): request"
	echo "nginx (daemon $daemon): workers that answered: $PIDS"
	[ "$PIDS" = 1 ] || fail "nginx (daemon $daemon): expected the one serving worker to answer, got $PIDS"
	[ "$(in_b timeout 60 curl -sf "http://$ADDR_A/big.bin" | sha256sum)" = "$(sha256sum <"$D/www/big.bin")" ] ||
		fail "nginx (daemon $daemon): $BIG_MB MiB"
	wrk_zero_errors "http://$ADDR_A/index.html" "$WRK_S" 16
	grep -E '\[(alert|emerg|crit)\]' "$D/error.log" && fail "nginx (daemon $daemon) logged errors"
	if [ "$daemon" = on ]; then
		wait_exit "nginx-$daemon" 10 # the process that listened
		# it left the attachment open to its children, or one of them had
		# taken it already by then
		grep -qE "left to the forked children|a forked child took the attachment over" "$log" ||
			fail "nginx (daemon on): the first process did not leave the attachment to its children"
		kill -QUIT "$(cat "$D/nginx.pid")"
		for _ in $(seq 100); do
			kill -0 "$(cat "$D/nginx.pid")" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$(cat "$D/nginx.pid")" 2>/dev/null && fail "nginx (daemon on) did not stop"
	else
		stop_axip "nginx-$daemon" QUIT
	fi
	grep -E '\[(alert|emerg|crit)\]' "$D/error.log" && fail "nginx (daemon $daemon) logged errors while stopping"
	grep -qi sanitizer "$D/error.log" "$log" && fail "sanitizer report (nginx, daemon $daemon)"
	xdp_attached && fail "nginx (daemon $daemon): XDP program left after nginx exited"
}
nginx_prefork off
nginx_prefork on

# python3: a listener, N children serving it, the parent waiting
cat >"$WORK/prefork.py" <<'PY'
import os, select, socket, sys
port, kids, stop = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", port))
s.listen(64)
s.setblocking(False)
pids = []
for _ in range(kids):
    pid = os.fork()
    if pid == 0:
        n = 0
        while not os.path.exists(stop):
            r, _, _ = select.select([s], [], [], 0.2)
            if not r:
                continue
            try:
                c, _ = s.accept()
            except BlockingIOError:
                continue
            c.setblocking(True)
            c.sendall(b"pid %d\n" % os.getpid())
            c.close()
            n += 1
        print("child %d served %d" % (os.getpid(), n), flush=True)
        sys.exit(0)
    pids.append(pid)
print("serving", flush=True)
for p in pids:
    os.waitpid(p, 0)
PY
start_axip pyfork "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/prefork.py" 7 3 "$WORK/stop"
wait_log pyfork serving
for i in $(seq 6); do
	out=$(in_b timeout 5 socat -T3 - TCP:"$ADDR_A":7 </dev/null) || fail "python prefork: connection $i"
	echo "$out" | grep -q '^pid ' || fail "python prefork: connection $i answered '$out'"
done
touch "$WORK/stop"
wait_exit pyfork 15
served=$(grep -o 'served [0-9]*' "$WORK/pyfork.log" | sort | tr '\n' ' ')
echo "python prefork: $served"
[ "$served" = "served 0 served 0 served 6 " ] || fail "python prefork: expected one child to serve all 6, got $served"
xdp_attached && fail "python prefork: XDP program left"

# the parent takes it back: it accepts after the fork, the child only waits
cat >"$WORK/back.py" <<'PY'
import os, select, socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(8)
pid = os.fork()
if pid == 0:
    time.sleep(0.5)
    r, _, _ = select.select([s], [], [], 3)
    print("child select: %d ready" % len(r), flush=True)
    os._exit(0)
print("serving", flush=True)
for _ in range(3):
    c, _ = s.accept()
    c.sendall(b"parent\n")
    c.close()
os.waitpid(pid, 0)
PY
start_axip back "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/back.py" 9
wait_log back serving
for i in 1 2 3; do
	out=$(in_b timeout 5 socat -T3 - TCP:"$ADDR_A":9 </dev/null) || fail "parent's accept: connection $i"
	[ "$out" = parent ] || fail "parent's accept: connection $i answered '$out'"
done
wait_exit back 15
grep -q "child select: 0 ready" "$WORK/back.log" || fail "the child's select on the parent's listener was not silent"
grep -q "stay silent" "$WORK/back.log" || fail "the child did not log that its sockets are silent"
xdp_attached && fail "XDP program left after the parent exited"
echo "PASS net_preload_prefork"
