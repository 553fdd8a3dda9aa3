# SPDX-License-Identifier: BSD-2-Clause
"""axpeer - the peer side of the conformance tests (Scapy, raw AF_PACKET).

The peer owns an address and a MAC that the kernel of its namespace does not
have (PEER_IP, PEER_MAC): the kernel never sees frames for it (the interface
is promiscuous only for our socket's sake, and frames to another MAC are
dropped before IP), so it sends no RSTs or ICMP errors of its own. The peer
answers axip's ARP requests for PEER_IP itself, whenever it reads frames.

Environment (set by test/net/conformance.sh):
  CONF_IFACE             the veth end in the peer's namespace
  CONF_AXIP_IP/_MAC      axip's dedicated address and its interface's MAC
  CONF_PEER_IP/_MAC      the peer's address and MAC (unknown to any kernel)
  CONF_PORT              axip-tcp-echo's port
  CONF_AXIP_PID/_LOG     the axip process (SIGUSR1 prints its counters) and its log
  CONF_HTTP_*            the same for the axip-httpd instance on the second link
  CONF_AXIP_IP6/CONF_PEER_IP6  axip's dedicated IPv6 address and the peer's
                         (optional; the IPv6 modules need them)
  CONF_DAD_*             the third link, where dad6.py starts axip itself

IPv6: the peer answers axip's neighbour solicitations (RFC 4861 7.2.4) for
every address in Link.nd_targets (its own, with PEER_MAC) whenever it reads
frames, as it answers ARP; addresses left out of nd_targets stay unresolved
until a case answers for them.
"""
import os
import random
import re
import select
import signal
import time

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw, conf  # noqa: F401
from scapy.arch.linux import L2Socket
from scapy.layers.inet6 import (ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,  # noqa: F401
                                ICMPv6NDOptSrcLLAddr, IPv6, in6_getnsma, in6_getnsmac)
from scapy.pton_ntop import inet_ntop, inet_pton
import socket

conf.verb = 0

TCP_FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20}


class CaseFailure(Exception):
    """A check of a case did not hold."""


def check(cond, msg):
    if not cond:
        raise CaseFailure(msg)


class Link:
    """One veth end facing one axip instance."""

    def __init__(self, prefix):
        e = os.environ
        self.iface = e[prefix + "IFACE"]
        self.axip_ip = e[prefix + "AXIP_IP"]
        self.axip_mac = e[prefix + "AXIP_MAC"].lower()
        self.peer_ip = e[prefix + "PEER_IP"]
        self.peer_mac = e[prefix + "PEER_MAC"].lower()
        self.port = int(e[prefix + "PORT"])
        self.pid = int(e[prefix + "AXIP_PID"])
        self.log = e[prefix + "AXIP_LOG"]
        self.axip_ip6 = e.get(prefix + "AXIP_IP6")
        self.peer_ip6 = e.get(prefix + "PEER_IP6")
        # IPv6 addresses whose solicitations the peer answers, and the MAC
        self.nd_targets = {canon6(self.peer_ip6): self.peer_mac} if self.peer_ip6 else {}
        # (predicate, list): every frame from axip that a watcher's predicate
        # accepts is also appended to its list, whichever case reads it
        self.watchers = []
        self.sock = L2Socket(iface=self.iface, promisc=True)
        self.ts0 = time.monotonic()
        self.arp_answered = 0
        self.ns_answered = 0

    # ---- frames out ----
    def send(self, ip_pkt, dst_mac=None, src_mac=None):
        """Send an IP packet (or raw bytes of one) to axip's MAC, from the
        peer's MAC."""
        self.sock.send(Ether(dst=dst_mac or self.axip_mac, src=src_mac or self.peer_mac, type=0x0800) / ip_pkt)

    def send_frame(self, frame):
        self.sock.send(frame)

    def send6(self, ip6_pkt, dst_mac=None, src_mac=None):
        """Send an IPv6 packet (or raw bytes of one); to a multicast
        destination the frame goes to its 33:33 group MAC (RFC 2464 7)."""
        if dst_mac is None:
            dst = ip6_pkt[IPv6].dst if IPv6 in ip6_pkt else None
            dst_mac = group_mac(dst) if dst and dst.lower().startswith("ff") else self.axip_mac
        self.sock.send(Ether(dst=dst_mac, src=src_mac or self.peer_mac, type=0x86DD) / ip6_pkt)

    # ---- frames in ----
    def _from_axip(self, f):
        if IP in f:
            return f[IP].src == self.axip_ip or f.src == self.axip_mac
        if ARP in f:
            return f[ARP].psrc == self.axip_ip
        if IPv6 in f:
            # the kernel of axip's namespace shares the MAC (its link-local
            # traffic); cases match on addresses
            return f.src == self.axip_mac
        return False

    def _answer_ns(self, f):
        """Answer axip's neighbour solicitations for nd_targets with a
        solicited, override NA carrying the target's MAC (RFC 4861 7.2.4)."""
        if ICMPv6ND_NS not in f or f[IPv6].src == "::":
            return False
        tgt = canon6(f[ICMPv6ND_NS].tgt)
        mac = self.nd_targets.get(tgt)
        if mac is None:
            return False
        self.send_frame(Ether(dst=f.src, src=mac) /
                        IPv6(src=tgt, dst=f[IPv6].src, hlim=255) /
                        ICMPv6ND_NA(tgt=tgt, R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=mac))
        self.ns_answered += 1
        return True

    def _answer_arp(self, f):
        """Answer axip's ARP requests for the peer's address (RFC 826)."""
        if ARP in f and f[ARP].op == 1 and f[ARP].pdst == self.peer_ip and f[ARP].psrc == self.axip_ip:
            self.send_frame(Ether(dst=f[ARP].hwsrc, src=self.peer_mac) /
                            ARP(op=2, hwsrc=self.peer_mac, psrc=self.peer_ip,
                                hwdst=f[ARP].hwsrc, pdst=f[ARP].psrc))
            self.arp_answered += 1
            return True
        return False

    def recv_all(self, match, duration, limit=None, answer_arp=True):
        """Frames from axip that satisfy match(frame), read for `duration`
        seconds (or until `limit` of them arrived)."""
        out = []
        end = time.monotonic() + duration
        while True:
            left = end - time.monotonic()
            if left <= 0 or (limit is not None and len(out) >= limit):
                return out
            r, _, _ = select.select([self.sock.ins], [], [], left)
            if not r:
                continue
            f = self.sock.recv()
            if f is None or not self._from_axip(f):
                continue
            for pred, got in self.watchers:
                if pred(f):
                    got.append(f)
            if answer_arp and (self._answer_arp(f) or self._answer_ns(f)):
                continue
            if match(f):
                out.append(f)

    def recv(self, match, timeout=2.0, answer_arp=True):
        got = self.recv_all(match, timeout, limit=1, answer_arp=answer_arp)
        return got[0] if got else None

    def drain(self, duration=0.05):
        """Read (and answer ARP in) what is queued; return nothing."""
        self.recv_all(lambda f: False, duration)

    def sr(self, ip_pkt, match, timeout=2.0):
        self.send(ip_pkt)
        return self.recv(match, timeout)

    def sr6(self, ip6_pkt, match, timeout=2.0):
        self.send6(ip6_pkt)
        return self.recv(match, timeout)

    # ---- the axip process ----
    def alive(self):
        try:
            os.kill(self.pid, 0)
            return True
        except OSError:
            return False

    def counters(self, timeout=3.0):
        """The core counters of worker 0, printed on SIGUSR1."""
        with open(self.log, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            start = fh.tell()
        os.kill(self.pid, signal.SIGUSR1)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            # keep answering ARP while the dump is written
            self.drain(0.05)
            with open(self.log, "rb") as fh:
                fh.seek(start)
                text = fh.read().decode("utf-8", "replace")
            m = re.search(r"worker 0 \(queue.*?\n(.*?)umem_frames_free", text, re.S)
            if m:
                out = {}
                for line in m.group(1).splitlines():
                    p = line.split()
                    if len(p) == 2 and p[1].isdigit():
                        out[p[0]] = int(p[1])
                return out
        raise CaseFailure("no counter dump from axip after SIGUSR1")

    def tsval(self):
        """The peer's timestamp clock (RFC 7323 3): milliseconds, from 1000."""
        return 1000 + int((time.monotonic() - self.ts0) * 1000)


def canon6(a):
    """An IPv6 address in its canonical text form."""
    return inet_ntop(socket.AF_INET6, inet_pton(socket.AF_INET6, a))


def group_mac(a):
    """The 33:33 Ethernet address of an IPv6 multicast group (RFC 2464 7)."""
    b = inet_pton(socket.AF_INET6, a)
    return "33:33:" + ":".join("%02x" % x for x in b[12:])


def solicited_node(a):
    """The solicited-node group of an address (RFC 4291 2.7.1)."""
    return inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, a)))


def delta(before, after, name):
    return after.get(name, 0) - before.get(name, 0)


def is_tcp(f, sport=None, dport=None):
    return TCP in f and (sport is None or f[TCP].sport == sport) and (dport is None or f[TCP].dport == dport)


def flags_of(f):
    return int(f[TCP].flags)


def has(f, letters):
    return all(flags_of(f) & TCP_FLAGS[c] for c in letters)


def opt(f, name):
    for k, v in f[TCP].options:
        if k == name:
            return v
    return None


_ports = iter(random.Random(os.getpid()).sample(range(20000, 60000), 4000))


def new_port():
    return next(_ports)


class Conn:
    """A TCP connection driven by hand: the peer keeps its own sequence
    numbers and reads axip's from the segments it receives."""

    def __init__(self, link, dport=None, sport=None):
        self.l = link
        self.dport = dport or link.port
        self.sport = sport or new_port()
        self.iss = random.randrange(1 << 32)
        self.snd_nxt = self.iss
        self.rcv_nxt = None
        self.irs = None
        self.ts = False
        self.ts_recent = 0
        self.wnd = 65535
        self.synack = None
        self.mss = None

    # segments
    def seg(self, flags, data=b"", seq=None, ack=None, window=None, options=None, tsval=None, **kw):
        if options is None:
            options = []
            if self.ts:
                options = [("NOP", None), ("NOP", None),
                           ("Timestamp", (tsval if tsval is not None else self.l.tsval(), self.ts_recent))]
        t = TCP(sport=self.sport, dport=self.dport, flags=flags,
                seq=(self.snd_nxt if seq is None else seq) & 0xffffffff,
                ack=((self.rcv_nxt or 0) if ack is None else ack) & 0xffffffff,
                window=self.wnd if window is None else window, options=options, **kw)
        p = self._ip() / t
        if data:
            p = p / Raw(data)
        return p

    def _ip(self):
        return IP(src=self.l.peer_ip, dst=self.l.axip_ip)

    def _tx(self, pkt):
        self.l.send(pkt)

    def send(self, flags, data=b"", advance=True, **kw):
        self._tx(self.seg(flags, data, **kw))
        if advance and kw.get("seq") is None:
            self.snd_nxt = (self.snd_nxt + len(data) + (1 if "S" in flags else 0) + (1 if "F" in flags else 0)) & 0xffffffff

    def mine(self, f):
        return is_tcp(f, self.dport, self.sport)

    def note(self, f):
        """Track axip's timestamp for our echoes."""
        if self.ts:
            v = opt(f, "Timestamp")
            if v:
                self.ts_recent = v[0]

    def expect(self, pred=lambda f: True, timeout=2.0):
        f = self.l.recv(lambda f: self.mine(f) and pred(f), timeout)
        if f is not None:
            self.note(f)
        return f

    def expect_none(self, pred=lambda f: True, duration=0.5):
        got = self.l.recv_all(lambda f: self.mine(f) and pred(f), duration, limit=1)
        return not got

    # whole exchanges
    def open(self, options=None, ts=True, window=65535):
        """Three-way handshake (RFC 9293 3.5). Returns the SYN-ACK."""
        if options is None:
            options = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]
            if ts:
                options.append(("Timestamp", (self.l.tsval(), 0)))
        self.wnd = window
        self.send("S", options=options, window=window)
        sa = self.expect(lambda f: has(f, "SA"), 3.0)
        check(sa is not None, "no SYN-ACK to a SYN")
        self.synack = sa
        self.irs = sa[TCP].seq
        self.rcv_nxt = (self.irs + 1) & 0xffffffff
        self.ts = ts and opt(sa, "Timestamp") is not None and any(k == "Timestamp" for k, _ in options)
        self.note(sa)
        self.mss = opt(sa, "MSS")
        self.send("A")
        return sa

    def data_from(self, f):
        return bytes(f[TCP].payload) if f[TCP].payload else b""

    def read(self, n, timeout=3.0, ack=True):
        """Collect n bytes of in-order data from axip, ACKing each segment."""
        buf = b""
        segs = []
        end = time.monotonic() + timeout
        while len(buf) < n and time.monotonic() < end:
            f = self.expect(lambda f: len(self.data_from(f)) > 0, end - time.monotonic())
            if f is None:
                break
            d = self.data_from(f)
            if f[TCP].seq == self.rcv_nxt:
                buf += d
                segs.append(f)
                self.rcv_nxt = (self.rcv_nxt + len(d)) & 0xffffffff
                if ack:
                    self.send("A")
        return buf, segs

    def echo(self, data, mss=1000, timeout=3.0):
        """Send data in segments of at most mss and read it back."""
        for i in range(0, len(data), mss):
            self.send("PA", data[i:i + mss])
        got, _ = self.read(len(data), timeout)
        # a window update may follow the echo (the application reopened
        # the window after sending); take it now so that it is not read
        # as an answer to what the case sends next
        self.l.recv_all(lambda f: self.mine(f) and not self.data_from(f), 0.1)
        return got

    def abort(self):
        """Leave no connection behind: an RST with the exact sequence number."""
        if self.rcv_nxt is not None:
            self.send("R", advance=False, options=[])


class Conn6(Conn):
    """The same over IPv6, from the peer's IPv6 address (or src) to axip's
    dedicated one."""

    def __init__(self, link, dport=None, sport=None, src=None):
        super().__init__(link, dport, sport)
        self.src6 = src or link.peer_ip6

    def _ip(self):
        return IPv6(src=self.src6, dst=self.l.axip_ip6)

    def _tx(self, pkt):
        self.l.send6(pkt)

    def mine(self, f):
        return IPv6 in f and f[IPv6].src == canon6(self.l.axip_ip6) and is_tcp(f, self.dport, self.sport)

    def open(self, options=None, ts=True, window=65535):
        if options is None:
            options = [("MSS", 1440), ("SAckOK", b""), ("WScale", 7)]
            if ts:
                options.append(("Timestamp", (self.l.tsval(), 0)))
        return super().open(options, ts, window)
