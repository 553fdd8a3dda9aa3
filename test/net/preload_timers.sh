#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_timers: the stack keeps working while the program makes no
# call: a python3 server under axip-run queues 192 KiB with one send and
# then sleeps 6 s without touching the socket; the kernel client must get
# all of it during that sleep (the shim's timer thread drives the instance:
# ACKs in, more data out).
. "$(dirname "$0")/lib.sh"
RUN=$BUILD/preload/axip-run
[ -x "$RUN" ] || { echo "SKIP: $RUN not built" >&2; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing" >&2; exit 77; }
net_setup 1
cat >"$WORK/busy.py" <<'PY'
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 7070)); s.listen(1)
print("serving", flush=True)
c, _ = s.accept()
c.setblocking(False)
n = c.send(b"z" * (192 * 1024))
print("queued", n, flush=True)
time.sleep(6)
c.close()
PY
start_axip busy "$RUN" --ifname "$IFA" --verbose -- python3 -u "$WORK/busy.py"
wait_attached busy
in_b timeout 4 python3 -c "
import time; t0 = time.time()
import socket, sys
c = socket.create_connection(('$ADDR_A', 7070), timeout=4)
got = 0
while got < 192 * 1024:
    b = c.recv(65536)
    if not b: break
    got += len(b)
print(got)
print('%.2f s' % (time.time() - t0), file=sys.stderr)
" >"$WORK/got.txt" 2>"$WORK/client.err" || { cat "$WORK/client.err" >&2; fail "the client did not get 192 KiB within 4 s"; }
echo "192 KiB received in $(cat "$WORK/client.err") while the server slept"
grep -q '^queued 196608$' "$WORK/busy.log" || fail "the server did not queue 192 KiB at once"
# the shim's timer thread blocks every signal, so that a process-directed
# signal interrupts the program's own thread (SigBlk: SIGQUIT bit 2,
# SIGTERM bit 14, SIGUSR1 bit 9)
pid=$(cat "$WORK/busy.pid") tt=
for t in /proc/"$pid"/task/*; do
	[ "$(cat "$t/comm" 2>/dev/null)" = axip-timer ] && tt=$t
done
[ -n "$tt" ] || fail "no axip-timer thread in the server"
blk=$(awk '/^SigBlk:/ { print $2 }' "$tt/status")
[ $(( 0x$blk & 0x4204 )) = $(( 0x4204 )) ] || fail "axip-timer does not block SIGQUIT/SIGTERM/SIGUSR1 (SigBlk $blk)"
main_blk=$(awk '/^SigBlk:/ { print $2 }' "/proc/$pid/status")
[ $(( 0x$main_blk & 0x4000 )) = 0 ] || fail "the program's thread blocks SIGTERM (SigBlk $main_blk)"
[ "$(cat "$WORK/got.txt")" = 196608 ] || fail "client got $(cat "$WORK/got.txt") bytes"
wait_exit busy 10
echo "PASS net_preload_timers"
