# SPDX-License-Identifier: BSD-2-Clause
"""IPv6 input: extension headers (RFC 8200 4, 4.1-4.4, RFC 5095), options by
the two high bits of their type (RFC 8200 4.2, RFC 4443 2.4 (e.3)), unknown
next headers, the payload length and the hop limit (RFC 8200 3), probed with
echo requests (and neighbour solicitations for the multicast rules) to axip's
dedicated address."""
from axpeer import IPv6, Raw, check, delta, solicited_node
from v6 import (HLIM, ICMPv6EchoReply, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr,
                ICMPv6ParamProblem, check_quote, echo_bytes, from_axip6, is_reply, need6,
                new_ident)

NH_HBH, NH_ROUTING, NH_DSTOPTS, NH_NONE, NH_ICMP6 = 0, 43, 60, 59, 58


def _opts_hdr(nh, otype):
    """An 8-octet hop-by-hop or destination options header holding one
    option of type otype with 4 bytes of data (at offset 2 of the header)."""
    return bytes([nh, 0, otype, 4, 0, 0, 0, 0])


def _echo_behind(link, nh0, headers, ident, hlim=64, dst=None):
    """An echo request to axip behind hand-made extension headers; the first
    header's type is nh0."""
    dst = dst or link.axip_ip6
    return IPv6(src=link.peer_ip6, dst=dst, nh=nh0, hlim=hlim) / Raw(
        headers + echo_bytes(link.peer_ip6, link.axip_ip6, ident))


def _answers(link, pkt, ident, what, timeout=0.5):
    """pkt's echo reply and every Parameter Problem axip sends meanwhile."""
    link.send6(pkt)
    got = link.recv_all(lambda f: from_axip6(f, link) and (
        (ICMPv6EchoReply in f and f[ICMPv6EchoReply].id == ident) or ICMPv6ParamProblem in f),
        timeout, limit=1)
    return got[0] if got else None


def _expect_pp(link, pkt, ident, code, ptr, what):
    f = _answers(link, pkt, ident, what)
    check(f is not None and ICMPv6ParamProblem in f, "no Parameter Problem for %s" % what)
    pp = f[ICMPv6ParamProblem]
    check(pp.code == code and pp.ptr == ptr, "Parameter Problem code %d pointer %d for %s, "
          "expected code %d pointer %d" % (pp.code, pp.ptr, what, code, ptr))
    check(f[IPv6].dst == link.peer_ip6, "Parameter Problem sent to %s" % f[IPv6].dst)
    check_quote(f, ICMPv6ParamProblem, pkt)


def _expect_silence(link, pkt, ident, what):
    f = _answers(link, pkt, ident, what, 0.4)
    check(f is None, "answered %s: %s" % (what, f.summary() if f is not None else ""))


def option_skip(ctx):
    """RFC 8200 4.2: an unrecognised option whose type starts with 00 is
    skipped: echo requests with it in a hop-by-hop and in a destination
    options header are answered."""
    link = need6(ctx)
    for nh0, name in ((NH_HBH, "hop-by-hop"), (NH_DSTOPTS, "destination options")):
        ident = new_ident()
        f = _answers(link, _echo_behind(link, nh0, _opts_hdr(NH_ICMP6, 0x1e), ident), ident, name)
        check(f is not None and ICMPv6EchoReply in f,
              "echo with an unknown 00 option in a %s header not answered" % name)


def option_discard(ctx):
    """RFC 8200 4.2: type 01xxxxxx: the packet is discarded, without an
    ICMPv6 error (ip6_rx_bad_opt)."""
    link = need6(ctx)
    before = link.counters()
    for nh0 in (NH_HBH, NH_DSTOPTS):
        ident = new_ident()
        _expect_silence(link, _echo_behind(link, nh0, _opts_hdr(NH_ICMP6, 0x5e), ident), ident,
                        "an echo with an unknown 01 option")
    after = link.counters()
    check(delta(before, after, "ip6_rx_bad_opt") == 2, "ip6_rx_bad_opt grew by %d, expected 2"
          % delta(before, after, "ip6_rx_bad_opt"))


def option_param_problem(ctx):
    """RFC 8200 4.2: types 10xxxxxx and 11xxxxxx to a unicast destination:
    discarded with a Parameter Problem code 2 pointing at the option type
    (offset 42: the option right after the header's first two bytes), in a
    hop-by-hop and in a destination options header."""
    link = need6(ctx)
    for otype in (0x9e, 0xde):
        for nh0, name in ((NH_HBH, "hop-by-hop"), (NH_DSTOPTS, "destination options")):
            ident = new_ident()
            _expect_pp(link, _echo_behind(link, nh0, _opts_hdr(NH_ICMP6, otype), ident), ident,
                       2, 42, "option 0x%02x in a %s header" % (otype, name))


def option_multicast_rules(ctx):
    """RFC 8200 4.2, RFC 4443 2.4 (e.3): to a multicast destination (a
    neighbour solicitation to axip's solicited-node group behind a
    destination options header): a 10xxxxxx option is still answered with
    a Parameter Problem code 2, an 11xxxxxx one is discarded silently, a
    00xxxxxx one is skipped and the solicitation answered."""
    link = need6(ctx)
    grp = solicited_node(link.axip_ip6)

    def ns(otype):
        body = ICMPv6ND_NS(tgt=link.axip_ip6) / ICMPv6NDOptSrcLLAddr(lladdr=link.peer_mac)
        icmp = bytes(IPv6(src=link.peer_ip6, dst=grp) / body)[40:]
        return IPv6(src=link.peer_ip6, dst=grp, nh=NH_DSTOPTS, hlim=255) / Raw(
            _opts_hdr(NH_ICMP6, otype) + icmp)

    def answers(pkt):
        link.send6(pkt)
        return link.recv_all(lambda f: from_axip6(f, link) and (
            ICMPv6ParamProblem in f or (ICMPv6ND_NA in f and f[IPv6].dst == link.peer_ip6)), 0.4)

    before = link.counters()
    p = ns(0x9e)
    got = answers(p)
    check(len(got) == 1 and ICMPv6ParamProblem in got[0],
          "a 10 option to a multicast group: %s, expected one Parameter Problem"
          % [g.summary() for g in got])
    pp = got[0][ICMPv6ParamProblem]
    check(pp.code == 2 and pp.ptr == 42, "Parameter Problem code %d pointer %d" % (pp.code, pp.ptr))
    check_quote(got[0], ICMPv6ParamProblem, p)
    got = answers(ns(0xde))
    check(not got, "a 11 option to a multicast group answered: %s" % [g.summary() for g in got])
    after = link.counters()
    check(delta(before, after, "ip6_rx_bad_opt") == 2, "ip6_rx_bad_opt grew by %d, expected 2"
          % delta(before, after, "ip6_rx_bad_opt"))
    got = answers(ns(0x1e))
    check(len(got) == 1 and ICMPv6ND_NA in got[0],
          "a solicitation with a 00 option not answered: %s" % [g.summary() for g in got])


def routing_header(ctx):
    """RFC 8200 4.4, RFC 5095 3: a routing header of type 0 with segments
    left 1 is refused with a Parameter Problem code 0 pointing at the
    routing type (ip6_rx_routing); with segments left 0 the header is
    ignored and the echo answered."""
    link = need6(ctx)
    via = bytes(16)
    before = link.counters()
    ident = new_ident()
    rh0 = bytes([NH_ICMP6, 2, 0, 1, 0, 0, 0, 0]) + via
    _expect_pp(link, _echo_behind(link, NH_ROUTING, rh0, ident), ident, 0, 42,
               "a type 0 routing header with segments left 1")
    after = link.counters()
    check(delta(before, after, "ip6_rx_routing") == 1, "ip6_rx_routing did not count it")
    ident = new_ident()
    rh_done = bytes([NH_ICMP6, 2, 0, 0, 0, 0, 0, 0]) + via
    f = _answers(link, _echo_behind(link, NH_ROUTING, rh_done, ident), ident, "segments left 0")
    check(f is not None and ICMPv6EchoReply in f, "echo behind a routing header with segments "
          "left 0 not answered")


def unknown_next_header(ctx):
    """RFC 8200 4: an unrecognised next header gets a Parameter Problem
    code 1 pointing at the field that names it: the IPv6 header's (offset
    6) or a destination options header's (offset 40); next header 59 (no
    next header) is dropped without an answer (ip6_rx_no_next)."""
    link = need6(ctx)
    before = link.counters()
    ident = new_ident()
    p = IPv6(src=link.peer_ip6, dst=link.axip_ip6, nh=253) / Raw(bytes(16))
    _expect_pp(link, p, ident, 1, 6, "next header 253")
    _expect_pp(link, _echo_behind(link, NH_DSTOPTS, bytes([253, 0, 1, 4, 0, 0, 0, 0]), ident),
               ident, 1, 40, "next header 253 after destination options")
    _expect_silence(link, IPv6(src=link.peer_ip6, dst=link.axip_ip6, nh=NH_NONE) / Raw(bytes(8)),
                    ident, "next header 59")
    after = link.counters()
    check(delta(before, after, "ip6_rx_unknown_nh") == 2, "ip6_rx_unknown_nh grew by %d"
          % delta(before, after, "ip6_rx_unknown_nh"))
    check(delta(before, after, "ip6_rx_no_next") == 1, "ip6_rx_no_next did not count it")


def hop_by_hop_not_first(ctx):
    """RFC 8200 4.1: a hop-by-hop header only right after the IPv6 header;
    after a destination options header it is an unrecognised next header:
    Parameter Problem code 1 at offset 40 (ip6_rx_hbh_not_first)."""
    link = need6(ctx)
    before = link.counters()
    ident = new_ident()
    hdrs = bytes([NH_HBH, 0, 1, 4, 0, 0, 0, 0]) + bytes([NH_ICMP6, 0, 1, 4, 0, 0, 0, 0])
    _expect_pp(link, _echo_behind(link, NH_DSTOPTS, hdrs, ident), ident, 1, 40,
               "a hop-by-hop header after destination options")
    after = link.counters()
    check(delta(before, after, "ip6_rx_hbh_not_first") == 1, "ip6_rx_hbh_not_first did not count it")


def hop_limit(ctx):
    """RFC 8200 3: the hop limit only matters to forwarding nodes: echo
    requests with hop limit 1 and 0 are answered, and the replies carry
    axip's own hop limit (64), not the request's."""
    link = need6(ctx)
    for h in (1, 0):
        ident = new_ident()
        p = IPv6(src=link.peer_ip6, dst=link.axip_ip6, hlim=h, nh=NH_ICMP6) / Raw(
            echo_bytes(link.peer_ip6, link.axip_ip6, ident))
        r = link.sr6(p, is_reply(link, ident), 1.0)
        check(r is not None, "echo with hop limit %d not answered" % h)
        check(r[IPv6].hlim == HLIM, "reply with hop limit %d, expected %d" % (r[IPv6].hlim, HLIM))


def payload_length(ctx):
    """RFC 8200 3: a payload length beyond the frame: dropped
    (ip6_rx_bad_len); shorter than the frame: the rest is padding, the
    reply carries only the datagram's data."""
    link = need6(ctx)
    before = link.counters()
    ident = new_ident()
    icmp = echo_bytes(link.peer_ip6, link.axip_ip6, ident, data=b"0123456789abcdef")
    _expect_silence(link, IPv6(src=link.peer_ip6, dst=link.axip_ip6, nh=NH_ICMP6,
                               plen=len(icmp) + 8) / Raw(icmp), ident, "a payload length beyond the frame")
    after = link.counters()
    check(delta(before, after, "ip6_rx_bad_len") == 1, "ip6_rx_bad_len did not count it")
    p = IPv6(src=link.peer_ip6, dst=link.axip_ip6, nh=NH_ICMP6, plen=len(icmp)) / Raw(icmp + b"TRAILER!")
    r = link.sr6(p, is_reply(link, ident), 1.0)
    check(r is not None, "echo with trailing bytes past the payload length not answered")
    data = r[ICMPv6EchoReply].data
    check(data == b"0123456789abcdef", "reply data %r: the padding was taken as data" % data)


CASES = [
    ("option_skip", option_skip),
    ("option_discard", option_discard),
    ("option_param_problem", option_param_problem),
    ("option_multicast_rules", option_multicast_rules),
    ("routing_header", routing_header),
    ("unknown_next_header", unknown_next_header),
    ("hop_by_hop_not_first", hop_by_hop_not_first),
    ("hop_limit", hop_limit),
    ("payload_length", payload_length),
]
