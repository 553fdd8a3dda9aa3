# SPDX-License-Identifier: BSD-2-Clause
"""IPv6 fragments (RFC 8200 4.5, RFC 5722, RFC 6946, RFC 7112), probed with
fragmented echo requests to axip's dedicated address.

Not here: the 60-s reassembly timeout and its Time Exceeded code 1 (RFC 8200
4.5). axip-tcp-echo keeps the core's default frag6_timeout_ns of 60 s and has
no option to shorten it, and a case may take 20 s; `incomplete` checks what
can be seen before the timer (nothing delivered, nothing answered, the
fragments held), the unit test frag `test_timeout` the timer itself."""
import random

from axpeer import IPv6, Raw, check, delta
from v6 import (ICMPv6EchoReply, ICMPv6ParamProblem, IPv6ExtHdrFragment, check_quote,
                echo_bytes, from_axip6, is_pp, is_reply, need6, new_ident)

NH_FRAG, NH_DSTOPTS, NH_ICMP6 = 44, 60, 58
DATA = bytes(random.Random(6).randrange(256) for _ in range(1192))  # + 8 = 1200 bytes of ICMPv6


def _frag(link, nh, off, more, ident_frag, chunk):
    """One fragment (offset in bytes) of a datagram from the peer to axip."""
    return IPv6(src=link.peer_ip6, dst=link.axip_ip6, nh=NH_FRAG) / IPv6ExtHdrFragment(
        nh=nh, offset=off // 8, m=1 if more else 0, id=ident_frag) / Raw(chunk)


def _echo_frags(link, ident, sizes=(400, 400, 400), fid=None, data=DATA):
    """An echo request of 1200 bytes cut into fragments of the given sizes
    (all but the last multiples of 8): the fragments in order, the
    fragment identification."""
    fid = fid if fid is not None else random.randrange(1, 1 << 32)
    body = echo_bytes(link.peer_ip6, link.axip_ip6, ident, data)
    out, off = [], 0
    for i, n in enumerate(sizes):
        last = i == len(sizes) - 1
        chunk = body[off:] if last else body[off:off + n]
        out.append(_frag(link, NH_ICMP6, off, not last, fid, chunk))
        off += n
    return out, fid


def _is_error(link, f):
    """Any ICMPv6 error (type < 128, RFC 4443 2.1) from axip to the peer."""
    return (from_axip6(f, link) and f[IPv6].nh == NH_ICMP6 and f[IPv6].dst == link.peer_ip6 and
            bytes(f[IPv6].payload)[:1] < b"\x80")


def _reply(link, ident, timeout=1.0):
    return link.recv(is_reply(link, ident), timeout)


def _check_reply(r, ident, what):
    check(r is not None, "no echo reply to %s" % what)
    check(r[ICMPv6EchoReply].data == DATA, "reply to %s does not carry the request's data" % what)


def in_order(ctx):
    """RFC 8200 4.5: three fragments in order are reassembled
    (ip6_frag_reassembled) and the echo is answered with all the data."""
    link = need6(ctx)
    before = link.counters()
    ident = new_ident()
    frags, _ = _echo_frags(link, ident)
    for f in frags:
        link.send6(f)
    _check_reply(_reply(link, ident), ident, "fragments in order")
    after = link.counters()
    check(delta(before, after, "ip6_frag_reassembled") == 1, "ip6_frag_reassembled did not count it")


def out_of_order(ctx):
    """RFC 8200 4.5: fragments in any order, the first one last, and an
    exact duplicate among them (dropped alone, ip6_frag_dup; RFC 5722
    erratum 3089): reassembled once, one reply."""
    link = need6(ctx)
    before = link.counters()
    ident = new_ident()
    frags, _ = _echo_frags(link, ident, sizes=(304, 504, 392))
    for f in (frags[2], frags[1], frags[1], frags[0]):
        link.send6(f)
    got = link.recv_all(is_reply(link, ident), 1.0)
    check(len(got) == 1, "%d echo replies to one fragmented request" % len(got))
    _check_reply(got[0], ident, "fragments out of order")
    after = link.counters()
    check(delta(before, after, "ip6_frag_reassembled") == 1, "ip6_frag_reassembled did not count it")
    check(delta(before, after, "ip6_frag_dup") == 1, "ip6_frag_dup did not count the duplicate")


def overlapping(ctx):
    """RFC 5722 4: a fragment overlapping another discards the whole
    datagram, the fragments that come after it included: a complete,
    consistent set sent after the overlap is not reassembled (no reply,
    ip6_frag_overlap for the overlap and each later fragment); a new
    datagram with another identification is."""
    link = need6(ctx)
    before = link.counters()
    ident = new_ident()
    frags, fid = _echo_frags(link, ident)
    body = echo_bytes(link.peer_ip6, link.axip_ip6, ident, DATA)
    link.send6(frags[0])                                                 # [0, 400)
    link.send6(_frag(link, NH_ICMP6, 392, True, fid, body[392:800]))   # [392, 800): overlaps
    link.send6(frags[1])                                                 # [400, 800)
    link.send6(frags[2])                                                 # [800, 1200), last
    check(_reply(link, ident, 0.6) is None, "answered a datagram with overlapping fragments")
    after = link.counters()
    check(delta(before, after, "ip6_frag_overlap") == 3,
          "ip6_frag_overlap grew by %d, expected 3 (the overlap and the two after it)"
          % delta(before, after, "ip6_frag_overlap"))
    check(delta(before, after, "ip6_frag_reassembled") == 0, "reassembled after an overlap")
    ident2 = new_ident()
    frags2, _ = _echo_frags(link, ident2)
    for f in frags2:
        link.send6(f)
    _check_reply(_reply(link, ident2), ident2, "a new datagram after the overlap")


def incomplete(ctx):
    """RFC 8200 4.5: an incomplete datagram is not delivered: the last two
    fragments without the first, and the first and the last without the
    middle, get neither a reply nor an error while the timer runs; the
    missing middle fragment, sent a second later, completes the second
    one (the fragments were held)."""
    link = need6(ctx)
    ident = new_ident()
    frags, _ = _echo_frags(link, ident)
    link.send6(frags[1])
    link.send6(frags[2])
    got = link.recv_all(lambda f: is_reply(link, ident)(f) or _is_error(link, f), 0.6)
    check(not got, "answered fragments without the first: %s" % [g.summary() for g in got])
    ident2 = new_ident()
    frags2, _ = _echo_frags(link, ident2)
    link.send6(frags2[0])
    link.send6(frags2[2])
    got = link.recv_all(lambda f: is_reply(link, ident2)(f) or _is_error(link, f), 1.0)
    check(not got, "answered a datagram with a fragment missing: %s" % [g.summary() for g in got])
    before = link.counters()
    link.send6(frags2[1])
    _check_reply(_reply(link, ident2), ident2, "the datagram completed a second later")
    after = link.counters()
    check(delta(before, after, "ip6_frag_reassembled") == 1, "ip6_frag_reassembled did not count it")


def atomic(ctx):
    """RFC 6946 4: an atomic fragment (offset 0, M clear) is processed as a
    whole datagram (ip6_rx_atomic_frag), even while a reassembly with the
    same identification is pending; that one still completes."""
    link = need6(ctx)
    before = link.counters()
    ident = new_ident()
    frags, fid = _echo_frags(link, ident)
    link.send6(frags[0])
    ident2 = new_ident()
    link.send6(_frag(link, NH_ICMP6, 0, False, fid, echo_bytes(link.peer_ip6, link.axip_ip6, ident2,
                                                                b"atomic")))
    r = _reply(link, ident2)
    check(r is not None and r[ICMPv6EchoReply].data == b"atomic", "atomic fragment not answered")
    link.send6(frags[1])
    link.send6(frags[2])
    _check_reply(_reply(link, ident), ident, "the pending datagram with the same identification")
    after = link.counters()
    check(delta(before, after, "ip6_rx_atomic_frag") == 1, "ip6_rx_atomic_frag did not count it")


def first_without_upper_header(ctx):
    """RFC 8200 4.5, RFC 7112 5: a first fragment that ends before the
    upper-layer header (here it holds only a destination options header) is
    discarded with a Parameter Problem code 3, pointer 0 (ip6_frag_no_ulh);
    the rest of the datagram, arriving after, is never answered."""
    link = need6(ctx)
    before = link.counters()
    ident = new_ident()
    fid = random.randrange(1, 1 << 32)
    dopt = bytes([NH_ICMP6, 0, 1, 4, 0, 0, 0, 0])
    first = _frag(link, NH_DSTOPTS, 0, True, fid, dopt)
    link.send6(first)
    pp = link.recv(is_pp(link, 3, link.peer_ip6), 1.0)
    check(pp is not None, "no Parameter Problem code 3 for a first fragment without the ICMPv6 header")
    check(pp[ICMPv6ParamProblem].ptr == 0, "pointer %d, expected 0" % pp[ICMPv6ParamProblem].ptr)
    check_quote(pp, ICMPv6ParamProblem, first)
    link.send6(_frag(link, NH_DSTOPTS, 8, False, fid,
                     echo_bytes(link.peer_ip6, link.axip_ip6, ident, b"rest")))
    check(_reply(link, ident, 0.5) is None, "answered a datagram whose first fragment was refused")
    after = link.counters()
    check(delta(before, after, "ip6_frag_no_ulh") == 1, "ip6_frag_no_ulh did not count it")


def bad_fragment_length(ctx):
    """RFC 8200 4.5: a fragment with M set whose length is not a multiple
    of 8 gets a Parameter Problem code 0 pointing at the payload length
    (offset 4); one that would end past 65535 bytes a Parameter Problem
    code 0 pointing at the fragment offset field (offset 42)."""
    link = need6(ctx)
    ident = new_ident()
    body = echo_bytes(link.peer_ip6, link.axip_ip6, ident, DATA)
    p = _frag(link, NH_ICMP6, 0, True, random.randrange(1, 1 << 32), body[:401])
    pp = link.sr6(p, is_pp(link, 0, link.peer_ip6), 1.0)
    check(pp is not None, "no Parameter Problem for a 401-byte fragment with M set")
    check(pp[ICMPv6ParamProblem].ptr == 4, "pointer %d, expected 4" % pp[ICMPv6ParamProblem].ptr)
    check_quote(pp, ICMPv6ParamProblem, p)
    p = _frag(link, NH_ICMP6, 65528, False, random.randrange(1, 1 << 32), bytes(16))
    pp = link.sr6(p, is_pp(link, 0, link.peer_ip6), 1.0)
    check(pp is not None, "no Parameter Problem for a fragment ending past 65535")
    check(pp[ICMPv6ParamProblem].ptr == 42, "pointer %d, expected 42" % pp[ICMPv6ParamProblem].ptr)
    check(_reply(link, ident, 0.2) is None, "answered a bad fragment")


CASES = [
    ("in_order", in_order),
    ("out_of_order", out_of_order),
    ("overlapping", overlapping),
    ("incomplete", incomplete),
    ("atomic", atomic),
    ("first_without_upper_header", first_without_upper_header),
    ("bad_fragment_length", bad_fragment_length),
]
