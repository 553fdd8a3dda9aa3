# SPDX-License-Identifier: BSD-2-Clause
"""TCP over IPv6 (RFC 9293 with RFC 8200 8.1, 8.3; RFC 8201 5.2): the
handshake and the MSS from the IPv6 MTU, resets, the checksum over the IPv6
pseudo-header, a peer on a link-local address.

Not here: a SYN to axip's link-local address: with a dedicated --addr6 the
instance's link-local address is the kernel's, and packets to it go to the
kernel (docs/ipv6.md, "On AF_XDP"); axip serves the link-local address in
shared mode, which this suite does not run (net_ipv6_basic and
net_ipv6_http cover it)."""
import random

from axpeer import TCP, Conn6, IPv6, check, delta, has, opt
from v6 import HLIM, need6


def syn_synack_mss(ctx):
    """RFC 9293 3.7.1, RFC 8200 8.3: the SYN-ACK acks ISS+1 from axip's
    address with hop limit 64 and announces MSS 1440 (MTU 1500 - 60), also
    to a SYN offering 9000; window scale, SACK-permitted and timestamps as
    over IPv4. Echoed data then comes in segments of at most 1440 - 12
    bytes of data (timestamps), full ones among them."""
    link = need6(ctx)
    c = Conn6(link)
    c.open(options=[("MSS", 9000), ("SAckOK", b""), ("WScale", 7), ("Timestamp", (link.tsval(), 0))])
    sa = c.synack
    check(sa[TCP].ack == (c.iss + 1) & 0xffffffff, "SYN-ACK acks %d, expected ISS+1" % sa[TCP].ack)
    check(c.mss == 1440, "SYN-ACK MSS %s, expected 1440 (MTU - 60)" % c.mss)
    check(sa[IPv6].hlim == HLIM, "SYN-ACK hop limit %d, expected %d" % (sa[IPv6].hlim, HLIM))
    check(opt(sa, "WScale") is not None and opt(sa, "SAckOK") is not None and
          opt(sa, "Timestamp") is not None, "SYN-ACK options %s" % sa[TCP].options)
    data = bytes(random.randrange(256) for _ in range(5000))
    got = c.echo(data)
    check(got == data, "echo over IPv6 returned %d of %d bytes" % (len(got), len(data)))
    c.abort()
    c2 = Conn6(link)
    c2.open()
    data = bytes(random.randrange(256) for _ in range(3 * 1428))
    for i in range(0, len(data), 1428):
        c2.send("PA", data[i:i + 1428])
    got, segs = c2.read(len(data))
    check(got == data, "no echo of 3 full segments")
    sizes = [len(c2.data_from(f)) for f in segs]
    check(max(sizes) == 1428 and max(len(f[IPv6]) for f in segs) <= 1500,
          "segments of %s bytes of data, expected 1428 at most and some of 1428" % sizes)
    c2.abort()


def syn_closed_port(ctx):
    """RFC 9293 3.10.7.1: a SYN to a port without a listener:
    <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK> from the address it went to."""
    link = need6(ctx)
    c = Conn6(link, dport=9)
    c.send("S", options=[("MSS", 1440)])
    r = c.expect(lambda f: has(f, "R"), 1.0)
    check(r is not None, "no RST for a SYN to a closed port")
    check(has(r, "RA") and r[TCP].seq == 0 and r[TCP].ack == (c.iss + 1) & 0xffffffff,
          "RST flags %s seq %d ack %d, expected RST,ACK 0 ISS+1" % (r[TCP].flags, r[TCP].seq, r[TCP].ack))


def ack_to_listener(ctx):
    """RFC 9293 3.10.7.2: an ACK to a listener is answered with
    <SEQ=SEG.ACK><CTL=RST>."""
    link = need6(ctx)
    c = Conn6(link)
    ack = random.randrange(1 << 32)
    c.send("A", ack=ack, options=[])
    r = c.expect(lambda f: has(f, "R"), 1.0)
    check(r is not None, "no RST for an ACK to a listener")
    check(r[TCP].seq == ack and not has(r, "A"), "RST seq %d flags %s, expected seq %d without ACK"
          % (r[TCP].seq, r[TCP].flags, ack))


def bad_checksum(ctx):
    """RFC 9293 3.1, RFC 8200 8.1: the checksum covers the IPv6
    pseudo-header: a SYN with a wrong one gets no SYN-ACK, a data segment
    with a wrong one in an established connection is neither acknowledged
    nor delivered (tcp_rx_bad_csum +2); the good segment after it is."""
    link = need6(ctx)
    before = link.counters()
    c = Conn6(link)
    c.send("S", options=[("MSS", 1440)], chksum=0xbeef, advance=False)
    check(c.expect_none(duration=0.4), "answered a SYN with a bad checksum")
    c.open()
    c.send("PA", b"corrupt", advance=False, chksum=0xbeef)
    check(c.expect_none(duration=0.4), "answered a data segment with a bad checksum")
    check(c.echo(b"good") == b"good", "the good segment after it not echoed alone")
    after = link.counters()
    check(delta(before, after, "tcp_rx_bad_csum") == 2, "tcp_rx_bad_csum grew by %d, expected 2"
          % delta(before, after, "tcp_rx_bad_csum"))
    c.abort()


def syn_from_link_local(ctx):
    """RFC 4291 2.5.6, RFC 4861 5.2: a peer using its link-local address
    (on-link by definition) connects to axip's global address: axip
    resolves it (an NS for fe80::...), the SYN-ACK goes from the global
    address to the link-local one, and data is echoed."""
    link = need6(ctx)
    ll = "fe80::5e:%x" % random.randrange(0x1000, 0xffff)
    link.nd_targets[ll] = link.peer_mac
    try:
        c = Conn6(link, src=ll)
        c.open()
        sa = c.synack
        check(sa[IPv6].dst == ll, "SYN-ACK to %s, expected %s" % (sa[IPv6].dst, ll))
        check(c.echo(b"over link-local") == b"over link-local", "no echo to a link-local peer")
        c.abort()
    finally:
        del link.nd_targets[ll]


CASES = [
    ("syn_synack_mss", syn_synack_mss),
    ("syn_closed_port", syn_closed_port),
    ("ack_to_listener", ack_to_listener),
    ("bad_checksum", bad_checksum),
    ("syn_from_link_local", syn_from_link_local),
]
