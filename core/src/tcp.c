/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp.c - TCP tables, pools and the application API (RFC 9293 3.10.1-3.10.6).
 *
 * Connections and listeners come from pools carved at init. Connections are
 * hashed on the full 4-tuple (keyed hash, tcp_isn.h); listeners on the local
 * port. TIME_WAIT connections also sit in a FIFO so that, when the pool is
 * exhausted, the oldest one can be recycled in O(1).
 */
#include "tcp_internal.h"
#include "tcp_isn.h"
#include "wire.h"

static axip_u32 pow2_at_least(axip_u32 n)
{
	axip_u32 p = 1;
	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

void tcp_carve(struct axip_stack *s, struct carve *c)
{
	struct tcp_state *t = CARVE_ARRAY(c, struct tcp_state, 1);
	axip_u32 nconn = s->cfg.tcp_conns, nl = s->cfg.tcp_listeners;
	axip_u32 hsize = pow2_at_least(nconn ? nconn : 1);
	axip_u32 lsize = pow2_at_least(nl ? nl : 1);
	struct axip_tcp *conns = CARVE_ARRAY(c, struct axip_tcp, nconn);
	struct axip_tcp **hash = CARVE_ARRAY(c, struct axip_tcp *, hsize);
	struct axip_tcp **flow_cache = CARVE_ARRAY(c, struct axip_tcp *, hsize);
	struct axip_tcp_listener *ls = CARVE_ARRAY(c, struct axip_tcp_listener, nl);
	struct axip_tcp_listener **lhash = CARVE_ARRAY(c, struct axip_tcp_listener *, lsize);
	axip_u32 i;

	if (carve_dry(c) || !t || (nconn && !conns) || !hash || !flow_cache || (nl && !ls) || !lhash)
		return;
	mem_zero(t, sizeof(*t));
	t->conns = conns;
	t->hash = hash;
	t->hash_mask = hsize - 1u;
	t->flow_cache = flow_cache;
	t->listeners = ls;
	t->lhash = lhash;
	t->lhash_mask = lsize - 1u;
	for (i = 0; i < hsize; i++)
		hash[i] = flow_cache[i] = AXIP_NULL;
	for (i = 0; i < lsize; i++)
		lhash[i] = AXIP_NULL;
	for (i = nconn; i-- > 0;) {
		mem_zero(&conns[i], sizeof(conns[i]));
		conns[i].hnext = t->free;
		t->free = &conns[i];
	}
	t->n_free = nconn;
	for (i = nl; i-- > 0;) {
		mem_zero(&ls[i], sizeof(ls[i]));
		ls[i].next = t->lfree;
		t->lfree = &ls[i];
	}
	/* RFC 6056 3.3.3: next_ephemeral starts at a keyed value */
	t->next_ephemeral = (axip_u32)siphash24(s->cfg.secret, "ephemeral", 9);
	/* out-of-order segments may hold at most a quarter of the packet objects */
	t->ooo_segs_max = s->cfg.pkt_objects / 4u;
	s->tcp = t;
}

/* ---- lookup ---- */

static axip_u32 tuple_bucket(const struct axip_stack *s, axip_u32 laddr, axip_u16 lport,
                             axip_u32 raddr, axip_u16 rport)
{
	return (axip_u32)tcp_tuple_hash(s->cfg.secret, laddr, lport, raddr, rport) & s->tcp->hash_mask;
}

static axip_u32 tuple_bucket6(const struct axip_stack *s, const axip_u8 *laddr, axip_u16 lport,
                              const axip_u8 *raddr, axip_u16 rport)
{
	return (axip_u32)tcp_tuple_hash6(s->cfg.secret, laddr, lport, raddr, rport) &
	       s->tcp->hash_mask;
}

/* c has the IPv4 tuple: the family byte last, only on a full match (see
 * tcp_internal.h). */
static inline int match4(const struct axip_tcp *c, axip_u32 laddr, axip_u16 lport, axip_u32 raddr,
                         axip_u16 rport)
{
	return c->lport == lport && c->rport == rport && c->laddr == laddr && c->raddr == raddr &&
	       c->family == 4u;
}

/* c has the IPv6 tuple; lf/rf the folds of laddr/raddr. */
static inline int match6(const struct axip_tcp *c, const axip_u8 *laddr, axip_u32 lf,
                         axip_u16 lport, const axip_u8 *raddr, axip_u32 rf, axip_u16 rport)
{
	return c->lport == lport && c->rport == rport && c->laddr == lf && c->raddr == rf &&
	       c->family == 6u && mem_equal(c->laddr6, laddr, 16) && mem_equal(c->raddr6, raddr, 16);
}

struct axip_tcp *tcp_lookup(struct axip_stack *s, axip_u32 laddr, axip_u16 lport,
                            axip_u32 raddr, axip_u16 rport)
{
	struct axip_tcp *c = s->tcp->hash[tuple_bucket(s, laddr, lport, raddr, rport)];
	for (; c; c = c->hnext)
		if (match4(c, laddr, lport, raddr, rport))
			return c;
	return AXIP_NULL;
}

struct axip_tcp *tcp_lookup6(struct axip_stack *s, const axip_u8 *laddr, axip_u16 lport,
                             const axip_u8 *raddr, axip_u16 rport)
{
	struct axip_tcp *c = s->tcp->hash[tuple_bucket6(s, laddr, lport, raddr, rport)];
	axip_u32 lf = tcp_addr6_fold(laddr), rf = tcp_addr6_fold(raddr);
	for (; c; c = c->hnext)
		if (match6(c, laddr, lf, lport, raddr, rf, rport))
			return c;
	return AXIP_NULL;
}

struct axip_tcp *tcp_lookup_ip(struct axip_stack *s, const struct tcp_ip *ip, axip_u16 lport,
                               axip_u16 rport)
{
	if (ip->family == 6u)
		return tcp_lookup6(s, ip->local6, lport, ip->remote6, rport);
	return tcp_lookup(s, ip->local, lport, ip->remote, rport);
}

/*
 * The tuple hash is keyed SipHash (an attacker cannot aim at one bucket),
 * which costs more than the rest of a lookup. The NIC's RX hash is already
 * computed: a slot it selects remembers the last connection found for it,
 * checked against the tuple, so a stale or colliding slot only costs the
 * full lookup. A connection is in at most one slot (flow_slot).
 */
/* Remember c in flow-cache slot `slot` (the previous owner forgets it). */
static void flow_cache_set(struct tcp_state *t, axip_u32 slot, struct axip_tcp *c)
{
	if (c->flow_slot && t->flow_cache[c->flow_slot - 1u] == c)
		t->flow_cache[c->flow_slot - 1u] = AXIP_NULL;
	if (t->flow_cache[slot])
		t->flow_cache[slot]->flow_slot = 0;
	t->flow_cache[slot] = c;
	c->flow_slot = slot + 1u;
}

struct axip_tcp *tcp_lookup_rx(struct axip_stack *s, axip_u32 rx_hash, axip_u32 laddr,
                               axip_u16 lport, axip_u32 raddr, axip_u16 rport)
{
	struct tcp_state *t = s->tcp;
	axip_u32 slot = rx_hash & t->hash_mask;
	struct axip_tcp *c;
	if (!rx_hash)
		return tcp_lookup(s, laddr, lport, raddr, rport);
	c = t->flow_cache[slot];
	if (c && match4(c, laddr, lport, raddr, rport))
		return c;
	c = tcp_lookup(s, laddr, lport, raddr, rport);
	if (c) {
		CTR_INC(s, tcp_flow_cache_miss);
		flow_cache_set(t, slot, c);
	}
	return c;
}

struct axip_tcp *tcp_lookup_rx6(struct axip_stack *s, axip_u32 rx_hash, const axip_u8 *laddr,
                                axip_u16 lport, const axip_u8 *raddr, axip_u16 rport)
{
	struct tcp_state *t = s->tcp;
	axip_u32 slot = rx_hash & t->hash_mask;
	struct axip_tcp *c;
	if (!rx_hash)
		return tcp_lookup6(s, laddr, lport, raddr, rport);
	c = t->flow_cache[slot];
	if (c && match6(c, laddr, tcp_addr6_fold(laddr), lport, raddr, tcp_addr6_fold(raddr), rport))
		return c;
	c = tcp_lookup6(s, laddr, lport, raddr, rport);
	if (c) {
		CTR_INC(s, tcp_flow_cache_miss);
		flow_cache_set(t, slot, c);
	}
	return c;
}

static axip_u32 port_bucket(const struct axip_stack *s, axip_u16 port)
{
	return ((axip_u32)port * 0x9e3779b1u >> 16) & s->tcp->lhash_mask;
}

struct axip_tcp_listener *tcp_listener_lookup(struct axip_stack *s, axip_u32 addr, axip_u16 port)
{
	struct axip_tcp_listener *l = s->tcp->lhash[port_bucket(s, port)], *wild = AXIP_NULL;
	for (; l; l = l->next) {
		if (l->port != port || l->family != 4u)
			continue;
		if (l->addr == addr)
			return l;
		if (l->addr == 0)
			wild = l;
	}
	return wild;
}

struct axip_tcp_listener *tcp_listener_lookup6(struct axip_stack *s, const axip_u8 *addr,
                                               axip_u16 port)
{
	struct axip_tcp_listener *l = s->tcp->lhash[port_bucket(s, port)], *wild = AXIP_NULL;
	for (; l; l = l->next) {
		if (l->port != port || l->family != 6u)
			continue;
		if (mem_equal(l->addr6, addr, 16))
			return l;
		if (ip6_is_unspecified(l->addr6))
			wild = l;
	}
	return wild;
}

struct axip_tcp_listener *tcp_listener_lookup_ip(struct axip_stack *s, const struct tcp_ip *ip,
                                                 axip_u16 port)
{
	if (ip->family == 6u)
		return tcp_listener_lookup6(s, ip->local6, port);
	return tcp_listener_lookup(s, ip->local, port);
}

/* ---- connection pool ---- */

static void tw_unlink(struct axip_stack *s, struct axip_tcp *c)
{
	struct tcp_state *t = s->tcp;
	if (c->lprev)
		c->lprev->lnext = c->lnext;
	else
		t->tw_head = c->lnext;
	if (c->lnext)
		c->lnext->lprev = c->lprev;
	else
		t->tw_tail = c->lprev;
	c->lnext = c->lprev = AXIP_NULL;
}

static void embryo_unlink(struct axip_tcp *c)
{
	struct axip_tcp_listener *l = c->listener;
	if (!l)
		return;
	if (c->lprev)
		c->lprev->lnext = c->lnext;
	else
		l->embryo = c->lnext;
	if (c->lnext)
		c->lnext->lprev = c->lprev;
	c->lnext = c->lprev = AXIP_NULL;
	if (l->syn_count)
		l->syn_count--;
	c->listener = AXIP_NULL;
}

static void unhash(struct axip_stack *s, struct axip_tcp *c)
{
	struct axip_tcp **pp = &s->tcp->hash[c->hash];
	if (c->flow_slot && s->tcp->flow_cache[c->flow_slot - 1u] == c)
		s->tcp->flow_cache[c->flow_slot - 1u] = AXIP_NULL;
	c->flow_slot = 0;
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	}
	c->hnext = AXIP_NULL;
}

/* Data queued for the application and no longer wanted. */
static void events_discard(struct axip_tcp *c)
{
	if (c->ev_rcv) {
		axip_pkt_free(c->s, c->ev_rcv);
		c->ev_rcv = AXIP_NULL;
	}
	c->ev_rcv_len = 0;
	c->ev_sent = 0;
	c->ev &= TEV_CLOSED;
}

void tcp_conn_free(struct axip_tcp *c)
{
	struct axip_stack *s = c->s;
	struct tcp_state *t = s->tcp;
	events_discard(c);
	c->hnext = t->free;
	t->free = c;
	t->n_free++;
	CTR_INC(s, tcp_conn_free);
}

/*
 * The one place the connection's callbacks are called from (the listener's
 * accept function aside): the events a segment, a timer or an API call
 * raised, in the order of struct axip_tcp_callbacks' life cycle. Each bit
 * is cleared before its callback runs, so a callback that ends the
 * connection (abort, close) gets `closed` at once, within that call, as a
 * nested delivery; the events it had not seen yet are then dropped
 * (tcp_conn_drop). Every caller holds c (a frame, tcp_conn_drop), so the
 * memory stays until the loop is done.
 */
void tcp_deliver_events(struct axip_tcp *c)
{
	while (c->ev) {
		const struct axip_tcp_callbacks *cb = c->cb;
		if (c->ev & TEV_CONNECTED) {
			c->ev &= ~TEV_CONNECTED;
			if (cb && cb->connected)
				cb->connected(c->arg, c);
		} else if (c->ev & TEV_SENT) {
			axip_u32 n = c->ev_sent;
			c->ev &= ~TEV_SENT;
			c->ev_sent = 0;
			if (cb && cb->sent)
				cb->sent(c->arg, c, n);
		} else if (c->ev & TEV_RECV) {
			struct axip_pkt *p = c->ev_rcv;
			axip_u32 len = c->ev_rcv_len;
			c->ev &= ~TEV_RECV;
			c->ev_rcv = AXIP_NULL;
			c->ev_rcv_len = 0;
			if (cb && cb->recv) {
				cb->recv(c->arg, c, p);
			} else {
				axip_pkt_free(c->s, p); /* nobody takes it: the window stays open */
				c->rcv_held -= len;
			}
		} else if (c->ev & TEV_PEER_CLOSED) {
			c->ev &= ~TEV_PEER_CLOSED;
			if (!(c->flags & TF_APP_CLOSED) && cb && cb->peer_closed)
				cb->peer_closed(c->arg, c);
		} else {
			c->ev = 0; /* TEV_CLOSED: nothing comes after it */
			if (cb && cb->closed)
				cb->closed(c->arg, c, c->ev_err);
		}
	}
}

void tcp_conn_drop(struct axip_tcp *c, int err)
{
	struct axip_stack *s = c->s;
	int notify = (c->flags & TF_ACCEPTED) != 0;

	if (c->flags & TF_DEAD)
		return;
	c->flags |= TF_DEAD;
	if (c->state == AXIP_TCP_TIME_WAIT)
		tw_unlink(s, c);
	embryo_unlink(c);
	c->state = AXIP_TCP_CLOSED;
	unhash(s, c);
	timer_cancel(&s->wheel, &c->timer);
	tcp_sndq_drop(c, c->sndq_len);
	tcp_reass_flush(c);
	c->flags &= ~TF_ACCEPTED;
	tcp_hold(c);
	/* Ended outside processing with events pending: by the application,
	 * from a callback. What it had not seen yet is no longer its (the
	 * segment would not have been processed further). */
	if (!c->busy)
		events_discard(c);
	if (notify) {
		c->ev_err = err;
		tcp_event(c, TEV_CLOSED);
	}
	tcp_unhold(c);
}

void tcp_enter_time_wait(struct axip_tcp *c)
{
	struct tcp_state *t = c->s->tcp;
	int notify = (c->flags & TF_ACCEPTED) != 0;

	c->state = AXIP_TCP_TIME_WAIT;
	tcp_rto_stop(c);
	c->t_delack = 0;
	c->t_keep = 0;
	c->rtx_kind = RTX_WAIT;
	c->t_rtx = c->s->now + c->s->cfg.tcp_time_wait_ns;
	tcp_timer_update(c);
	tcp_sndq_drop(c, c->sndq_len);
	tcp_reass_flush(c);
	/* FIFO of TIME_WAIT connections for O(1) recycling */
	c->lnext = AXIP_NULL;
	c->lprev = t->tw_tail;
	if (t->tw_tail)
		t->tw_tail->lnext = c;
	else
		t->tw_head = c;
	t->tw_tail = c;
	/* the application's handle ends here; the tuple lingers in the core */
	c->flags &= ~TF_ACCEPTED;
	if (notify) {
		c->ev_err = AXIP_OK;
		tcp_event(c, TEV_CLOSED);
	}
}

static struct axip_tcp *conn_alloc(struct axip_stack *s)
{
	struct tcp_state *t = s->tcp;
	struct axip_tcp *c = t->free;
	if (!c && t->tw_head) {
		/* pool exhausted: recycle the oldest TIME_WAIT connection (the
		 * tuple loses its 2*MSL protection; RFC 6191 reuse relies on
		 * timestamps for the same reason) */
		CTR_INC(s, tcp_tw_recycled);
		tcp_conn_drop(t->tw_head, AXIP_OK);
		c = t->free;
	}
	if (!c) {
		CTR_INC(s, tcp_conn_pool_full);
		return AXIP_NULL;
	}
	t->free = c->hnext;
	t->n_free--;
	CTR_INC(s, tcp_conn_alloc);
	return c;
}

axip_u8 tcp_choose_ws(axip_u32 rcvbuf)
{
	axip_u8 ws = 0;
	while (ws < TCP_MAX_WS && (rcvbuf >> ws) > 65535u)
		ws++;
	return ws;
}

void tcp_conn_ip(const struct axip_tcp *c, struct tcp_ip *ip)
{
	ip->family = c->family;
	ip->local = c->laddr;
	ip->remote = c->raddr;
	ip->local6 = c->laddr6;
	ip->remote6 = c->raddr6;
}

struct axip_tcp *tcp_conn_new(struct axip_stack *s, const struct tcp_ip *ip, axip_u16 lport,
                              axip_u16 rport, const struct axip_tcp_opts *o)
{
	struct axip_tcp *c = conn_alloc(s);
	const axip_u8 *key = s->cfg.secret;
	if (!c)
		return AXIP_NULL;
	mem_zero(c, sizeof(*c));
	timer_init(&c->timer, tcp_timer_fire);
	c->s = s;
	c->family = ip->family;
	if (ip->family == 6u) {
		mem_copy(c->laddr6, ip->local6, 16);
		mem_copy(c->raddr6, ip->remote6, 16);
		c->laddr = tcp_addr6_fold(c->laddr6);
		c->raddr = tcp_addr6_fold(c->raddr6);
	} else {
		c->laddr = ip->local;
		c->raddr = ip->remote;
	}
	c->lport = lport;
	c->rport = rport;
	c->opts = *o;
	c->state = AXIP_TCP_CLOSED;
	c->sndbuf = o->sndbuf ? o->sndbuf : s->cfg.tcp_sndbuf;
	c->rcvbuf = o->rcvbuf ? o->rcvbuf : s->cfg.tcp_rcvbuf;
	if (o->nodelay)
		c->flags |= TF_NODELAY;
	if (o->keepalive)
		c->flags |= TF_KEEPALIVE;
	c->cc_id = o->cc;
	c->cc_ops = tcp_cc_get(o->cc);
	if (!c->cc_ops)
		c->cc_ops = tcp_cc_get(s->cfg.tcp_cc);
	c->rcv_mss = tcp_our_mss(s, c->family);
	if (o->mss && o->mss < c->rcv_mss)
		c->rcv_mss = o->mss; /* the application's cap (TCP_MAXSEG) */
	c->mss_clamp = TCP_MSS_DEFAULT;
	c->mss = TCP_MSS_DEFAULT;
	c->rto = AXIP_SEC(1); /* RFC 6298 2.1: initial RTO 1 s */
	c->rcv_ws = tcp_choose_ws(c->rcvbuf);
	/* RFC 6528 ISN and the timestamp offset, over the tuple's family */
	if (c->family == 6u) {
		c->iss = tcp_isn6(key, c->laddr6, lport, c->raddr6, rport, s->now);
		c->ts_offset = (axip_u32)tcp_tuple_hash6(key, c->raddr6, rport, c->laddr6, lport);
		c->hash = tuple_bucket6(s, c->laddr6, lport, c->raddr6, rport);
	} else {
		c->iss = tcp_isn(key, c->laddr, lport, c->raddr, rport, s->now);
		c->ts_offset = (axip_u32)tcp_tuple_hash(key, c->raddr, rport, c->laddr, lport);
		c->hash = tuple_bucket(s, c->laddr, lport, c->raddr, rport);
	}
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->hnext = s->tcp->hash[c->hash];
	s->tcp->hash[c->hash] = c;
	return c;
}

void tcp_conn_negotiate(struct axip_tcp *c, const struct tcp_opts *o)
{
	axip_u32 mss = (o->have & TCPO_MSS) ? o->mss : TCP_MSS_DEFAULT;
	axip_u32 ours = c->rcv_mss;
	if (mss > ours)
		mss = ours;
	if (c->family == 6u) {
		/* RFC 8201 5.2: no larger than the path MTU towards the peer
		 * allows (1280 at least, so the difference stays positive) */
		axip_u32 pmtu = ipv6_pmtu(c->s, c->raddr6) - 60u;
		if (mss > pmtu)
			mss = pmtu;
	}
	if (mss < 64u)
		mss = 64u; /* absurd peer values still leave room for progress */
	c->mss_clamp = mss;
	if (o->have & TCPO_WS) {
		/* RFC 7323 2.3: a shift above 14 is treated as 14 */
		c->snd_ws = o->ws > TCP_MAX_WS ? (axip_u8)TCP_MAX_WS : o->ws;
		c->flags |= TF_WS;
	} else {
		c->snd_ws = 0;
		c->rcv_ws = 0;
		c->flags &= ~TF_WS;
	}
	if (o->have & TCPO_SACK_OK)
		c->flags |= TF_SACK;
	else
		c->flags &= ~TF_SACK;
	if (o->have & TCPO_TS) {
		c->flags |= TF_TS;
		c->ts_recent = o->tsval;
		c->ts_recent_at = c->s->now;
	} else {
		c->flags &= ~TF_TS;
	}
	/* RFC 9293 3.7.1: options of every segment count against the MSS */
	c->mss = mss - tcp_opts_len(c, 0);
	c->rcv_seg = c->mss;
	if (!(c->flags & TF_WS) && c->rcvbuf > 65535u)
		c->rcvbuf = 65535u;
}

void tcp_conn_start_cc(struct axip_tcp *c)
{
	c->cc.mss = c->mss;
	if (c->cc_ops) {
		c->cc_ops->init(&c->cc, c->mss);
		c->cc_priv_owner = c->cc_ops->priv_size ? c->cc_ops : AXIP_NULL;
	}
	if (c->cc.cwnd == 0)
		c->cc.cwnd = 10u * c->mss;
	/* RFC 6582 3.2: recover starts at the ISN, so duplicate ACKs in the
	 * first window can already trigger fast retransmit */
	c->recover = c->snd_una - 1u;
	c->high_rxt = c->snd_una;
	c->rack_fack = c->snd_una;
	c->rack_reo_mult = 1; /* RFC 8985 6.1 */
	c->last_send = c->s->now;
	tcp_keepalive_reset(c);
}

/* ---- API ---- */

void axip_tcp_opts_defaults(const struct axip_stack *s, struct axip_tcp_opts *o)
{
	mem_zero(o, sizeof(*o));
	o->cc = (axip_u8)s->cfg.tcp_cc;
	o->keepalive_idle_ns = AXIP_SEC(7200);
	o->keepalive_intvl_ns = AXIP_SEC(75);
	o->keepalive_probes = 9;
}

static int opts_valid(const struct axip_tcp_opts *o)
{
	if (!tcp_cc_get(o->cc))
		return 0;
	if ((o->sndbuf && o->sndbuf < 1024u) || o->sndbuf > (1u << 30))
		return 0;
	if ((o->rcvbuf && o->rcvbuf < 1024u) || o->rcvbuf > (1u << 30))
		return 0;
	if (o->mss && o->mss < 88u)
		return 0; /* room for the options and at least 8 bytes (Linux's TCP_MIN_MSS) */
	if (o->keepalive && (o->keepalive_idle_ns == 0 || o->keepalive_intvl_ns == 0 ||
	                     o->keepalive_probes == 0 || o->keepalive_probes > 255u))
		return 0;
	return 1;
}

/* Listen for either family: addr6 non-NULL for IPv6 (all zero = any). */
static int listen_on(struct axip_stack *s, axip_u32 addr, const axip_u8 *addr6, axip_u16 port,
                     axip_u32 backlog, axip_tcp_accept_fn accept, void *arg,
                     const struct axip_tcp_opts *opts, struct axip_tcp_listener **out)
{
	struct tcp_state *t = s->tcp;
	struct axip_tcp_listener *l, *x;
	struct axip_tcp_opts o;
	axip_u8 family = addr6 ? 6u : 4u;
	int any = addr6 ? ip6_is_unspecified(addr6) : addr == 0;
	axip_u32 b;

	if (opts)
		o = *opts;
	else
		axip_tcp_opts_defaults(s, &o);
	if (!opts_valid(&o))
		return AXIP_E_INVAL;
	/* one listener per address and port within a family; the wildcard
	 * takes every address of its family */
	for (x = t->lhash[port_bucket(s, port)]; x; x = x->next) {
		int x_any = x->family == 6u ? ip6_is_unspecified(x->addr6) : x->addr == 0;
		if (x->port != port || x->family != family)
			continue;
		if (any || x_any || (addr6 ? mem_equal(x->addr6, addr6, 16) : x->addr == addr))
			return AXIP_E_ADDRINUSE;
	}
	l = t->lfree;
	if (!l)
		return AXIP_E_NOMEM;
	t->lfree = l->next;
	mem_zero(l, sizeof(*l));
	l->s = s;
	l->family = family;
	if (addr6) {
		mem_copy(l->addr6, addr6, 16);
		l->addr = tcp_addr6_fold(addr6);
	} else {
		l->addr = addr;
	}
	l->port = port;
	l->in_use = 1;
	l->backlog = backlog ? backlog : s->cfg.tcp_syn_backlog;
	l->accept = accept;
	l->arg = arg;
	l->opts = o;
	b = port_bucket(s, port);
	l->next = t->lhash[b];
	t->lhash[b] = l;
	*out = l;
	return AXIP_OK;
}

int axip_tcp_listen(struct axip_stack *s, axip_u32 addr, axip_u16 port, axip_u32 backlog,
                    axip_tcp_accept_fn accept, void *arg, const struct axip_tcp_opts *opts,
                    struct axip_tcp_listener **out)
{
	if (!accept || !out || port == 0 || (addr && !ipv4_is_local(s, addr)))
		return AXIP_E_INVAL;
	return listen_on(s, addr, AXIP_NULL, port, backlog, accept, arg, opts, out);
}

int axip_tcp_listen6(struct axip_stack *s, const axip_u8 *addr, axip_u16 port, axip_u32 backlog,
                     axip_tcp_accept_fn accept, void *arg, const struct axip_tcp_opts *opts,
                     struct axip_tcp_listener **out)
{
	static const axip_u8 any[16] = {0};
	if (!s || !accept || !out || port == 0)
		return AXIP_E_INVAL;
	if (!s->ip6)
		return AXIP_E_STATE;
	if (!addr)
		addr = any;
	/* a unicast address of ours (RFC 4291 2.5); tentative ones too, as
	 * they become usable once duplicate address detection ends */
	if (!ip6_is_unspecified(addr) && !ipv6_ifaddr_find(s, addr))
		return AXIP_E_INVAL;
	return listen_on(s, 0, addr, port, backlog, accept, arg, opts, out);
}

void axip_tcp_listener_close(struct axip_tcp_listener *l)
{
	struct axip_stack *s;
	struct axip_tcp_listener **pp;
	if (!l || !l->in_use)
		return;
	s = l->s;
	for (pp = &s->tcp->lhash[port_bucket(s, l->port)]; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	/* handshakes not yet accepted die with the listener (RFC 9293 3.10.4) */
	while (l->embryo) {
		struct axip_tcp *c = l->embryo;
		tcp_send_rst_conn(c);
		tcp_conn_drop(c, AXIP_E_ABORTED);
	}
	l->in_use = 0;
	l->next = s->tcp->lfree;
	s->tcp->lfree = l;
}

int tcp_accept(struct axip_tcp *c)
{
	struct axip_tcp_listener *l = c->listener;
	const struct axip_tcp_callbacks *cb = AXIP_NULL;
	void *arg = AXIP_NULL;
	int rc;

	embryo_unlink(c);
	if (!l || !l->in_use)
		return -1;
	/* called while the segment is processed (the frame holds c): the
	 * application may already use the handle, or end it */
	rc = l->accept(l->arg, c, &cb, &arg);
	if (c->flags & TF_DEAD)
		return -1;
	if (rc != AXIP_OK || !cb) {
		CTR_INC(c->s, tcp_accept_refused);
		return -1;
	}
	c->cb = cb;
	c->arg = arg;
	c->flags |= TF_ACCEPTED;
	CTR_INC(c->s, tcp_passive_open);
	return 0;
}

/* RFC 6056 3.3.3 (algorithm 3): keyed offset per destination, shared
 * counter; ip is the tuple's ends, either family. */
static int pick_port(struct axip_stack *s, const struct tcp_ip *ip, axip_u16 rport, axip_u16 *out)
{
	struct tcp_state *t = s->tcp;
	axip_u32 lo = s->cfg.tcp_ephemeral_lo, num = (axip_u32)s->cfg.tcp_ephemeral_hi - lo + 1u;
	axip_u32 offset = ip->family == 6u
	                      ? tcp_port_offset6(s->cfg.secret, ip->local6, ip->remote6, rport)
	                      : tcp_port_offset(s->cfg.secret, ip->local, ip->remote, rport);
	axip_u32 count;
	for (count = 0; count < num; count++) {
		axip_u16 port = (axip_u16)(lo + (t->next_ephemeral + offset) % num);
		t->next_ephemeral++;
		if (tcp_lookup_ip(s, ip, port, rport))
			continue;
		if (tcp_listener_lookup_ip(s, ip, port))
			continue;
		*out = port;
		return 0;
	}
	return -1;
}

/* The active open of both families once the ends are known (RFC 9293
 * 3.10.1): a port, a connection, the SYN. */
static int connect_ip(struct axip_stack *s, const struct tcp_ip *ip, axip_u16 src_port,
                      axip_u16 dst_port, const struct axip_tcp_callbacks *cb, void *arg,
                      const struct axip_tcp_opts *o, struct axip_tcp **out)
{
	struct axip_tcp *c;
	if (src_port == 0) {
		if (pick_port(s, ip, dst_port, &src_port) != 0) {
			CTR_INC(s, tcp_ephemeral_exhausted);
			return AXIP_E_PORTS;
		}
	} else if (tcp_lookup_ip(s, ip, src_port, dst_port)) {
		return AXIP_E_ADDRINUSE;
	}
	c = tcp_conn_new(s, ip, src_port, dst_port, o);
	if (!c)
		return AXIP_E_NOMEM;
	c->cb = cb;
	c->arg = arg;
	c->flags |= TF_ACCEPTED;
	c->state = AXIP_TCP_SYN_SENT;
	c->snd_nxt = c->snd_max = c->iss + 1u;
	CTR_INC(s, tcp_active_open);
	*out = c;
	tcp_send_syn(c);
	tcp_rto_arm(c);
	return AXIP_OK;
}

int axip_tcp_connect_from(struct axip_stack *s, axip_u16 src_port, axip_u32 dst, axip_u16 dst_port,
                          const struct axip_tcp_callbacks *cb, void *arg,
                          const struct axip_tcp_opts *opts, struct axip_tcp **out)
{
	struct axip_tcp_opts o;
	struct tcp_ip ip;
	axip_u32 nexthop, src;

	if (!cb || !out || dst_port == 0 || dst == 0 || ipv4_is_broadcast(s, dst) || (dst >> 28) == 14u)
		return AXIP_E_INVAL;
	if (opts)
		o = *opts;
	else
		axip_tcp_opts_defaults(s, &o);
	if (!opts_valid(&o))
		return AXIP_E_INVAL;
	if (ipv4_route(s, dst, &nexthop, &src) != AXIP_OK)
		return AXIP_E_UNREACH;
	mem_zero(&ip, sizeof(ip));
	ip.family = 4;
	ip.local = src;
	ip.remote = dst;
	return connect_ip(s, &ip, src_port, dst_port, cb, arg, &o, out);
}

int axip_tcp_connect(struct axip_stack *s, axip_u32 dst, axip_u16 dst_port,
                     const struct axip_tcp_callbacks *cb, void *arg,
                     const struct axip_tcp_opts *opts, struct axip_tcp **out)
{
	return axip_tcp_connect_from(s, 0, dst, dst_port, cb, arg, opts, out);
}

int axip_tcp_connect6(struct axip_stack *s, const axip_u8 *src, axip_u16 src_port,
                      const axip_u8 *dst, axip_u16 dst_port, const struct axip_tcp_callbacks *cb,
                      void *arg, const struct axip_tcp_opts *opts, struct axip_tcp **out)
{
	struct axip_tcp_opts o;
	struct tcp_ip ip;
	axip_u8 nexthop[16], rsrc[16];

	if (!s || !cb || !out || !dst || dst_port == 0)
		return AXIP_E_INVAL;
	if (!s->ip6)
		return AXIP_E_STATE;
	/* TCP is unicast (RFC 9293 3.9.1.1 via RFC 1122 4.2.3.10): no group,
	 * unspecified or loopback destination (the core has no loopback) */
	if (ip6_is_multicast(dst) || ip6_is_unspecified(dst) || ip6_is_loopback(dst))
		return AXIP_E_INVAL;
	if (src && ip6_is_unspecified(src))
		src = AXIP_NULL;
	if (src && !ipv6_is_local(s, src))
		return AXIP_E_INVAL;
	if (opts)
		o = *opts;
	else
		axip_tcp_opts_defaults(s, &o);
	if (!opts_valid(&o))
		return AXIP_E_INVAL;
	/* the source: the caller's, else RFC 6724 selection by the route */
	if (ipv6_route(s, dst, nexthop, rsrc) != AXIP_OK || (!src && ip6_is_unspecified(rsrc)))
		return AXIP_E_UNREACH;
	mem_zero(&ip, sizeof(ip));
	ip.family = 6;
	ip.local6 = src ? src : rsrc;
	ip.remote6 = dst;
	return connect_ip(s, &ip, src_port, dst_port, cb, arg, &o, out);
}

static int can_send(const struct axip_tcp *c)
{
	if (c->flags & (TF_SHUT_WR | TF_DEAD))
		return AXIP_E_CLOSED;
	if (c->state == AXIP_TCP_ESTABLISHED || c->state == AXIP_TCP_CLOSE_WAIT)
		return AXIP_OK;
	if (c->state == AXIP_TCP_SYN_SENT || c->state == AXIP_TCP_SYN_RECEIVED)
		return AXIP_E_NOTCONN;
	return AXIP_E_CLOSED;
}

axip_u32 axip_tcp_sndbuf_free(const struct axip_tcp *c)
{
	return c->sndq_len >= c->sndbuf ? 0 : c->sndbuf - c->sndq_len;
}

static void set_cork(struct axip_tcp *c, axip_u32 flags)
{
	if (flags & AXIP_TCP_MORE)
		c->flags |= TF_CORK;
	else
		c->flags &= ~TF_CORK;
}

int axip_tcp_write(struct axip_tcp *c, const void *data, axip_u32 len, axip_u32 flags)
{
	struct axip_stack *s = c->s;
	const axip_u8 *src = (const axip_u8 *)data;
	axip_u32 room, done = 0;
	int rc = can_send(c);

	if (rc != AXIP_OK)
		return rc;
	room = axip_tcp_sndbuf_free(c);
	if (len > room)
		len = room;
	if (len == 0 && room == 0) {
		CTR_INC(s, tcp_sndbuf_full);
		return AXIP_E_AGAIN;
	}
	/* fill the tail buffer first: it is ours (written by this call earlier) */
	if (c->sq_tail && (SQ_FLAGS(c->sq_tail) & SQF_APPEND) && c->sq_tail->tailroom) {
		struct axip_pkt *p = c->sq_tail;
		axip_u32 n = p->tailroom < len ? p->tailroom : len;
		mem_copy(p->data + p->len, src, n);
		p->len += n;
		p->tailroom -= n;
		c->sndq_len += n;
		done = n;
	}
	while (done < len) {
		struct axip_pkt *p = axip_pkt_alloc(s, 0);
		axip_u32 n;
		if (!p)
			break;
		n = p->tailroom < len - done ? p->tailroom : len - done;
		if (n == 0) {
			axip_pkt_free(s, p);
			break;
		}
		mem_copy(p->data, src + done, n);
		p->len = n;
		p->tailroom -= n;
		tcp_sndq_append(c, p, SQF_APPEND); /* copied here: more may be appended */
		done += n;
	}
	if (done == 0 && len > 0)
		return AXIP_E_NOBUFS;
	set_cork(c, flags);
	tcp_output(c);
	return (int)done;
}

int axip_tcp_send(struct axip_tcp *c, struct axip_pkt *data, axip_u32 flags)
{
	struct axip_stack *s = c->s;
	axip_u32 len;
	int rc = can_send(c);

	if (rc != AXIP_OK)
		return rc;
	if (!data)
		return AXIP_E_INVAL;
	len = axip_pkt_chain_len(data);
	if (len > axip_tcp_sndbuf_free(c)) {
		CTR_INC(s, tcp_sndbuf_full);
		return AXIP_E_AGAIN;
	}
	/* each buffer of the chain becomes one queue entry, held by reference */
	while (data) {
		struct axip_pkt *n = data->sg_next;
		data->sg_next = AXIP_NULL;
		if (data->len == 0) {
			axip_pkt_free(s, data);
		} else {
			data->tailroom = 0;
			tcp_sndq_append(c, data, 0); /* the application's bytes: never appended to */
		}
		data = n;
	}
	set_cork(c, flags);
	tcp_output(c);
	return AXIP_OK;
}

void axip_tcp_recved(struct axip_tcp *c, axip_u32 len)
{
	if (c->flags & TF_DEAD)
		return;
	c->rcv_held = len > c->rcv_held ? 0 : c->rcv_held - len;
	tcp_window_update(c);
}

int axip_tcp_shutdown(struct axip_tcp *c)
{
	if (c->flags & TF_DEAD)
		return AXIP_E_CLOSED;
	if (c->flags & TF_SHUT_WR)
		return AXIP_OK;
	switch (c->state) {
	case AXIP_TCP_SYN_SENT:
		tcp_conn_drop(c, AXIP_OK);
		return AXIP_OK;
	case AXIP_TCP_SYN_RECEIVED:
	case AXIP_TCP_ESTABLISHED:
		/* RFC 9293 3.10.4: FIN follows the queued data */
		c->flags |= TF_SHUT_WR;
		if (c->state == AXIP_TCP_ESTABLISHED)
			c->state = AXIP_TCP_FIN_WAIT_1;
		break;
	case AXIP_TCP_CLOSE_WAIT:
		c->flags |= TF_SHUT_WR;
		c->state = AXIP_TCP_LAST_ACK;
		break;
	default:
		return AXIP_E_CLOSED;
	}
	c->flags &= ~TF_CORK;
	tcp_output(c);
	return AXIP_OK;
}

int axip_tcp_close(struct axip_tcp *c)
{
	int rc;
	if (c->flags & TF_DEAD)
		return AXIP_E_CLOSED;
	c->flags |= TF_APP_CLOSED;
	if (c->state == AXIP_TCP_SYN_SENT) {
		tcp_conn_drop(c, AXIP_OK);
		return AXIP_OK;
	}
	if (c->flags & TF_SHUT_WR)
		rc = AXIP_OK;
	else
		rc = axip_tcp_shutdown(c);
	/* an orphan in FIN-WAIT-2 must not live forever */
	if (!(c->flags & TF_DEAD) && c->state == AXIP_TCP_FIN_WAIT_2 && c->rtx_kind == RTX_NONE) {
		c->rtx_kind = RTX_WAIT;
		c->t_rtx = c->s->now + c->s->cfg.tcp_time_wait_ns;
		tcp_timer_update(c);
	}
	return rc;
}

void axip_tcp_set_callbacks(struct axip_tcp *c, const struct axip_tcp_callbacks *cb, void *arg)
{
	c->cb = cb;
	c->arg = arg;
}

void axip_tcp_abort(struct axip_tcp *c)
{
	if (c->flags & TF_DEAD)
		return;
	/* RFC 9293 3.10.5: RST in synchronized states, then delete the TCB */
	if (c->state != AXIP_TCP_SYN_SENT && c->state != AXIP_TCP_CLOSED &&
	    c->state != AXIP_TCP_TIME_WAIT)
		tcp_send_rst_conn(c);
	tcp_conn_drop(c, AXIP_E_ABORTED);
}

int axip_tcp_setopt(struct axip_tcp *c, int opt, axip_u32 value)
{
	const struct tcp_cc_ops *ops;
	if (c->flags & TF_DEAD)
		return AXIP_E_CLOSED;
	switch (opt) {
	case AXIP_TCP_OPT_NODELAY:
		if (value)
			c->flags |= TF_NODELAY;
		else
			c->flags &= ~TF_NODELAY;
		c->opts.nodelay = value ? 1 : 0;
		tcp_output(c);
		return AXIP_OK;
	case AXIP_TCP_OPT_KEEPALIVE:
		if (value)
			c->flags |= TF_KEEPALIVE;
		else
			c->flags &= ~TF_KEEPALIVE;
		c->opts.keepalive = value ? 1 : 0;
		tcp_keepalive_reset(c);
		return AXIP_OK;
	case AXIP_TCP_OPT_CC:
		ops = tcp_cc_get(value);
		if (!ops)
			return AXIP_E_INVAL;
		c->cc_ops = ops;
		c->cc_id = (axip_u8)value;
		c->opts.cc = (axip_u8)value;
		/* the new algorithm goes on from the current window */
		tcp_cc_switch(&c->cc, &c->cc_priv_owner, ops);
		return AXIP_OK;
	case AXIP_TCP_OPT_SNDBUF:
		if (value < 1024u || value > (1u << 30))
			return AXIP_E_INVAL;
		c->sndbuf = value;
		return AXIP_OK;
	case AXIP_TCP_OPT_CORK:
		/* uncorking sends what the cork held (RFC 9293 3.7.4 leaves the timing to the sender) */
		if (value) {
			c->flags |= TF_CORK;
		} else if (c->flags & TF_CORK) {
			c->flags &= ~TF_CORK;
			c->flags |= TF_PUSH;
			tcp_output(c);
		}
		return AXIP_OK;
	case AXIP_TCP_OPT_KEEPIDLE:
	case AXIP_TCP_OPT_KEEPINTVL:
		if (value == 0 || value > 32767u)
			return AXIP_E_INVAL;
		if (opt == AXIP_TCP_OPT_KEEPIDLE)
			c->opts.keepalive_idle_ns = AXIP_SEC(value);
		else
			c->opts.keepalive_intvl_ns = AXIP_SEC(value);
		tcp_keepalive_reset(c);
		return AXIP_OK;
	case AXIP_TCP_OPT_KEEPCNT:
		if (value == 0 || value > 127u)
			return AXIP_E_INVAL;
		c->opts.keepalive_probes = value;
		return AXIP_OK;
	case AXIP_TCP_OPT_MAXSEG:
		/* only before the handshake fixes the MSS (RFC 9293 3.7.1) */
		if (c->state != AXIP_TCP_CLOSED)
			return AXIP_E_STATE;
		if (value < 88u || value > 65535u)
			return AXIP_E_INVAL;
		c->opts.mss = (axip_u16)value;
		if (value < c->rcv_mss)
			c->rcv_mss = value;
		return AXIP_OK;
	case AXIP_TCP_OPT_RCVBUF:
		if (value < 1024u || value > (1u << 30))

			return AXIP_E_INVAL;
		/* the window shift is fixed by the handshake: cap what it can express */
		if (c->state != AXIP_TCP_CLOSED && value > (65535u << c->rcv_ws))
			value = 65535u << c->rcv_ws;
		c->rcvbuf = value;
		tcp_window_update(c);
		return AXIP_OK;
	default:
		return AXIP_E_INVAL;
	}
}

void axip_tcp_get_info(const struct axip_tcp *c, struct axip_tcp_info *out)
{
	mem_zero(out, sizeof(*out));
	out->state = c->state;
	/* IPv6 connections: 0 here, the addresses from axip_tcp_get_addr6 */
	out->local_addr = c->family == 4u ? c->laddr : 0;
	out->remote_addr = c->family == 4u ? c->raddr : 0;
	out->local_port = c->lport;
	out->remote_port = c->rport;
	out->srtt_us = c->srtt_us;
	out->rttvar_us = c->rttvar_us;
	out->rto_us = tcp_ns_to_us(tcp_rto_ns(c));
	out->cwnd = c->cc.cwnd;
	out->ssthresh = c->cc.ssthresh;
	out->snd_mss = c->mss;
	out->rcv_mss = c->rcv_mss;
	out->snd_wnd = c->snd_wnd;
	out->rcv_wnd = c->rcv_adv - c->rcv_nxt;
	out->bytes_sent = c->bytes_sent;
	out->bytes_acked = c->bytes_acked;
	out->bytes_received = c->bytes_received;
	out->segs_out = c->segs_out;
	out->segs_in = c->segs_in;
	out->retransmits = c->n_retrans;
	out->rto_count = c->n_rto;
	out->fast_retransmits = c->n_fast;
	out->cc = c->cc_id;
}

int axip_tcp_family(const struct axip_tcp *c)
{
	return c->family == 6u ? 6 : 4;
}

int axip_tcp_get_addr6(const struct axip_tcp *c, axip_u8 local[16], axip_u8 remote[16])
{
	if (c->family != 6u)
		return AXIP_E_INVAL;
	if (local)
		mem_copy(local, c->laddr6, 16);
	if (remote)
		mem_copy(remote, c->raddr6, 16);
	return AXIP_OK;
}
