/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gen_corpus.c - writes the seed corpus of the fuzz targets:
 *   gen_corpus OUTDIR   ->  OUTDIR/<target>/seed-<name>
 * Seeds are valid inputs in each target's format (see the target's header
 * comment): ARP, ICMP, UDP (plain, fragmented), TCP handshakes and closes,
 * HTTP requests. The committed corpus under test/fuzz/corpus/ is its output
 * plus the regression inputs (crash-*) found by fuzzing; scripts/fuzz.sh
 * --seeds regenerates the seeds.
 */
#include "fuzz_util.h"
#include <errno.h>
#include <sys/stat.h>

static const char *outdir;

/* ---- output ---- */

struct seed {
	uint8_t b[65536];
	size_t n;
};

static void put(struct seed *s, const void *p, size_t n)
{
	if (s->n + n > sizeof(s->b)) {
		fprintf(stderr, "seed too large\n");
		exit(1);
	}
	if (n)
		memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void put8(struct seed *s, uint8_t v)
{
	put(s, &v, 1);
}

static void put16(struct seed *s, uint16_t v)
{
	uint8_t b[2];
	store_be16(b, v);
	put(s, b, 2);
}

static void put32(struct seed *s, uint32_t v)
{
	uint8_t b[4];
	store_be32(b, v);
	put(s, b, 4);
}

static void write_seed(const char *target, const char *name, const struct seed *s)
{
	char path[1024];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/seed-%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* ---- frames ---- */

static uint8_t mac_self[6], mac_peer[6];
static const uint8_t mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint32_t build_arp(uint8_t *f, const uint8_t dst[6], uint16_t op, const uint8_t sha[6],
                          uint32_t spa, const uint8_t tha[6], uint32_t tpa)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, sha, 6);
	store_be16(f + 12, 0x0806);
	store_be16(f + 14, 1);
	store_be16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	store_be16(f + 20, op);
	memcpy(f + 22, sha, 6);
	store_be32(f + 28, spa);
	memcpy(f + 32, tha, 6);
	store_be32(f + 38, tpa);
	return 42;
}

/* TCP segment from the peer with options; checksums filled. */
static uint32_t build_tcp(uint8_t *f, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                          uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
                          const uint8_t *opts, uint32_t optlen, const void *payload, uint32_t len)
{
	const struct sim_tcp_seg seg = { sport, dport, seq, ack, flags, win, opts, optlen, payload, len };
	return sim_build_tcp(f, mac_self, mac_peer, src, dst, &seg);
}

/* Fragment an IPv4 frame `whole` (one datagram, header without options) into
 * pieces of `chunk` payload bytes (a multiple of 8); returns the count. */
static unsigned fragment(const uint8_t *whole, uint32_t len, uint32_t chunk, uint8_t out[][2048],
                         uint32_t *out_len)
{
	uint32_t payload = len - 34, off = 0;
	unsigned n = 0;
	while (off < payload) {
		uint32_t take = payload - off < chunk ? payload - off : chunk;
		uint8_t *f = out[n];
		memcpy(f, whole, 34);
		memcpy(f + 34, whole + 34 + off, take);
		store_be16(f + 16, (uint16_t)(20 + take));
		store_be16(f + 20, (uint16_t)((off / 8) | (off + take < payload ? 0x2000 : 0)));
		fuzz_fix_checksums(f, 34 + take);
		out_len[n++] = 34 + take;
		off += take;
	}
	return n;
}

/* ---- fuzz_stack_input ---- */

/* Over IPv6 (configuration bit 6): host 2001:db8::1, the peer 2001:db8::2. */
static const uint8_t ip6_self[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t ip6_peer[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

/* eth + IPv6 header + payload; the upper-layer checksum is left to REC_FIX. */
static uint32_t build_ip6(uint8_t *f, const uint8_t dst_mac[6], const uint8_t src[16],
                          const uint8_t dst[16], uint8_t nh, uint8_t hops, const void *payload,
                          uint32_t plen)
{
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, mac_peer, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	store_be32(f + 14, 0x60000000u);
	store_be16(f + 18, (uint16_t)plen);
	f[20] = nh;
	f[21] = hops;
	memcpy(f + 22, src, 16);
	memcpy(f + 38, dst, 16);
	memcpy(f + 54, payload, plen);
	return 54 + plen;
}

/* A TCP segment from the peer over IPv6 (checksum zero: REC_FIX fills it). */
static uint32_t build_tcp6(uint8_t *f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                           uint8_t flags, const uint8_t *opts, uint32_t optlen, const void *payload,
                           uint32_t len)
{
	uint8_t t[1600];
	uint32_t hl = 20 + optlen;
	memset(t, 0, hl);
	store_be16(t, sport);
	store_be16(t + 2, dport);
	store_be32(t + 4, seq);
	store_be32(t + 8, ack);
	t[12] = (uint8_t)((hl / 4) << 4);
	t[13] = flags;
	store_be16(t + 14, 65535);
	if (optlen)
		memcpy(t + 20, opts, optlen);
	if (len)
		memcpy(t + hl, payload, len);
	return build_ip6(f, mac_self, ip6_peer, ip6_self, 6, 64, t, hl + len);
}

#define REC_FIX 8
#define REC_SPLIT 16
#define REC_TWICE 32
#define REC_ACTION 64

static void rec(struct seed *s, uint8_t ctl, const uint8_t *f, uint32_t len)
{
	put8(s, ctl);
	put16(s, (uint16_t)len);
	put(s, f, len);
}

static void stack_input_seeds(void)
{
	static uint8_t f[9300], frags[16][2048];
	static uint8_t payload[4000];
	uint32_t flen[16], n, i;
	unsigned nf;
	struct seed s;
	const uint8_t zero[6] = {0};
	static const uint8_t syn_opts[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);

	/* ARP request for our address, then a reply to our own request */
	s.n = 0;
	put8(&s, 0);
	n = build_arp(f, mac_bcast, 1, mac_peer, FUZZ_IP_PEER, zero, FUZZ_IP_SELF);
	rec(&s, 0, f, n);
	n = build_arp(f, mac_self, 2, mac_peer, FUZZ_IP_PEER, mac_self, FUZZ_IP_SELF);
	rec(&s, 1, f, n);
	write_seed("fuzz_stack_input", "arp", &s);

	/* ping, also as a split multi-buffer frame, and delivered twice */
	s.n = 0;
	put8(&s, 0);
	n = sim_build_icmp_echo(f, mac_self, mac_peer, FUZZ_IP_PEER, FUZZ_IP_SELF, 1, 1, payload, 56);
	rec(&s, 0, f, n);
	rec(&s, REC_SPLIT | REC_TWICE | 1, f, n);
	put8(&s, 39);
	write_seed("fuzz_stack_input", "icmp_echo", &s);

	/* UDP echo: our reply waits for ARP; the peer answers after 200 ms */
	s.n = 0;
	put8(&s, 0);
	n = sim_build_udp(f, mac_self, mac_peer, FUZZ_IP_PEER, FUZZ_IP_SELF, 5000, 7, payload, 100, 1);
	rec(&s, 0, f, n);
	n = build_arp(f, mac_self, 2, mac_peer, FUZZ_IP_PEER, mac_self, FUZZ_IP_SELF);
	rec(&s, 3, f, n);
	/* the held socket, without checksum, and the second address */
	n = sim_build_udp(f, mac_self, mac_peer, FUZZ_IP_PEER, FUZZ_IP_SELF, 5001, 9, payload, 10, 0);
	rec(&s, 0, f, n);
	n = sim_build_udp(f, mac_self, mac_peer, AXIP_IP4(192, 168, 7, 2), AXIP_IP4(192, 168, 7, 1),
	                  5002, 53, payload, 30, 1);
	rec(&s, 0, f, n);
	/* closed port: port unreachable */
	n = sim_build_udp(f, mac_self, mac_peer, FUZZ_IP_PEER, FUZZ_IP_SELF, 5003, 4444, payload, 8, 1);
	rec(&s, 1, f, n);
	write_seed("fuzz_stack_input", "udp", &s);

	/* fragmented UDP to the holding socket, out of order, then one that times out */
	s.n = 0;
	put8(&s, 0);
	n = sim_build_udp(f, mac_self, mac_peer, FUZZ_IP_PEER, FUZZ_IP_SELF, 6000, 9, payload, 3000, 1);
	store_be16(f + 18, 0x1234);
	nf = fragment(f, n, 1480, frags, flen);
	rec(&s, 0, frags[2], flen[2]);
	rec(&s, 0, frags[0], flen[0]);
	rec(&s, 0, frags[1], flen[1]);
	store_be16(f + 18, 0x1235);
	nf = fragment(f, n, 1480, frags, flen);
	rec(&s, 0, frags[0], flen[0]);
	rec(&s, 6, frags[1], flen[1]);
	(void)nf;
	write_seed("fuzz_stack_input", "udp_frag", &s);

	/* UDP echo of a large datagram (sent fragmented), after the peer is known */
	s.n = 0;
	put8(&s, 4);
	n = build_arp(f, mac_bcast, 1, mac_peer, FUZZ_IP_PEER, zero, FUZZ_IP_SELF);
	rec(&s, 0, f, n);
	n = sim_build_udp(f, mac_self, mac_peer, FUZZ_IP_PEER, FUZZ_IP_SELF, 5000, 7, payload, 2000, 1);
	store_be16(f + 18, 0x2000);
	nf = fragment(f, n, 1000, frags, flen);
	for (i = 0; i < nf; i++)
		rec(&s, 0, frags[i], flen[i]);
	write_seed("fuzz_stack_input", "udp_frag_echo", &s);

	/* TCP: SYN with options to the listener, a bad ACK, RST; SYN to a closed port */
	s.n = 0;
	put8(&s, 0);
	n = build_arp(f, mac_bcast, 1, mac_peer, FUZZ_IP_PEER, zero, FUZZ_IP_SELF);
	rec(&s, 0, f, n);
	n = build_tcp(f, FUZZ_IP_PEER, FUZZ_IP_SELF, 40000, 80, 1000, 0, 0x02, 65535, syn_opts, 20, NULL, 0);
	rec(&s, 0, f, n);
	n = build_tcp(f, FUZZ_IP_PEER, FUZZ_IP_SELF, 40000, 80, 1001, 12345, 0x10, 65535, NULL, 0, NULL, 0);
	rec(&s, 1, f, n);
	n = build_tcp(f, FUZZ_IP_PEER, FUZZ_IP_SELF, 40000, 80, 1001, 0, 0x04, 0, NULL, 0, NULL, 0);
	rec(&s, 1, f, n);
	n = build_tcp(f, FUZZ_IP_PEER, FUZZ_IP_SELF, 40001, 81, 5000, 0, 0x02, 65535, syn_opts, 4, NULL, 0);
	rec(&s, 1, f, n);
	/* data with FIN to the listener's port without a connection */
	n = build_tcp(f, FUZZ_IP_PEER, FUZZ_IP_SELF, 40002, 80, 7000, 1, 0x19, 65535, NULL, 0, payload, 50);
	rec(&s, 1, f, n);
	write_seed("fuzz_stack_input", "tcp", &s);

	/* application actions: UDP send to the gateway (ARP retries time out),
	 * TCP connect to the peer, a static neighbour */
	s.n = 0;
	put8(&s, 0);
	rec(&s, REC_ACTION, NULL, 0);
	put8(&s, 0);      /* udp sendto */
	put8(&s, 3);      /* 8.8.8.8 via the gateway */
	put16(&s, 3000); /* fragmented */
	rec(&s, REC_ACTION | 5, NULL, 0);
	put8(&s, 7 | 0x80); /* static neighbour */
	put8(&s, 0);        /* the peer */
	put(&s, mac_peer, 6);
	rec(&s, REC_ACTION, NULL, 0);
	put8(&s, 1); /* tcp connect */
	put8(&s, 0);
	put16(&s, 80);
	rec(&s, REC_ACTION | 3, NULL, 0);
	put8(&s, 3); /* write on it */
	put16(&s, 100);
	put8(&s, 0);
	write_seed("fuzz_stack_input", "actions", &s);

	/* ICMP port unreachable quoting a datagram our echo socket sent */
	s.n = 0;
	put8(&s, 0);
	{
		uint8_t quote[28 + 8], icmp[8 + 36];
		n = sim_build_udp(f, mac_peer, mac_self, FUZZ_IP_SELF, FUZZ_IP_PEER, 7, 5000, payload, 8, 1);
		memcpy(quote, f + 14, 28);
		memcpy(icmp + 8, quote, 28);
		memset(icmp, 0, 8);
		icmp[0] = 3;
		icmp[1] = 3;
		n = sim_build_ipv4(f, mac_self, mac_peer, FUZZ_IP_PEER, FUZZ_IP_SELF, 1, icmp, 8 + 28);
		fuzz_fix_checksums(f, n);
		rec(&s, 0, f, n);
		icmp[1] = 4; /* fragmentation needed, next-hop MTU 1200 */
		store_be16(icmp + 6, 1200);
		n = sim_build_ipv4(f, mac_self, mac_peer, FUZZ_IP_PEER, FUZZ_IP_SELF, 1, icmp, 8 + 28);
		fuzz_fix_checksums(f, n);
		rec(&s, 1, f, n);
	}
	/* an IPv4 header with options (IHL 6, one NOP and EOL) */
	n = sim_build_icmp_echo(f, mac_self, mac_peer, FUZZ_IP_PEER, FUZZ_IP_SELF, 2, 2, payload, 8);
	memmove(f + 38, f + 34, n - 34);
	f[34] = 1;
	f[35] = f[36] = f[37] = 0;
	f[14] = 0x46;
	store_be16(f + 16, (uint16_t)(load_be16(f + 16) + 4));
	rec(&s, REC_FIX, f, n + 4);
	write_seed("fuzz_stack_input", "icmp_errors", &s);

	/* TCP over IPv6: the peer announces itself (neighbour solicitation with
	 * its link-layer address), a SYN with options to the listener, a bad
	 * ACK, a RST, a SYN to a closed port, data with FIN without a
	 * connection, a segment with a wrong checksum, an active open to the
	 * peer and an ICMPv6 error quoting a TCP segment of ours */
	s.n = 0;
	put8(&s, 64);
	{
		static const uint8_t snm_mac[6] = {0x33, 0x33, 0xff, 0, 0, 1};
		static const uint8_t snm[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 1};
		uint8_t ns[32], err[8 + 40 + 20];
		memset(ns, 0, sizeof(ns));
		ns[0] = 135;
		memcpy(ns + 8, ip6_self, 16);
		ns[24] = 1; /* source link-layer address option */
		ns[25] = 1;
		memcpy(ns + 26, mac_peer, 6);
		n = build_ip6(f, snm_mac, ip6_peer, snm, 58, 255, ns, 32);
		rec(&s, REC_FIX, f, n);
		n = build_tcp6(f, 40000, 80, 1000, 0, 0x02, syn_opts, 20, NULL, 0);
		rec(&s, REC_FIX, f, n);
		n = build_tcp6(f, 40000, 80, 1001, 12345, 0x10, NULL, 0, NULL, 0);
		rec(&s, REC_FIX | 1, f, n);
		n = build_tcp6(f, 40000, 80, 1001, 0, 0x04, NULL, 0, NULL, 0);
		rec(&s, REC_FIX | 1, f, n);
		n = build_tcp6(f, 40001, 81, 5000, 0, 0x02, syn_opts, 4, NULL, 0);
		rec(&s, REC_FIX | 1, f, n);
		n = build_tcp6(f, 40002, 80, 7000, 1, 0x19, NULL, 0, payload, 50);
		rec(&s, REC_FIX | 1, f, n);
		n = build_tcp6(f, 40003, 80, 9000, 0, 0x02, syn_opts, 20, NULL, 0);
		rec(&s, 1, f, n); /* checksum left zero: dropped */
		rec(&s, REC_ACTION, NULL, 0);
		put8(&s, 1 | 0x80); /* tcp connect over IPv6 */
		put8(&s, 0);        /* to 2001:db8::2 */
		put16(&s, 80);
		/* destination unreachable, port unreachable, quoting a segment
		 * from our [2001:db8::1]:40000 to the peer's port 80 */
		memset(err, 0, sizeof(err));
		err[0] = 1;
		err[1] = 4;
		n = build_tcp6(f, 80, 40000, 1, 0, 0x02, NULL, 0, NULL, 0);
		memcpy(err + 8, f + 14, 40 + 20);
		memcpy(err + 8 + 8, ip6_self, 16);
		memcpy(err + 8 + 24, ip6_peer, 16);
		store_be16(err + 8 + 40, 40000);
		store_be16(err + 8 + 42, 80);
		n = build_ip6(f, mac_self, ip6_peer, ip6_self, 58, 64, err, sizeof(err));
		rec(&s, REC_FIX | 1, f, n);
	}
	write_seed("fuzz_stack_input", "tcp6", &s);

	/* the same traffic with offloads, tiny pools and MTU 576 */
	s.n = 0;
	put8(&s, 1 | 4 | 8 | 16 | 32);
	n = sim_build_udp(f, mac_self, mac_peer, FUZZ_IP_PEER, FUZZ_IP_SELF, 5000, 7, payload, 1400, 1);
	rec(&s, 0, f, n);
	n = build_arp(f, mac_self, 2, mac_peer, FUZZ_IP_PEER, mac_self, FUZZ_IP_SELF);
	rec(&s, 0, f, n);
	n = build_tcp(f, FUZZ_IP_PEER, FUZZ_IP_SELF, 40000, 80, 1000, 0, 0x02, 65535, syn_opts, 20, NULL, 0);
	rec(&s, 0, f, n);
	write_seed("fuzz_stack_input", "offloads_small", &s);
}

/* ---- fuzz_tcp_states (operation encoding: see do_op() there) ---- */

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10
#define M_INORDER 0x80

/* A well-formed in-order segment from the peer on `flow` with `len` payload bytes. */
static void t_seg(struct seed *s, unsigned flow, uint8_t flags, uint8_t len)
{
	unsigned i;
	put8(s, (uint8_t)(flow << 4));
	put8(s, flags);
	put8(s, M_INORDER);
	put8(s, 0);
	put8(s, len);
	for (i = 0; i < len; i++)
		put8(s, (uint8_t)('a' + i % 26));
}

/* A segment with sequence `seq_delta` bytes ahead of the peer's next (0:
 * next), ACK `ack_back` bytes behind what the instance sent, window `win`,
 * and optionally SACK blocks (nsack pairs of back/len u16 from the
 * instance's next). */
static void t_seg_x(struct seed *s, unsigned flow, uint8_t flags, uint16_t seq_delta,
                    uint16_t ack_back, uint16_t win, uint8_t len, unsigned nsack,
                    const uint16_t *sack)
{
	unsigned i;
	uint8_t mode = (uint8_t)((seq_delta ? 1 : 0) | (ack_back ? 2 << 2 : 0) | 0x20);
	put8(s, (uint8_t)(flow << 4));
	put8(s, flags);
	put8(s, mode);
	put8(s, nsack ? (uint8_t)(3 | (nsack - 1) << 2) : 0);
	if (seq_delta)
		put16(s, seq_delta);
	if (ack_back)
		put16(s, ack_back);
	put16(s, win);
	put8(s, len);
	for (i = 0; i < 2 * nsack; i++)
		put16(s, sack[i]);
	for (i = 0; i < len; i++)
		put8(s, (uint8_t)i);
}

static void t_op(struct seed *s, unsigned kind, unsigned flow)
{
	put8(s, (uint8_t)(kind | flow << 4));
}

static void t_time(struct seed *s, unsigned step, uint8_t ms)
{
	put8(s, (uint8_t)(12 | step << 4));
	put8(s, ms);
}

enum { SC_LISTEN, SC_SYN_RECEIVED, SC_EST_PASSIVE, SC_SYN_SENT, SC_EST_ACTIVE, SC_EST_DATA,
       SC_FIN_WAIT_1, SC_FIN_WAIT_2, SC_CLOSE_WAIT, SC_LAST_ACK, SC_CLOSING, SC_TIME_WAIT };

static void t_start(struct seed *s, uint8_t conf, uint8_t sc)
{
	s->n = 0;
	put8(s, conf);
	put8(s, sc);
}

static void tcp_states_seeds(void)
{
	struct seed s;
	static const uint16_t sack1[2] = {1448, 1448};
	static const uint16_t sack3[6] = {1448, 1448, 600, 300, 200, 100};
	unsigned i;

	/* passive: data both ways, window reopened, FIN from the peer, close */
	t_start(&s, 0xf0, SC_EST_PASSIVE);
	t_seg(&s, 0, F_ACK | F_PSH, 100);
	t_op(&s, 8, 0);
	put16(&s, 100);
	t_op(&s, 7, 0);
	put16(&s, 2000);
	t_seg(&s, 0, F_ACK, 0);
	t_seg(&s, 0, F_ACK | F_FIN, 0);
	t_op(&s, 10, 0);
	t_seg(&s, 0, F_ACK, 0);
	write_seed("fuzz_tcp_states", "passive_data_close", &s);

	/* the listener: handshakes on both passive flows, an RST, SYN flood
	 * with tiny pools (SYN cookies), a handshake completed by cookie */
	t_start(&s, 0x08 | 0xf0, SC_LISTEN);
	t_seg(&s, 0, F_SYN, 0);
	t_seg(&s, 1, F_SYN, 0);
	t_seg(&s, 1, F_ACK, 0);
	t_seg(&s, 0, F_RST, 0);
	t_time(&s, 4, 0);
	write_seed("fuzz_tcp_states", "listen_cookies", &s);

	/* the same without options (MSS 536, no timestamps) */
	t_start(&s, 0x00, SC_LISTEN);
	t_seg(&s, 0, F_SYN, 0);
	t_seg(&s, 0, F_ACK | F_PSH, 50);
	t_seg(&s, 0, F_ACK | F_FIN, 0);
	t_time(&s, 2, 0);
	write_seed("fuzz_tcp_states", "listen_no_options", &s);

	/* SYN-RECEIVED: retransmitted SYN-ACKs, then the peer gives up */
	t_start(&s, 0xf0, SC_SYN_RECEIVED);
	t_time(&s, 4, 0);
	t_seg(&s, 0, F_SYN, 0);
	t_time(&s, 6, 0);
	write_seed("fuzz_tcp_states", "syn_received", &s);

	/* SYN-SENT: a SYN-ACK with a wrong ACK, then RST with the right one */
	t_start(&s, 0x70, SC_SYN_SENT);
	t_seg_x(&s, 2, F_SYN | F_ACK, 0, 5, 65535, 0, 0, NULL);
	t_seg(&s, 2, F_RST | F_ACK, 0);
	t_op(&s, 13, 3);
	t_time(&s, 4, 0);
	write_seed("fuzz_tcp_states", "syn_sent", &s);

	/* data in flight: out-of-order data, SACK, duplicate ACKs, RTO */
	t_start(&s, 0xf0, SC_EST_DATA);
	t_seg_x(&s, 2, F_ACK, 1000, 2896, 65535, 200, 0, NULL);
	/* 2896 bytes are in flight (Nagle holds the last 104): the second
	 * segment is SACKed, then three duplicate ACKs */
	t_seg_x(&s, 2, F_ACK, 0, 2896, 65535, 0, 1, sack1);
	t_seg_x(&s, 2, F_ACK, 0, 2896, 65535, 0, 3, sack3);
	t_seg_x(&s, 2, F_ACK, 0, 2896, 65535, 0, 3, sack3);
	t_seg_x(&s, 2, F_ACK, 0, 2896, 65535, 0, 3, sack3);
	t_time(&s, 3, 100);
	t_time(&s, 4, 0);
	t_seg(&s, 2, F_ACK, 0);
	t_seg(&s, 2, F_ACK | F_PSH, 255);
	write_seed("fuzz_tcp_states", "est_sack_rto", &s);

	/* NewReno, no SACK: three duplicate ACKs, partial ACK, zero window */
	t_start(&s, 0x90, SC_EST_DATA);
	t_op(&s, 14, 2);
	put8(&s, 2); /* AXIP_TCP_OPT_CC */
	put32(&s, AXIP_TCP_CC_NEWRENO);
	for (i = 0; i < 4; i++)
		t_seg_x(&s, 2, F_ACK, 0, 2896, 65535, 0, 0, NULL);
	t_seg_x(&s, 2, F_ACK, 0, 1448, 0, 0, 0, NULL);
	t_time(&s, 4, 0);
	t_time(&s, 5, 0);
	t_seg(&s, 2, F_ACK, 0);
	write_seed("fuzz_tcp_states", "est_newreno_zero_window", &s);

	/* receiver side: window closes (no recved), probes, reopen */
	t_start(&s, 0xb0, SC_EST_ACTIVE);
	for (i = 0; i < 6; i++)
		t_seg(&s, 2, F_ACK | F_PSH, 255);
	t_time(&s, 2, 0);
	t_op(&s, 8, 2);
	put16(&s, 1000);
	t_seg(&s, 2, F_ACK | F_PSH, 255);
	t_op(&s, 14, 2);
	put8(&s, 1); /* keepalive */
	put32(&s, 1);
	t_time(&s, 7, 0);
	write_seed("fuzz_tcp_states", "est_recv_window", &s);

	/* FIN-WAIT-1: RST and SYN in the window (challenge ACKs), then the ACK */
	t_start(&s, 0xf0, SC_FIN_WAIT_1);
	t_seg_x(&s, 2, F_RST, 10, 0, 65535, 0, 0, NULL);
	t_seg_x(&s, 2, F_SYN, 10, 0, 65535, 0, 0, NULL);
	t_seg(&s, 2, F_ACK, 0);
	t_seg(&s, 2, F_ACK | F_PSH, 20);
	write_seed("fuzz_tcp_states", "fin_wait_1", &s);

	/* FIN-WAIT-2: data, then FIN (TIME-WAIT), then the timeout */
	t_start(&s, 0xf0, SC_FIN_WAIT_2);
	t_seg(&s, 2, F_ACK | F_PSH, 30);
	t_seg(&s, 2, F_ACK | F_FIN, 0);
	t_time(&s, 7, 0);
	write_seed("fuzz_tcp_states", "fin_wait_2", &s);

	/* CLOSE-WAIT: the application writes, shuts down */
	t_start(&s, 0x30, SC_CLOSE_WAIT);
	t_op(&s, 7, 2);
	put16(&s, 5000);
	t_seg(&s, 2, F_ACK, 0);
	t_op(&s, 9, 2);
	t_seg(&s, 2, F_ACK, 0);
	write_seed("fuzz_tcp_states", "close_wait", &s);

	/* LAST-ACK: FIN retransmissions until the peer ACKs */
	t_start(&s, 0xf0, SC_LAST_ACK);
	t_time(&s, 3, 0);
	t_time(&s, 4, 0);
	t_seg(&s, 2, F_ACK, 0);
	write_seed("fuzz_tcp_states", "last_ack", &s);

	/* CLOSING: the ACK of our FIN, then a retransmitted FIN in TIME-WAIT */
	t_start(&s, 0xf0, SC_CLOSING);
	t_seg(&s, 2, F_ACK, 0);
	t_seg_x(&s, 2, F_ACK | F_FIN, 0, 0, 65535, 0, 0, NULL);
	write_seed("fuzz_tcp_states", "closing", &s);

	/* TIME-WAIT: the peer's FIN again, data, a new connection from the app */
	t_start(&s, 0xf0, SC_TIME_WAIT);
	t_seg_x(&s, 2, F_ACK | F_FIN, 0, 0, 65535, 0, 0, NULL);
	t_seg(&s, 2, F_ACK | F_PSH, 10);
	t_op(&s, 13, 2);
	t_time(&s, 7, 0);
	write_seed("fuzz_tcp_states", "time_wait", &s);

	/* ICMP errors on a connection with data in flight: fragmentation needed, unreachable */
	t_start(&s, 0xf0, SC_EST_DATA);
	t_op(&s, 15, 2);
	put8(&s, 3);
	put8(&s, 4);
	put16(&s, 1000);
	put16(&s, 3000);
	t_op(&s, 15, 2);
	put8(&s, 3);
	put8(&s, 1);
	put16(&s, 0);
	put16(&s, 1000);
	t_time(&s, 4, 0);
	write_seed("fuzz_tcp_states", "icmp_errors", &s);

	/* offloads and scatter-gather, abort with data queued */
	t_start(&s, 0xf7, SC_EST_PASSIVE);
	t_op(&s, 7, 0);
	put16(&s, 12000);
	t_seg(&s, 0, F_ACK | F_PSH, 100);
	t_op(&s, 11, 0);
	write_seed("fuzz_tcp_states", "offloads_abort", &s);

	/* over IPv6 (scenario bit 7): passive data and close, as above */
	t_start(&s, 0xf0, 0x80 | SC_EST_PASSIVE);
	t_seg(&s, 0, F_ACK | F_PSH, 100);
	t_op(&s, 8, 0);
	put16(&s, 100);
	t_op(&s, 7, 0);
	put16(&s, 2000);
	t_seg(&s, 0, F_ACK, 0);
	t_seg(&s, 0, F_ACK | F_FIN, 0);
	t_op(&s, 10, 0);
	t_seg(&s, 0, F_ACK, 0);
	write_seed("fuzz_tcp_states", "ip6_passive_data_close", &s);

	/* IPv6, active open with data in flight: ICMPv6 packet too big (MTU
	 * 1000 + 280), then destination unreachable (port, code 4), a lost
	 * segment's RTO */
	t_start(&s, 0xf0, 0x80 | SC_EST_DATA);
	t_op(&s, 15, 2);
	put8(&s, 1);
	put8(&s, 0);
	put16(&s, 280);
	put16(&s, 3000);
	t_op(&s, 15, 2);
	put8(&s, 0);
	put8(&s, 4);
	put16(&s, 0);
	put16(&s, 1000);
	t_time(&s, 4, 0);
	write_seed("fuzz_tcp_states", "ip6_icmp_errors", &s);

	/* IPv6 with offloads, FIN-WAIT-2 to TIME-WAIT and its expiry */
	t_start(&s, 0xf7, 0x80 | SC_FIN_WAIT_2);
	t_seg(&s, 2, F_ACK | F_FIN, 0);
	t_time(&s, 6, 0);
	write_seed("fuzz_tcp_states", "ip6_fin_wait_2", &s);
}

/* ---- fuzz_http_request ---- */

static void http_seed(const char *name, uint8_t conf, const char *text)
{
	struct seed s;
	s.n = 0;
	put8(&s, conf);
	put8(&s, 7);
	put(&s, text, strlen(text));
	write_seed("fuzz_http_request", name, &s);
}

static void http_request_seeds(void)
{
	const uint8_t dflt = 3 | 3 << 2 | 3 << 4 | 3 << 6;
	http_seed("get", dflt, "GET /index.html HTTP/1.1\r\nHost: example\r\nUser-Agent: x\r\n\r\n");
	http_seed("pipelined", dflt,
	          "GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b?q=1 HTTP/1.1\r\nHost: h\r\n"
	          "Connection: close\r\n\r\n");
	http_seed("body", dflt,
	          "GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET /y HTTP/1.0\r\n\r\n");
	http_seed("http10_keepalive", dflt,
	          "GET / HTTP/1.0\r\nConnection: keep-alive, Upgrade\r\n\r\n");
	http_seed("absolute_form", dflt, "GET http://10.0.0.1:8080/%7Euser/./a/../b HTTP/1.1\r\nHost: 10.0.0.1\r\n\r\n");
	http_seed("traversal", dflt, "GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: h\r\n\r\nGET /a/..%2f..%2fb HTTP/1.1\r\nHost: h\r\n\r\n");
	http_seed("chunked", dflt, "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
	http_seed("bad_version", dflt, "GET / HTTP/2.0\r\nHost: h\r\n\r\n");
	http_seed("unknown_method", dflt, "BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n");
	http_seed("obs_fold", dflt, "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n");
	http_seed("dup_content_length", dflt,
	          "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
	http_seed("small_limits", 0, "GET /a-rather-long-target HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n");
	http_seed("bare_lf", dflt, "GET / HTTP/1.1\nHost: h\n\n");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	sim_host_mac(0, mac_self);
	sim_host_mac(1, mac_peer);
	stack_input_seeds();
	tcp_states_seeds();
	http_request_seeds();
	return 0;
}
