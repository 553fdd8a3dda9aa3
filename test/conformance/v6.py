# SPDX-License-Identifier: BSD-2-Clause
"""Helpers shared by the IPv6 modules (nd6, ipv6, icmp6, frag6, tcp6, dad6):
echo requests to axip's dedicated address, matchers for what axip sends,
hand-made checksums for hand-made packets."""
import random
import socket
import struct

from axpeer import IPv6, canon6, check
from scapy.layers.inet6 import (ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest,  # noqa: F401
                                ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                                ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig, ICMPv6ParamProblem,
                                ICMPv6TimeExceeded, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                                IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, HBHOptUnknown, PadN)
from scapy.utils import checksum

HLIM = 64       # axip's default hop limit (cfg.ip6_hop_limit)
ND_HLIM = 255   # RFC 4861 7.1: every ND message


def need6(ctx):
    check(ctx.echo.axip_ip6 and ctx.echo.peer_ip6, "no IPv6 addresses in the environment")
    return ctx.echo


def peer6(link, n):
    """Another address of the peer in axip's prefix (::n in hex), with its own
    MAC 02:00:5e:00:54:nn; answered automatically only when added to
    nd_targets."""
    pfx = socket.inet_pton(socket.AF_INET6, link.peer_ip6)[:8]
    a = socket.inet_ntop(socket.AF_INET6, pfx + struct.pack("!Q", n))
    return a, "02:00:5e:00:54:%02x" % (n & 0xff)


def echo_req(link, payload=b"conformance6", ident=None, src=None, **ip):
    ident = ident if ident is not None else random.randrange(1, 65535)
    p = IPv6(src=src or link.peer_ip6, dst=link.axip_ip6, **ip) / ICMPv6EchoRequest(id=ident, seq=1, data=payload)
    return p, ident


def from_axip6(f, link):
    return IPv6 in f and f[IPv6].src == canon6(link.axip_ip6)


def is_reply(link, ident):
    return lambda f: from_axip6(f, link) and ICMPv6EchoReply in f and f[ICMPv6EchoReply].id == ident


def is_err(link, cls):
    return lambda f: from_axip6(f, link) and cls in f


def quoted(f, cls):
    """The packet an ICMPv6 error quotes (RFC 4443 2.4 (c)), as raw bytes."""
    return bytes(f[cls].payload)


def csum6(src, dst, nh, data):
    """Internet checksum over the IPv6 pseudo-header (RFC 8200 8.1) + data."""
    ph = (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) +
          struct.pack("!IxxxB", len(data), nh))
    return checksum(ph + data)


def raw_icmp6(src, dst, body, hlim=255):
    """An IPv6 packet carrying the ICMPv6 message body (type, code, 2 bytes
    of checksum, rest) with its checksum computed here, whatever its length."""
    b = bytearray(body)
    b[2:4] = b"\0\0"
    b[2:4] = struct.pack("!H", csum6(src, dst, 58, bytes(b)))
    return IPv6(src=src, dst=dst, nh=58, hlim=hlim) / bytes(b)


def echo_bytes(src, dst, ident, data=b"conformance6", seq=1):
    """An ICMPv6 echo request (header and data) as bytes, its checksum over
    the pseudo-header of src and dst (the final destination): to put behind
    hand-made extension headers or cut into fragments."""
    return bytes(IPv6(src=src, dst=dst) / ICMPv6EchoRequest(id=ident, seq=seq, data=data))[40:]


def new_ident():
    return random.randrange(1, 65535)


class AltPeer:
    """Another peer address of axip's prefix (peer6) whose solicitations the
    peer answers while the `with` block runs: for cases that leave state
    behind for their source (a lowered path MTU), so that no other case
    inherits it."""

    def __init__(self, link, lo=0x300, hi=0xfff0):
        self.link = link
        self.addr, self.mac = peer6(link, random.randrange(lo, hi))

    def __enter__(self):
        self.link.nd_targets[self.addr] = self.mac
        return self

    def __exit__(self, *exc):
        self.link.nd_targets.pop(self.addr, None)
        return False


def is_pp(link, code=None, dst=None):
    """A Parameter Problem from axip (to dst), with the code given."""
    return lambda f: (from_axip6(f, link) and ICMPv6ParamProblem in f and
                      (code is None or f[ICMPv6ParamProblem].code == code) and
                      (dst is None or f[IPv6].dst == canon6(dst)))


def check_quote(f, cls, sent):
    """The error quotes the start of the packet we sent (RFC 4443 2.4 (c))."""
    q = quoted(f, cls)
    n = min(len(q), len(sent))
    check(n >= 40 and q[:n] == bytes(sent)[:n],
          "the error does not quote our packet (%d bytes quoted)" % len(q))
