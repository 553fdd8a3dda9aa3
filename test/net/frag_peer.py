# SPDX-License-Identifier: BSD-2-Clause
"""frag_peer - the peer of net_frag_shared (test/net/frag_shared.sh).

Sends UDP datagrams and TCP segments as IP fragments, in order, reversed and
shuffled, over IPv4 and IPv6, to axip's ports and to the kernel's on the same
shared address, from an address only this peer owns (test/conformance/
axpeer.py), and checks every answer byte by byte.

  frag_peer.py udp   axip-udp-echo on FRAG_PORT; a kernel UDP server on
                     FRAG_KPORT that answers "LEN SHA256" of each datagram
  frag_peer.py tcp   axip-tcp-echo on FRAG_PORT; a kernel TCP echo on FRAG_KPORT

Exits 0 when every check held, 1 (with the failed check) otherwise.
"""
import hashlib
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance"))
import axpeer  # noqa: E402
from axpeer import IP, UDP, Conn, Conn6, IPv6, Raw, canon6, check  # noqa: E402
from scapy.layers.inet import fragment  # noqa: E402
from scapy.layers.inet6 import IPv6ExtHdrFragment, fragment6  # noqa: E402

ORDERS = ("in order", "reversed", "shuffled")


def arrange(frags, order):
    frags = list(frags)
    if order == "reversed":
        frags.reverse()
    elif order == "shuffled":
        # the first fragment neither first nor last
        rest = frags[1:]
        random.shuffle(rest)
        frags = rest[:1] + frags[:1] + rest[1:]
    return frags


def frags4(pkt, size):
    pkt[IP].id = random.randrange(1, 1 << 16)
    return fragment(pkt, fragsize=size)


def frags6(pkt, size):
    """pkt: IPv6()/upper layer; fragments of at most size bytes each."""
    ip = pkt[IPv6]
    upper = ip.payload
    p = IPv6(src=ip.src, dst=ip.dst) / IPv6ExtHdrFragment(id=random.randrange(1, 1 << 32)) / upper
    return fragment6(p, size)


class Reasm:
    """Reassembles datagrams from the frames of one address (RFC 791 3.2,
    RFC 8200 4.5), enough for the answers of this test."""

    def __init__(self):
        self.parts = {}

    def add(self, f):
        """Returns (proto, bytes of the upper layer) once complete, else None."""
        if IP in f:
            ip = f[IP]
            raw = bytes(ip)[ip.ihl * 4:ip.len]
            off, mf, key, proto = ip.frag * 8, bool(ip.flags.MF), ("4", ip.id), ip.proto
        elif IPv6ExtHdrFragment in f:
            fh = f[IPv6ExtHdrFragment]
            raw = bytes(fh.payload)
            ip6 = f[IPv6]
            raw = raw[:ip6.plen - (len(bytes(ip6.payload)) - len(bytes(fh.payload)))]
            off, mf, key, proto = fh.offset * 8, bool(fh.m), ("6", fh.id), fh.nh
        elif IPv6 in f:
            ip6 = f[IPv6]
            return ip6.nh, bytes(ip6.payload)[:ip6.plen]
        else:
            return None
        if off == 0 and not mf:
            return proto, raw
        st = self.parts.setdefault(key, {"p": {}, "end": None, "proto": None})
        st["p"][off] = raw
        if off == 0:
            st["proto"] = proto
        if not mf:
            st["end"] = off + len(raw)
        if st["end"] is None or st["proto"] is None:
            return None
        buf, at = b"", 0
        while at < st["end"]:
            piece = st["p"].get(at)
            if piece is None:
                return None
            buf += piece
            at += len(piece)
        del self.parts[key]
        return st["proto"], buf


class Peer:
    def __init__(self):
        self.l = axpeer.Link("FRAG_")
        self.port = int(os.environ["FRAG_PORT"])
        self.kport = int(os.environ["FRAG_KPORT"])

    def ip(self, v6):
        if v6:
            return IPv6(src=self.l.peer_ip6, dst=self.l.axip_ip6)
        return IP(src=self.l.peer_ip, dst=self.l.axip_ip)

    def send_frags(self, frags, v6, gap=0.0):
        """gap: seconds between fragments, so that ones before their first
        reach axip's backend (and are held there) before the first does."""
        for i, f in enumerate(frags):
            if i and gap:
                time.sleep(gap)
            (self.l.send6 if v6 else self.l.send)(f)

    def udp_answer(self, v6, sport, timeout=3.0):
        """The payload of the next whole UDP datagram to sport."""
        r = Reasm()
        want = canon6(self.l.axip_ip6) if v6 else self.l.axip_ip

        def mine(f):
            return (IPv6 in f and f[IPv6].src == want) if v6 else (IP in f and f[IP].src == want)

        for f in self.l.recv_all(mine, timeout):
            got = r.add(f)
            if got and got[0] == 17 and len(got[1]) >= 8:
                u = got[1]
                if (u[2] << 8 | u[3]) == sport:
                    return u[8:]
        return None

    def udp_case(self, v6, dport, size, order, kernel):
        sport = axpeer.new_port()
        data = bytes(random.randrange(256) for _ in range(size))
        pkt = self.ip(v6) / UDP(sport=sport, dport=dport) / Raw(data)
        frags = frags6(pkt, 1280) if v6 else frags4(pkt, 1400)
        check(len(frags) >= 3, "a %d-byte datagram made only %d fragments" % (size, len(frags)))
        self.send_frags(arrange(frags, order), v6, 0.0 if order == "in order" else 0.01)
        got = self.udp_answer(v6, sport)
        want = ("%d %s" % (size, hashlib.sha256(data).hexdigest())).encode() if kernel else data
        what = "%s UDP %d bytes as %d fragments %s to %s port %d" % (
            "IPv6" if v6 else "IPv4", size, len(frags), order, "the kernel's" if kernel else "axip's",
            dport)
        check(got is not None, "no answer: " + what)
        check(got == want, "wrong answer (%d bytes, want %d): %s" % (len(got), len(want), what))
        print("ok:", what)

    def tcp_case(self, v6, dport, order, kernel):
        c = (Conn6 if v6 else Conn)(self.l, dport=dport)
        c.open()
        data = bytes(random.randrange(256) for _ in range(1200))
        seg = c.seg("PA", data)
        frags = frags6(seg, 500) if v6 else frags4(seg, 400)
        check(len(frags) >= 3, "a segment made only %d fragments" % len(frags))
        self.send_frags(arrange(frags, order), v6, 0.0 if order == "in order" else 0.01)
        c.snd_nxt = (c.snd_nxt + len(data)) & 0xffffffff
        got, _ = c.read(len(data), timeout=5.0)
        what = "%s TCP segment of %d bytes as %d fragments %s to %s port %d" % (
            "IPv6" if v6 else "IPv4", len(data), len(frags), order,
            "the kernel's" if kernel else "axip's", dport)
        check(got == data, "echo of %d bytes, want %d: %s" % (len(got), len(data), what))
        c.abort()
        print("ok:", what)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in ("udp", "tcp"):
        print(__doc__)
        return 2
    random.seed(os.getpid())
    p = Peer()
    try:
        fams = [v6 for v6 in (False, True) if os.environ.get("FRAG_FAMILY", "46").find("6" if v6 else "4") >= 0]
        for v6 in fams:
            for order in [o for o in ORDERS if os.environ.get("FRAG_ORDER", o) == o]:
                if mode == "udp":
                    for size in (3000, 8000):
                        p.udp_case(v6, p.port, size, order, kernel=False)
                        p.udp_case(v6, p.kport, size, order, kernel=True)
                else:
                    p.tcp_case(v6, p.port, order, kernel=False)
                    p.tcp_case(v6, p.kport, order, kernel=True)
    except axpeer.CaseFailure as e:
        print("FAIL:", e)
        try:
            print("axip's counters:", " ".join("%s=%d" % kv for kv in sorted(p.l.counters().items())))
        except axpeer.CaseFailure:
            pass
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
