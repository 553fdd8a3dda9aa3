/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock_util.h - helpers shared by the socket-layer tests: two sim hosts with
 * their starting pool levels, readiness conditions for sim_run_until(), a
 * connected TCP socket pair, and the end-of-test leak check (every
 * descriptor closed, TIME_WAIT over, buffers and packet objects back).
 */
#ifndef AXIP_TEST_SOCK_UTIL_H
#define AXIP_TEST_SOCK_UTIL_H

#include "test.h"
#include "sim.h"
#include <axip/sock.h>

#define H0 AXIP_IP4(10, 0, 0, 1)
#define H1 AXIP_IP4(10, 0, 0, 2)

struct senv {
	struct sim *sim;
	struct axip_stack *s0, *s1;
	uint32_t bufs0, bufs1, pool0, pool1;
};

static inline uint64_t fds_in_use(struct axip_stack *s)
{
	const struct axip_counters *k = axip_counters(s);
	return k->sock_open - k->sock_close;
}

static inline uint64_t tcp_conns_in_use(struct axip_stack *s)
{
	const struct axip_counters *k = axip_counters(s);
	return k->tcp_conn_alloc - k->tcp_conn_free;
}

/* Two hosts (seed, impairments, optional configuration hook), each with a
 * static neighbour entry for the other. */
static inline void senv_open(struct senv *e, uint64_t seed, const struct sim_impair *im,
                             void (*hook)(void *, uint32_t, struct axip_config *), void *arg)
{
	struct sim_params p;
	memset(&p, 0, sizeof(p));
	p.seed = seed;
	if (im)
		p.impair = *im;
	p.cfg_hook = hook;
	p.cfg_arg = arg;
	e->sim = sim_new(&p);
	e->s0 = sim_stack(e->sim, 0);
	e->s1 = sim_stack(e->sim, 1);
	sim_run(e->sim, AXIP_MS(1)); /* gratuitous ARP */
	{
		/* both know each other: a burst of datagrams would wait for ARP */
		uint8_t mac[6];
		sim_host_mac(1, mac);
		axip_neigh_set(e->s0, sim_host_ip(1), mac, 1);
		sim_host_mac(0, mac);
		axip_neigh_set(e->s1, sim_host_ip(0), mac, 1);
	}
	e->bufs0 = sim_bufs_in_use(e->sim, 0);
	e->bufs1 = sim_bufs_in_use(e->sim, 1);
	e->pool0 = axip_pkt_pool_available(e->s0);
	e->pool1 = axip_pkt_pool_available(e->s1);
}

/* Every descriptor must be closed by now: let TIME_WAIT end and check that
 * connections, descriptors, buffers and packet objects are back. */
static inline void senv_close(struct senv *e)
{
	struct sim_impair none;
	memset(&none, 0, sizeof(none));
	sim_set_impair(e->sim, &none);
	sim_run(e->sim, AXIP_SEC(200));
	CHECK_EQ(fds_in_use(e->s0), 0);
	CHECK_EQ(fds_in_use(e->s1), 0);
	CHECK_EQ(tcp_conns_in_use(e->s0), 0);
	CHECK_EQ(tcp_conns_in_use(e->s1), 0);
	CHECK_EQ(sim_bufs_in_use(e->sim, 0), e->bufs0);
	CHECK_EQ(sim_bufs_in_use(e->sim, 1), e->bufs1);
	CHECK_EQ(axip_pkt_pool_available(e->s0), e->pool0);
	CHECK_EQ(axip_pkt_pool_available(e->s1), e->pool1);
	sim_free(e->sim);
}

static inline struct axip_sockaddr sa4(uint32_t addr, uint16_t port)
{
	struct axip_sockaddr a;
	memset(&a, 0, sizeof(a));
	a.family = AXIP_AF_INET;
	a.addr.v4 = addr;
	a.port = port;
	return a;
}

/* sim_run_until() condition: any bit of `mask` in the descriptor's events. */
struct evwait {
	struct axip_stack *s;
	int fd;
	unsigned mask;
};
static inline int evwait_cond(void *arg)
{
	struct evwait *w = (struct evwait *)arg;
	int ev = axip_sock_events(w->s, w->fd);
	return ev > 0 && ((unsigned)ev & w->mask) != 0;
}
static inline int run_until_ev(struct senv *e, struct axip_stack *s, int fd, unsigned mask,
                               axip_time_ns max)
{
	struct evwait w;
	w.s = s;
	w.fd = fd;
	w.mask = mask;
	return sim_run_until(e->sim, evwait_cond, &w, max);
}

static inline int int_opt(struct axip_stack *s, int fd, int level, int name)
{
	int v = -12345;
	axip_u32 len = sizeof(v);
	int rc = axip_getsockopt(s, fd, level, name, &v, &len);
	return rc < 0 ? rc : v;
}

static inline int set_int(struct axip_stack *s, int fd, int level, int name, int v)
{
	return axip_setsockopt(s, fd, level, name, &v, sizeof(v));
}

/* Host 1 listens on `port` (fd *lfd, unless *lfd >= 0 already), host 0
 * connects (*cfd, created unless >= 0) and host 1 accepts (*afd). 1 on success. */
static inline int tcp_pair(struct senv *e, int *lfd, int *cfd, int *afd, uint16_t port)
{
	struct axip_sockaddr a = sa4(0, port), peer;
	int rc;
	if (*lfd < 0) {
		*lfd = axip_socket(e->s1, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
		if (*lfd < 0 || axip_bind(e->s1, *lfd, &a) != 0 || axip_listen(e->s1, *lfd, 16) != 0)
			return 0;
	}
	if (*cfd < 0)
		*cfd = axip_socket(e->s0, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	if (*cfd < 0)
		return 0;
	a = sa4(H1, port);
	rc = axip_connect(e->s0, *cfd, &a);
	if (rc != -AXIP_EINPROGRESS)
		return 0;
	if (!run_until_ev(e, e->s0, *cfd, AXIP_EV_OUT | AXIP_EV_ERR, AXIP_SEC(5)))
		return 0;
	if (!run_until_ev(e, e->s1, *lfd, AXIP_EV_IN, AXIP_SEC(5)))
		return 0;
	*afd = axip_accept(e->s1, *lfd, &peer);
	return *afd >= 0 && axip_connect(e->s0, *cfd, &a) == 0;
}

/* Byte i of the test stream `seed`, and FNV-1a over a buffer. */
static inline uint8_t sbyte(uint32_t seed, uint64_t i)
{
	uint64_t x = (i >> 2) * 0x9e3779b97f4a7c15ull + seed;
	x ^= x >> 29;
	return (uint8_t)(x >> (8 * (i & 3)));
}
static inline uint32_t sfnv(uint32_t h, const uint8_t *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}
#define SFNV_INIT 2166136261u

/* AXIP_TEST_SCALE (emulated targets): divide long transfers by it. */
static inline uint32_t test_scale(void)
{
	const char *v = getenv("AXIP_TEST_SCALE");
	int n = v ? atoi(v) : 1;
	return n > 1 ? (uint32_t)n : 1u;
}

#endif
