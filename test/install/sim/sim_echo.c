/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sim_echo - built out of tree against an installed axip with pkg-config
 * (test/install/install.sh): two instances joined by a loopback "wire" of
 * its own (an environment of malloc'ed buffers), UDP echo from one to the
 * other through ARP resolution. Uses only the installed headers and library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <axip/axip.h>
#include <axip/version.h>

#define BUF_SIZE 2048
#define HEADROOM 128
#define QMAX 64

struct buf {
	int refs;
	axip_u8 mem[BUF_SIZE];
};

struct host {
	struct axip_stack *s;
	struct host *peer;
	struct buf *q[QMAX];   /* frames on the wire towards this host */
	axip_u32 qlen[QMAX];
	unsigned n;
	void *mem;
};

static void *buf_alloc(void *ctx, axip_u8 **mem, axip_u32 *size)
{
	struct buf *b = malloc(sizeof *b);
	(void)ctx;
	if (!b)
		return NULL;
	b->refs = 1;
	*mem = b->mem;
	*size = BUF_SIZE;
	return b;
}

static void buf_free(void *ctx, void *p)
{
	struct buf *b = p;
	(void)ctx;
	if (--b->refs == 0)
		free(b);
}

static void buf_ref(void *ctx, void *p)
{
	(void)ctx;
	((struct buf *)p)->refs++;
}

/* Copy the frame (and its sg chain) onto the wire towards the peer. */
static int tx(void *ctx, struct axip_pkt *pkt)
{
	struct host *h = ctx, *to = h->peer;
	struct buf *b = NULL;
	axip_u32 len = 0;
	struct axip_pkt *p;
	if (to->n < QMAX && (b = malloc(sizeof *b)) != NULL) {
		b->refs = 1;
		for (p = pkt; p; p = p->sg_next) {
			if (len + p->len > BUF_SIZE - HEADROOM)
				break;
			memcpy(b->mem + HEADROOM + len, p->data, p->len);
			len += p->len;
		}
		to->q[to->n] = b;
		to->qlen[to->n++] = len;
	}
	for (p = pkt; p; p = p->sg_next)
		buf_free(ctx, p->buf);
	return b ? 0 : -1;
}

static const struct axip_env_ops ops = { buf_alloc, buf_free, buf_ref, tx, NULL };

static int host_init(struct host *h, struct axip_env *env, unsigned i)
{
	struct axip_config cfg;
	axip_size n;
	axip_config_defaults(&cfg);
	memcpy(cfg.mac, (axip_u8[6]){ 0x02, 0, 0, 0, 0, (axip_u8)(i + 1) }, 6);
	cfg.n_addrs = 1;
	cfg.addrs[0].addr = AXIP_IP4(10, 9, 0, i + 1);
	cfg.addrs[0].prefix_len = 24;
	cfg.secret[0] = (axip_u8)(i + 1);
	env->ops = &ops;
	env->ctx = h;
	if (axip_mem_size(&cfg, &n) != AXIP_OK || !(h->mem = malloc(n)))
		return -1;
	return axip_init(h->mem, n, &cfg, env, 0, &h->s);
}

/* Deliver what is on the wire towards h. Returns the number of frames. */
static unsigned deliver(struct host *h, axip_time_ns now)
{
	struct axip_rx_frame f[QMAX];
	unsigned i, n = h->n;
	for (i = 0; i < n; i++) {
		memset(&f[i], 0, sizeof f[i]);
		f[i].buf = h->q[i];
		f[i].data = h->q[i]->mem + HEADROOM;
		f[i].len = h->qlen[i];
		f[i].headroom = HEADROOM;
		f[i].tailroom = BUF_SIZE - HEADROOM - h->qlen[i];
	}
	h->n = 0;
	if (n)
		axip_rx(h->s, f, n, now);
	return n;
}

static int replies;

static void on_echo(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m,
                    struct axip_pkt *payload)
{
	axip_u8 data[64];
	axip_u32 n = axip_pkt_copy_out(payload, 0, data, sizeof data);
	axip_pkt_free(arg, payload);
	(void)axip_udp_sendto(sock, m->src_addr, m->src_port, data, n);
}

static void on_reply(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m,
                     struct axip_pkt *payload)
{
	axip_u8 data[64];
	axip_u32 n = axip_pkt_copy_out(payload, 0, data, sizeof data);
	(void)sock;
	(void)m;
	axip_pkt_free(arg, payload);
	if (n == 5 && !memcmp(data, "hello", 5))
		replies++;
}

int main(void)
{
	struct host a = { 0 }, b = { 0 };
	struct axip_env ea, eb;
	struct axip_udp *ua, *ub;
	axip_time_ns now = 0;
	int i;
	if (strcmp(axip_version(), AXIP_VERSION)) {
		fprintf(stderr, "sim_echo: library %s, headers %s\n", axip_version(), AXIP_VERSION);
		return 1;
	}
	a.peer = &b;
	b.peer = &a;
	memset(&ea, 0, sizeof ea);
	memset(&eb, 0, sizeof eb);
	if (host_init(&a, &ea, 0) || host_init(&b, &eb, 1) ||
	    axip_udp_open(b.s, 0, 7, on_echo, b.s, &ub) ||
	    axip_udp_open(a.s, 0, 4000, on_reply, a.s, &ua)) {
		fprintf(stderr, "sim_echo: init failed\n");
		return 1;
	}
	for (i = 0; i < 3; i++) {
		if (axip_udp_sendto(ua, AXIP_IP4(10, 9, 0, 2), 7, "hello", 5) != AXIP_OK) {
			fprintf(stderr, "sim_echo: send failed\n");
			return 1;
		}
		axip_flush(a.s);
	}
	for (i = 0; i < 1000 && replies < 3; i++) {
		now += AXIP_MS(1);
		deliver(&b, now);
		deliver(&a, now);
		axip_poll(a.s, now);
		axip_poll(b.s, now);
	}
	printf("sim_echo: axip %s, %d of 3 UDP echoes, udp_rx %llu\n", axip_version(), replies,
	       (unsigned long long)axip_counters(a.s)->udp_rx);
	return replies == 3 ? 0 : 1;
}
