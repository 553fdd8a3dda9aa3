# SPDX-License-Identifier: BSD-2-Clause
"""TCP in ESTABLISHED: sequence and ACK checks, RST and SYN (RFC 9293
3.10.7.4, RFC 5961), PAWS (RFC 7323 5), odd header fields, zero windows
(RFC 9293 3.8.6.1)."""
import time

from axpeer import TCP, Conn, Raw, check, delta, has, opt


def _open(ctx, ts=True):
    c = Conn(ctx.echo)
    c.open(ts=ts)
    check(c.echo(b"warm-up") == b"warm-up", "no echo on a fresh connection")
    return c


def _alive(c, what):
    check(c.echo(b"alive?") == b"alive?", "connection lost after %s" % what)


def _is_ack(c, f):
    return has(f, "A") and not has(f, "R") and not has(f, "S")


def out_of_window_data(ctx):
    """RFC 9293 3.10.7.4 first: unacceptable data -> an ACK for RCV.NXT, the
    text dropped (tcp_rx_out_of_window)."""
    c = _open(ctx)
    before = ctx.echo.counters()
    c.send("PA", b"far-away", seq=c.snd_nxt + 0x10000000)
    a = c.expect(lambda f: _is_ack(c, f))
    check(a is not None and a[TCP].ack == c.snd_nxt, "no ACK of RCV.NXT for out-of-window data")
    c.send("PA", b"old-data", seq=c.snd_nxt - 100000)
    a = c.expect(lambda f: _is_ack(c, f))
    check(a is not None and a[TCP].ack == c.snd_nxt, "no ACK of RCV.NXT for old data")
    check(c.expect_none(lambda f: len(c.data_from(f)) > 0, 0.3), "out-of-window data was echoed")
    after = ctx.echo.counters()
    check(delta(before, after, "tcp_rx_out_of_window") >= 2, "tcp_rx_out_of_window did not count both")
    _alive(c, "out-of-window data")
    c.abort()


def rst_exact(ctx):
    """RFC 5961 3.2 / RFC 9293 3.10.7.4 second: an RST at RCV.NXT resets the
    connection: the next segment finds none and is reset."""
    c = _open(ctx)
    before = ctx.echo.counters()
    c.send("R", advance=False, options=[])
    check(c.expect_none(duration=0.3), "answered an exact RST")
    c.send("PA", b"after-rst")
    r = c.expect(lambda f: has(f, "R"))
    check(r is not None, "connection still there after an exact RST")
    after = ctx.echo.counters()
    check(delta(before, after, "tcp_rx_rst") == 1, "tcp_rx_rst did not count it")


def rst_in_window_challenge(ctx):
    """RFC 5961 3.2: an RST inside the window but not at RCV.NXT -> challenge
    ACK, connection kept."""
    c = _open(ctx)
    before = ctx.echo.counters()
    c.send("R", seq=c.snd_nxt + 1000, advance=False, options=[])
    a = c.expect(lambda f: _is_ack(c, f))
    check(a is not None and a[TCP].ack == c.snd_nxt, "no challenge ACK for an in-window RST")
    after = ctx.echo.counters()
    check(delta(before, after, "tcp_challenge_ack") == 1, "tcp_challenge_ack did not count it")
    _alive(c, "an in-window RST")
    c.abort()


def rst_out_of_window(ctx):
    """RFC 5961 3.2 / RFC 9293 3.10.7.4: an RST outside the window is dropped
    silently."""
    c = _open(ctx)
    c.send("R", seq=c.snd_nxt + 0x40000000, advance=False, options=[])
    check(c.expect_none(duration=0.3), "answered an out-of-window RST")
    _alive(c, "an out-of-window RST")
    c.abort()


def syn_challenge(ctx):
    """RFC 5961 4.2: a SYN in a synchronized state, in the window or not,
    gets a challenge ACK and changes nothing."""
    c = _open(ctx)
    for off in (10, 0x40000000):
        c.send("S", seq=c.snd_nxt + off, advance=False, options=[("MSS", 1460)])
        a = c.expect(lambda f: _is_ack(c, f))
        check(a is not None and a[TCP].ack == c.snd_nxt, "no challenge ACK for a SYN at +%d" % off)
    _alive(c, "a SYN in ESTABLISHED")
    c.abort()


def ack_unsent(ctx):
    """RFC 9293 3.10.7.4 fifth: an ACK of data not yet sent -> an ACK, and
    the segment (with its text) is dropped."""
    c = _open(ctx)
    c.send("PA", b"bogus-ack", ack=c.rcv_nxt + 100000, advance=False)
    a = c.expect(lambda f: _is_ack(c, f))
    check(a is not None and a[TCP].ack == c.snd_nxt, "no ACK for an ACK of unsent data")
    check(c.expect_none(lambda f: len(c.data_from(f)) > 0, 0.3), "text of the bad segment was echoed")
    _alive(c, "an ACK of unsent data")
    c.abort()


def old_ack_challenge(ctx):
    """RFC 5961 5.2: an ACK older than SND.UNA - MAX.SND.WND -> challenge ACK,
    segment dropped."""
    c = _open(ctx, ts=False)
    # the peer offered 65535 << 7 bytes, so go 2^24 + 1 bytes back
    old = (c.rcv_nxt - (1 << 24) - 1) & 0xffffffff
    before = ctx.echo.counters()
    c.send("PA", b"old-ack", ack=old, advance=False)
    a = c.expect(lambda f: _is_ack(c, f))
    check(a is not None and a[TCP].ack == c.snd_nxt, "no challenge ACK for a too old ACK")
    after = ctx.echo.counters()
    check(delta(before, after, "tcp_challenge_ack") == 1, "tcp_challenge_ack did not count it")
    check(c.expect_none(lambda f: len(c.data_from(f)) > 0, 0.3), "text of the bad segment was echoed")
    _alive(c, "an old ACK")
    c.abort()


def reserved_bits_urgent(ctx):
    """RFC 9293 3.1: reserved bits are ignored on receipt (and zero in what
    axip sends); URG with an urgent pointer: axip has no urgent mode
    (docs/tcp.md), the bytes are delivered in line, nothing lost."""
    c = _open(ctx)
    data = b"0123456789urgent-data"
    c.send("PAU", data[:10], reserved=7, urgptr=5)
    c.send("PA", data[10:], reserved=5)
    got, segs = c.read(len(data), 3.0)
    check(got == data, "echo returned %r" % got)
    check(all(f[TCP].reserved == 0 for f in segs), "axip set reserved bits")
    c.send("PAU", b"x", urgptr=60000)  # pointer far beyond the segment
    got, _ = c.read(1, 2.0)
    check(got == b"x", "segment with an urgent pointer beyond it was lost")
    c.abort()


def data_bad_option_lengths(ctx):
    """RFC 9293 3.2 / RFC 1122 4.2.2.5: a data segment with an illegal option
    length (0, 1, beyond the header) is handled safely: parsing stops
    (tcp_rx_bad_opt), the text is still delivered in order."""
    c = _open(ctx, ts=False)
    before = ctx.echo.counters()
    sent = b""
    for i, raw in enumerate((b"\x05\x00\x00\x00", b"\x01\x02\x01\x00", b"\x01\x01\x08\x40")):
        p = c.seg("PA", options=[])
        d = b"opt%d" % i
        p[TCP].dataofs = 6
        p[TCP].add_payload(Raw(raw + d))
        ctx.echo.send(p)
        c.snd_nxt = (c.snd_nxt + len(d)) & 0xffffffff
        sent += d
    got, _ = c.read(len(sent), 3.0)
    check(got == sent, "echo returned %r, expected %r" % (got, sent))
    after = ctx.echo.counters()
    check(delta(before, after, "tcp_rx_bad_opt") == 3,
          "tcp_rx_bad_opt grew by %d, expected 3" % delta(before, after, "tcp_rx_bad_opt"))
    c.abort()


def bad_data_offset(ctx):
    """RFC 9293 3.1: a data offset below 5 words or beyond the segment is a
    malformed header: dropped and counted (tcp_rx_bad_off), nothing sent."""
    c = _open(ctx, ts=False)
    before = ctx.echo.counters()
    for off in (4, 15):
        p = c.seg("PA", b"bad-offset", options=[])
        p[TCP].dataofs = off
        ctx.echo.send(p)
    check(c.expect_none(duration=0.3), "answered a segment with a bad data offset")
    after = ctx.echo.counters()
    n = delta(before, after, "tcp_rx_bad_off") + delta(before, after, "tcp_rx_short")
    check(n == 2, "tcp_rx_bad_off + tcp_rx_short grew by %d, expected 2" % n)
    _alive(c, "bad data offsets")
    c.abort()


def paws(ctx):
    """RFC 7323 5.3 R1: a segment whose TSval is older than TS.Recent is
    dropped with an ACK (tcp_paws_drop); newer ones are taken."""
    c = _open(ctx, ts=True)
    before = ctx.echo.counters()
    old = c.l.tsval() - 100000
    c.send("PA", b"stale", tsval=old & 0xffffffff, advance=False)
    a = c.expect(lambda f: _is_ack(c, f))
    check(a is not None and a[TCP].ack == c.snd_nxt, "no ACK for a PAWS-rejected segment")
    check(c.expect_none(lambda f: len(c.data_from(f)) > 0, 0.3), "PAWS-rejected text was echoed")
    after = ctx.echo.counters()
    check(delta(before, after, "tcp_paws_drop") == 1, "tcp_paws_drop did not count it")
    _alive(c, "a PAWS drop")
    c.abort()


def zero_window_persist(ctx):
    """RFC 9293 3.8.6.1: to a peer advertising a zero window axip sends
    zero-window probes until the window opens; then the data flows."""
    c = _open(ctx)
    c.wnd = 0
    before = ctx.echo.counters()
    c.send("PA", b"held-back")
    # axip ACKs the data at once; the probe (one byte beyond the zero
    # window) comes when the persist timer expires
    probe = c.expect(lambda f: len(c.data_from(f)) == 1 and f[TCP].seq == c.rcv_nxt, 4.0)
    check(probe is not None, "no zero-window probe within 4 s")
    after = ctx.echo.counters()
    check(delta(before, after, "tcp_zero_window_probe") >= 1, "tcp_zero_window_probe did not count it")
    # take the probe's byte, open the window, read the rest
    got = c.data_from(probe)
    c.rcv_nxt = (c.rcv_nxt + 1) & 0xffffffff
    c.wnd = 65535
    c.send("A")
    rest, _ = c.read(8, 3.0)
    check(got + rest == b"held-back", "after the window opened got %r" % (got + rest))
    c.abort()


def zero_window_probe_answered(ctx):
    """RFC 9293 3.8.6.1 / 3.10.7.4: once axip's receive window is zero (the
    peer reads nothing back and sends until the echo fills both buffers), a
    probe of one byte at RCV.NXT is answered with an ACK that does not take
    the byte and still shows the zero window."""
    c = _open(ctx, ts=False)
    c.wnd = 0
    ws = opt(c.synack, "WScale") or 0
    edge = (c.snd_nxt + 65535) & 0xffffffff
    deadline = time.monotonic() + 10
    chunk = b"z" * 1460
    closed = False
    while time.monotonic() < deadline and not closed:
        n = 0
        room = (edge - c.snd_nxt) & 0xffffffff
        while 0 < room < 0x80000000 and n < 64:
            c.send("A", chunk[:room])
            room -= min(room, len(chunk))
            n += 1
        acks = c.l.recv_all(lambda f: c.mine(f) and _is_ack(c, f), 0.1 if n else 0.3)
        for a in acks:
            wnd = a[TCP].window << ws
            edge = (a[TCP].ack + wnd) & 0xffffffff
            if a[TCP].ack == c.snd_nxt and wnd == 0:
                closed = True
    check(closed, "axip's window never closed (%d bytes sent)" % ((c.snd_nxt - c.iss) & 0xffffffff))
    before = ctx.echo.counters()
    c.send("A", b"P", advance=False)
    a = c.expect(lambda f: _is_ack(c, f))
    check(a is not None, "zero-window probe not answered")
    check(a[TCP].ack == c.snd_nxt and a[TCP].window == 0,
          "probe answer acks %d window %d, expected %d and 0" % (a[TCP].ack, a[TCP].window, c.snd_nxt))
    after = ctx.echo.counters()
    check(delta(before, after, "tcp_rx_out_of_window") == 1, "tcp_rx_out_of_window did not count the probe")
    c.abort()


CASES = [
    ("out_of_window_data", out_of_window_data),
    ("rst_exact", rst_exact),
    ("rst_in_window_challenge", rst_in_window_challenge),
    ("rst_out_of_window", rst_out_of_window),
    ("syn_challenge", syn_challenge),
    ("ack_unsent", ack_unsent),
    ("old_ack_challenge", old_ack_challenge),
    ("reserved_bits_urgent", reserved_bits_urgent),
    ("data_bad_option_lengths", data_bad_option_lengths),
    ("bad_data_offset", bad_data_offset),
    ("paws", paws),
    ("zero_window_persist", zero_window_persist),
    ("zero_window_probe_answered", zero_window_probe_answered),
]
