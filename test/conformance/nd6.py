# SPDX-License-Identifier: BSD-2-Clause
"""Neighbour discovery for axip's dedicated IPv6 address: solicitations
answered, malformed messages ignored, advertisements and the neighbour cache
(RFC 4861 4.3, 4.4, 7.1, 7.2; RFC 4862 5.4)."""
import random
import socket

from axpeer import IPv6, canon6, check, delta, group_mac, solicited_node
from v6 import (ND_HLIM, ICMPv6EchoReply, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                ICMPv6NDOptSrcLLAddr, echo_req, from_axip6, is_reply, need6, peer6, raw_icmp6)


def _ns(link, src, dst, slla=True, hlim=255, code=0, target=None, smac=None):
    p = IPv6(src=src, dst=dst, hlim=hlim) / ICMPv6ND_NS(code=code, tgt=target or link.axip_ip6)
    if slla:
        p = p / ICMPv6NDOptSrcLLAddr(lladdr=smac or link.peer_mac)
    return p


def _is_na(link, dst=None):
    return lambda f: (from_axip6(f, link) and ICMPv6ND_NA in f and
                      (dst is None or f[IPv6].dst == dst))


def _check_na(link, na, solicited, to):
    check(na[IPv6].hlim == ND_HLIM, "NA with hop limit %d, expected 255 (RFC 4861 7.1.2)" % na[IPv6].hlim)
    n = na[ICMPv6ND_NA]
    check(canon6(n.tgt) == canon6(link.axip_ip6), "NA for target %s" % n.tgt)
    check(bool(n.S) == solicited, "NA S flag %d, expected %d" % (n.S, solicited))
    check(n.O == 1 and n.R == 0, "NA flags R=%d O=%d, expected R=0 O=1" % (n.R, n.O))
    check(ICMPv6NDOptDstLLAddr in na and na[ICMPv6NDOptDstLLAddr].lladdr == link.axip_mac,
          "NA without our target link-layer address")
    check(na[IPv6].dst == to, "NA sent to %s, expected %s" % (na[IPv6].dst, to))


def dad_passed(ctx):
    """RFC 4862 5.4: the dedicated address passed duplicate address
    detection at start (nd6_dad_ok) with no conflict on an empty link."""
    link = need6(ctx)
    c = link.counters()
    check(c.get("nd6_dad_ok", 0) >= 1 and c.get("nd6_dad_conflict", 0) == 0,
          "nd6_dad_ok %d nd6_dad_conflict %d" % (c.get("nd6_dad_ok", 0), c.get("nd6_dad_conflict", 0)))


def ns_multicast_answered(ctx):
    """RFC 4861 7.2.3, 7.2.4: an NS to the solicited-node group with a
    source link-layer address is answered with a solicited NA (S, O, TLLA),
    hop limit 255, unicast to the solicitor."""
    link = need6(ctx)
    src, mac = peer6(link, 0x20)
    link.send6(_ns(link, src, solicited_node(link.axip_ip6), smac=mac), src_mac=mac)
    na = link.recv(_is_na(link, src), 1.0)
    check(na is not None, "no NA to a multicast NS for our address")
    _check_na(link, na, True, src)
    check(na.dst == mac, "NA sent to MAC %s, expected the SLLA %s" % (na.dst, mac))


def ns_unicast_answered(ctx):
    """RFC 4861 7.2.4: a unicast NS (unreachability detection) is answered
    with S set and the target link-layer address."""
    link = need6(ctx)
    link.send6(_ns(link, link.peer_ip6, link.axip_ip6))
    na = link.recv(_is_na(link, link.peer_ip6), 1.0)
    check(na is not None, "no NA to a unicast NS")
    _check_na(link, na, True, link.peer_ip6)


def ns_dad_answered_all_nodes(ctx):
    """RFC 4861 7.2.4, RFC 4862 5.4.3: a DAD solicitation (from ::, to the
    solicited-node group, no SLLA) for our preferred address is defended:
    NA to all-nodes (ff02::1, 33:33:00:00:00:01) with S clear."""
    link = need6(ctx)
    before = link.counters()
    link.send6(_ns(link, "::", solicited_node(link.axip_ip6), slla=False))
    na = link.recv(_is_na(link, "ff02::1"), 1.0)
    check(na is not None, "DAD NS for our address not defended")
    _check_na(link, na, False, "ff02::1")
    check(na.dst == "33:33:00:00:00:01", "defence sent to MAC %s" % na.dst)
    after = link.counters()
    check(delta(before, after, "nd6_dad_conflict") == 0, "a DAD NS for a preferred address counted as a conflict")


def _ignored(link, pkts, what, bad=None, src_mac=None):
    """Send pkts; none may be answered with an NA; nd6_rx_bad grows by bad."""
    before = link.counters()
    for p in pkts:
        link.send6(p, src_mac=src_mac)
    got = link.recv_all(_is_na(link), 0.3)
    after = link.counters()
    check(not got, "answered %s" % what)
    n = delta(before, after, "nd6_rx_bad")
    check(n == (len(pkts) if bad is None else bad), "nd6_rx_bad grew by %d for %d %s" % (n, len(pkts), what))


def ns_bad_hop_limit(ctx):
    """RFC 4861 7.1.1: an NS whose hop limit is not 255 may come from off
    link: silently discarded (nd6_rx_bad), multicast and unicast."""
    link = need6(ctx)
    _ignored(link, [_ns(link, link.peer_ip6, solicited_node(link.axip_ip6), hlim=254),
                    _ns(link, link.peer_ip6, link.axip_ip6, hlim=64)], "an NS with hop limit != 255")


def ns_bad_code(ctx):
    """RFC 4861 7.1.1: ICMP code not 0: discarded."""
    link = need6(ctx)
    _ignored(link, [_ns(link, link.peer_ip6, solicited_node(link.axip_ip6), code=1)], "an NS with code 1")


def ns_bad_length(ctx):
    """RFC 4861 7.1.1: ICMP length below 24 octets, an option of length 0,
    and an option running past the message: discarded (the checksums are
    right)."""
    link = need6(ctx)
    t = socket.inet_pton(socket.AF_INET6, link.axip_ip6)
    mac = bytes(int(x, 16) for x in link.peer_mac.split(":"))
    short = bytes([135, 0, 0, 0, 0, 0, 0, 0]) + t[:12]                       # 20 octets
    zero_opt = bytes([135, 0, 0, 0, 0, 0, 0, 0]) + t + bytes([1, 0]) + mac   # option length 0
    long_opt = bytes([135, 0, 0, 0, 0, 0, 0, 0]) + t + bytes([1, 2]) + mac   # claims 16 octets, has 8
    pk = [raw_icmp6(link.peer_ip6, link.axip_ip6, b) for b in (short, zero_opt, long_opt)]
    _ignored(link, pk, "a malformed NS")


def ns_multicast_target(ctx):
    """RFC 4861 7.1.1: the target must not be a multicast address."""
    link = need6(ctx)
    _ignored(link, [_ns(link, link.peer_ip6, link.axip_ip6, target="ff02::1")], "an NS for a multicast target")


def ns_dad_malformed(ctx):
    """RFC 4861 7.1.1: a solicitation from :: must go to a solicited-node
    group and carry no source link-layer address."""
    link = need6(ctx)
    _ignored(link, [_ns(link, "::", solicited_node(link.axip_ip6), slla=True),
                    _ns(link, "::", link.axip_ip6, slla=False)], "a malformed DAD NS")


def na_solicited_to_multicast(ctx):
    """RFC 4861 7.1.2: an NA to a multicast destination must have S clear;
    one with S set is discarded (and is no DAD conflict for a preferred
    address)."""
    link = need6(ctx)
    before = link.counters()
    link.send6(IPv6(src=link.peer_ip6, dst="ff02::1", hlim=255) /
               ICMPv6ND_NA(tgt=link.axip_ip6, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=link.peer_mac))
    link.drain(0.2)
    after = link.counters()
    check(delta(before, after, "nd6_rx_bad") == 1, "nd6_rx_bad did not count it")
    check(delta(before, after, "nd6_dad_conflict") == 0, "counted as a DAD conflict")
    p, ident = echo_req(link)
    check(link.sr6(p, is_reply(link, ident)) is not None, "address unusable after an NA claiming it")


def _solicits(link, target):
    return lambda f: (from_axip6(f, link) and ICMPv6ND_NS in f and f[ICMPv6ND_NS].tgt == target)


def na_incomplete_needs_tlla(ctx):
    """RFC 4861 7.2.2, 7.2.5: resolving a neighbour, axip sends an NS to its
    solicited-node group (hop limit 255, with our SLLA); an NA without the
    target link-layer address leaves the INCOMPLETE entry as it is (the
    queued reply is not sent); the next retransmission's NA with it
    completes it and the queued echo reply goes out."""
    link = need6(ctx)
    src, mac = peer6(link, 0x21 + random.randrange(0, 0x40))
    p, ident = echo_req(link, src=src)
    link.send6(p, src_mac=mac)
    ns = link.recv(_solicits(link, src), 1.5)
    check(ns is not None, "no neighbour solicitation for an unknown sender")
    check(ns[IPv6].dst == solicited_node(src), "NS to %s, expected %s" % (ns[IPv6].dst, solicited_node(src)))
    check(ns.dst == group_mac(solicited_node(src)), "NS to MAC %s, expected %s (RFC 2464 7)"
          % (ns.dst, group_mac(solicited_node(src))))
    check(ns[IPv6].hlim == 255, "NS with hop limit %d" % ns[IPv6].hlim)
    check(ICMPv6NDOptSrcLLAddr in ns and ns[ICMPv6NDOptSrcLLAddr].lladdr == link.axip_mac, "NS without our SLLA")
    na = IPv6(src=src, dst=ns[IPv6].src, hlim=255) / ICMPv6ND_NA(tgt=src, S=1, O=1)
    link.send6(na, src_mac=mac)
    got = link.recv(lambda f: from_axip6(f, link) and ICMPv6EchoReply in f and f[IPv6].dst == src, 0.3)
    check(got is None, "entry completed by an NA without a target link-layer address")
    ns2 = link.recv(_solicits(link, src), 1.5)
    check(ns2 is not None, "no retransmitted NS while INCOMPLETE")
    link.send6(na / ICMPv6NDOptDstLLAddr(lladdr=mac), src_mac=mac)
    r = link.recv(is_reply(link, ident), 1.0)
    check(r is not None, "queued echo reply not sent after the NA with TLLA")
    check(r.dst == mac, "reply sent to MAC %s, expected %s" % (r.dst, mac))


def na_unsolicited_no_entry(ctx):
    """RFC 4861 7.2.5: an unsolicited NA for an address with no cache entry
    creates none (nd6_rx_na_unsolicited): axip still solicits it later."""
    link = need6(ctx)
    src, mac = peer6(link, 0x70 + random.randrange(0, 0x40))
    before = link.counters()
    link.send6(IPv6(src=src, dst=link.axip_ip6, hlim=255) / ICMPv6ND_NA(tgt=src, S=0, O=1) /
               ICMPv6NDOptDstLLAddr(lladdr=mac), src_mac=mac)
    link.drain(0.1)
    after = link.counters()
    check(delta(before, after, "nd6_rx_na_unsolicited") == 1, "nd6_rx_na_unsolicited did not count it")
    p, ident = echo_req(link, src=src)
    link.send6(p, src_mac=mac)
    ns = link.recv(_solicits(link, src), 1.5)
    check(ns is not None, "no NS: the unsolicited NA created an entry")
    link.nd_targets[src] = mac
    try:
        link.send6(IPv6(src=src, dst=ns[IPv6].src, hlim=255) / ICMPv6ND_NA(tgt=src, S=1, O=1) /
                   ICMPv6NDOptDstLLAddr(lladdr=mac), src_mac=mac)
        check(link.recv(is_reply(link, ident), 1.0) is not None, "no echo reply after resolution")
    finally:
        del link.nd_targets[src]


def ns_learns_sender(ctx):
    """RFC 4861 7.2.3: an NS with a source link-layer address creates (or
    updates) the sender's entry, STALE: a packet to it goes out at once,
    without a solicitation of its own."""
    link = need6(ctx)
    src, mac = peer6(link, 0xb0 + random.randrange(0, 0x40))
    link.send6(_ns(link, src, link.axip_ip6, smac=mac), src_mac=mac)
    check(link.recv(_is_na(link, src), 1.0) is not None, "no NA")
    p, ident = echo_req(link, src=src)
    link.send6(p, src_mac=mac)
    got = link.recv_all(lambda f: from_axip6(f, link) and (
        (ICMPv6EchoReply in f and f[ICMPv6EchoReply].id == ident) or
        (ICMPv6ND_NS in f and canon6(f[ICMPv6ND_NS].tgt) == src)), 0.5, limit=1)
    check(got and ICMPv6EchoReply in got[0], "solicited a neighbour learned from its NS")
    check(got[0].dst == mac, "reply to MAC %s, expected the NS's SLLA %s" % (got[0].dst, mac))


CASES = [
    ("dad_passed", dad_passed),
    ("ns_multicast_answered", ns_multicast_answered),
    ("ns_unicast_answered", ns_unicast_answered),
    ("ns_dad_answered_all_nodes", ns_dad_answered_all_nodes),
    ("ns_bad_hop_limit", ns_bad_hop_limit),
    ("ns_bad_code", ns_bad_code),
    ("ns_bad_length", ns_bad_length),
    ("ns_multicast_target", ns_multicast_target),
    ("ns_dad_malformed", ns_dad_malformed),
    ("na_solicited_to_multicast", na_solicited_to_multicast),
    ("na_incomplete_needs_tlla", na_incomplete_needs_tlla),
    ("na_unsolicited_no_entry", na_unsolicited_no_entry),
    ("ns_learns_sender", ns_learns_sender),
]
