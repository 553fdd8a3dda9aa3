# SPDX-License-Identifier: BSD-2-Clause
"""ICMPv6 (RFC 4443): echo, errors axip sends and their rate limit, and
errors it receives for live TCP connections over IPv6 (Packet Too Big and
the path MTU, RFC 8201; destination unreachable as a soft error, RFC 5461).

The cases that lower a path MTU use a peer address of their own (AltPeer):
the estimate stays 10 minutes and would shape every later connection from
the peer's usual address.

Not here: echo to the all-nodes group: the XDP program steers only NS/NA
from multicast destinations to axip (docs/conformance.md, "Not covered")."""
import random
import time

from axpeer import TCP, UDP, Conn6, Ether, IPv6, Raw, check, delta
from v6 import (HLIM, AltPeer, ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest,
                ICMPv6PacketTooBig, check_quote, csum6, echo_req, is_err, is_reply,
                need6, new_ident)


def echo_answered(ctx):
    """RFC 4443 4.2: an echo reply to the requester from the address the
    request went to, with the request's identifier, sequence number and
    data (empty, short, and as large as one 1500-byte frame carries), a
    valid checksum, and axip's hop limit."""
    link = need6(ctx)
    for n in (0, 56, 1452):
        ident = new_ident()
        data = bytes(random.randrange(256) for _ in range(n))
        p = IPv6(src=link.peer_ip6, dst=link.axip_ip6) / ICMPv6EchoRequest(id=ident, seq=0x1234 + n,
                                                                           data=data)
        r = link.sr6(p, is_reply(link, ident), 1.0)
        check(r is not None, "no echo reply (%d bytes of data)" % n)
        e = r[ICMPv6EchoReply]
        check(e.seq == 0x1234 + n, "reply with sequence number %d" % e.seq)
        check(bytes(e.data) == data, "reply data differs (%d bytes sent, %d back)" % (n, len(e.data)))
        check(r[IPv6].dst == link.peer_ip6, "reply to %s" % r[IPv6].dst)
        check(r[IPv6].hlim == HLIM, "reply hop limit %d" % r[IPv6].hlim)
        body = bytes(r[IPv6].payload)
        check(csum6(r[IPv6].src, r[IPv6].dst, 58, body) == 0, "reply checksum wrong")


def echo_bad_checksum(ctx):
    """RFC 4443 2.3: the checksum is mandatory: an echo request with a
    wrong one is dropped (icmp6_rx_bad), no reply."""
    link = need6(ctx)
    before = link.counters()
    p, ident = echo_req(link)
    p[ICMPv6EchoRequest].cksum = 0xbeef
    check(link.sr6(p, is_reply(link, ident), 0.4) is None, "answered an echo with a bad checksum")
    after = link.counters()
    check(delta(before, after, "icmp6_rx_bad") == 1, "icmp6_rx_bad did not count it")


def udp_port_unreachable(ctx):
    """RFC 4443 3.1, 2.4 (c): a UDP datagram to a port without a socket gets
    Destination Unreachable code 4 (port unreachable) from the address it
    went to, quoting as much of the datagram as fits in 1280 bytes: all of a
    small one, 1232 bytes of a 1400-byte one."""
    link = need6(ctx)
    for n in (16, 1400 - 48):
        sport = random.randrange(20000, 60000)
        p = IPv6(src=link.peer_ip6, dst=link.axip_ip6) / UDP(sport=sport, dport=9999) / Raw(b"u" * n)
        r = link.sr6(p, lambda f: is_err(link, ICMPv6DestUnreach)(f) and
                     bytes(f[ICMPv6DestUnreach].payload)[40:42] == sport.to_bytes(2, "big"), 1.0)
        check(r is not None, "no destination unreachable for UDP to a closed port (%d bytes)" % n)
        check(r[ICMPv6DestUnreach].code == 4, "code %d, expected 4" % r[ICMPv6DestUnreach].code)
        check(r[IPv6].dst == link.peer_ip6, "error sent to %s" % r[IPv6].dst)
        check(len(r[IPv6]) <= 1280, "error of %d bytes, more than the minimum MTU" % len(r[IPv6]))
        check_quote(r, ICMPv6DestUnreach, p)
        q = len(bytes(r[ICMPv6DestUnreach].payload))
        want = min(len(p), 1280 - 48)
        check(q == want, "quoted %d bytes, expected %d" % (q, want))


def _in_flight(link, src):
    """A TCP connection over IPv6 from src with 4 full segments of echoed
    data not yet acknowledged: the connection and the first copies of the
    segments, in sequence order."""
    c = Conn6(link, src=src)
    c.open()
    check(c.mss == 1440, "SYN-ACK MSS %s, expected 1440 (MTU 1500 - 60)" % c.mss)
    check(c.echo(b"w") == b"w", "no echo")
    seg = 1440 - 12
    data = bytes(random.randrange(256) for _ in range(4 * seg))
    for i in range(0, len(data), seg):
        c.send("PA", data[i:i + seg])
    seen = {}
    end = time.monotonic() + 2.0
    while sum(len(c.data_from(f)) for f in seen.values()) < len(data) and time.monotonic() < end:
        for f in link.recv_all(lambda f: c.mine(f) and len(c.data_from(f)) > 0,
                               end - time.monotonic(), limit=1):
            seen.setdefault(f[TCP].seq, f)
    segs = [seen[k] for k in sorted(seen, key=lambda q: (q - c.rcv_nxt) & 0xffffffff)]
    check(segs, "nothing echoed")
    return c, segs, data


def _error_about(link, src, seg, err):
    """An ICMPv6 error from a router on the path (src) quoting axip's
    segment, as much of it as fits in 1280 bytes."""
    return IPv6(src=src, dst=link.axip_ip6) / err / Raw(bytes(seg[IPv6])[:1280 - 48])


def packet_too_big_lowers_mss(ctx):
    """RFC 8201 4, 5.2, RFC 5927 7.2: a Packet Too Big with MTU 1280 quoting
    a segment in flight lowers the path MTU (ip6_pmtu_update) and the
    connection's segment size (tcp_pmtu_update): the data is sent again
    (from the quoted segment, the oldest unacknowledged) in packets of at
    most 1280 bytes, data of at most 1280 - 60 - 12 (timestamps) per
    segment, later data too."""
    link = need6(ctx)
    with AltPeer(link) as ap:
        c, segs, data = _in_flight(link, ap.addr)
        before = link.counters()
        link.send6(_error_about(link, ap.addr, segs[0], ICMPv6PacketTooBig(mtu=1280)))
        got, frames = c.read(len(data))
        after = link.counters()
        check(delta(before, after, "icmp6_rx_ptb") == 1, "icmp6_rx_ptb did not count it")
        check(delta(before, after, "ip6_pmtu_update") == 1, "ip6_pmtu_update did not count it")
        check(delta(before, after, "tcp_pmtu_update") == 1, "tcp_pmtu_update did not count it")
        check(got == data, "data not all sent again after Packet Too Big (%d of %d bytes)"
              % (len(got), len(data)))
        big = max(len(f[IPv6]) for f in frames)
        check(big <= 1280, "resent a %d-byte packet after an MTU of 1280" % big)
        later = bytes(random.randrange(256) for _ in range(3000))
        for i in range(0, len(later), 1000):
            c.send("PA", later[i:i + 1000])
        got, frames = c.read(len(later))
        check(got == later, "no echo after the MTU change")
        check(max(len(c.data_from(f)) for f in frames) <= 1280 - 60 - 12 and
              max(len(f[IPv6]) for f in frames) <= 1280,
              "later segments: %s bytes of data" % [len(c.data_from(f)) for f in frames])
        c.abort()


def packet_too_big_below_minimum(ctx):
    """RFC 8201 4: a Packet Too Big reporting an MTU below 1280 (here 1000)
    is discarded (icmp6_rx_ptb_bad): no path MTU or segment size change,
    no segment resent smaller; later data still comes back in full-size
    segments (1428 bytes of data)."""
    link = need6(ctx)
    with AltPeer(link) as ap:
        c, segs, data = _in_flight(link, ap.addr)
        before = link.counters()
        link.send6(_error_about(link, ap.addr, segs[0], ICMPv6PacketTooBig(mtu=1000)))
        # a loss probe or retransmission may resend a segment meanwhile,
        # but in full size, never cut to a 1280-byte path
        again = link.recv_all(lambda f: c.mine(f) and 0 < len(c.data_from(f)) < 1428, 0.3)
        after = link.counters()
        check(delta(before, after, "ip6_pmtu_update") == 0 and delta(before, after, "tcp_pmtu_update") == 0,
              "the path MTU or the segment size changed (ip6_pmtu_update +%d, tcp_pmtu_update +%d)"
              % (delta(before, after, "ip6_pmtu_update"), delta(before, after, "tcp_pmtu_update")))
        check(not again, "data sent in %s-byte segments after a Packet Too Big below 1280"
              % [len(c.data_from(f)) for f in again])
        check(delta(before, after, "icmp6_rx_ptb_bad") == 1, "icmp6_rx_ptb_bad did not count it")
        for f in segs:
            c.rcv_nxt = (f[TCP].seq + len(c.data_from(f))) & 0xffffffff
        c.send("A")
        more = bytes(random.randrange(256) for _ in range(3 * 1428))
        for i in range(0, len(more), 1428):
            c.send("PA", more[i:i + 1428])
        got, frames = c.read(len(more))
        check(got == more, "no echo after the discarded Packet Too Big")
        check(max(len(c.data_from(f)) for f in frames) == 1428,
              "segments of %s bytes, expected 1428 (MSS 1440 - timestamps)"
              % [len(c.data_from(f)) for f in frames])
        c.abort()


def dest_unreachable_soft(ctx):
    """RFC 4443 3.1, RFC 5461 (RFC 1122 4.2.3.9): Destination Unreachable
    (code 4 port unreachable, code 1 administratively prohibited, code 3
    address unreachable) quoting a segment of an established connection are
    soft errors: handed to TCP (icmp6_rx_error), the connection stays and
    keeps echoing."""
    link = need6(ctx)
    c = Conn6(link)
    c.open()
    check(c.echo(b"before") == b"before", "no echo")
    c.send("PA", b"in flight")
    seg = c.expect(lambda f: len(c.data_from(f)) > 0)
    check(seg is not None, "no echo of the segment in flight")
    before = link.counters()
    for code in (4, 1, 3):
        link.send6(_error_about(link, link.peer_ip6, seg, ICMPv6DestUnreach(code=code)))
    link.drain(0.1)
    after = link.counters()
    check(delta(before, after, "icmp6_rx_error") == 3, "icmp6_rx_error grew by %d, expected 3"
          % delta(before, after, "icmp6_rx_error"))
    c.rcv_nxt = (seg[TCP].seq + len(c.data_from(seg))) & 0xffffffff
    c.send("A")
    check(c.echo(b"after the errors") == b"after the errors", "connection lost to a soft error")
    c.send("A")
    check(c.expect_none(lambda f: "R" in str(f[TCP].flags), 0.2), "connection reset")
    c.abort()


def error_rate_limit(ctx):
    """RFC 4443 2.4 (f): errors are rate limited (a token bucket: burst 50,
    100 per second): of 150 UDP datagrams to a closed port sent at once,
    fewer than 150 and at least 50 are answered, and every one not answered
    is counted (icmp6_rate_limited). A pause refills the bucket for the
    cases after."""
    link = need6(ctx)
    link.drain(0.6)  # a full bucket
    before = link.counters()
    sport = random.randrange(20000, 60000)
    frames = [bytes(Ether(dst=link.axip_mac, src=link.peer_mac, type=0x86DD) /
                    IPv6(src=link.peer_ip6, dst=link.axip_ip6) / UDP(sport=sport, dport=9000 + i) /
                    Raw(b"r")) for i in range(150)]
    t0 = time.time()  # the clock of the frames' receive stamps
    for f in frames:
        link.send_frame(f)
    got = link.recv_all(lambda f: is_err(link, ICMPv6DestUnreach)(f) and
                        bytes(f[ICMPv6DestUnreach].payload)[40:42] == sport.to_bytes(2, "big"), 1.0)
    after = link.counters()
    limited = delta(before, after, "icmp6_rate_limited")
    # the bucket refills while axip works through the burst: until the
    # last error it sent at the latest
    span = (max(float(f.time) for f in got) - t0) if got else 0.0
    allow = 50 + int(span * 100) + 2
    check(50 <= len(got) <= allow and len(got) < 150,
          "%d errors for 150 datagrams, the last %.3f s after the first was sent, expected 50..%d"
          % (len(got), span, allow))
    check(limited == 150 - len(got), "icmp6_rate_limited grew by %d, %d errors not sent"
          % (limited, 150 - len(got)))
    link.drain(0.6)


CASES = [
    ("echo_answered", echo_answered),
    ("echo_bad_checksum", echo_bad_checksum),
    ("udp_port_unreachable", udp_port_unreachable),
    ("packet_too_big_lowers_mss", packet_too_big_lowers_mss),
    ("packet_too_big_below_minimum", packet_too_big_below_minimum),
    ("dest_unreachable_soft", dest_unreachable_soft),
    ("error_rate_limit", error_rate_limit),
]
