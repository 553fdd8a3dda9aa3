# SPDX-License-Identifier: BSD-2-Clause
"""ICMP: echo, errors axip sends, and errors it receives for live TCP
connections (RFC 792, RFC 1122 3.2.2 and 4.2.3.9, RFC 1191, RFC 5927)."""
import random
import time

from axpeer import ICMP, IP, TCP, UDP, Conn, Raw, check, delta


def echo_bad_checksum(ctx):
    """RFC 792 / RFC 1122 3.2.2: an ICMP message with a bad checksum is
    dropped (icmp_rx_bad)."""
    link = ctx.echo
    ident = random.randrange(1, 65535)
    before = link.counters()
    link.send(IP(src=link.peer_ip, dst=link.axip_ip) / ICMP(type=8, id=ident, chksum=0xbeef) / Raw(b"bad"))
    check(link.recv(lambda f: ICMP in f and f[ICMP].id == ident, 0.3) is None, "answered a bad checksum")
    after = link.counters()
    check(delta(before, after, "icmp_rx_bad") == 1, "icmp_rx_bad did not count it")


def udp_port_unreachable(ctx):
    """RFC 1122 4.1.3.1 / 3.2.2.1, RFC 792: a UDP datagram to a port with no
    socket gets a port unreachable quoting the IP header and at least 8
    bytes of the datagram."""
    link = ctx.echo
    sport = random.randrange(20000, 60000)
    link.send(IP(src=link.peer_ip, dst=link.axip_ip) / UDP(sport=sport, dport=9999) / Raw(b"nobody"))
    r = link.recv(lambda f: ICMP in f and f[ICMP].type == 3, 1.0)
    check(r is not None and r[ICMP].code == 3, "no port unreachable")
    q = bytes(r[ICMP].payload)
    check(len(q) >= 28, "quote of %d bytes, expected IP header + 8" % len(q))
    qi = IP(q)
    check(qi.src == link.peer_ip and qi.dst == link.axip_ip and q[20:22] == sport.to_bytes(2, "big"),
          "quote does not hold our datagram")


def _in_flight(ctx):
    """A connection with 4 full segments of echoed data unacknowledged."""
    c = Conn(ctx.echo)
    c.open()
    check(c.echo(b"w") == b"w", "no echo")
    data = bytes(random.randrange(256) for _ in range(4 * 1448))
    for i in range(0, len(data), 1448):
        c.send("PA", data[i:i + 1448])
    # the first copy of each echoed segment, in sequence order: on a loaded
    # machine the peer's segments can arrive far enough apart for a tail
    # loss probe to resend one before the next is echoed (RFC 8985 7)
    seen = {}
    end = time.monotonic() + 2.0
    while sum(len(c.data_from(f)) for f in seen.values()) < len(data) and time.monotonic() < end:
        for f in c.l.recv_all(lambda f: c.mine(f) and len(c.data_from(f)) > 0,
                              end - time.monotonic(), limit=1):
            seen.setdefault(f[TCP].seq, f)
    segs = [seen[k] for k in sorted(seen, key=lambda q: (q - c.rcv_nxt) & 0xffffffff)]
    check(segs, "nothing echoed")
    return c, segs


def _icmp_about(link, seg, typ, code, **kw):
    """An ICMP error from a 'router' quoting axip's segment (IP header + 8)."""
    quote = bytes(seg[IP])[:28]
    return IP(src=link.peer_ip, dst=link.axip_ip) / ICMP(type=typ, code=code, **kw) / Raw(quote)


def frag_needed_lowers_mss(ctx):
    """RFC 1191 6.4 / RFC 5927 7.2: Fragmentation Needed quoting a segment
    in flight lowers the MSS to the next-hop MTU - 40 and what was too big
    is sent again in smaller segments (tcp_pmtu_update)."""
    link = ctx.echo
    c, segs = _in_flight(ctx)
    before = link.counters()
    link.send(_icmp_about(link, segs[0], 3, 4, nexthopmtu=1000))
    again = c.l.recv_all(lambda f: c.mine(f) and len(c.data_from(f)) > 0, 0.3)
    after = link.counters()
    check(delta(before, after, "tcp_pmtu_update") == 1, "tcp_pmtu_update did not count it")
    check(again, "nothing resent after Fragmentation Needed")
    big = max(len(f[IP]) for f in again)
    check(big <= 1000, "resent a %d-byte datagram after an MTU of 1000" % big)
    check(again[0][TCP].seq == segs[0][TCP].seq, "resending did not start at the quoted segment")
    c.abort()


def error_not_in_flight_ignored(ctx):
    """RFC 5927 4.1: an ICMP error quoting a sequence number not in flight
    (spoofed or stale) is ignored (tcp_icmp_ignored): the MSS stays."""
    link = ctx.echo
    c, segs = _in_flight(ctx)
    fake = segs[0].copy()
    fake[TCP].seq = (segs[0][TCP].seq + 0x20000000) & 0xffffffff
    before = link.counters()
    link.send(_icmp_about(link, fake, 3, 4, nexthopmtu=600))
    link.send(_icmp_about(link, fake, 3, 3))
    again = c.l.recv_all(lambda f: c.mine(f) and len(c.data_from(f)) > 0, 0.15)
    after = link.counters()
    check(delta(before, after, "tcp_icmp_ignored") == 2, "tcp_icmp_ignored grew by %d, expected 2"
          % delta(before, after, "tcp_icmp_ignored"))
    check(delta(before, after, "tcp_pmtu_update") == 0, "MSS lowered by an error quoting old data")
    # the retransmission timer (200 ms minimum) may resend meanwhile, but
    # only in segments of the unchanged size
    size = len(c.data_from(segs[0]))
    check(all(len(c.data_from(f)) == size for f in again), "segment size changed by an ignored error")
    c.abort()


def port_unreachable_soft(ctx):
    """RFC 1122 4.2.3.9 says port unreachable SHOULD abort; axip follows
    RFC 5461 (a hard error in a synchronized state is treated as soft): the
    connection stays and keeps working."""
    link = ctx.echo
    c, segs = _in_flight(ctx)
    link.send(_icmp_about(link, segs[0], 3, 3))
    # read everything in flight, then the connection must still echo
    want = sum(len(c.data_from(f)) for f in segs)
    c.rcv_nxt = (segs[-1][TCP].seq + len(c.data_from(segs[-1]))) & 0xffffffff
    c.send("A")
    c.l.recv_all(lambda f: c.mine(f), 0.2)
    check(want > 0 and c.echo(b"still-up") == b"still-up", "connection lost after port unreachable")
    c.abort()


def error_unknown_connection(ctx):
    """RFC 1122 3.2.2 / RFC 5927: an error quoting a connection axip does not
    have is ignored; nothing is sent."""
    link = ctx.echo
    seg = IP(src=link.axip_ip, dst=link.peer_ip) / TCP(sport=7, dport=1, seq=1, flags="A")
    before = link.counters()
    link.send(_icmp_about(link, seg, 3, 1))
    got = link.recv_all(lambda f: IP in f, 0.2)
    after = link.counters()
    check(not got, "answered an ICMP error about nothing")
    n = delta(before, after, "tcp_icmp_ignored") + delta(before, after, "icmp_rx_error_ignored")
    check(n >= 1, "error about an unknown connection not counted as ignored")


CASES = [
    ("echo_bad_checksum", echo_bad_checksum),
    ("udp_port_unreachable", udp_port_unreachable),
    ("frag_needed_lowers_mss", frag_needed_lowers_mss),
    ("error_not_in_flight_ignored", error_not_in_flight_ignored),
    ("port_unreachable_soft", port_unreachable_soft),
    ("error_unknown_connection", error_unknown_connection),
]
