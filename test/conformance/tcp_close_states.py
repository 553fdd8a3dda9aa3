# SPDX-License-Identifier: BSD-2-Clause
"""TCP connection release: FIN in each state, data after FIN (RFC 9293 3.6,
3.10.7.4 seventh and eighth; RFC 1122 4.2.2.13; RFC 1337).

axip-tcp-echo closes when the peer does (passive close: CLOSE-WAIT,
LAST-ACK); axip-httpd closes first after "Connection: close" (active close:
FIN-WAIT-1, FIN-WAIT-2, CLOSING, TIME-WAIT)."""
import time

from axpeer import TCP, Conn, check, delta, has


def _is_ack(f):
    return has(f, "A") and not has(f, "R") and not has(f, "S")


def _fin_of(c, timeout=2.0):
    """Wait for axip's FIN (data before it is taken and ACKed)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        f = c.expect(lambda f: has(f, "F") or len(c.data_from(f)) > 0, end - time.monotonic())
        if f is None:
            return None
        d = c.data_from(f)
        if f[TCP].seq == c.rcv_nxt and d:
            c.rcv_nxt = (c.rcv_nxt + len(d)) & 0xffffffff
            if not has(f, "F"):
                c.send("A")
        if has(f, "F") and ((f[TCP].seq + len(d)) & 0xffffffff) == c.rcv_nxt:
            return f
    return None


# ---- passive close (axip-tcp-echo) ----

def _echo_conn(ctx):
    c = Conn(ctx.echo)
    c.open()
    check(c.echo(b"before-close") == b"before-close", "no echo")
    return c


def fin_close_wait_last_ack(ctx):
    """RFC 9293 3.10.7.4 eighth / 3.6 case 2: our FIN is ACKed (CLOSE-WAIT),
    the application closes (LAST-ACK, axip's FIN), our ACK of it ends the
    connection: a later segment is reset."""
    c = _echo_conn(ctx)
    c.send("FA")
    fin = _fin_of(c)
    check(fin is not None, "no FIN from axip after ours")
    check(fin[TCP].ack == c.snd_nxt, "axip's FIN acks %d, expected our FIN (%d)" % (fin[TCP].ack, c.snd_nxt))
    c.rcv_nxt = (c.rcv_nxt + 1) & 0xffffffff
    c.send("A")
    c.send("PA", b"too-late", advance=False)
    r = c.expect(lambda f: has(f, "R"))
    check(r is not None, "no RST after the connection closed")


def fin_retransmit_last_ack(ctx):
    """RFC 9293 3.10.7.4: in LAST-ACK a retransmitted FIN (old sequence
    number) is answered with an ACK; the connection still closes normally."""
    c = _echo_conn(ctx)
    fin_seq = c.snd_nxt
    c.send("FA")
    fin = _fin_of(c)
    check(fin is not None, "no FIN from axip")
    c.send("FA", seq=fin_seq, advance=False)
    a = c.expect(lambda f: has(f, "A") and f[TCP].ack == c.snd_nxt)
    check(a is not None, "retransmitted FIN in LAST-ACK not ACKed")
    c.rcv_nxt = (c.rcv_nxt + 1) & 0xffffffff
    c.send("A")
    c.send("A", advance=False)
    check(c.expect(lambda f: has(f, "R")) is not None, "connection not closed after the final ACK")


def fin_with_data(ctx):
    """RFC 9293 3.10.7.4 seventh and eighth: text and FIN in one segment:
    the text is delivered (echoed), then the FIN."""
    c = _echo_conn(ctx)
    c.send("FPA", b"last-words")
    got, _ = c.read(10, 2.0)
    check(got == b"last-words", "text of a FIN segment: echo returned %r" % got)
    fin = _fin_of(c)
    check(fin is not None, "no FIN after the echoed text")
    c.rcv_nxt = (c.rcv_nxt + 1) & 0xffffffff
    c.send("A")


def data_after_fin(ctx):
    """RFC 9293 3.10.7.4 seventh: text after the peer's FIN (CLOSE-WAIT,
    LAST-ACK) is ignored: never delivered to the application."""
    c = _echo_conn(ctx)
    c.send("FA")
    fin = _fin_of(c)
    check(fin is not None, "no FIN from axip")
    c.send("PA", b"after-my-fin")
    check(c.expect_none(lambda f: len(c.data_from(f)) > 0, 0.5), "text after our FIN was echoed")
    c.rcv_nxt = (c.rcv_nxt + 1) & 0xffffffff
    c.send("A")


# ---- active close (axip-httpd) ----

REQ = b"GET /bytes/100 HTTP/1.1\r\nHost: conformance\r\nConnection: close\r\n\r\n"


def _http_until_fin(ctx):
    """Send a request with Connection: close; return (conn, axip's FIN) with
    the response read and ACKed but the FIN not yet ACKed (FIN-WAIT-1)."""
    c = Conn(ctx.http)
    c.open()
    c.send("PA", REQ)
    fin = _fin_of(c, 3.0)
    check(fin is not None, "axip-httpd did not close after Connection: close")
    # a repeated FIN (a loss probe or a retransmission) is taken here
    c.l.recv_all(lambda f: c.mine(f) and has(f, "F") and f[TCP].seq == fin[TCP].seq, 0.1)
    return c, fin


def fin_wait_time_wait(ctx):
    """RFC 9293 3.6 case 1: axip closes first (FIN-WAIT-1); our ACK ->
    FIN-WAIT-2; our FIN is ACKed (TIME-WAIT); a retransmitted FIN in
    TIME-WAIT is ACKed again; an RST there is ignored (RFC 1337)."""
    c, fin = _http_until_fin(ctx)
    c.rcv_nxt = (c.rcv_nxt + 1) & 0xffffffff
    c.send("A")                                   # FIN-WAIT-2
    check(c.expect_none(duration=0.2), "axip answered the ACK of its FIN")
    fin_seq = c.snd_nxt
    c.send("FA")                                  # TIME-WAIT
    a = c.expect(_is_ack)
    check(a is not None and a[TCP].ack == c.snd_nxt, "our FIN in FIN-WAIT-2 not ACKed")
    c.send("FA", seq=fin_seq, advance=False)      # retransmitted FIN
    a = c.expect(_is_ack)
    check(a is not None and a[TCP].ack == c.snd_nxt, "retransmitted FIN in TIME-WAIT not ACKed")
    before = ctx.http.counters()
    c.send("R", advance=False, options=[])
    check(c.expect_none(duration=0.3), "answered an RST in TIME-WAIT")
    after = ctx.http.counters()
    check(delta(before, after, "tcp_rx_rst_ignored") == 1, "RST in TIME-WAIT not counted as ignored")
    c.send("FA", seq=fin_seq, advance=False)      # still in TIME-WAIT
    a = c.expect(_is_ack)
    check(a is not None and a[TCP].ack == c.snd_nxt, "TIME-WAIT ended by an RST (RFC 1337)")


def closing_simultaneous(ctx):
    """RFC 9293 3.6 case 2 (simultaneous close): our FIN crosses axip's
    (FIN-WAIT-1 -> CLOSING): axip ACKs our FIN; our ACK of its FIN ->
    TIME-WAIT, where a retransmitted FIN is ACKed."""
    c, fin = _http_until_fin(ctx)
    fin_seq = c.snd_nxt
    c.send("FA")                                  # not acking axip's FIN yet
    a = c.expect(lambda f: has(f, "A") and f[TCP].ack == c.snd_nxt)
    check(a is not None, "our FIN in FIN-WAIT-1 not ACKed (CLOSING)")
    c.rcv_nxt = (c.rcv_nxt + 1) & 0xffffffff
    c.send("A")                                   # TIME-WAIT
    c.send("FA", seq=fin_seq, advance=False)
    a = c.expect(_is_ack)
    check(a is not None and a[TCP].ack == c.snd_nxt, "retransmitted FIN in TIME-WAIT not ACKed")


def data_in_fin_wait_2(ctx):
    """RFC 9293 3.10.7.4 seventh: in FIN-WAIT-2 text is still processed.
    axip-httpd half-closes and keeps reading (lingering close), so new data
    is ACKed (not reset: the RST of RFC 1122 4.2.2.13 is for data after a
    full close, tcp_rx_after_close)."""
    c, fin = _http_until_fin(ctx)
    c.rcv_nxt = (c.rcv_nxt + 1) & 0xffffffff
    c.send("A")
    c.send("PA", b"GET / HTTP/1.1\r\n\r\n")
    a = c.expect(lambda f: has(f, "A") and not has(f, "R") and f[TCP].ack == c.snd_nxt)
    check(a is not None, "text in FIN-WAIT-2 not ACKed")
    c.abort()


def fin_not_resent_on_data_ack(ctx):
    """RFC 9293 3.8.1 / RFC 6298: a segment is retransmitted when its timer
    expires (or by loss recovery). An ACK that covers the response but not
    the FIN sent right behind it is not a loss signal: the FIN should not
    be sent again at once."""
    c = Conn(ctx.http)
    c.open()
    c.send("PA", REQ)
    data = c.expect(lambda f: len(c.data_from(f)) > 0, 3.0)
    check(data is not None, "no response")
    fin = c.expect(lambda f: has(f, "F"), 1.0)
    check(fin is not None, "no FIN after the response")
    c.rcv_nxt = (data[TCP].seq + len(c.data_from(data))) & 0xffffffff
    c.send("A")                     # the response, not the FIN
    again = c.l.recv_all(lambda f: c.mine(f) and has(f, "F"), 0.15)
    c.rcv_nxt = (c.rcv_nxt + 1) & 0xffffffff
    c.send("A")
    check(not again, "FIN resent %.0f ms after an ACK of the data before it (RTO is 200 ms or more)"
          % ((again[0].time - fin.time) * 1000 if again else 0))


CASES = [
    ("fin_close_wait_last_ack", fin_close_wait_last_ack),
    ("fin_retransmit_last_ack", fin_retransmit_last_ack),
    ("fin_with_data", fin_with_data),
    ("data_after_fin", data_after_fin),
    ("fin_wait_time_wait", fin_wait_time_wait),
    ("closing_simultaneous", closing_simultaneous),
    ("data_in_fin_wait_2", data_in_fin_wait_2),
    ("fin_not_resent_on_data_ack", fin_not_resent_on_data_ack),
]
