# SPDX-License-Identifier: BSD-2-Clause
"""Duplicate address detection (RFC 4862 5.4) for a dedicated --addr6
address: each case starts its own axip-tcp-echo on the third veth pair
(CONF_DAD_*), watches its solicitation, and plays the other node that has
(or wants) the same address.

The core also runs DAD for the instance's link-local address (the kernel's
in dedicated mode, the same EUI-64 address), which nobody disputes here:
nd6_dad_ok counts it.

The process is started in axip's namespace with nsenter; its PID file lies in
CONF_WORK, so the test's cleanup stops it should a case fail half-way."""
import os
import subprocess
import time

import axpeer
from axpeer import ICMP, IP, IPv6, Raw, canon6, check, solicited_node
from v6 import (ND_HLIM, ICMPv6EchoReply, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                ICMPv6NDOptSrcLLAddr, echo_req, is_reply)

class DadAxip:
    """axip-tcp-echo on the DAD link, and the peer's Link facing it."""

    def __init__(self):
        e = os.environ
        for k in ("CONF_DAD_IFACE", "CONF_DAD_AXIP_IFACE", "CONF_DAD_NS", "CONF_DAD_PROG", "CONF_WORK"):
            check(e.get(k), "%s not set: no DAD link" % k)
        self.name = "dad6"
        self.log = os.path.join(e["CONF_WORK"], self.name + ".log")
        self.pidfile = os.path.join(e["CONF_WORK"], self.name + ".pid")
        e["CONF_DAD_AXIP_PID"] = "0"
        e["CONF_DAD_AXIP_LOG"] = self.log
        open(self.log, "w").close()
        # the peer's socket first: axip solicits as soon as it starts
        self.link = axpeer.Link("CONF_DAD_")
        self.addr = canon6(self.link.axip_ip6)
        self.proc = None

    def start(self):
        e = os.environ
        cmd = ["nsenter", "--net=/run/netns/" + e["CONF_DAD_NS"], e["CONF_DAD_PROG"],
               "--ifname", e["CONF_DAD_AXIP_IFACE"], "--port", e.get("CONF_DAD_PORT", "7"),
               "--addr", e["CONF_DAD_AXIP_IP"] + "/24", "--addr6", e["CONF_DAD_AXIP_IP6"] + "/64"]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        with open(self.pidfile, "w") as f:
            f.write("%d\n" % self.proc.pid)
        self.link.pid = self.proc.pid

    def dad_ns(self, timeout=8.0):
        """axip's DAD solicitation for its address; checked against RFC 4862
        5.4.2: from ::, to the solicited-node group, hop limit 255, no
        source link-layer address option."""
        ns = self.link.recv(lambda f: IPv6 in f and f[IPv6].src == "::" and ICMPv6ND_NS in f and
                            canon6(f[ICMPv6ND_NS].tgt) == self.addr and f.src == self.link.axip_mac,
                            timeout)
        check(ns is not None, "no DAD solicitation from the new axip (log: %s)" % self.tail())
        check(ns[IPv6].dst == solicited_node(self.addr), "DAD NS to %s" % ns[IPv6].dst)
        check(ns[IPv6].hlim == ND_HLIM, "DAD NS hop limit %d" % ns[IPv6].hlim)
        check(ICMPv6NDOptSrcLLAddr not in ns, "DAD NS with a source link-layer address")
        return ns

    def attached(self, timeout=8.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if "attached to" in self.tail():
                return
            check(self.proc.poll() is None, "axip on the DAD link exited: %s" % self.tail())
            self.link.drain(0.1)
        raise axpeer.CaseFailure("axip on the DAD link did not attach: %s" % self.tail())

    def tail(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-600:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        try:
            os.unlink(self.pidfile)
        except OSError:
            pass
        self.link.sock.close()


def _address_dead(d):
    """After a conflict: the address answers nothing (no echo reply, no
    NA), while the process and its IPv4 address still work."""
    link = d.link
    p, ident = echo_req(link)
    check(link.sr6(p, is_reply(link, ident), 0.5) is None, "a duplicate address answered an echo request")
    link.send6(IPv6(src=link.peer_ip6, dst=solicited_node(d.addr), hlim=255) /
               ICMPv6ND_NS(tgt=d.addr) / ICMPv6NDOptSrcLLAddr(lladdr=link.peer_mac))
    got = link.recv_all(lambda f: ICMPv6ND_NA in f and f.src == link.axip_mac and
                        canon6(f[ICMPv6ND_NA].tgt) == d.addr, 0.4)
    check(not got, "a duplicate address was defended with an NA")
    r = link.sr(IP(src=link.peer_ip, dst=link.axip_ip) / ICMP(type=8, id=4242, seq=1) / Raw(b"v4"),
                lambda f: ICMP in f and f[ICMP].type == 0 and f[ICMP].id == 4242, 2.0)
    check(r is not None, "the process stopped answering IPv4 after the conflict")


def conflict_na(ctx):
    """RFC 4862 5.4.2, 5.4.4, 5.4.5: axip's DAD solicitation (from ::, to
    the solicited-node group, hop limit 255, no SLLA) is answered by the
    address's owner with an NA to all-nodes: the address becomes duplicate
    (nd6_dad_conflict 1; nd6_dad_ok 1, the link-local address's) and is
    never used: no echo reply, no defence of it; IPv4 keeps working."""
    d = DadAxip()
    try:
        d.start()
        d.dad_ns()
        link = d.link
        link.send6(IPv6(src=d.addr, dst="ff02::1", hlim=255) /
                   ICMPv6ND_NA(tgt=d.addr, R=0, S=0, O=1) / ICMPv6NDOptDstLLAddr(lladdr=link.peer_mac))
        d.attached()
        link.drain(1.2)  # past RetransTimer: DAD would have finished
        c = link.counters()
        check(c.get("nd6_dad_conflict", 0) == 1 and c.get("nd6_dad_ok", 0) == 1,
              "nd6_dad_conflict %d nd6_dad_ok %d, expected 1 and 1 (the link-local address only)"
              % (c.get("nd6_dad_conflict", 0), c.get("nd6_dad_ok", 0)))
        _address_dead(d)
    finally:
        d.stop()


def conflict_ns(ctx):
    """RFC 4862 5.4.3: another node's DAD solicitation for the same
    tentative address (both run DAD at once): the address becomes duplicate
    (nd6_dad_conflict 1; nd6_dad_ok 1, the link-local address's), nobody
    is answered; IPv4 keeps working."""
    d = DadAxip()
    try:
        d.start()
        d.dad_ns()
        link = d.link
        link.send6(IPv6(src="::", dst=solicited_node(d.addr), hlim=255) / ICMPv6ND_NS(tgt=d.addr))
        got = link.recv_all(lambda f: ICMPv6ND_NA in f and f.src == link.axip_mac and
                            canon6(f[ICMPv6ND_NA].tgt) == d.addr, 0.3)
        check(not got, "a tentative address was defended against another node's DAD")
        d.attached()
        link.drain(1.2)
        c = link.counters()
        check(c.get("nd6_dad_conflict", 0) == 1 and c.get("nd6_dad_ok", 0) == 1,
              "nd6_dad_conflict %d nd6_dad_ok %d, expected 1 and 1 (the link-local address only)"
              % (c.get("nd6_dad_conflict", 0), c.get("nd6_dad_ok", 0)))
        _address_dead(d)
    finally:
        d.stop()


def looped_ns_ignored(ctx):
    """RFC 4862 5.4.3 (and RFC 7527's concern): axip's own DAD solicitation
    reflected back to it (source MAC its own) is no conflict
    (nd6_rx_looped): the address passes DAD (nd6_dad_ok 2 with the
    link-local address) and answers echo requests."""
    d = DadAxip()
    try:
        d.start()
        ns = d.dad_ns()
        link = d.link
        link.send_frame(ns)
        d.attached()
        link.drain(1.2)
        c = link.counters()
        check(c.get("nd6_rx_looped", 0) >= 1, "the reflected solicitation was not seen as looped")
        check(c.get("nd6_dad_conflict", 0) == 0 and c.get("nd6_dad_ok", 0) == 2,
              "nd6_dad_conflict %d nd6_dad_ok %d, expected 0 and 2 (the link-local and the address)"
              % (c.get("nd6_dad_conflict", 0), c.get("nd6_dad_ok", 0)))
        p, ident = echo_req(link)
        r = link.sr6(p, is_reply(link, ident), 1.0)
        check(r is not None and r[ICMPv6EchoReply].id == ident, "the address does not answer after DAD")
    finally:
        d.stop()


CASES = [
    ("conflict_na", conflict_na),
    ("conflict_ns", conflict_ns),
    ("looped_ns_ignored", looped_ns_ignored),
]
