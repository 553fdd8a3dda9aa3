#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""UDP echo client for the network tests: sends datagrams of the given sizes
(random bytes) to HOST PORT, one at a time, and checks that each comes back
byte for byte within the timeout. Exits 0 when all did, 1 otherwise (the
first mismatch or loss is printed). IPv6 or IPv4 by the address."""
import os
import socket
import sys


def main():
    if len(sys.argv) < 4:
        print("usage: udp6_client.py HOST PORT SIZE[xCOUNT]...", file=sys.stderr)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(3.0)
    sent = 0
    for spec in sys.argv[3:]:
        size, _, count = spec.partition("x")
        for _ in range(int(count or 1)):
            data = os.urandom(int(size))
            s.sendto(data, (host, port))
            try:
                got, _ = s.recvfrom(70000)
            except socket.timeout:
                print(f"datagram {sent} ({len(data)} bytes): no echo", file=sys.stderr)
                return 1
            if got != data:
                print(f"datagram {sent}: echo of {len(got)} bytes differs from the "
                      f"{len(data)} sent", file=sys.stderr)
                return 1
            sent += 1
    print(f"{sent} datagrams echoed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
