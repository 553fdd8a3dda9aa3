/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * udp.c - UDP (RFC 768): socket table, datagram input and output.
 *
 * Socket table: cfg.udp_sockets socket objects on a free list, indexed by a
 * chained hash on the local port (buckets: the next power of two >= the
 * table size, Fibonacci hashing). A chain only ever holds sockets the local
 * application bound, so a received packet cannot lengthen one: an unkeyed
 * hash is enough, and lookup costs O(sockets sharing a bucket), not a scan.
 * Several sockets may share a port when bound to different local addresses;
 * a wildcard (addr 0) socket excludes every other one on its port.
 *
 * Delivery is zero-copy: the UDP header is pulled off and the packet (an sg
 * chain for reassembled datagrams) goes to the socket's callback, which owns
 * it from then on.
 */
#include "udp.h"
#include "../include/axip/udp.h"
#include "wire.h"
#include "checksum.h"
#include "ipv6.h"
#include "icmp6.h"

/* RFC 768 over IPv4: 65535 - 20 (IPv4 header) - 8 (UDP header). */
#define UDP_MAX_PAYLOAD 65507u

struct axip_udp {
	struct axip_stack *s;
	struct axip_udp *hnext; /* hash chain, or free list when unused */
	axip_udp_recv_fn recv;
	void *arg;
	axip_udp_error_fn on_error;
	void *err_arg;
	axip_u32 addr;          /* host order, 0 = any local address */
	axip_u16 port;
	axip_u8 in_use;
	axip_u8 family;         /* 4 or 6: the families have separate port spaces */
	axip_u8 addr6[16];      /* IPv6 socket: bound address, all-zero = any */
};

struct udp_table {
	struct axip_udp *socks;
	struct axip_udp **bucket;
	struct axip_udp *free_head;
	axip_u32 mask;          /* buckets - 1 */
};

static axip_u32 n_buckets(axip_u32 sockets)
{
	axip_u32 n = 1;
	while (n < sockets)
		n <<= 1;
	return n;
}

void udp_carve(struct axip_stack *s, struct carve *c)
{
	axip_u32 nb = n_buckets(s->cfg.udp_sockets), i;
	struct udp_table *t = CARVE_ARRAY(c, struct udp_table, 1);
	struct axip_udp *socks = CARVE_ARRAY(c, struct axip_udp, s->cfg.udp_sockets);
	struct axip_udp **bucket = CARVE_ARRAY(c, struct axip_udp *, nb);
	if (carve_dry(c))
		return;
	t->socks = socks;
	t->bucket = bucket;
	t->mask = nb - 1u;
	t->free_head = AXIP_NULL;
	for (i = 0; i < nb; i++)
		bucket[i] = AXIP_NULL;
	/* push in reverse so socket 0 is handed out first */
	for (i = s->cfg.udp_sockets; i-- > 0;) {
		mem_zero(&socks[i], sizeof(socks[i]));
		socks[i].hnext = t->free_head;
		t->free_head = &socks[i];
	}
	s->udp = t;
}

static axip_u32 port_hash(const struct udp_table *t, axip_u16 port)
{
	return ((port * 2654435761u) >> 16) & t->mask;
}

/* The socket for a datagram to addr:port: an exact address match first,
 * else the wildcard socket of that port. */
static struct axip_udp *udp_lookup(const struct udp_table *t, axip_u32 addr, axip_u16 port)
{
	struct axip_udp *u, *wild = AXIP_NULL;
	for (u = t->bucket[port_hash(t, port)]; u; u = u->hnext) {
		if (u->port != port || u->family != 4u)
			continue;
		if (u->addr == addr)
			return u;
		if (u->addr == 0)
			wild = u;
	}
	return wild;
}

int axip_udp_open(struct axip_stack *s, axip_u32 addr, axip_u16 port,
                  axip_udp_recv_fn recv, void *arg, struct axip_udp **out)
{
	struct udp_table *t;
	struct axip_udp *u;
	axip_u32 h;

	if (!s || !recv || !out || port == 0)
		return AXIP_E_INVAL;
	if (addr != 0 && !ipv4_is_local(s, addr))
		return AXIP_E_INVAL;
	t = s->udp;
	h = port_hash(t, port);
	for (u = t->bucket[h]; u; u = u->hnext)
		if (u->port == port && u->family == 4u && (u->addr == 0 || addr == 0 || u->addr == addr))
			return AXIP_E_ADDRINUSE;
	u = t->free_head;
	if (!u) {
		CTR_INC(s, udp_table_full);
		return AXIP_E_NOMEM;
	}
	t->free_head = u->hnext;
	u->s = s;
	u->recv = recv;
	u->arg = arg;
	u->on_error = AXIP_NULL;
	u->err_arg = AXIP_NULL;
	u->addr = addr;
	u->port = port;
	u->in_use = 1;
	u->family = 4;
	mem_zero(u->addr6, 16);
	u->hnext = t->bucket[h];
	t->bucket[h] = u;
	*out = u;
	return AXIP_OK;
}

void axip_udp_close(struct axip_udp *sock)
{
	struct udp_table *t;
	struct axip_udp **pp;
	if (!sock || !sock->in_use)
		return;
	t = sock->s->udp;
	for (pp = &t->bucket[port_hash(t, sock->port)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == sock) {
			*pp = sock->hnext;
			break;
		}
	}
	sock->in_use = 0;
	sock->recv = AXIP_NULL;
	sock->on_error = AXIP_NULL;
	sock->hnext = t->free_head;
	t->free_head = sock;
}

void axip_udp_set_error_cb(struct axip_udp *sock, axip_udp_error_fn fn, void *arg)
{
	sock->on_error = fn;
	sock->err_arg = arg;
}

static void udp_drop(struct axip_stack *s, struct axip_pkt *p)
{
	axip_pkt_free(s, p);
}

/* The checks both families make on a datagram's header: present, and its
 * length within the IP payload (the chain is cut to that length). Returns
 * the length, or 0 after dropping p (counted). */
static axip_u32 udp_header_ok(struct axip_stack *s, struct axip_pkt *p)
{
	axip_u32 total = axip_pkt_chain_len(p);
	axip_u32 ulen;

	CTR_INC(s, udp_rx);
	if (total < UDP_HLEN || (p->len < UDP_HLEN && pkt_linearize(s, p, UDP_HLEN) != 0)) {
		CTR_INC(s, udp_rx_short);
		udp_drop(s, p);
		return 0;
	}
	ulen = load_be16(p->data + UDP_OFF_LEN);
	/* RFC 768: the length counts header and data. Longer than the IP
	 * payload means a truncated datagram: drop. Shorter: the octets past
	 * it are not part of the datagram (RFC 1122 4.1.3.4 processes it). */
	if (ulen < UDP_HLEN || ulen > total) {
		CTR_INC(s, udp_rx_bad_len);
		udp_drop(s, p);
		return 0;
	}
	if (ulen < total)
		pkt_trim(s, p, ulen);
	return ulen;
}

/* Hand a checked datagram for socket u to its callback (both families):
 * the payload only, and nothing when the embedder is short of buffers. */
static void udp_deliver(struct axip_stack *s, struct axip_udp *u, struct axip_pkt *p,
                        const struct axip_udp_meta *meta)
{
	if (p->flags & AXIP_PKT_RX_LOW_BUF) {
		/* the embedder is short of buffers: hand the application nothing
		 * it could keep (RFC 768 promises no delivery) */
		CTR_INC(s, rx_low_buf_drop);
		udp_drop(s, p);
		return;
	}
	pkt_pull(p, UDP_HLEN);
	/* skip leading buffers the header pull emptied, so the callback's
	 * first buffer holds payload whenever there is any */
	while (p->len == 0 && p->sg_next) {
		struct axip_pkt *n = p->sg_next;
		p->sg_next = AXIP_NULL;
		n->flags |= p->flags;
		axip_pkt_free(s, p);
		p = n;
	}
	u->recv(u->arg, u, meta, p);
}

void udp_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv4_rx_info *ip)
{
	axip_u32 ulen = udp_header_ok(s, p);
	axip_u16 sport, dport, csum;
	struct axip_udp *u;
	struct axip_udp_meta meta;

	if (ulen == 0)
		return;
	sport = load_be16(p->data + UDP_OFF_SPORT);
	dport = load_be16(p->data + UDP_OFF_DPORT);
	csum = load_be16(p->data + UDP_OFF_CSUM);
	/* RFC 768: an all-zero checksum field means the sender computed none.
	 * RFC 1122 4.1.3.4: otherwise a bad checksum is silently discarded.
	 * A NIC verdict is only valid for an unfragmented frame. */
	if (csum != 0 && !ip->l4_csum_ok &&
	    !(!ip->reassembled && (p->flags & AXIP_PKT_RX_L4_CSUM_OK))) {
		axip_u32 sum = csum_pseudo(ip->src, ip->dst, IP_PROTO_UDP, ulen);
		if (csum_fold(csum_add_chain(sum, p, 0, ulen)) != 0) {
			CTR_INC(s, udp_rx_bad_csum);
			udp_drop(s, p);
			return;
		}
	}
	u = udp_lookup(s->udp, ip->dst, dport);
	if (!u) {
		CTR_INC(s, udp_rx_no_port);
		/* RFC 1122 4.1.3.1: port unreachable, except for broadcasts
		 * (RFC 1122 3.2.2); icmp_send_error applies its own rate limit */
		if (!ip->dst_is_broadcast)
			icmp_send_error(s, p, ip, ICMP_DEST_UNREACH, ICMP_CODE_PORT_UNREACH, 0);
		udp_drop(s, p);
		return;
	}
	mem_zero(&meta, sizeof(meta));
	meta.family = 4;
	meta.src_addr = ip->src;
	meta.dst_addr = ip->dst;
	meta.src_port = sport;
	meta.dst_port = dport;
	udp_deliver(s, u, p, &meta);
}

/* RFC 1122 4.1.3.3: ICMP errors are passed to the application. Map an
 * error to an axip error code. */
static int icmp_to_err(const struct icmp_err_info *e)
{
	if (e->type == ICMP_DEST_UNREACH) {
		if (e->code == ICMP_CODE_PORT_UNREACH)
			return AXIP_E_REFUSED;
		if (e->code == ICMP_CODE_FRAG_NEEDED)
			return AXIP_E_MSGSIZE;
	}
	return AXIP_E_UNREACH;
}

void udp_icmp_error(struct axip_stack *s, const struct icmp_err_info *e)
{
	const axip_u8 *q = e->quoted;
	struct axip_udp *u;
	struct axip_udp_meta meta;

	if (e->quoted_len < e->quoted_ihl + UDP_HLEN)
		return;
	mem_zero(&meta, sizeof(meta));
	meta.family = 4;
	meta.src_addr = load_be32(q + IP_OFF_SRC);
	meta.dst_addr = load_be32(q + IP_OFF_DST);
	meta.src_port = load_be16(q + e->quoted_ihl + UDP_OFF_SPORT);
	meta.dst_port = load_be16(q + e->quoted_ihl + UDP_OFF_DPORT);
	/* RFC 5927 / RFC 6633: source quench is ignored by every transport */
	if (e->type == ICMP_SOURCE_QUENCH)
		return;
	u = udp_lookup(s->udp, meta.src_addr, meta.src_port);
	if (u && u->on_error)
		u->on_error(u->err_arg, u, &meta, icmp_to_err(e));
}

/* Source address of a datagram from `u` to `dst`: the bound one, else the route's. */
static int udp_source(struct axip_udp *u, axip_u32 dst, axip_u32 *src)
{
	axip_u32 nexthop;
	if (u->addr) {
		*src = u->addr;
		return AXIP_OK;
	}
	if (ipv4_route(u->s, dst, &nexthop, src) != AXIP_OK) {
		/* the same event ipv4_output counts when it finds no route */
		CTR_INC(u->s, ip_tx_no_route);
		return AXIP_E_UNREACH;
	}
	return AXIP_OK;
}

/*
 * Prepend the UDP header to `p` (payload `plen` bytes), fill the checksum
 * and hand the datagram to IPv4. Consumes p. The checksum goes to the NIC
 * only for a datagram that leaves in one frame: fragments each carry part of
 * the data, so no NIC can sum the whole datagram (RFC 791 fragmentation).
 */
static int udp_output(struct axip_udp *u, struct axip_pkt *p, axip_u32 plen, axip_u32 dst,
                      axip_u16 dst_port)
{
	struct axip_stack *s = u->s;
	axip_u32 ulen = plen + UDP_HLEN;
	axip_u32 src, sum;
	axip_u8 *h;
	int rc;

	rc = udp_source(u, dst, &src);
	if (rc != AXIP_OK) {
		axip_pkt_free(s, p);
		return rc;
	}
	h = pkt_push(p, UDP_HLEN);
	if (!h) {
		axip_pkt_free(s, p);
		return AXIP_E_INVAL;
	}
	store_be16(h + UDP_OFF_SPORT, u->port);
	store_be16(h + UDP_OFF_DPORT, dst_port);
	store_be16(h + UDP_OFF_LEN, (axip_u16)ulen);
	sum = csum_pseudo(src, dst, IP_PROTO_UDP, ulen);
	if ((s->env.caps & AXIP_CAP_TX_L4_CSUM) && ulen + IP_HLEN <= s->cfg.mtu) {
		/* the NIC sums from csum_start and folds in the pseudo-header sum
		 * left in the field; ipv4_output adds a 20-byte header (no options) */
		store_be16(h + UDP_OFF_CSUM, csum_fold_raw(sum));
		p->flags |= AXIP_PKT_TX_L4_CSUM;
		p->csum_start = (axip_u16)(ETH_HLEN + IP_HLEN);
		p->csum_offset = UDP_OFF_CSUM;
	} else {
		axip_u16 c;
		store_be16(h + UDP_OFF_CSUM, 0);
		c = csum_fold(csum_add_chain(sum, p, 0, ulen));
		/* RFC 768: a computed zero is transmitted as all ones */
		store_be16(h + UDP_OFF_CSUM, c == 0 ? 0xffffu : c);
	}
	rc = ipv4_output(s, p, u->addr, dst, IP_PROTO_UDP, 0);
	if (rc == AXIP_OK)
		CTR_INC(s, udp_tx);
	return rc;
}

/* Copy `n` bytes from the gathered pieces at (*i, *off) to dst, advancing. */
static void gather(const struct axip_iovec *iov, int *i, axip_size *off, axip_u8 *dst, axip_u32 n)
{
	while (n) {
		axip_size k = iov[*i].len - *off;
		if (k > n)
			k = n;
		mem_copy(dst, (const axip_u8 *)iov[*i].base + *off, (axip_u32)k);
		dst += k;
		n -= (axip_u32)k;
		*off += k;
		if (*off == iov[*i].len) {
			(*i)++;
			*off = 0;
		}
	}
}

int axip_udp_sendto(struct axip_udp *sock, axip_u32 dst, axip_u16 dst_port,
                    const void *data, axip_u32 len)
{
	struct axip_iovec v;
	if (len && !data)
		return AXIP_E_INVAL;
	v.base = (void *)(axip_size)data;
	v.len = len;
	return udp_sendv(sock, dst, dst_port, &v, 1, len);
}

static int udp_output6(struct axip_udp *u, struct axip_pkt *p, axip_u32 plen,
                       const axip_u8 *dst6, axip_u16 dst_port);

/* udp_sendv for either family: dst6 NULL = IPv4 to dst. */
static int udp_send_iov(struct axip_udp *sock, axip_u32 dst, const axip_u8 *dst6,
                        axip_u16 dst_port, const struct axip_iovec *iov, int iovcnt,
                        axip_u32 len)
{
	struct axip_stack *s;
	struct axip_pkt *head = AXIP_NULL, **link = &head;
	axip_u32 done = 0, first = 1, piece;
	axip_size ioff = 0;
	int iidx = 0;

	axip_u32 l3 = dst6 ? IP6_HLEN : IP_HLEN, mtu;

	if (!sock || !sock->in_use || dst_port == 0 || iovcnt < 0 ||
	    sock->family != (dst6 ? 6u : 4u))
		return AXIP_E_INVAL;
	/* IPv6: 65535 - 8, the payload length field bounds the datagram */
	if (len > (dst6 ? 0xffffu - UDP_HLEN : UDP_MAX_PAYLOAD))
		return AXIP_E_MSGSIZE;
	/* skip empty leading pieces so gather() never reads past the last one */
	while (iidx < iovcnt && iov[iidx].len == 0)
		iidx++;
	s = sock->s;
	/* Lay the payload out one IPv4 fragment per buffer: fragment data is a
	 * multiple of 8 bytes (RFC 791), and the first fragment also carries
	 * the UDP header. A datagram that fits the MTU is one piece. (IPv6
	 * fragmentation copies into new buffers, so any layout serves.) */
	mtu = dst6 ? ipv6_pmtu(s, dst6) : s->cfg.mtu;
	piece = (mtu - l3 - (dst6 ? IP6_FRAG_HLEN : 0u)) & ~7u;
	if (len + UDP_HLEN + l3 <= mtu)
		piece = len + UDP_HLEN;
	do {
		struct axip_pkt *p = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
		axip_u32 n = piece - (first ? UDP_HLEN : 0u);
		if (!p) {
			axip_pkt_free(s, head);
			return s->pool.available == 0 ? AXIP_E_NOMEM : AXIP_E_NOBUFS;
		}
		if (n > len - done)
			n = len - done;
		if (n > p->tailroom) {
			/* buffers smaller than a frame: the datagram would need a chain
			 * inside one frame, which only an SG environment accepts */
			if (!(s->env.caps & AXIP_CAP_SG) && piece == len + UDP_HLEN) {
				axip_pkt_free(s, p);
				axip_pkt_free(s, head);
				return AXIP_E_MSGSIZE;
			}
			n = p->tailroom & ~7u;
			if (n == 0) {
				axip_pkt_free(s, p);
				axip_pkt_free(s, head);
				return AXIP_E_MSGSIZE;
			}
		}
		gather(iov, &iidx, &ioff, p->data, n);
		p->len = n;
		p->tailroom -= n;
		done += n;
		first = 0;
		*link = p;
		link = &p->sg_next;
	} while (done < len);
	if (dst6)
		return udp_output6(sock, head, len, dst6, dst_port);
	return udp_output(sock, head, len, dst, dst_port);
}

int udp_sendv(struct axip_udp *sock, axip_u32 dst, axip_u16 dst_port,
              const struct axip_iovec *iov, int iovcnt, axip_u32 len)
{
	return udp_send_iov(sock, dst, AXIP_NULL, dst_port, iov, iovcnt, len);
}

int udp_sendv6(struct axip_udp *sock, const axip_u8 dst6[16], axip_u16 dst_port,
               const struct axip_iovec *iov, int iovcnt, axip_u32 len)
{
	return udp_send_iov(sock, 0, dst6, dst_port, iov, iovcnt, len);
}

int axip_udp_send_pkt(struct axip_udp *sock, axip_u32 dst, axip_u16 dst_port,
                      struct axip_pkt *payload)
{
	struct axip_stack *s;
	axip_u32 len;

	/* a socket never opened has no instance to return the packet to */
	if (!sock || !sock->s || !payload)
		return AXIP_E_INVAL;
	s = sock->s;
	if (!sock->in_use) {
		axip_pkt_free(s, payload);
		return AXIP_E_CLOSED;
	}
	if (sock->family != 4u) {
		axip_pkt_free(s, payload);
		return AXIP_E_INVAL;
	}
	len = axip_pkt_chain_len(payload);
	if (dst_port == 0 || payload->headroom < UDP_HLEN + IP_HLEN + ETH_HLEN) {
		axip_pkt_free(s, payload);
		return AXIP_E_INVAL;
	}
	if (len > UDP_MAX_PAYLOAD) {
		axip_pkt_free(s, payload);
		return AXIP_E_MSGSIZE;
	}
	/* a chain that leaves as one frame needs SG; make it contiguous when
	 * the first buffer has the room, else it cannot be sent */
	if (payload->sg_next && !(s->env.caps & AXIP_CAP_SG) &&
	    len + UDP_HLEN + IP_HLEN <= s->cfg.mtu && pkt_linearize(s, payload, len) != 0) {
		axip_pkt_free(s, payload);
		return AXIP_E_MSGSIZE;
	}
	/* RX marks of a received packet being sent back mean nothing on TX */
	payload->flags = 0;
	return udp_output(sock, payload, len, dst, dst_port);
}

/* ---- UDP over IPv6 (RFC 8200 8.1) ---- */

static int addr6_zero(const axip_u8 *a)
{
	return ip6_is_unspecified(a);
}

/* The IPv6 socket for a datagram to addr:port: exact address, else wildcard. */
static struct axip_udp *udp_lookup6(const struct udp_table *t, const axip_u8 *addr, axip_u16 port)
{
	struct axip_udp *u, *wild = AXIP_NULL;
	for (u = t->bucket[port_hash(t, port)]; u; u = u->hnext) {
		if (u->port != port || u->family != 6u)
			continue;
		if (mem_equal(u->addr6, addr, 16))
			return u;
		if (addr6_zero(u->addr6))
			wild = u;
	}
	return wild;
}

int axip_udp_open6(struct axip_stack *s, const axip_u8 *addr6, axip_u16 port,
                   axip_udp_recv_fn recv, void *arg, struct axip_udp **out)
{
	static const axip_u8 any[16] = {0};
	struct udp_table *t;
	struct axip_udp *u;
	axip_u32 h;

	if (!s || !recv || !out || port == 0)
		return AXIP_E_INVAL;
	if (!s->ip6)
		return AXIP_E_STATE;
	if (!addr6)
		addr6 = any;
	if (!addr6_zero(addr6) && !ipv6_ifaddr_find(s, addr6))
		return AXIP_E_INVAL;
	t = s->udp;
	h = port_hash(t, port);
	for (u = t->bucket[h]; u; u = u->hnext)
		if (u->port == port && u->family == 6u &&
		    (addr6_zero(u->addr6) || addr6_zero(addr6) || mem_equal(u->addr6, addr6, 16)))
			return AXIP_E_ADDRINUSE;
	u = t->free_head;
	if (!u) {
		CTR_INC(s, udp_table_full);
		return AXIP_E_NOMEM;
	}
	t->free_head = u->hnext;
	u->s = s;
	u->recv = recv;
	u->arg = arg;
	u->on_error = AXIP_NULL;
	u->err_arg = AXIP_NULL;
	u->addr = 0;
	mem_copy(u->addr6, addr6, 16);
	u->port = port;
	u->in_use = 1;
	u->family = 6;
	u->hnext = t->bucket[h];
	t->bucket[h] = u;
	*out = u;
	return AXIP_OK;
}

void udp6_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv6_rx_info *ip)
{
	axip_u32 ulen = udp_header_ok(s, p);
	axip_u16 sport, dport;
	struct axip_udp *u;
	struct axip_udp_meta meta;

	if (ulen == 0)
		return;
	sport = load_be16(p->data + UDP_OFF_SPORT);
	dport = load_be16(p->data + UDP_OFF_DPORT);
	/* RFC 8200 8.1: the checksum is mandatory over IPv6; a zero one is
	 * discarded like a wrong one */
	if (load_be16(p->data + UDP_OFF_CSUM) == 0 ||
	    (!ip->l4_csum_ok &&
	     csum_fold(csum_add_chain(csum_pseudo6(ip->src, ip->dst, IP6_NH_UDP, ulen), p, 0, ulen)) !=
	         0)) {
		CTR_INC(s, udp_rx_bad_csum);
		udp_drop(s, p);
		return;
	}
	u = ip->dst_multicast ? AXIP_NULL : udp_lookup6(s->udp, ip->dst, dport);
	if (!u) {
		CTR_INC(s, udp_rx_no_port);
		/* RFC 4443 3.1: port unreachable (code 4); not for a group
		 * destination (2.4 (e.3), applied by icmp6_send_error) */
		icmp6_send_error(s, ip->hdr, ip->hdr_len, p, ICMP6_DEST_UNREACH,
		                 ICMP6_CODE_PORT_UNREACH, 0);
		udp_drop(s, p);
		return;
	}
	mem_zero(&meta, sizeof(meta));
	meta.family = 6;
	mem_copy(meta.src_addr6, ip->src, 16);
	mem_copy(meta.dst_addr6, ip->dst, 16);
	meta.src_port = sport;
	meta.dst_port = dport;
	udp_deliver(s, u, p, &meta);
}

/* RFC 4443 3.1/3.2: port unreachable refuses, packet too big is a size
 * error, the rest is unreachability. */
void udp6_icmp_error(struct axip_stack *s, const struct icmp6_err_info *e)
{
	const axip_u8 *q = e->quoted;
	struct axip_udp *u;
	struct axip_udp_meta meta;
	int err = AXIP_E_UNREACH;

	if (e->quoted_len < e->quoted_l4 + UDP_HLEN)
		return;
	mem_zero(&meta, sizeof(meta));
	meta.family = 6;
	mem_copy(meta.src_addr6, q + IP6_OFF_SRC, 16);
	mem_copy(meta.dst_addr6, q + IP6_OFF_DST, 16);
	meta.src_port = load_be16(q + e->quoted_l4 + UDP_OFF_SPORT);
	meta.dst_port = load_be16(q + e->quoted_l4 + UDP_OFF_DPORT);
	if (e->type == ICMP6_DEST_UNREACH && e->code == ICMP6_CODE_PORT_UNREACH)
		err = AXIP_E_REFUSED;
	else if (e->type == ICMP6_PACKET_TOO_BIG)
		err = AXIP_E_MSGSIZE;
	u = udp_lookup6(s->udp, meta.src_addr6, meta.src_port);
	if (u && u->on_error)
		u->on_error(u->err_arg, u, &meta, err);
}

/* As udp_output, over IPv6; the source is the bound address or the one
 * ipv6_output selects. */
static int udp_output6(struct axip_udp *u, struct axip_pkt *p, axip_u32 plen,
                       const axip_u8 *dst6, axip_u16 dst_port)
{
	struct axip_stack *s = u->s;
	axip_u32 ulen = plen + UDP_HLEN, sum;
	axip_u8 nexthop[16], src[16];
	axip_u8 *h;
	int rc;

	if (addr6_zero(u->addr6)) {
		if (ipv6_route(s, dst6, nexthop, src) != AXIP_OK || addr6_zero(src)) {
			CTR_INC(s, ip6_tx_no_route);
			axip_pkt_free(s, p);
			return AXIP_E_UNREACH;
		}
	} else {
		mem_copy(src, u->addr6, 16);
	}
	h = pkt_push(p, UDP_HLEN);
	if (!h) {
		axip_pkt_free(s, p);
		return AXIP_E_INVAL;
	}
	store_be16(h + UDP_OFF_SPORT, u->port);
	store_be16(h + UDP_OFF_DPORT, dst_port);
	store_be16(h + UDP_OFF_LEN, (axip_u16)ulen);
	sum = csum_pseudo6(src, dst6, IP6_NH_UDP, ulen);
	if ((s->env.caps & AXIP_CAP_TX_L4_CSUM) && ulen + IP6_HLEN <= ipv6_pmtu(s, dst6)) {
		store_be16(h + UDP_OFF_CSUM, csum_fold_raw(sum));
		p->flags |= AXIP_PKT_TX_L4_CSUM;
		p->csum_start = (axip_u16)(ETH_HLEN + IP6_HLEN);
		p->csum_offset = UDP_OFF_CSUM;
	} else {
		axip_u16 c;
		store_be16(h + UDP_OFF_CSUM, 0);
		c = csum_fold(csum_add_chain(sum, p, 0, ulen));
		/* RFC 8200 8.1: a computed zero is sent as all ones */
		store_be16(h + UDP_OFF_CSUM, c == 0 ? 0xffffu : c);
	}
	rc = ipv6_output(s, p, src, dst6, IP6_NH_UDP, 0, 0);
	if (rc == AXIP_OK)
		CTR_INC(s, udp_tx);
	return rc;
}

int axip_udp_sendto6(struct axip_udp *sock, const axip_u8 dst6[16], axip_u16 dst_port,
                     const void *data, axip_u32 len)
{
	struct axip_iovec v;
	if ((len && !data) || !dst6)
		return AXIP_E_INVAL;
	v.base = (void *)(axip_size)data;
	v.len = len;
	return udp_send_iov(sock, 0, dst6, dst_port, &v, 1, len);
}

int axip_udp_send_pkt6(struct axip_udp *sock, const axip_u8 dst6[16], axip_u16 dst_port,
                       struct axip_pkt *payload)
{
	struct axip_stack *s;
	axip_u32 len;

	if (!sock || !sock->s || !payload)
		return AXIP_E_INVAL;
	s = sock->s;
	if (!sock->in_use) {
		axip_pkt_free(s, payload);
		return AXIP_E_CLOSED;
	}
	len = axip_pkt_chain_len(payload);
	if (!dst6 || sock->family != 6u || dst_port == 0 ||
	    payload->headroom < UDP_HLEN + IP6_HLEN + ETH_HLEN) {
		axip_pkt_free(s, payload);
		return AXIP_E_INVAL;
	}
	if (len > 0xffffu - UDP_HLEN) {
		axip_pkt_free(s, payload);
		return AXIP_E_MSGSIZE;
	}
	if (payload->sg_next && !(s->env.caps & AXIP_CAP_SG) &&
	    len + UDP_HLEN + IP6_HLEN <= ipv6_pmtu(s, dst6) && pkt_linearize(s, payload, len) != 0) {
		axip_pkt_free(s, payload);
		return AXIP_E_MSGSIZE;
	}
	payload->flags = 0;
	return udp_output6(sock, payload, len, dst6, dst_port);
}
