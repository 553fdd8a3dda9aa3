# SPDX-License-Identifier: BSD-2-Clause
"""ARP (RFC 826) and address conflicts (RFC 5227) on axip's dedicated
address."""
import random

from axpeer import ARP, ICMP, IP, Ether, Raw, check, delta

BCAST = "ff:ff:ff:ff:ff:ff"


def _arp(link, op, psrc, hwsrc, pdst, hwdst="00:00:00:00:00:00", eth_dst=BCAST, **kw):
    return Ether(dst=eth_dst, src=hwsrc) / ARP(op=op, hwsrc=hwsrc, psrc=psrc, hwdst=hwdst, pdst=pdst, **kw)


def _is_reply_for(link):
    return lambda f: ARP in f and f[ARP].op == 2 and f[ARP].psrc == link.axip_ip


def _ping(link, src_ip, src_mac, ident):
    link.send(IP(src=src_ip, dst=link.axip_ip) / ICMP(type=8, id=ident, seq=1) / Raw(b"arp"),
              src_mac=src_mac)


def request_answered(ctx):
    """RFC 826: a request for axip's address is answered to the asker, with
    axip's MAC as sender hardware address."""
    link = ctx.echo
    link.send_frame(_arp(link, 1, link.peer_ip, link.peer_mac, link.axip_ip))
    r = link.recv(_is_reply_for(link))
    check(r is not None, "no ARP reply")
    check(r[ARP].hwsrc == link.axip_mac and r[ARP].pdst == link.peer_ip and r[ARP].hwdst == link.peer_mac
          and r.dst == link.peer_mac, "ARP reply fields wrong: %s" % r.summary())


def unsolicited_reply_ignored(ctx):
    """RFC 826 (merge only entries we have) / RFC 5227 1.1: a reply for an
    address axip never asked about creates no entry (arp_rx_unsolicited):
    traffic to that address is resolved with a request, not sent to the
    MAC the reply claimed."""
    link = ctx.echo
    net = link.axip_ip.rsplit(".", 1)[0]
    other_ip, bogus_mac, real_mac = net + ".77", "02:00:5e:00:53:77", "02:00:5e:00:53:78"
    before = link.counters()
    link.send_frame(_arp(link, 2, other_ip, bogus_mac, link.axip_ip, hwdst=link.axip_mac, eth_dst=link.axip_mac))
    link.drain(0.1)
    after = link.counters()
    check(delta(before, after, "arp_rx_unsolicited") == 1, "arp_rx_unsolicited did not count it")
    ident = random.randrange(1, 65535)
    _ping(link, other_ip, real_mac, ident)
    f = link.recv(lambda f: (ARP in f and f[ARP].op == 1 and f[ARP].pdst == other_ip) or
                  (ICMP in f and f[ICMP].id == ident), 2.0)
    check(f is not None, "neither an ARP request nor a reply for %s" % other_ip)
    check(ARP in f, "axip answered to %s without asking (cache poisoned?)" % f.dst)
    link.send_frame(_arp(link, 2, other_ip, real_mac, link.axip_ip, hwdst=link.axip_mac, eth_dst=link.axip_mac))
    r = link.recv(lambda f: ICMP in f and f[ICMP].id == ident, 2.0)
    check(r is not None and r.dst == real_mac, "no echo reply to the resolved MAC")


def conflict_own_address(ctx):
    """RFC 5227 2.4: a packet from another host claiming axip's address is a
    conflict (arp_rx_conflict); it changes nothing, axip keeps answering for
    its address with its own MAC."""
    link = ctx.echo
    bogus = "02:00:5e:00:53:66"
    before = link.counters()
    link.send_frame(_arp(link, 2, link.axip_ip, bogus, link.axip_ip, eth_dst=BCAST))   # gratuitous reply
    link.send_frame(_arp(link, 1, link.axip_ip, bogus, link.axip_ip))                  # gratuitous request
    link.drain(0.1)
    after = link.counters()
    check(delta(before, after, "arp_rx_conflict") == 2, "arp_rx_conflict grew by %d, expected 2"
          % delta(before, after, "arp_rx_conflict"))
    request_answered(ctx)


def probe_answered(ctx):
    """RFC 5227 2.1.1 / 2.4: an ARP probe (sender address 0) for axip's
    address is answered (axip defends it) and teaches nothing."""
    link = ctx.echo
    prober = "02:00:5e:00:53:55"
    link.send_frame(_arp(link, 1, "0.0.0.0", prober, link.axip_ip))
    r = link.recv(_is_reply_for(link))
    check(r is not None and r.dst == prober and r[ARP].hwsrc == link.axip_mac, "probe for axip's address not answered")


def _raw_arp(link, htype=1, ptype=0x0800, hlen=6, plen=4, op=1, sha=None):
    """Ethernet/IPv4 ARP layout (28 bytes, so the XDP program finds the
    target address at its place) with any header field value."""
    mac = bytes.fromhex((sha or link.peer_mac).replace(":", ""))
    ip4 = lambda a: bytes(int(x) for x in a.split("."))  # noqa: E731
    body = (htype.to_bytes(2, "big") + ptype.to_bytes(2, "big") + bytes([hlen, plen]) + op.to_bytes(2, "big") +
            mac + ip4(link.peer_ip) + bytes(6) + ip4(link.axip_ip))
    return Ether(dst=BCAST, src=link.peer_mac, type=0x0806) / Raw(body)


def malformed(ctx):
    """RFC 826: hardware/protocol types, lengths and opcodes that axip does
    not speak, or a group sender MAC, are dropped and counted (arp_rx_bad),
    never answered."""
    link = ctx.echo
    bad = [dict(htype=6), dict(ptype=0x86dd), dict(hlen=8), dict(plen=16), dict(op=3), dict(op=0),
           dict(sha="01:00:5e:00:00:01"), dict(sha="ff:ff:ff:ff:ff:ff")]
    before = link.counters()
    for kw in bad:
        link.send_frame(_raw_arp(link, **kw))
    got = link.recv_all(_is_reply_for(link), 0.4)
    check(not got, "answered a malformed ARP packet")
    after = link.counters()
    check(delta(before, after, "arp_rx_bad") == len(bad),
          "arp_rx_bad grew by %d, expected %d" % (delta(before, after, "arp_rx_bad"), len(bad)))
    link.send_frame(_raw_arp(link))
    check(link.recv(_is_reply_for(link)) is not None, "the same frame with valid fields not answered")


def spoofed_reply_known_neighbour(ctx):
    """RFC 826 merge: a reply for a neighbour axip already has updates its
    MAC, even unasked (RFC 826 trusts the link; RFC 5227 does not change
    that for other hosts' addresses). Checked: replies then go to the new
    MAC; a correct reply restores it."""
    link = ctx.echo
    spoof = "02:00:5e:00:53:99"
    ident = random.randrange(1, 65535)
    _ping(link, link.peer_ip, link.peer_mac, ident)
    check(link.recv(lambda f: ICMP in f and f[ICMP].id == ident) is not None, "no echo reply before")
    link.send_frame(_arp(link, 2, link.peer_ip, spoof, link.axip_ip, hwdst=link.axip_mac, eth_dst=link.axip_mac))
    link.drain(0.05)
    _ping(link, link.peer_ip, link.peer_mac, ident + 1 & 0xffff)
    r = link.recv(lambda f: ICMP in f and f[ICMP].id == ident + 1 & 0xffff)
    check(r is not None and r.dst == spoof, "entry not updated by the reply (RFC 826 merge)")
    link.send_frame(_arp(link, 2, link.peer_ip, link.peer_mac, link.axip_ip, hwdst=link.axip_mac,
                         eth_dst=link.axip_mac))
    link.drain(0.05)
    _ping(link, link.peer_ip, link.peer_mac, ident + 2 & 0xffff)
    r = link.recv(lambda f: ICMP in f and f[ICMP].id == ident + 2 & 0xffff)
    check(r is not None and r.dst == link.peer_mac, "entry not restored")


CASES = [
    ("request_answered", request_answered),
    ("unsolicited_reply_ignored", unsolicited_reply_ignored),
    ("conflict_own_address", conflict_own_address),
    ("probe_answered", probe_answered),
    ("malformed", malformed),
    ("spoofed_reply_known_neighbour", spoofed_reply_known_neighbour),
]
