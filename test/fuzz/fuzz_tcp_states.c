/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_tcp_states.c - TCP with connections in every state, fed segments and
 * application calls chosen by the fuzzer.
 *
 * The instance (fuzz_config, 10.0.0.1) listens on port 80 and talks to a
 * fake peer, 10.0.0.2, which is a model in this file: it reads every
 * segment the instance sends (its ISN, highest sequence, ACK and timestamp)
 * so that segments built from fuzzer bytes carry plausible sequence and
 * acknowledgment numbers, correct checksums (unless a bit asks for a bad
 * one), and the options that were negotiated. Four flows: 0 and 1 are
 * passive (peer ports 40000 and 40001 to port 80), 2 and 3 active (the
 * instance connects to peer ports 5000 and 5001).
 *
 * Input:
 *   byte 0   configuration: bit 0 RX checksum offload, bit 1 TX checksum
 *            offload + scatter-gather, bit 2 TSO, bit 3 tiny pools, bits 4-7
 *            the options the peer offers in handshakes (MSS, window scale
 *            7, SACK-permitted, timestamps)
 *   byte 1   bits 0-6: the starting state (scenario, below), reached by a
 *            scripted exchange before fuzzing starts; it is checked to be
 *            reached. Bit 7: every flow runs over IPv6 (the instance
 *            2001:db8::1/64, the peer 2001:db8::2; ICMP errors are ICMPv6)
 *   then     operations, one byte each plus arguments (see do_op())
 *
 * At the end every connection the application holds is aborted, the clock
 * runs an hour on, and all buffers, packet objects and connections must be
 * back (fuzz_settle_and_check).
 */
#include "fuzz_util.h"

#define NFLOWS 4
#define MAX_CONNS 16

enum scenario {
	SC_LISTEN, SC_SYN_RECEIVED, SC_ESTABLISHED_PASSIVE, SC_SYN_SENT, SC_ESTABLISHED_ACTIVE,
	SC_ESTABLISHED_DATA, SC_FIN_WAIT_1, SC_FIN_WAIT_2, SC_CLOSE_WAIT, SC_LAST_ACK, SC_CLOSING,
	SC_TIME_WAIT, SC_COUNT
};

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

#define PEER_MSS 1460
#define PEER_WS 7

struct flow {
	uint16_t lport, pport;   /* instance's port (0: not known yet), peer's port */
	int seen;                /* the instance sent something on this flow */
	uint32_t inst_isn;       /* the instance's ISN (from its SYN) */
	uint32_t inst_nxt;       /* highest sequence the instance sent, + 1 */
	uint32_t inst_ack;       /* last ACK the instance sent */
	uint32_t inst_ts;        /* last TSval the instance sent: the peer echoes it */
	uint32_t peer_iss, peer_nxt;
	uint32_t peer_ts;
	int ts;                  /* timestamps in use (peer offered, instance answered) */
	struct axip_tcp *c;      /* application handle, if any */
	uint32_t unreported;     /* bytes received and not yet reported with recved */
};

struct fz {
	struct sim_single *h;
	struct axip_stack *s;
	axip_time_ns now;
	uint8_t offer;           /* options offered by the peer (config bits 4-7) */
	int v6;                  /* flows over IPv6 (byte 1 bit 7) */
	struct flow fl[NFLOWS];
	struct axip_tcp *conns[MAX_CONNS];
	unsigned n_conns;
};

/* ---- the application ---- */

static struct flow *flow_of(struct fz *z, struct axip_tcp *c)
{
	unsigned i;
	for (i = 0; i < NFLOWS; i++)
		if (z->fl[i].c == c)
			return &z->fl[i];
	return NULL;
}

static void conn_add(struct fz *z, struct axip_tcp *c)
{
	FUZZ_CHECK(z->n_conns < MAX_CONNS);
	z->conns[z->n_conns++] = c;
}

static void app_recv(void *arg, struct axip_tcp *c, struct axip_pkt *data)
{
	struct fz *z = arg;
	struct flow *f = flow_of(z, c);
	axip_u32 n = axip_pkt_chain_len(data);
	axip_pkt_free(z->s, data);
	/* the window reopens only when the fuzzer says so (op 8), unless the
	 * connection belongs to no flow */
	if (f)
		f->unreported += n;
	else
		axip_tcp_recved(c, n);
}

static void app_closed(void *arg, struct axip_tcp *c, int err)
{
	struct fz *z = arg;
	struct flow *f = flow_of(z, c);
	unsigned i;
	FUZZ_CHECK(err == AXIP_OK || err == AXIP_E_RESET || err == AXIP_E_REFUSED ||
	           err == AXIP_E_TIMEDOUT || err == AXIP_E_UNREACH || err == AXIP_E_ABORTED);
	if (f) {
		f->c = NULL;
		f->unreported = 0;
	}
	for (i = 0; i < z->n_conns; i++) {
		if (z->conns[i] == c) {
			z->conns[i] = z->conns[--z->n_conns];
			return;
		}
	}
	FUZZ_CHECK(0); /* `closed` for a handle the application never had */
}

static const struct axip_tcp_callbacks app_cb = {NULL, app_recv, NULL, NULL, app_closed};

static int app_accept(void *arg, struct axip_tcp *c, const struct axip_tcp_callbacks **cb, void **cb_arg)
{
	struct fz *z = arg;
	struct axip_tcp_info info;
	if (z->n_conns == MAX_CONNS)
		return AXIP_E_NOMEM;
	axip_tcp_get_info(c, &info);
	if (z->v6) {
		uint8_t la[16], ra[16];
		FUZZ_CHECK(axip_tcp_family(c) == 6 && axip_tcp_get_addr6(c, la, ra) == AXIP_OK);
		FUZZ_CHECK(!memcmp(la, fuzz_ip6(0), 16) && !memcmp(ra, fuzz_ip6(1), 16));
		FUZZ_CHECK(info.local_port == 80);
	} else {
		FUZZ_CHECK(info.local_port == 80 && info.remote_addr == FUZZ_IP_PEER);
	}
	if (info.remote_port >= 40000 && info.remote_port < 40002 && !z->fl[info.remote_port - 40000].c)
		z->fl[info.remote_port - 40000].c = c;
	conn_add(z, c);
	*cb = &app_cb;
	*cb_arg = z;
	return AXIP_OK;
}

/* ---- the peer model ---- */

static int seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* The TCP header of an IPv4 or IPv6 frame (IPv6: right after the fixed
 * header, as the instance sends it) and the TCP segment's length
 * (header + payload), or NULL. */
static const uint8_t *tcp_of(const uint8_t *f, uint32_t len, uint32_t *seglen)
{
	uint32_t ihl, tot;
	if (len >= 54 + 20 && load_be16(f + 12) == 0x86dd && f[20] == 6) {
		tot = load_be16(f + 18);
		if (tot < 20 || 54 + tot > len)
			return NULL;
		*seglen = tot;
		return f + 54;
	}
	if (len < 54 || load_be16(f + 12) != 0x0800 || f[23] != 6)
		return NULL;
	ihl = (uint32_t)(f[14] & 15) * 4;
	tot = load_be16(f + 16);
	if (ihl < 20 || 14 + ihl + 20 > len || tot < ihl + 20)
		return NULL;
	*seglen = tot - ihl;
	return f + 14 + ihl;
}

/* With FUZZ_TRACE set in the environment, print every segment both ways. */
static void trace(const char *dir, const uint8_t *f, uint32_t len)
{
	uint32_t n;
	const uint8_t *t;
	if (!getenv("FUZZ_TRACE") || !(t = tcp_of(f, len, &n)))
		return;
	fprintf(stderr, "%s %u > %u flags %02x seq %u ack %u win %u len %u\n", dir,
	        (unsigned)load_be16(t), (unsigned)load_be16(t + 2), (unsigned)t[13],
	        (unsigned)load_be32(t + 4), (unsigned)load_be32(t + 8), (unsigned)load_be16(t + 14),
	        (unsigned)(n - (uint32_t)(t[12] >> 4) * 4));
}

/* Learn from one frame the instance sent. */
static void observe(struct fz *z, const uint8_t *f, uint32_t len)
{
	uint32_t seglen, hl, seq, end, i;
	const uint8_t *t;
	uint16_t sport, dport;
	uint8_t flags;
	struct flow *fl = NULL;
	trace("inst", f, len);
	if (!(t = tcp_of(f, len, &seglen)))
		return;
	sport = load_be16(t);
	dport = load_be16(t + 2);
	for (i = 0; i < NFLOWS; i++) {
		struct flow *c = &z->fl[i];
		if (c->pport == dport && (c->lport == sport || (!c->lport && (t[13] & TH_SYN)))) {
			fl = c;
			break;
		}
	}
	if (!fl)
		return;
	fl->lport = sport;
	flags = t[13];
	seq = load_be32(t + 4);
	hl = (uint32_t)(t[12] >> 4) * 4;
	if (hl < 20 || hl > seglen)
		return;
	end = seq + (seglen - hl) + !!(flags & TH_SYN) + !!(flags & TH_FIN);
	if (flags & TH_SYN) {
		fl->inst_isn = seq;
		fl->inst_nxt = end;
		fl->ts = 0;
	} else if (!fl->seen || seq_after(end, fl->inst_nxt)) {
		fl->inst_nxt = end;
	}
	fl->seen = 1;
	if (flags & TH_ACK)
		fl->inst_ack = load_be32(t + 8);
	for (i = 20; i + 1 < hl;) {
		uint8_t kind = t[i], olen;
		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		olen = t[i + 1];
		if (olen < 2 || i + olen > hl)
			break;
		if (kind == 8 && olen == 10) {
			fl->inst_ts = load_be32(t + i + 2);
			if (flags & TH_SYN)
				fl->ts = (z->offer & 8) != 0;
		}
		i += olen;
	}
}

static void pump(struct fz *z)
{
	uint8_t f[9400];
	uint32_t n;
	while ((n = sim_single_tx_pop(z->h, f, sizeof(f))) != 0)
		observe(z, f, n < sizeof(f) ? n : (uint32_t)sizeof(f));
}

/* Options of a peer segment: the handshake set on SYNs, timestamps after. */
static uint32_t peer_opts(struct fz *z, struct flow *fl, int syn, uint8_t *o)
{
	uint32_t n = 0;
	if (syn) {
		if (z->offer & 1) {
			o[n++] = 2; o[n++] = 4;
			store_be16(o + n, PEER_MSS);
			n += 2;
		}
		if (z->offer & 2) {
			o[n++] = 1; o[n++] = 3; o[n++] = 3; o[n++] = PEER_WS;
		}
		if (z->offer & 4) {
			o[n++] = 1; o[n++] = 1; o[n++] = 4; o[n++] = 2;
		}
	}
	if ((syn && (z->offer & 8)) || (!syn && fl->ts)) {
		o[n++] = 1; o[n++] = 1; o[n++] = 8; o[n++] = 10;
		store_be32(o + n, ++fl->peer_ts);
		store_be32(o + n + 4, fl->inst_ts); /* 0 until the instance sent one */
		n += 8;
	}
	return n;
}

/* Build and deliver one segment from the peer on flow `fl`. */
static void send_seg(struct fz *z, struct flow *fl, uint8_t flags, uint32_t seq, uint32_t ack,
                     uint16_t win, uint16_t urg, const uint8_t *opts, uint32_t optlen,
                     const uint8_t *payload, uint32_t len, int bad_csum, uint32_t split)
{
	static uint8_t f[14 + 60 + 60 + 2048];
	uint8_t mac_self[6], mac_peer[6];
	uint8_t seg[60 + 2048];
	uint32_t hl = 20 + ((optlen + 3) & ~3u), n;
	if (optlen > 40 || len > 2048)
		return;
	memset(seg, 0, hl);
	store_be16(seg, fl->pport);
	store_be16(seg + 2, fl->lport);
	store_be32(seg + 4, seq);
	store_be32(seg + 8, ack);
	seg[12] = (uint8_t)((hl / 4) << 4);
	seg[13] = flags;
	store_be16(seg + 14, win);
	store_be16(seg + 18, urg);
	if (optlen)
		memcpy(seg + 20, opts, optlen);
	if (len)
		memcpy(seg + hl, payload, len);
	sim_host_mac(0, mac_self);
	sim_host_mac(1, mac_peer);
	if (z->v6) {
		n = fuzz_build_ipv6(f, mac_self, mac_peer, fuzz_ip6(1), fuzz_ip6(0), 6, seg, hl + len);
		fuzz_fix_ip6_checksum(f, n);
		if (bad_csum)
			f[54 + 16] ^= bad_csum;
	} else {
		n = sim_build_ipv4(f, mac_self, mac_peer, FUZZ_IP_PEER, FUZZ_IP_SELF, 6, seg, hl + len);
		fuzz_fix_checksums(f, n);
		if (bad_csum)
			f[14 + 20 + 16] ^= bad_csum;
	}
	trace("peer", f, n);
	sim_single_rx_split(z->h, f, n, z->now, split);
	pump(z);
}

/* A well-formed segment in the flow's current context. */
static void peer_send(struct fz *z, struct flow *fl, uint8_t flags, const uint8_t *payload, uint32_t len)
{
	uint8_t o[40];
	uint32_t on = peer_opts(z, fl, flags & TH_SYN, o);
	send_seg(z, fl, flags, fl->peer_nxt, (flags & TH_ACK) ? fl->inst_nxt : 0, 65535, 0, o, on,
	         payload, len, 0, 0);
	fl->peer_nxt += len + !!(flags & TH_SYN) + !!(flags & TH_FIN);
}

static void advance(struct fz *z, axip_time_ns dt)
{
	z->now += dt;
	sim_single_poll(z->h, z->now);
	pump(z);
}

static void app_connect(struct fz *z, struct flow *fl)
{
	struct axip_tcp *c = NULL;
	if (fl->c || z->n_conns == MAX_CONNS)
		return;
	fl->lport = 0;
	fl->seen = 0;
	fl->peer_nxt = fl->peer_iss;
	if ((z->v6 ? axip_tcp_connect6(z->s, NULL, 0, fuzz_ip6(1), fl->pport, &app_cb, z, NULL, &c)
	           : axip_tcp_connect(z->s, FUZZ_IP_PEER, fl->pport, &app_cb, z, NULL, &c)) != AXIP_OK)
		return;
	fl->c = c;
	conn_add(z, c);
	pump(z);
}

/* ---- scripted start ---- */

static void setup(struct fz *z, unsigned sc)
{
	static const uint8_t data[3000];
	static const uint32_t want[SC_COUNT] = {
		AXIP_TCP_CLOSED,      AXIP_TCP_SYN_RECEIVED, AXIP_TCP_ESTABLISHED, AXIP_TCP_SYN_SENT,
		AXIP_TCP_ESTABLISHED, AXIP_TCP_ESTABLISHED,  AXIP_TCP_FIN_WAIT_1,  AXIP_TCP_FIN_WAIT_2,
		AXIP_TCP_CLOSE_WAIT,  AXIP_TCP_LAST_ACK,     AXIP_TCP_CLOSING,     AXIP_TCP_TIME_WAIT};
	struct flow *fl;
	struct axip_tcp_info info;
	int passive = sc == SC_SYN_RECEIVED || sc == SC_ESTABLISHED_PASSIVE;
	if (sc == SC_LISTEN)
		return;
	fl = passive ? &z->fl[0] : &z->fl[2];
	if (passive) {
		fl->lport = 80;
		peer_send(z, fl, TH_SYN, NULL, 0);
		FUZZ_CHECK(fl->seen);
		if (sc == SC_SYN_RECEIVED)
			return; /* no handle yet: the connection is the listener's */
		peer_send(z, fl, TH_ACK, NULL, 0);
		FUZZ_CHECK(fl->c != NULL);
	} else {
		app_connect(z, fl);
		FUZZ_CHECK(fl->c && fl->seen);
		if (sc != SC_SYN_SENT) {
			peer_send(z, fl, TH_SYN | TH_ACK, NULL, 0);
			FUZZ_CHECK(fl->inst_ack == fl->peer_nxt);
		}
	}
	if (sc == SC_ESTABLISHED_DATA) {
		/* data both ways; the peer's segment acknowledges none of ours,
		 * so all of it stays in flight */
		uint8_t o[40];
		uint32_t on;
		FUZZ_CHECK(axip_tcp_write(fl->c, data, sizeof(data), 0) > 0);
		pump(z);
		on = peer_opts(z, fl, 0, o);
		send_seg(z, fl, TH_ACK | TH_PSH, fl->peer_nxt, fl->inst_isn + 1, 65535, 0, o, on, data,
		         500, 0, 0);
		fl->peer_nxt += 500;
	}
	if (sc == SC_FIN_WAIT_1 || sc == SC_FIN_WAIT_2 || sc == SC_CLOSING || sc == SC_TIME_WAIT) {
		axip_tcp_close(fl->c);
		pump(z);
	}
	if (sc == SC_FIN_WAIT_2 || sc == SC_TIME_WAIT)
		peer_send(z, fl, TH_ACK, NULL, 0);
	if (sc == SC_CLOSE_WAIT || sc == SC_LAST_ACK || sc == SC_TIME_WAIT)
		peer_send(z, fl, TH_FIN | TH_ACK, NULL, 0);
	if (sc == SC_CLOSING) {
		/* our FIN crosses theirs: acknowledge only what came before it */
		uint8_t o[40];
		uint32_t on = peer_opts(z, fl, 0, o);
		send_seg(z, fl, TH_FIN | TH_ACK, fl->peer_nxt, fl->inst_nxt - 1, 65535, 0, o, on, NULL, 0,
		         0, 0);
		fl->peer_nxt++;
	}
	if (sc == SC_LAST_ACK) {
		axip_tcp_close(fl->c);
		pump(z);
	}
	if (sc == SC_TIME_WAIT) {
		/* the application heard `closed` on entering TIME-WAIT */
		FUZZ_CHECK(fl->c == NULL);
		return;
	}
	axip_tcp_get_info(fl->c, &info);
	if (info.state != want[sc]) {
		fprintf(stderr, "scenario %u: state %u, expected %u\n", sc, (unsigned)info.state,
		        (unsigned)want[sc]);
		abort();
	}
}

/* ---- fuzzed operations ---- */

static uint32_t pick_seq(struct fuzz_in *in, uint8_t mode, uint32_t base, uint32_t alt)
{
	switch (mode & 3) {
	case 0: return base;
	case 1: return base + fin_u16(in);
	case 2: return base - fin_u16(in);
	default: return (mode & 4) ? alt + (uint32_t)(int8_t)fin_u8(in) : fin_u32(in);
	}
}

/* The ICMPv6 form of op 15 (RFC 4443): type 1-4 (u8 % 4 + 1), code
 * (u8 % 8), MTU or pointer (u16, for packet too big from 1000), sequence =
 * instance's next - u16; the quote is the IPv6 header and 8 bytes of TCP. */
static void icmp6_error(struct fz *z, struct flow *fl, struct fuzz_in *in)
{
	uint8_t icmp[8 + 40 + 8], mac_self[6], mac_peer[6], f[54 + sizeof(icmp)];
	uint8_t *q = icmp + 8;
	uint32_t n;
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = (uint8_t)(fin_u8(in) % 4 + 1);
	icmp[1] = fin_u8(in) % 8;
	store_be32(icmp + 4, (uint32_t)fin_u16(in) + (icmp[0] == 2 ? 1000u : 0u));
	q[0] = 0x60;
	store_be16(q + 4, 20);
	q[6] = 6;
	q[7] = 64;
	memcpy(q + 8, fuzz_ip6(0), 16);
	memcpy(q + 24, fuzz_ip6(1), 16);
	store_be16(q + 40, fl->lport);
	store_be16(q + 42, fl->pport);
	store_be32(q + 44, fl->inst_nxt - fin_u16(in));
	sim_host_mac(0, mac_self);
	sim_host_mac(1, mac_peer);
	n = fuzz_build_ipv6(f, mac_self, mac_peer, fuzz_ip6(1), fuzz_ip6(0), 58, icmp, sizeof(icmp));
	fuzz_fix_ip6_checksum(f, n);
	sim_single_rx(z->h, f, n, z->now);
	pump(z);
}

/*
 * One operation: byte = kind (bits 0-3) | flow (bits 4-5), then arguments.
 *   0-5  a peer segment (arguments below)
 *   6    a raw TCP header + payload: length/4 (u8), bytes (ports replaced)
 *   7    application write: u16 (bits 0-13 length, bit 15 AXIP_TCP_MORE)
 *   8    application recved: u16 (at most what it has received)
 *   9    shutdown   10 close   11 abort
 *   12   advance the clock by fuzz_time_step(bits 4-6) + u8 ms, and poll
 *   13   connect flow 2 + bit 4 (if it has no connection)
 *   14   setopt: option (u8 % 5 + 1), value (u32)
 *   15   ICMP error quoting the flow: type (u8 % 13), code (u8 % 16), MTU
 *        (u16), sequence = instance's next - u16 (over IPv6: icmp6_error)
 */
static void do_op(struct fz *z, struct fuzz_in *in)
{
	static uint8_t filler[0x4000];
	uint8_t op = fin_u8(in);
	struct flow *fl = &z->fl[(op >> 4) & 3];
	switch (op & 15) {
	case 0: case 1: case 2: case 3: case 4: case 5: {
		/*
		 * A segment. Arguments: flags; mode (bits 0-1 sequence number:
		 * next / + u16 / - u16 / explicit; bits 2-3 the same for the ACK
		 * number against what the instance sent; bit 4: "explicit" means
		 * ISN + s8 instead of a u32; bit 5 a u16 window follows, else
		 * 65535; bit 6 payload length x 8; bit 7 the model's next
		 * sequence follows this segment); omode (bits 0-1 options: the
		 * negotiated ones / none / raw bytes, count in bits 2-7 / SACK
		 * blocks, count in bits 2-3; bit 6 bad checksum; bit 7 split
		 * into small buffers); then the sequence and ACK arguments,
		 * window, urgent pointer (if URG), payload length (u8), option
		 * arguments and payload bytes.
		 */
		uint8_t flags = fin_u8(in), mode = fin_u8(in), omode = fin_u8(in);
		uint8_t alt = (mode & 0x10) ? 4 : 0;
		uint32_t seq = pick_seq(in, (mode & 3) | alt, fl->peer_nxt, fl->peer_iss);
		uint32_t ack = pick_seq(in, ((mode >> 2) & 3) | alt, fl->inst_nxt, fl->inst_isn);
		uint16_t win = (mode & 0x20) ? fin_u16(in) : 65535;
		uint16_t urg = (flags & TH_URG) ? fin_u16(in) : 0;
		uint8_t o[40];
		uint32_t on = 0, len = fin_u8(in) * ((mode & 0x40) ? 8u : 1u), i;
		size_t got;
		const uint8_t *pl;
		switch (omode & 3) {
		case 0:
			on = peer_opts(z, fl, flags & TH_SYN, o);
			break;
		case 1:
			break;
		case 2: {
			const uint8_t *raw = fin_bytes(in, (omode >> 2) % 41, &got);
			memcpy(o, raw, got);
			on = (uint32_t)got;
			break;
		}
		default: {
			/* SACK blocks relative to what the instance sent */
			uint32_t nb = 1 + ((omode >> 2) & 3);
			on = 0;
			if (fl->ts) {
				on = peer_opts(z, fl, 0, o);
				if (nb > 3)
					nb = 3;
			}
			o[on++] = 1;
			o[on++] = 1;
			o[on++] = 5;
			o[on++] = (uint8_t)(2 + 8 * nb);
			for (i = 0; i < nb; i++) {
				uint32_t a = fl->inst_nxt - fin_u16(in), b = a + fin_u16(in);
				store_be32(o + on, a);
				store_be32(o + on + 4, b);
				on += 8;
			}
			break;
		}
		}
		pl = fin_bytes(in, len, &got);
		if (got < len)
			pl = filler;
		send_seg(z, fl, flags, seq, ack, win, urg, o, on, pl, len, (omode & 0x40) ? 1 : 0,
		         (omode & 0x80) ? 1u + (op & 7) * 9 : 0);
		/* in-order sending: the model's next sequence follows */
		if (mode & 0x80)
			fl->peer_nxt = seq + len + !!(flags & TH_SYN) + !!(flags & TH_FIN);
		break;
	}
	case 6: {
		/* raw TCP header and payload from the input (ports kept, checksum fixed) */
		size_t got;
		uint8_t seg[60 + 2048];
		const uint8_t *raw = fin_bytes(in, fin_u8(in) * 4u, &got);
		uint32_t hl;
		if (got < 20)
			break;
		memcpy(seg, raw, got);
		hl = (uint32_t)(seg[12] >> 4) * 4;
		if (hl < 20)
			hl = 20;
		if (hl > got)
			hl = (uint32_t)got & ~3u;
		send_seg(z, fl, seg[13], load_be32(seg + 4), load_be32(seg + 8), load_be16(seg + 14),
		         load_be16(seg + 18), seg + 20, hl - 20, seg + hl, (uint32_t)got - hl, 0, 0);
		break;
	}
	case 7:
		if (fl->c) {
			uint16_t n = fin_u16(in);
			axip_tcp_write(fl->c, filler, n & 0x3fff, (n >> 15) ? AXIP_TCP_MORE : 0);
			pump(z);
		}
		break;
	case 8:
		if (fl->c) {
			uint32_t n = fin_u16(in);
			if (n > fl->unreported)
				n = fl->unreported;
			fl->unreported -= n;
			axip_tcp_recved(fl->c, n);
			pump(z);
		}
		break;
	case 9:
		if (fl->c) {
			axip_tcp_shutdown(fl->c);
			pump(z);
		}
		break;
	case 10:
		if (fl->c) {
			axip_tcp_close(fl->c);
			pump(z);
		}
		break;
	case 11:
		if (fl->c) {
			axip_tcp_abort(fl->c);
			pump(z);
		}
		break;
	case 12:
		advance(z, fuzz_time_step(op >> 4) + fin_u8(in) * AXIP_MS(1));
		break;
	case 13:
		app_connect(z, &z->fl[2 + ((op >> 4) & 1)]);
		break;
	case 14:
		if (fl->c) {
			uint8_t which = fin_u8(in);
			uint32_t v = fin_u32(in);
			axip_tcp_setopt(fl->c, 1 + which % 5, v);
			pump(z);
		}
		break;
	default: {
		/* ICMP error quoting a segment the instance sent on this flow */
		uint8_t icmp[8 + 20 + 8], mac_self[6], mac_peer[6], f[14 + 20 + sizeof(icmp)];
		if (z->v6) {
			icmp6_error(z, fl, in);
			break;
		}
		uint8_t *q = icmp + 8;
		uint32_t n;
		memset(icmp, 0, sizeof(icmp));
		icmp[0] = fin_u8(in) % 13;
		icmp[1] = fin_u8(in) % 16;
		store_be16(icmp + 6, fin_u16(in)); /* next-hop MTU for "fragmentation needed" */
		q[0] = 0x45;
		store_be16(q + 2, 40);
		q[8] = 64;
		q[9] = 6;
		store_be32(q + 12, FUZZ_IP_SELF);
		store_be32(q + 16, FUZZ_IP_PEER);
		store_be16(q + 20, fl->lport);
		store_be16(q + 22, fl->pport);
		store_be32(q + 24, fl->inst_nxt - fin_u16(in));
		sim_host_mac(0, mac_self);
		sim_host_mac(1, mac_peer);
		n = sim_build_ipv4(f, mac_self, mac_peer, FUZZ_IP_PEER, FUZZ_IP_SELF, 1, icmp, sizeof(icmp));
		fuzz_fix_checksums(f, n);
		sim_single_rx(z->h, f, n, z->now);
		pump(z);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct axip_config cfg;
	struct axip_tcp_listener *l = NULL;
	uint8_t mac_peer[6];
	uint8_t conf = fin_u8(&in), sc = fin_u8(&in);
	uint32_t caps = 0, bufs0, i;
	static struct fz z;

	if (conf & 1)
		caps |= AXIP_CAP_RX_IP_CSUM | AXIP_CAP_RX_L4_CSUM;
	if (conf & 2)
		caps |= AXIP_CAP_TX_IP_CSUM | AXIP_CAP_TX_L4_CSUM | AXIP_CAP_SG;
	if (conf & 4)
		caps |= AXIP_CAP_TSO;
	fuzz_config(&cfg, conf & 8, 0);
	memset(&z, 0, sizeof(z));
	z.offer = conf >> 4;
	z.v6 = (sc & 0x80) != 0;
	if (z.v6) {
		cfg.ip6_enable = 1;
		cfg.n_addrs6 = 1;
		memcpy(cfg.addrs6[0].addr, fuzz_ip6(0), 16);
		cfg.addrs6[0].prefix_len = 64;
		cfg.nd6_dad_transmits = 0;
	}
	z.h = sim_single_new(&cfg, caps);
	z.s = sim_single_stack(z.h);
	z.now = AXIP_SEC(1);
	fuzz_drain_tx(z.h);
	bufs0 = sim_single_bufs_in_use(z.h);
	for (i = 0; i < NFLOWS; i++) {
		z.fl[i].pport = (uint16_t)(i < 2 ? 40000 + i : 5000 + i - 2);
		z.fl[i].lport = i < 2 ? 80 : 0;
		z.fl[i].peer_iss = z.fl[i].peer_nxt = 0x10000000u * (i + 1);
	}
	sim_host_mac(1, mac_peer);
	FUZZ_CHECK(axip_neigh_set(z.s, FUZZ_IP_PEER, mac_peer, 1) == AXIP_OK);
	if (z.v6) {
		FUZZ_CHECK(axip_neigh6_set(z.s, fuzz_ip6(1), mac_peer, 1) == AXIP_OK);
		FUZZ_CHECK(axip_tcp_listen6(z.s, NULL, 80, 0, app_accept, &z, NULL, &l) == AXIP_OK);
	} else {
		FUZZ_CHECK(axip_tcp_listen(z.s, 0, 80, 0, app_accept, &z, NULL, &l) == AXIP_OK);
	}

	setup(&z, (sc & 0x7f) % SC_COUNT);
	while (fin_left(&in))
		do_op(&z, &in);

	while (z.n_conns) {
		unsigned before = z.n_conns;
		axip_tcp_abort(z.conns[0]);
		FUZZ_CHECK(z.n_conns == before - 1); /* abort reports `closed` at once */
	}
	axip_tcp_listener_close(l);
	fuzz_settle_and_check(z.h, z.now, bufs0);
	sim_single_free(z.h);
	return 0;
}
