#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# net_preload_sendfile: preload_sendfile (preload/test/preload_sendfile.c)
# under axip-run sends a 24 MiB file from byte 1000 with sendfile() to a
# kernel receiver in the peer namespace (blocking with an offset pointer,
# then non-blocking from the file position, then the end-of-file, count-0
# and EBADF cases); the receiver's SHA-256 must equal the file's from byte
# 1000. The shim reads the file straight into packet buffers (io.c
# sendfile_zc): the test checks the bytes and the calls' results.
. "$(dirname "$0")/lib.sh"
need_axip_run python3
PROG=$BUILD/preload/preload_sendfile
[ -x "$PROG" ] || { echo "SKIP: preload_sendfile not built" >&2; exit 77; }
net_setup 1
head -c $((24 << 20)) /dev/urandom >"$WORK/file.bin"
want=$(tail -c +1001 "$WORK/file.bin" | sha256sum | cut -d' ' -f1)
cat >"$WORK/sink.py" <<'PY'
import hashlib, socket, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], 7010))
l.listen(1)
l.settimeout(30)
c, _ = l.accept()
c.settimeout(30)
h = hashlib.sha256()
n = 0
while True:
    b = c.recv(1 << 20)
    if not b:
        break
    h.update(b)
    n += len(b)
c.close()
print(n, h.hexdigest(), flush=True)
PY
start_in "$NSB" sink python3 "$WORK/sink.py" "$ADDR_B"
wait_listen "$NSB" 7010
in_a timeout 60 "$RUN" --ifname "$IFA" --verbose -- "$PROG" "$ADDR_B" 7010 "$WORK/file.bin" \
	>"$WORK/prog.out" 2>"$WORK/prog.log" || { cat "$WORK/prog.log" >&2; fail "preload_sendfile exited $?"; }
grep -q 'attached to' "$WORK/prog.log" || fail "the shim did not attach"
wait_exit sink 10
read -r n got <"$WORK/sink.log" || fail "receiver printed nothing"
cat "$WORK/prog.out"
[ "$n" = $(((24 << 20) - 1000)) ] || fail "receiver got $n bytes"
[ "$got" = "$want" ] || fail "receiver's SHA-256 differs"
echo "PASS net_preload_sendfile"
