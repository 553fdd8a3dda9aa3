/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_stack_input.c - the core's whole receive path from fuzzer-made frames.
 *
 * One instance (fuzz_config: 10.0.0.1/24 and 192.168.7.1/30, gateway
 * 10.0.0.254) with a UDP echo socket (port 7, error callback set), a UDP
 * socket that holds its datagrams (port 9, zero-copy payloads kept across
 * later frames), and a TCP listener on port 80 whose connections answer
 * data and close when the peer does (with IPv6 on, one on [::]:80 too).
 * The input is a sequence of records:
 *
 *   byte 0          configuration: bit 0 RX checksum offload, bit 1 trusted
 *                   link (no RX checksum checks), bit 2 TX checksum offload
 *                   and scatter-gather, bit 3 TSO, bit 4 tiny pools,
 *                   bit 5 MTU 576, bit 6 IPv6 on (2001:db8::1/64 and the
 *                   link-local address, no DAD; not with MTU 576) with a
 *                   UDP echo socket on port 7 and a TCP listener on port 80
 *   then records:   ctl, len (2 bytes, big-endian), len frame bytes
 *     ctl bits 0-2  advance the clock first (fuzz_time_step) and poll
 *     ctl bit 3     fix the IPv4 and L4 checksums of the frame (of an IPv6
 *                   frame: the ICMPv6/UDP/TCP checksum right after its
 *                   header)
 *     ctl bit 4     split the frame into buffers of (next byte + 1) bytes
 *                   chained with AXIP_RX_MORE
 *     ctl bit 5     deliver the frame twice
 *     ctl bit 6     then perform an application action (next bytes)
 *
 * At the end every held payload is released, every connection the
 * application holds is aborted, the clock runs an hour on, and all buffers,
 * packet objects and connections must be back (fuzz_settle_and_check).
 */
#include "fuzz_util.h"

#define MAX_CONNS 16
#define MAX_HELD 8
#define MAX_FRAME 9300

struct app {
	struct axip_stack *s;
	struct axip_udp *echo, *hold, *other, *echo6;
	struct axip_tcp *conns[MAX_CONNS];
	unsigned n_conns;
	struct axip_pkt *held[MAX_HELD];
	unsigned n_held;
};

static void conn_add(struct app *a, struct axip_tcp *c)
{
	FUZZ_CHECK(a->n_conns < MAX_CONNS);
	a->conns[a->n_conns++] = c;
}

static void conn_remove(struct app *a, struct axip_tcp *c)
{
	unsigned i;
	for (i = 0; i < a->n_conns; i++) {
		if (a->conns[i] == c) {
			a->conns[i] = a->conns[--a->n_conns];
			return;
		}
	}
	/* `closed` for a handle the application never had */
	FUZZ_CHECK(0);
}

static void tcp_connected(void *arg, struct axip_tcp *c)
{
	(void)arg;
	axip_tcp_write(c, "GET / HTTP/1.0\r\n\r\n", 18, 0);
}

static void tcp_recv(void *arg, struct axip_tcp *c, struct axip_pkt *data)
{
	struct app *a = arg;
	axip_u32 n = axip_pkt_chain_len(data);
	axip_pkt_free(a->s, data);
	axip_tcp_recved(c, n);
	axip_tcp_write(c, "ok\n", 3, 0);
}

static void tcp_peer_closed(void *arg, struct axip_tcp *c)
{
	(void)arg;
	axip_tcp_close(c);
}

static void tcp_closed(void *arg, struct axip_tcp *c, int err)
{
	(void)err;
	conn_remove(arg, c);
}

static const struct axip_tcp_callbacks app_cb = {tcp_connected, tcp_recv, tcp_peer_closed, NULL,
                                                 tcp_closed};

static int tcp_accept(void *arg, struct axip_tcp *c, const struct axip_tcp_callbacks **cb, void **cb_arg)
{
	struct app *a = arg;
	if (a->n_conns == MAX_CONNS)
		return AXIP_E_NOMEM;
	conn_add(a, c);
	*cb = &app_cb;
	*cb_arg = a;
	return AXIP_OK;
}

static void udp_echo(void *arg, struct axip_udp *sock, const struct axip_udp_meta *meta,
                     struct axip_pkt *payload)
{
	struct app *a = arg;
	uint8_t buf[2048];
	axip_u32 n = axip_pkt_copy_out(payload, 0, buf, sizeof(buf));
	axip_pkt_free(a->s, payload);
	axip_udp_sendto(sock, meta->src_addr, meta->src_port, buf, n);
}

static void udp_echo6(void *arg, struct axip_udp *sock, const struct axip_udp_meta *meta,
                      struct axip_pkt *payload)
{
	struct app *a = arg;
	FUZZ_CHECK(meta->family == 6);
	axip_udp_send_pkt6(sock, meta->src_addr6, meta->src_port, payload);
	(void)a;
}

static void udp_error(void *arg, struct axip_udp *sock, const struct axip_udp_meta *meta, int err)
{
	(void)arg;
	(void)sock;
	(void)meta;
	FUZZ_CHECK(err == AXIP_E_REFUSED || err == AXIP_E_MSGSIZE || err == AXIP_E_UNREACH);
}

static void udp_hold(void *arg, struct axip_udp *sock, const struct axip_udp_meta *meta,
                     struct axip_pkt *payload)
{
	struct app *a = arg;
	(void)sock;
	(void)meta;
	if (a->n_held == MAX_HELD) {
		axip_pkt_free(a->s, a->held[0]);
		memmove(a->held, a->held + 1, (MAX_HELD - 1) * sizeof(a->held[0]));
		a->n_held--;
	}
	a->held[a->n_held++] = payload;
}

static void release_held(struct app *a)
{
	unsigned i;
	for (i = 0; i < a->n_held; i++) {
		/* the payload is still intact and readable */
		uint8_t tmp[16];
		axip_pkt_copy_out(a->held[i], 0, tmp, sizeof(tmp));
		axip_pkt_free(a->s, a->held[i]);
	}
	a->n_held = 0;
}

static axip_u32 pick_addr(uint8_t b)
{
	static const axip_u32 addrs[8] = {
		FUZZ_IP_PEER, FUZZ_IP_GW, AXIP_IP4(10, 0, 0, 77), AXIP_IP4(8, 8, 8, 8),
		AXIP_IP4(10, 0, 0, 255), AXIP_IP4(255, 255, 255, 255), AXIP_IP4(192, 168, 7, 2), 0};
	return addrs[b & 7];
}

static const uint8_t *pick_addr6(uint8_t b)
{
	/* the peer (global, link-local), off-link, a group, unspecified */
	static const uint8_t addrs[5][16] = {
		{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
		{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 2},
		{0x20, 0x01, 0x0d, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
		{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
		{0}};
	return addrs[b % 5u];
}

static void app_action(struct app *a, struct fuzz_in *in)
{
	static const uint8_t filler[4096];
	uint8_t op = fin_u8(in);
	struct axip_tcp *c = a->n_conns ? a->conns[(op >> 3) % a->n_conns] : NULL;
	switch (op & 7) {
	case 0: {
		axip_u32 dst = pick_addr(fin_u8(in));
		axip_u16 len = (axip_u16)(fin_u16(in) & 0x3fff);
		static uint8_t big[0x4000];
		axip_udp_sendto(a->echo, dst, 7, big, len);
		break;
	}
	case 1: {
		/* op bit 7: over IPv6 (AXIP_E_STATE when it is off) */
		uint8_t b = fin_u8(in);
		axip_u32 dst = pick_addr(b);
		axip_u16 port = fin_u16(in);
		struct axip_tcp *nc = NULL;
		if (a->n_conns < MAX_CONNS &&
		    ((op & 0x80) ? axip_tcp_connect6(a->s, NULL, 0, pick_addr6(b), port, &app_cb, a,
		                                     NULL, &nc)
		                 : axip_tcp_connect(a->s, dst, port, &app_cb, a, NULL, &nc)) == AXIP_OK)
			conn_add(a, nc);
		break;
	}
	case 2:
		release_held(a);
		break;
	case 3:
		if (c)
			axip_tcp_write(c, filler, fin_u16(in) & 0xfff, fin_u8(in) & AXIP_TCP_MORE);
		break;
	case 4:
		if (c)
			axip_tcp_close(c);
		break;
	case 5:
		if (c)
			axip_tcp_abort(c);
		break;
	case 6:
		if (c)
			axip_tcp_shutdown(c);
		break;
	default: {
		axip_u32 addr = pick_addr(fin_u8(in));
		uint8_t mac[6];
		size_t got, i;
		const uint8_t *m = fin_bytes(in, 6, &got);
		memset(mac, 0, sizeof(mac));
		for (i = 0; i < got; i++)
			mac[i] = m[i];
		axip_neigh_set(a->s, addr, mac, op >> 7);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct axip_config cfg;
	struct sim_single *h;
	struct app a;
	struct axip_tcp_listener *l = NULL, *l6 = NULL;
	uint8_t conf = fin_u8(&in);
	uint32_t caps = 0, bufs0;
	axip_time_ns now = AXIP_SEC(1);
	static uint8_t frame[MAX_FRAME];

	if (conf & 1)
		caps |= AXIP_CAP_RX_IP_CSUM | AXIP_CAP_RX_L4_CSUM;
	if (conf & 2)
		caps |= AXIP_CAP_TRUSTED_CSUM;
	if (conf & 4)
		caps |= AXIP_CAP_TX_IP_CSUM | AXIP_CAP_TX_L4_CSUM | AXIP_CAP_SG;
	if (conf & 8)
		caps |= AXIP_CAP_TSO;
	fuzz_config(&cfg, conf & 16, conf & 32);
	if ((conf & 64) && !(conf & 32)) {
		static const uint8_t gl[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		                               0, 0, 0, 0, 0, 0, 0, 1};
		cfg.ip6_enable = 1;
		cfg.nd6_dad_transmits = 0;
		cfg.n_addrs6 = 1;
		memcpy(cfg.addrs6[0].addr, gl, 16);
		cfg.addrs6[0].prefix_len = 64;
	}
	h = sim_single_new(&cfg, caps);
	memset(&a, 0, sizeof(a));
	a.s = sim_single_stack(h);
	fuzz_drain_tx(h);
	bufs0 = sim_single_bufs_in_use(h);

	FUZZ_CHECK(axip_udp_open(a.s, 0, 7, udp_echo, &a, &a.echo) == AXIP_OK);
	axip_udp_set_error_cb(a.echo, udp_error, &a);
	FUZZ_CHECK(axip_udp_open(a.s, FUZZ_IP_SELF, 9, udp_hold, &a, &a.hold) == AXIP_OK);
	FUZZ_CHECK(axip_udp_open(a.s, AXIP_IP4(192, 168, 7, 1), 53, udp_echo, &a, &a.other) == AXIP_OK);
	FUZZ_CHECK(axip_tcp_listen(a.s, 0, 80, 0, tcp_accept, &a, NULL, &l) == AXIP_OK);
	if (cfg.ip6_enable) {
		FUZZ_CHECK(axip_udp_open6(a.s, NULL, 7, udp_echo6, &a, &a.echo6) == AXIP_OK);
		FUZZ_CHECK(axip_tcp_listen6(a.s, NULL, 80, 0, tcp_accept, &a, NULL, &l6) == AXIP_OK);
	}

	while (fin_left(&in)) {
		uint8_t ctl = fin_u8(&in);
		size_t len = fin_u16(&in), got;
		const uint8_t *src = fin_bytes(&in, len > MAX_FRAME ? MAX_FRAME : len, &got);
		uint32_t split = 0;
		if (ctl & 7) {
			now += fuzz_time_step(ctl);
			sim_single_poll(h, now);
		}
		memcpy(frame, src, got);
		if (ctl & 8) {
			fuzz_fix_checksums(frame, (uint32_t)got);
			fuzz_fix_ip6_checksum(frame, (uint32_t)got);
		}
		if (ctl & 16)
			split = (uint32_t)fin_u8(&in) + 1;
		if (got) {
			sim_single_rx_split(h, frame, (uint32_t)got, now, split);
			if (ctl & 32)
				sim_single_rx_split(h, frame, (uint32_t)got, now, split);
		}
		if (ctl & 64)
			app_action(&a, &in);
		fuzz_drain_tx(h);
	}

	release_held(&a);
	while (a.n_conns) {
		unsigned before = a.n_conns;
		axip_tcp_abort(a.conns[0]);
		FUZZ_CHECK(a.n_conns == before - 1); /* abort reports `closed` at once */
	}
	axip_tcp_listener_close(l);
	if (l6)
		axip_tcp_listener_close(l6);
	axip_udp_close(a.echo);
	axip_udp_close(a.hold);
	axip_udp_close(a.other);
	if (a.echo6)
		axip_udp_close(a.echo6);
	fuzz_settle_and_check(h, now, bufs0);
	sim_single_free(h);
	return 0;
}
