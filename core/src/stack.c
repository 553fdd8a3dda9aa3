/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stack.c - instance life cycle, configuration, receive batches, timers, flush.
 */
#include "stack_internal.h"
#include "wire.h"
#include "../include/axip/tcp.h"
#include "arp.h"
#include "ipv4.h"
#include "icmp.h"
#include "udp.h"
#include "tcp.h"
#include "sock.h"
#include "ipv6.h"
#include "icmp6.h"
#include "nd6.h"
#include "tcp_cc.h"

void axip_config_defaults(struct axip_config *cfg)
{
	mem_zero(cfg, sizeof(*cfg));
	cfg->mtu = 1500;
	cfg->pkt_objects = 4096;
	cfg->arp_entries = 64;
	cfg->arp_queue_len = 8;
	cfg->arp_retries = 3;
	cfg->arp_retry_ns = AXIP_SEC(1);
	cfg->arp_reachable_ns = AXIP_SEC(60);
	cfg->arp_gratuitous = 1;
	cfg->frag_slots = 16;
	cfg->frag_max_bytes = 256u * 1024u;
	cfg->frag_max_per_datagram = 64;
	cfg->frag_timeout_ns = AXIP_SEC(30);
	cfg->icmp_rate_per_sec = 100;
	cfg->icmp_burst = 50;
	cfg->udp_sockets = 64;
	cfg->tcp_conns = 1024;
	cfg->tcp_listeners = 16;
	cfg->tcp_syn_backlog = 128;
	cfg->tcp_ooo_max_bytes = 4u * 1024u * 1024u;
	cfg->tcp_ephemeral_lo = 32768;
	cfg->tcp_ephemeral_hi = 60999;
	cfg->tcp_time_wait_ns = AXIP_SEC(60);
	cfg->tcp_rto_min_ns = AXIP_MS(200);
	cfg->tcp_rto_max_ns = AXIP_SEC(60);
	cfg->tcp_max_retries = 15;
	cfg->tcp_syn_retries = 6;
	cfg->tcp_sndbuf = 256u * 1024u;
	cfg->tcp_rcvbuf = 256u * 1024u;
	cfg->tcp_cc = AXIP_TCP_CC_CUBIC;
	cfg->tcp_delack_ns = AXIP_MS(40);
	cfg->tcp_challenge_ack_per_sec = 1000;
	cfg->sock_max = 1024;
	cfg->sock_epoll_items = 1024;
	cfg->sock_accept_max = 4096;
	cfg->sock_udp_rcvbuf = 256u * 1024u;
	cfg->ip6_hop_limit = 64;
	cfg->nd6_entries = 64;
	cfg->nd6_queue_len = 8;
	/* RFC 4861 10 */
	cfg->nd6_max_mcast_solicit = 3;
	cfg->nd6_max_ucast_solicit = 3;
	cfg->nd6_retrans_ns = AXIP_SEC(1);
	cfg->nd6_reachable_ns = AXIP_SEC(30);
	cfg->nd6_delay_first_probe_ns = AXIP_SEC(5);
	cfg->nd6_dad_transmits = 1; /* RFC 4862 5.1 */
	cfg->frag6_slots = 16;
	cfg->frag6_max_bytes = 256u * 1024u;
	cfg->frag6_max_per_datagram = 64;
	cfg->frag6_timeout_ns = AXIP_SEC(60); /* RFC 8200 4.5 */
	cfg->pmtu6_entries = 16;
	cfg->pmtu6_timeout_ns = AXIP_SEC(600); /* RFC 8201 4 */
}

static int mac_valid(const axip_u8 *m)
{
	/* not all-zero, not a group address (I/G bit) */
	return (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) != 0 && (m[0] & 1u) == 0;
}

static axip_u32 prefix_mask(axip_u8 len)
{
	return len == 0 ? 0 : (axip_u32)(0xffffffffu << (32u - len));
}

static int config_valid(const struct axip_config *c)
{
	axip_u32 i, gw_ok = 0;
	if (!mac_valid(c->mac))
		return 0;
	if (c->n_addrs < 1 || c->n_addrs > AXIP_MAX_ADDRS)
		return 0;
	for (i = 0; i < c->n_addrs; i++) {
		axip_u32 a = c->addrs[i].addr;
		axip_u8 pl = c->addrs[i].prefix_len;
		if (pl < 1 || pl > 32)
			return 0;
		/* unicast only: not 0/8, not 127/8, not class D/E */
		if ((a >> 24) == 0 || (a >> 24) == 127 || (a >> 28) >= 14)
			return 0;
		if (c->gateway && (c->gateway & prefix_mask(pl)) == (a & prefix_mask(pl)))
			gw_ok = 1;
	}
	if (c->gateway && !gw_ok)
		return 0;
	if (c->mtu < 576 || c->mtu > 9216)
		return 0;
	if (c->pkt_objects < 16 || c->pkt_objects > (1u << 24))
		return 0;
	if (c->arp_entries < 1 || c->arp_entries > 65536 || c->arp_queue_len > 1024 ||
	    c->arp_retries < 1 || c->arp_retry_ns == 0 || c->arp_reachable_ns == 0)
		return 0;
	if (c->frag_slots > 4096 || c->frag_max_per_datagram < 2 ||
	    c->frag_max_per_datagram > 8192 || c->frag_timeout_ns == 0)
		return 0;
	if (c->icmp_burst < 1 && c->icmp_rate_per_sec > 0)
		return 0;
	if (c->udp_sockets > 65536)
		return 0;
	if (c->tcp_conns > (1u << 22) || c->tcp_listeners > 65536 || c->tcp_syn_backlog < 1)
		return 0;
	if (c->tcp_ephemeral_lo < 1024 || c->tcp_ephemeral_hi < c->tcp_ephemeral_lo)
		return 0;
	if (c->tcp_rto_min_ns == 0 || c->tcp_rto_max_ns < c->tcp_rto_min_ns ||
	    c->tcp_max_retries < 1 || c->tcp_syn_retries < 1)
		return 0;
	if (c->tcp_sndbuf < 4096 || c->tcp_rcvbuf < 4096 || c->tcp_rcvbuf > (1u << 30) ||
	    c->tcp_sndbuf > (1u << 30))
		return 0;
	if (!tcp_cc_get(c->tcp_cc))
		return 0; /* not in the table of algorithms (tcp_cc.h) */
	if (c->tcp_delack_ns > AXIP_MS(500))
		return 0; /* RFC 9293 3.8.6.3: an ACK must not be delayed more than 0.5 s */
	if (c->sock_max > (1u << 20) || c->sock_epoll_items > (1u << 22) ||
	    c->sock_accept_max < 1 || c->sock_accept_max > 65535u || c->sock_udp_rcvbuf < 2048u ||
	    c->sock_udp_rcvbuf > (1u << 30))
		return 0;
	return ipv6_config_valid(c);
}

/* Lay out the whole instance. With a dry carve it only counts, using
 * `scratch` as the instance so modules can read s->cfg. */
static struct axip_stack *layout(struct carve *c, const struct axip_config *cfg,
                                 struct axip_stack *scratch)
{
	struct axip_stack *s = (struct axip_stack *)carve(c, sizeof(struct axip_stack), 16u);
	struct axip_pkt *objs;

	if (!s)
		s = scratch;
	mem_zero(s, sizeof(*s));
	/* not `s->cfg = *cfg`: clang compiles a struct copy this large into a memcpy call */
	mem_copy(&s->cfg, cfg, sizeof(*cfg));
	objs = CARVE_ARRAY(c, struct axip_pkt, cfg->pkt_objects);
	if (!carve_dry(c)) {
		axip_u32 i;
		s->pool.objs = objs;
		s->pool.total = cfg->pkt_objects;
		s->pool.available = cfg->pkt_objects;
		s->pool.free_head = AXIP_NULL;
		/* push in reverse so object 0 is handed out first */
		for (i = cfg->pkt_objects; i-- > 0;) {
			objs[i].next = s->pool.free_head;
			s->pool.free_head = &objs[i];
		}
	}
	arp_carve(s, c);
	ipv4_carve(s, c);
	icmp_carve(s, c);
	udp_carve(s, c);
	tcp_carve(s, c);
	sock_carve(s, c);
	ipv6_carve(s, c);
	icmp6_carve(s, c);
	nd6_carve(s, c);
	return s;
}

int axip_mem_size(const struct axip_config *cfg, axip_size *size)
{
	struct carve c;
	struct axip_stack scratch;
	if (!cfg || !size || !config_valid(cfg))
		return AXIP_E_INVAL;
	c.base = AXIP_NULL;
	c.off = 0;
	c.cap = 0;
	layout(&c, cfg, &scratch);
	*size = c.off;
	return AXIP_OK;
}

int axip_init(void *mem, axip_size size, const struct axip_config *cfg,
              const struct axip_env *env, axip_time_ns now, struct axip_stack **out)
{
	struct carve c;
	axip_size need;
	struct axip_stack *s;
	int err;

	if (!mem || !env || !out || !env->ops || !env->ops->buf_alloc || !env->ops->buf_free ||
	    !env->ops->buf_ref || !env->ops->tx)
		return AXIP_E_INVAL;
	err = axip_mem_size(cfg, &need);
	if (err)
		return err;
	if (((axip_size)mem & (AXIP_MEM_ALIGN - 1u)) != 0)
		return AXIP_E_ALIGN;
	if (size < need)
		return AXIP_E_TOOSMALL;
	c.base = (axip_u8 *)mem;
	c.off = 0;
	c.cap = size;
	/* *_carve() functions only lay out and initialise their tables; they
	 * must not arm timers or transmit, which need the wheel and env set below. */
	s = layout(&c, cfg, AXIP_NULL);
	s->env = *env;
	s->now = now;
	timer_wheel_init(&s->wheel, now);
	*out = s;
	if (cfg->arp_gratuitous) {
		arp_announce(s);
		axip_flush(s);
	}
	if (s->nd6) {
		/* RFC 4862 5.4: duplicate address detection of every address */
		nd6_start(s);
		axip_flush(s);
	}
	return AXIP_OK;
}

const struct axip_config *axip_get_config(const struct axip_stack *s)
{
	return &s->cfg;
}

void axip_set_time(struct axip_stack *s, axip_time_ns now)
{
	if (now > s->now)
		s->now = now;
}

void stack_tx(struct axip_stack *s, struct axip_pkt *p)
{
	axip_u32 bytes = axip_pkt_chain_len(p);
	struct axip_pkt *q;
	int rc = s->env.ops->tx(s->env.ctx, p);
	if (rc < 0) {
		CTR_INC(s, tx_env_drop);
	} else {
		CTR_INC(s, tx_packets);
		CTR_ADD(s, tx_bytes, bytes);
		s->tx_pending++;
	}
	/* the environment owns the buffer references now; recycle the objects */
	while (p) {
		q = p->sg_next;
		pkt_obj_put(s, p);
		p = q;
	}
}

void axip_flush(struct axip_stack *s)
{
	if (s->tx_pending && s->env.ops->tx_flush)
		s->env.ops->tx_flush(s->env.ctx);
	s->tx_pending = 0;
}

/* Wrap frames [i, j) (one multi-buffer frame) in packet objects; NULL if the pool ran dry. */
static struct axip_pkt *wrap_frame(struct axip_stack *s, const struct axip_rx_frame *f, axip_u32 n)
{
	struct axip_pkt *head = AXIP_NULL, **link = &head;
	axip_u32 k;
	for (k = 0; k < n; k++) {
		struct axip_pkt *p = pkt_obj_get(s);
		if (!p) {
			axip_pkt_free(s, head);
			for (; k < n; k++)
				s->env.ops->buf_free(s->env.ctx, f[k].buf);
			return AXIP_NULL;
		}
		p->buf = f[k].buf;
		p->data = f[k].data;
		p->len = f[k].len;
		p->headroom = f[k].headroom;
		p->tailroom = f[k].tailroom;
		p->flags = f[k].flags & ~AXIP_RX_MORE;
		p->rx_hash = f[k].rx_hash;
		*link = p;
		link = &p->sg_next;
	}
	if (s->env.caps & AXIP_CAP_TRUSTED_CSUM)
		head->flags |= AXIP_PKT_RX_IP_CSUM_OK | AXIP_PKT_RX_L4_CSUM_OK;
	return head;
}

void axip_rx(struct axip_stack *s, const struct axip_rx_frame *frames, axip_u32 n, axip_time_ns now)
{
	axip_u32 i = 0;
	axip_set_time(s, now);
	while (i < n) {
		axip_u32 j = i;
		struct axip_pkt *p;
		/* a multi-buffer frame spans elements until one without AXIP_RX_MORE */
		while (j + 1u < n && (frames[j].flags & AXIP_RX_MORE))
			j++;
		p = wrap_frame(s, &frames[i], j - i + 1u);
		if (p) {
			CTR_INC(s, rx_packets);
			CTR_ADD(s, rx_bytes, axip_pkt_chain_len(p));
			eth_input(s, p);
		}
		i = j + 1u;
	}
	axip_flush(s);
}

axip_time_ns axip_poll(struct axip_stack *s, axip_time_ns now)
{
	axip_time_ns next;
	axip_set_time(s, now);
	next = timer_run(s, &s->wheel, s->now);
	axip_flush(s);
	return next;
}

const struct axip_counters *axip_counters(const struct axip_stack *s)
{
	return &s->ctr;
}

void axip_counters_foreach(const struct axip_stack *s,
                           void (*fn)(const char *name, axip_u64 value, void *arg), void *arg)
{
#define AXIP_COUNTER_VISIT(name) fn(#name, s->ctr.name, arg);
	AXIP_COUNTERS_ALL(AXIP_COUNTER_VISIT)
#undef AXIP_COUNTER_VISIT
}

const char *axip_strerror(int err)
{
	switch (err) {
	case AXIP_OK: return "success";
	case AXIP_E_INVAL: return "invalid argument or configuration";
	case AXIP_E_NOMEM: return "core pool full";
	case AXIP_E_NOBUFS: return "no packet buffer from the environment";
	case AXIP_E_ADDRINUSE: return "address or port in use";
	case AXIP_E_NOTCONN: return "not connected";
	case AXIP_E_AGAIN: return "no room now, try again";
	case AXIP_E_MSGSIZE: return "message too large";
	case AXIP_E_UNREACH: return "destination unreachable";
	case AXIP_E_CLOSED: return "closed";
	case AXIP_E_STATE: return "invalid in the current state";
	case AXIP_E_TIMEDOUT: return "timed out";
	case AXIP_E_RESET: return "connection reset by peer";
	case AXIP_E_REFUSED: return "connection refused";
	case AXIP_E_PORTS: return "no ephemeral port available";
	case AXIP_E_ALIGN: return "memory block misaligned";
	case AXIP_E_TOOSMALL: return "memory block too small";
	case AXIP_E_NOTFOUND: return "not found";
	case AXIP_E_ABORTED: return "connection aborted locally";
	default: return "unknown error";
	}
}
