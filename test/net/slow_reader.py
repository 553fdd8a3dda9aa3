#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Slow reader against an echo server (used by exhaust_umem.sh).

slow_reader.py ADDR PORT CONNS BYTES STATUS_FILE GO_FILE MODE

Opens CONNS connections and sends BYTES on each (a pattern per connection)
without reading, until nothing has moved for 2 s; then writes
"stalled SENT TOTAL" to STATUS_FILE and waits until GO_FILE exists. MODE
read: read everything and send the rest, then check every echo byte for
byte (exit 0 only if all are intact). MODE abort: close every socket with
unread data (the kernel resets them) and exit 0.
"""
import os
import select
import socket
import sys
import time

addr, port, conns, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
status, go, mode = sys.argv[5], sys.argv[6], sys.argv[7]

unit = bytes(range(256)) * 257  # 65792 bytes, rotated per connection
data = []
for i in range(conns):
    rot = (i * 37) % 256
    pat = unit[rot:] + unit[:rot]
    data.append((pat * (nbytes // len(pat) + 1))[:nbytes])

socks = []
for i in range(conns):
    s = socket.create_connection((addr, port), timeout=5)
    s.setblocking(False)
    socks.append(s)
sent = [0] * conns


def push(i):
    try:
        sent[i] += socks[i].send(data[i][sent[i]:sent[i] + 65536])
        return True
    except BlockingIOError:
        return False


last = time.time()
while time.time() - last < 2.0:
    moved = False
    for i in range(conns):
        if sent[i] < nbytes and push(i):
            moved = True
    if moved:
        last = time.time()
    else:
        time.sleep(0.05)
with open(status, "w") as f:
    f.write("stalled %d %d\n" % (sum(sent), conns * nbytes))
deadline = time.time() + 60
while not os.path.exists(go) and time.time() < deadline:
    time.sleep(0.05)

if mode == "abort":
    for s in socks:
        s.close()
    print("aborted %d connections with unread data" % conns)
    sys.exit(0)

got = [bytearray() for _ in range(conns)]
eof = [False] * conns
deadline = time.time() + 90
while time.time() < deadline and not all(len(got[i]) >= nbytes or eof[i] for i in range(conns)):
    rd = [socks[i] for i in range(conns) if len(got[i]) < nbytes and not eof[i]]
    wr = [socks[i] for i in range(conns) if sent[i] < nbytes]
    r, w, _ = select.select(rd, wr, [], 1)
    for s in w:
        push(socks.index(s))
    for s in r:
        i = socks.index(s)
        try:
            d = s.recv(262144)
        except ConnectionError:
            eof[i] = True
            continue
        if not d:
            eof[i] = True
        got[i] += d
intact = sum(1 for i in range(conns) if bytes(got[i]) == data[i])
print("resumed: %d of %d connections echoed %d bytes intact" % (intact, conns, nbytes))
sys.exit(0 if intact == conns else 1)
