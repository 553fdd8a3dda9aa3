# SPDX-License-Identifier: BSD-2-Clause
"""TCP connection set-up: LISTEN, SYN-RECEIVED, options on the SYN
(RFC 9293 3.5, 3.7.1, 3.10.7.1-4; RFC 5961 3; RFC 7323 2-3)."""
from axpeer import TCP, Conn, Raw, check, delta, has, opt

# ---------------------------------------------------------------------------


def syn_synack(ctx):
    """RFC 9293 3.10.7.2 / RFC 7323: SYN to a listener -> SYN-ACK acking it,
    with MSS = MTU - 40, window scale, SACK-permitted and an echoed TSval."""
    c = Conn(ctx.echo)
    ts = ctx.echo.tsval()
    c.send("S", options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7), ("Timestamp", (ts, 0))])
    sa = c.expect(lambda f: has(f, "SA"), 3.0)
    check(sa is not None, "no SYN-ACK")
    check(sa[TCP].ack == (c.iss + 1) & 0xffffffff, "SYN-ACK acks %d, expected ISS+1" % sa[TCP].ack)
    check(opt(sa, "MSS") == 1460, "MSS option %r, expected 1460 (MTU 1500 - 40)" % (opt(sa, "MSS"),))
    check(opt(sa, "WScale") is not None, "no window scale option in the SYN-ACK")
    check(opt(sa, "SAckOK") is not None, "no SACK-permitted in the SYN-ACK")
    t = opt(sa, "Timestamp")
    check(t is not None and t[1] == ts, "SYN-ACK timestamp echo %r, expected %d" % (t, ts))
    c.irs = sa[TCP].seq
    c.rcv_nxt = (c.irs + 1) & 0xffffffff
    c.ts = True
    c.note(sa)
    c.send("A")
    check(c.echo(b"handshake-ok") == b"handshake-ok", "no echo after the handshake")
    c.abort()


def syn_closed_port(ctx):
    """RFC 9293 3.10.7.1: SYN to a port with no listener -> <SEQ=0>
    <ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>."""
    c = Conn(ctx.echo, dport=9)
    c.send("S", options=[("MSS", 1460)])
    r = c.expect(lambda f: has(f, "R"))
    check(r is not None, "no RST for a SYN to a closed port")
    check(has(r, "RA") and r[TCP].seq == 0 and r[TCP].ack == (c.iss + 1) & 0xffffffff,
          "RST is %s seq %d ack %d, expected RA seq 0 ack ISS+1" % (r[TCP].flags, r[TCP].seq, r[TCP].ack))


def ack_to_listener(ctx):
    """RFC 9293 3.10.7.2: an ACK to a LISTEN port is bad: <SEQ=SEG.ACK><CTL=RST>."""
    c = Conn(ctx.echo)
    c.send("A", ack=123456789)
    r = c.expect(lambda f: has(f, "R"))
    check(r is not None, "no RST for an ACK to a listener")
    check(r[TCP].seq == 123456789 and not has(r, "A"),
          "RST seq %d flags %s, expected seq = SEG.ACK and no ACK bit" % (r[TCP].seq, r[TCP].flags))


def rst_to_listener(ctx):
    """RFC 9293 3.10.7.2: an RST to a LISTEN port is ignored (never RST a RST)."""
    c = Conn(ctx.echo)
    before = ctx.echo.counters()
    c.send("R", seq=c.iss)
    check(c.expect_none(duration=0.5), "answered an RST sent to a listener")
    after = ctx.echo.counters()
    check(delta(before, after, "tcp_rx_rst_ignored") == 1, "tcp_rx_rst_ignored did not count it")


def syn_retransmit(ctx):
    """RFC 9293 3.10.7.4 (SYN-RECEIVED): a retransmitted SYN (our ACK of the
    SYN-ACK lost) gets the same SYN-ACK again."""
    c = Conn(ctx.echo)
    o = [("MSS", 1460)]
    c.send("S", options=o)
    sa1 = c.expect(lambda f: has(f, "SA"))
    check(sa1 is not None, "no SYN-ACK")
    c.send("S", options=o, seq=c.iss)
    sa2 = c.expect(lambda f: has(f, "SA"))
    check(sa2 is not None, "no SYN-ACK for the retransmitted SYN")
    check(sa2[TCP].seq == sa1[TCP].seq and sa2[TCP].ack == sa1[TCP].ack, "second SYN-ACK differs")
    c.irs = sa1[TCP].seq
    c.rcv_nxt = (c.irs + 1) & 0xffffffff
    c.send("A")
    check(c.echo(b"x" * 10) == b"x" * 10, "no echo after the repeated SYN")
    c.abort()


def _syn_received(ctx, options=None):
    c = Conn(ctx.echo)
    c.send("S", options=options if options is not None else [("MSS", 1460)])
    sa = c.expect(lambda f: has(f, "SA"))
    check(sa is not None, "no SYN-ACK")
    c.irs = sa[TCP].seq
    c.rcv_nxt = (c.irs + 1) & 0xffffffff
    c.synack = sa
    return c


def rst_in_syn_received(ctx):
    """RFC 9293 3.10.7.4 second (SYN-RECEIVED, passive open): an acceptable
    RST returns the connection to LISTEN: its ACK then finds no connection."""
    c = _syn_received(ctx)
    before = ctx.echo.counters()
    c.send("R", advance=False)
    check(c.expect_none(duration=0.3), "answered an exact RST in SYN-RECEIVED")
    c.send("A")
    r = c.expect(lambda f: has(f, "R"))
    check(r is not None, "ACK after the RST was not reset (connection still there?)")
    after = ctx.echo.counters()
    check(delta(before, after, "tcp_rx_rst") == 1, "tcp_rx_rst did not count the RST")
    # the listener still works
    c2 = Conn(ctx.echo)
    c2.open()
    check(c2.echo(b"after") == b"after", "listener broken after RST in SYN-RECEIVED")
    c2.abort()


def rst_in_syn_received_not_exact(ctx):
    """RFC 5961 3.2: in SYN-RECEIVED an RST inside the window but not at
    RCV.NXT gets a challenge ACK; one outside the window is dropped. The
    handshake then completes."""
    c = _syn_received(ctx)
    c.send("R", seq=c.snd_nxt + 1000, advance=False)
    a = c.expect(lambda f: has(f, "A") and not has(f, "R"))
    check(a is not None, "no challenge ACK for an in-window RST")
    check(a[TCP].ack == c.snd_nxt, "challenge ACK acks %d, expected RCV.NXT %d" % (a[TCP].ack, c.snd_nxt))
    c.send("R", seq=c.snd_nxt + 0x40000000, advance=False)
    check(c.expect_none(duration=0.3), "answered an out-of-window RST")
    c.send("A")
    check(c.echo(b"still-here") == b"still-here", "handshake did not complete after the RSTs")
    c.abort()


def bad_ack_in_syn_received(ctx):
    """RFC 9293 3.10.7.4 fifth (SYN-RECEIVED): an unacceptable ACK gets
    <SEQ=SEG.ACK><CTL=RST>; the connection stays and completes."""
    c = _syn_received(ctx)
    bad = (c.irs + 5000) & 0xffffffff
    c.send("A", ack=bad, advance=False)
    r = c.expect(lambda f: has(f, "R"))
    check(r is not None and r[TCP].seq == bad, "no <SEQ=SEG.ACK><CTL=RST> for a bad ACK")
    c.send("A")
    check(c.echo(b"ok") == b"ok", "connection lost after a bad ACK in SYN-RECEIVED")
    c.abort()


def missing_mss_536(ctx):
    """RFC 9293 3.7.1 / RFC 1122 4.2.2.6: a SYN without MSS option means
    536; axip's segments then carry at most 536 bytes."""
    c = Conn(ctx.echo)
    c.open(options=[], ts=False)
    data = bytes(range(256)) * 8
    for i in range(0, len(data), 500):
        c.send("PA", data[i:i + 500])
    got, segs = c.read(len(data), 4.0)
    check(got == data, "echo returned %d of %d bytes" % (len(got), len(data)))
    big = max(len(c.data_from(f)) for f in segs)
    check(big <= 536, "segment of %d bytes to a peer without MSS option" % big)
    check(big == 536, "largest segment %d bytes, expected full 536-byte segments" % big)
    c.abort()


def _flight_after_acks(ctx, wscale, window):
    """Open with the given window scale and window field, make axip echo
    48000 bytes, ACK its first flight (ten segments, before its 200-ms RTO)
    segment by segment so that slow start grows cwnd to about 20 segments,
    and return the most bytes it then has outstanding."""
    c = Conn(ctx.echo)
    c.open(options=[("MSS", 1460), ("WScale", wscale)], ts=False, window=65535)
    c.wnd = window
    data = b"w" * 48000
    for i in range(0, len(data), 1460):
        c.send("PA", data[i:i + 1460])
    segs = c.l.recv_all(lambda f: c.mine(f) and len(c.data_from(f)) > 0, 0.5, limit=10)
    check(segs, "no data echoed")
    end = c.rcv_nxt
    for f in sorted(segs, key=lambda f: f[TCP].seq):
        end = (f[TCP].seq + len(c.data_from(f))) & 0xffffffff
        c.send("A", ack=end, advance=False)
    segs2 = c.l.recv_all(lambda f: c.mine(f) and len(c.data_from(f)) > 0, 0.3, limit=20)
    top = max([((f[TCP].seq + len(c.data_from(f)) - end) & 0xffffffff) for f in segs2] + [0])
    c.abort()
    return top


def wscale_above_14(ctx):
    """RFC 7323 2.3: a window scale above 14 is used as 14. With window
    field 1 and shift 15 the peer offers 32768 bytes if taken literally,
    16384 if clamped; a control connection with shift 14 and field 2
    (32768) shows that axip's congestion window would send more than 16384."""
    ctl = _flight_after_acks(ctx, 14, 2)
    check(ctl > 16384, "control (32768-byte window): only %d bytes outstanding; "
          "cannot tell the clamp from the congestion window" % ctl)
    top = _flight_after_acks(ctx, 15, 1)
    check(0 < top <= 16384, "%d bytes outstanding: window scale 15 not clamped to 14" % top)


def _raw_opts_syn(c, optbytes, window=65535):
    """A SYN whose option bytes are given raw (lengths may be wrong)."""
    pad = (-len(optbytes)) % 4
    optbytes += b"\x00" * pad
    p = c.seg("S", options=[], window=window)
    p[TCP].dataofs = 5 + len(optbytes) // 4
    p[TCP].add_payload(Raw(optbytes))
    return p


def syn_bad_option_lengths(ctx):
    """RFC 9293 3.2 / RFC 1122 4.2.2.5: illegal option lengths are handled
    safely: parsing stops (counted in tcp_rx_bad_opt) and the SYN is answered
    with what was read before; here an MSS option of length 0, so 536."""
    before = ctx.echo.counters()
    for raw in (b"\x02\x00\x05\xb4", b"\x03\x01\x07\x00", b"\x08\xff\x00\x00\x00\x01",
                b"\x01\x01\x63\x00"):
        c = Conn(ctx.echo)
        ctx.echo.send(_raw_opts_syn(c, raw))
        c.snd_nxt = (c.iss + 1) & 0xffffffff
        sa = c.expect(lambda f: has(f, "SA"))
        check(sa is not None, "no SYN-ACK to a SYN with options %s" % raw.hex())
        c.irs = sa[TCP].seq
        c.rcv_nxt = (c.irs + 1) & 0xffffffff
        c.send("A")
        check(c.echo(b"opts") == b"opts", "no echo after a SYN with options %s" % raw.hex())
        c.abort()
    after = ctx.echo.counters()
    check(delta(before, after, "tcp_rx_bad_opt") >= 4,
          "tcp_rx_bad_opt grew by %d, expected 4" % delta(before, after, "tcp_rx_bad_opt"))


CASES = [
    ("syn_synack", syn_synack),
    ("syn_closed_port", syn_closed_port),
    ("ack_to_listener", ack_to_listener),
    ("rst_to_listener", rst_to_listener),
    ("syn_retransmit", syn_retransmit),
    ("rst_in_syn_received", rst_in_syn_received),
    ("rst_in_syn_received_not_exact", rst_in_syn_received_not_exact),
    ("bad_ack_in_syn_received", bad_ack_in_syn_received),
    ("missing_mss_536", missing_mss_536),
    ("wscale_above_14", wscale_above_14),
    ("syn_bad_option_lengths", syn_bad_option_lengths),
]
