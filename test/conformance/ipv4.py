# SPDX-License-Identifier: BSD-2-Clause
"""IPv4 input checks (RFC 791, RFC 1122 3.2.1), probed with ICMP echo
requests to axip's dedicated address."""
import random

from axpeer import ICMP, IP, Raw, check, delta
from scapy.all import defragment, fragment


def _echo_req(link, payload=b"conformance", ident=None, **ip):
    ident = ident if ident is not None else random.randrange(1, 65535)
    p = IP(src=link.peer_ip, dst=link.axip_ip, **ip) / ICMP(type=8, id=ident, seq=1) / Raw(payload)
    return p, ident


def _is_reply(ident):
    return lambda f: ICMP in f and f[ICMP].type == 0 and f[ICMP].id == ident


def echo_baseline(ctx):
    """RFC 792 / RFC 1122 3.2.2.6: an echo request is answered with the same
    identifier, sequence number and data."""
    p, ident = _echo_req(ctx.echo, b"x" * 100)
    r = ctx.echo.sr(p, _is_reply(ident))
    check(r is not None, "no echo reply")
    check(bytes(r[ICMP].payload) == b"x" * 100 and r[ICMP].seq == 1, "echo reply data differs")


def bad_ihl(ctx):
    """RFC 791 / RFC 1122 3.2.1.2: an IHL beyond the packet is a bad header:
    dropped and counted, no reply."""
    link = ctx.echo
    before = link.counters()
    p, ident = _echo_req(link)
    b = bytearray(bytes(p))
    b[0] = 0x4f                       # IHL 15: 60-byte header in a 39-byte packet
    link.send(Raw(bytes(b)))
    check(link.recv(_is_reply(ident), 0.3) is None, "answered a packet with IHL 15")
    after = link.counters()
    n = delta(before, after, "ip_rx_bad_ihl") + delta(before, after, "ip_rx_bad_len")
    check(n == 1, "ip_rx_bad_ihl/bad_len grew by %d, expected 1" % n)


def lying_total_length(ctx):
    """RFC 791 / RFC 1122 3.2.1.1: a total length beyond the frame or below
    the header is dropped (ip_rx_bad_len); one below the frame's size makes
    the rest padding (the reply carries only the datagram's data)."""
    link = ctx.echo
    before = link.counters()
    for tl in (1000, 12):
        p, ident = _echo_req(link)
        p[IP].len = tl
        link.send(p)
        check(link.recv(_is_reply(ident), 0.2) is None, "answered a packet with total length %d" % tl)
    after = link.counters()
    check(delta(before, after, "ip_rx_bad_len") == 2, "ip_rx_bad_len did not count both")
    p, ident = _echo_req(link, b"A" * 20)
    link.send(Raw(bytes(p) + b"B" * 20))  # 20 bytes beyond the total length
    r = link.recv(_is_reply(ident), 1.0)
    check(r is not None, "no reply when the frame is longer than the datagram")
    check(bytes(r[ICMP].payload) == b"A" * 20, "trailing bytes beyond the total length were used")


def bad_header_checksum(ctx):
    """RFC 1122 3.2.1.2: a datagram with a bad header checksum is discarded
    silently (ip_rx_bad_csum)."""
    link = ctx.echo
    before = link.counters()
    p, ident = _echo_req(link)
    p[IP].chksum = 0x1234
    link.send(p)
    check(link.recv(_is_reply(ident), 0.3) is None, "answered a bad header checksum")
    after = link.counters()
    check(delta(before, after, "ip_rx_bad_csum") == 1, "ip_rx_bad_csum did not count it")


def ttl(ctx):
    """RFC 1122 3.2.1.7: TTL 1 is delivered (a host MUST NOT discard a
    datagram just because its TTL is below 2). TTL 0 is dropped and counted
    (ip_rx_ttl_zero), following RFC 791 ("must be destroyed")."""
    link = ctx.echo
    p, ident = _echo_req(link, ttl=1)
    check(link.sr(p, _is_reply(ident)) is not None, "TTL 1 not answered")
    before = link.counters()
    p, ident = _echo_req(link, ttl=0)
    check(link.sr(p, _is_reply(ident), 0.3) is None, "TTL 0 answered")
    after = link.counters()
    check(delta(before, after, "ip_rx_ttl_zero") == 1, "ip_rx_ttl_zero did not count it")


def fragments_reassembled(ctx):
    """RFC 791 / RFC 1122 3.3.2: fragments, here in reverse order, are
    reassembled; the 3000-byte reply is fragmented to the MTU."""
    link = ctx.echo
    data = bytes(random.randrange(256) for _ in range(3000))
    p, ident = _echo_req(link, data, id=random.randrange(65536))
    frags = fragment(p, fragsize=1000)
    check(len(frags) == 4, "expected 4 fragments, made %d" % len(frags))
    before = link.counters()
    for f in reversed(frags):
        link.send(f)
    got = link.recv_all(lambda f: IP in f and f[IP].proto == 1, 2.0, limit=3)
    check(got, "no reply to a fragmented echo request")
    check(all(len(f[IP]) <= 1500 for f in got), "reply fragment larger than the MTU")
    whole = defragment([f[IP] for f in got])
    r = [w for w in whole if ICMP in w and w[ICMP].type == 0]
    check(r and bytes(r[0][ICMP].payload) == data, "reassembled reply data differs")
    after = link.counters()
    check(delta(before, after, "ip_frag_reassembled") == 1, "ip_frag_reassembled did not count it")


def fragments_overlapping(ctx):
    """RFC 791 / RFC 5722 in spirit: overlapping fragments with different
    data drop the whole datagram (ip_frag_overlap), no reply."""
    link = ctx.echo
    p, ident = _echo_req(link, b"o" * 1600, id=random.randrange(65536))
    frags = fragment(p, fragsize=800)
    check(len(frags) == 3, "expected 3 fragments")
    evil = frags[1].copy()
    evil[IP].frag -= 8                # 64 bytes earlier: overlaps the first
    evil[IP].chksum = None
    before = link.counters()
    for f in (frags[0], evil, frags[1], frags[2]):
        link.send(f)
    check(link.recv(_is_reply(ident), 0.5) is None, "answered a datagram with overlapping fragments")
    after = link.counters()
    check(delta(before, after, "ip_frag_overlap") >= 1, "ip_frag_overlap did not count it")


def bad_source(ctx):
    """RFC 1122 3.2.1.3 / 3.2.2: a source that is broadcast, multicast,
    loopback, 0 or our own address is not a host: dropped (ip_rx_bad_src),
    never answered."""
    link = ctx.echo
    srcs = ["255.255.255.255", "224.0.0.1", "239.1.2.3", "127.0.0.1", "0.0.0.0", link.axip_ip]
    before = link.counters()
    for s in srcs:
        p, ident = _echo_req(link)
        p[IP].src = s
        link.send(p)
    got = link.recv_all(lambda f: ICMP in f, 0.5)
    check(not got, "answered a bad source: %s" % (got[0].summary() if got else ""))
    after = link.counters()
    check(delta(before, after, "ip_rx_bad_src") == len(srcs),
          "ip_rx_bad_src grew by %d, expected %d" % (delta(before, after, "ip_rx_bad_src"), len(srcs)))


def options_ignored(ctx):
    """RFC 1122 3.2.1.8: IP options (here NOPs, a record-route and an unknown
    one) do not stop delivery."""
    link = ctx.echo
    from scapy.layers.inet import IPOption, IPOption_NOP, IPOption_RR
    for opts in ([IPOption_NOP()] * 4, [IPOption_RR(routers=["1.2.3.4"])],
                 [IPOption(b"\x9e\x04\x00\x00")]):
        p, ident = _echo_req(link, options=opts)
        check(link.sr(p, _is_reply(ident)) is not None, "echo with options %r not answered" % opts)


def unknown_protocol(ctx):
    """RFC 1122 3.2.2.1 / 3.2.1.x: a datagram for a protocol we do not
    implement gets a protocol unreachable (type 3 code 2), rate-limited."""
    link = ctx.echo
    p = IP(src=link.peer_ip, dst=link.axip_ip, proto=253) / Raw(b"experimental")
    r = link.sr(p, lambda f: ICMP in f and f[ICMP].type == 3)
    check(r is not None and r[ICMP].code == 2, "no protocol unreachable for protocol 253")


CASES = [
    ("echo_baseline", echo_baseline),
    ("bad_ihl", bad_ihl),
    ("lying_total_length", lying_total_length),
    ("bad_header_checksum", bad_header_checksum),
    ("ttl", ttl),
    ("fragments_reassembled", fragments_reassembled),
    ("fragments_overlapping", fragments_overlapping),
    ("bad_source", bad_source),
    ("options_ignored", options_ignored),
    ("unknown_protocol", unknown_protocol),
]
