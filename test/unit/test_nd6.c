/* SPDX-License-Identifier: BSD-2-Clause */
/* test_nd6.c - neighbour discovery (RFC 4861) and duplicate address
 * detection (RFC 4862 5.4) on crafted frames, in virtual time: NS/NA
 * validation and answers, resolution with its queue and retries, every
 * neighbour cache state transition, the override rules, DAD and its
 * conflicts, the public neighbour calls. */
#include "test.h"
#include "sim.h"
#include "ip6_frames.h"
#include "nd6.h"

static uint8_t frame[9300], out[9300];
static axip_time_ns now;

#define NA_R 0x80
#define NA_S 0x40
#define NA_O 0x20

/* An NS or NA (type 135/136) with an optional link-layer option. */
static uint32_t nd_frame(uint8_t type, uint8_t flags, const uint8_t *src, const uint8_t *dst,
                         const uint8_t *dst_mac, const uint8_t *target, int lla_type,
                         const uint8_t *lla, uint8_t hops)
{
	uint8_t m[64];
	uint32_t len = 24;
	memset(m, 0, sizeof(m));
	m[0] = type;
	m[4] = flags;
	memcpy(m + 8, target, 16);
	if (lla_type) {
		m[24] = (uint8_t)lla_type;
		m[25] = 1;
		memcpy(m + 26, lla, 6);
		len = 32;
	}
	ip6t_icmp6_csum(m, len, src, dst);
	return ip6t_build(frame, dst_mac, ip6_peer_mac, src, dst, 58, hops, m, len);
}

static void rx(struct sim_single *h, uint32_t n)
{
	sim_single_rx(h, frame, n, now);
}

static int state_of(struct sim_single *h, const uint8_t *a)
{
	struct axip_neigh6 n;
	if (axip_neigh6_get(sim_single_stack(h), a, &n) != AXIP_OK)
		return 0;
	return n.state;
}

static axip_time_ns expires_of(struct sim_single *h, const uint8_t *a)
{
	struct axip_neigh6 n;
	if (axip_neigh6_get(sim_single_stack(h), a, &n) != AXIP_OK)
		return 0;
	return n.expires;
}

/* Pop a frame and check it is an NS for target (multicast or unicast). */
static void check_ns(struct sim_single *h, const uint8_t *target, int unicast, int dad)
{
	uint8_t g[16], mac[6];
	uint32_t len = sim_single_tx_pop(h, out, sizeof(out));
	REQUIRE(len == 14 + 40 + (dad ? 24u : 32u));
	if (unicast) {
		CHECK(memcmp(out, ip6_peer_mac, 6) == 0);
		CHECK(memcmp(out + 38, target, 16) == 0);
	} else {
		ip6t_snm(g, target);
		ip6t_mcast_mac(mac, g);
		CHECK(memcmp(out, mac, 6) == 0);
		CHECK(memcmp(out + 38, g, 16) == 0);
	}
	CHECK_EQ(out[21], 255);
	CHECK_EQ(out[54], 135);
	CHECK_EQ(out[55], 0);
	CHECK(memcmp(out + 62, target, 16) == 0);
	if (dad) {
		CHECK(memcmp(out + 22, ip6_unspec, 16) == 0);
	} else {
		CHECK_EQ(out[78], 1);
		CHECK_EQ(out[79], 1);
		CHECK(memcmp(out + 80, ip6_my_mac, 6) == 0);
	}
	CHECK_EQ(sim_ref_csum(out + 54, len - 54, ip6t_pseudo(out + 22, out + 38, 58, len - 54)), 0);
}

static struct sim_single *bare_host(void)
{
	struct axip_config c;
	ip6t_cfg(&c);
	return ip6t_host_cfg(&c, 0);
}

static void test_ns_answered(void)
{
	struct sim_single *h = bare_host();
	const struct axip_counters *c = ip6t_ctr(h);
	uint8_t g[16], mac[6];
	uint32_t len;

	now = AXIP_MS(1);
	ip6t_snm(g, ip6_my_gl);
	ip6t_mcast_mac(mac, g);
	rx(h, nd_frame(135, 0, ip6_peer_gl, g, mac, ip6_my_gl, 1, ip6_peer_mac, 255));
	CHECK_EQ(c->nd6_rx_ns, 1);
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(len, 14 + 40 + 32);
	CHECK(memcmp(out, ip6_peer_mac, 6) == 0);
	CHECK_EQ(out[21], 255);
	CHECK(memcmp(out + 22, ip6_my_gl, 16) == 0);
	CHECK(memcmp(out + 38, ip6_peer_gl, 16) == 0);
	CHECK_EQ(out[54], 136);
	CHECK_EQ(out[58], NA_S | NA_O);
	CHECK(memcmp(out + 62, ip6_my_gl, 16) == 0);
	CHECK_EQ(out[78], 2);
	CHECK_EQ(out[79], 1);
	CHECK(memcmp(out + 80, ip6_my_mac, 6) == 0);
	CHECK_EQ(sim_ref_csum(out + 54, 32, ip6t_pseudo(out + 22, out + 38, 58, 32)), 0);
	CHECK_EQ(c->nd6_tx_na, 1);
	/* the solicitation's source was learned STALE (7.2.3); answering it
	 * started the delay before probing (7.3.3) */
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_DELAY);

	/* a node doing DAD for our address gets an NA to all-nodes, S clear */
	rx(h, nd_frame(135, 0, ip6_unspec, g, mac, ip6_my_gl, 0, AXIP_NULL, 255));
	REQUIRE(sim_single_tx_count(h) == 1);
	sim_single_tx_pop(h, out, sizeof(out));
	CHECK(memcmp(out, ip6_mac_all_nodes, 6) == 0);
	CHECK(memcmp(out + 38, ip6_all_nodes, 16) == 0);
	CHECK_EQ(out[58], NA_O);

	/* validation (7.1.1): each silently dropped and counted */
	rx(h, nd_frame(135, 0, ip6_peer_gl, g, mac, ip6_my_gl, 1, ip6_peer_mac, 254));
	len = nd_frame(135, 0, ip6_peer_gl, g, mac, ip6_my_gl, 1, ip6_peer_mac, 255);
	frame[55] = 1; /* code (checksum fixed below) */
	ip6t_icmp6_csum(frame + 54, 32, ip6_peer_gl, g);
	rx(h, len);
	len = nd_frame(135, 0, ip6_peer_gl, g, mac, ip6_my_gl, 1, ip6_peer_mac, 255);
	frame[79] = 0; /* option length 0 */
	ip6t_icmp6_csum(frame + 54, 32, ip6_peer_gl, g);
	rx(h, len);
	len = nd_frame(135, 0, ip6_peer_gl, g, mac, ip6_my_gl, 1, ip6_peer_mac, 255);
	frame[79] = 2; /* option past the end */
	ip6t_icmp6_csum(frame + 54, 32, ip6_peer_gl, g);
	rx(h, len);
	rx(h, nd_frame(135, 0, ip6_peer_gl, g, mac, ip6_all_nodes, 1, ip6_peer_mac, 255));
	rx(h, nd_frame(135, 0, ip6_unspec, ip6_all_nodes, ip6_mac_all_nodes, ip6_my_gl, 0,
	               AXIP_NULL, 255)); /* DAD not to the solicited-node group */
	rx(h, nd_frame(135, 0, ip6_unspec, g, mac, ip6_my_gl, 1, ip6_peer_mac, 255)); /* with SLLA */
	{
		static const uint8_t bad_mac[6] = {1, 0, 0, 0, 0, 9};
		rx(h, nd_frame(135, 0, ip6_peer_gl, g, mac, ip6_my_gl, 1, bad_mac, 255));
	}
	/* truncated: 20 bytes */
	len = nd_frame(135, 0, ip6_peer_gl, g, mac, ip6_my_gl, 0, AXIP_NULL, 255);
	ip6t_put16(frame + 18, 20);
	ip6t_icmp6_csum(frame + 54, 20, ip6_peer_gl, g);
	rx(h, len - 4);
	CHECK_EQ(c->nd6_rx_bad, 9);
	/* a target that is not ours */
	rx(h, nd_frame(135, 0, ip6_peer_gl, g, mac, ip6_peer_ll, 1, ip6_peer_mac, 255));
	CHECK_EQ(c->nd6_rx_not_for_us, 1);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* A reply to the peer's echo has to resolve the peer first. */
static void start_resolution(struct sim_single *h)
{
	rx(h, ip6t_echo_frame(frame, 1, 16));
	REQUIRE(sim_single_tx_count(h) == 1);
	check_ns(h, ip6_peer_gl, 0, 0);
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_INCOMPLETE);
}

static void test_resolution(void)
{
	struct sim_single *h = bare_host();
	const struct axip_counters *c = ip6t_ctr(h);
	uint32_t len;

	now = AXIP_MS(1);
	start_resolution(h);
	/* an NA without the target's address does not resolve */
	rx(h, nd_frame(136, NA_S | NA_O, ip6_peer_gl, ip6_my_gl, ip6_my_mac, ip6_peer_gl, 0,
	               AXIP_NULL, 255));
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_INCOMPLETE);
	rx(h, nd_frame(136, NA_S | NA_O, ip6_peer_gl, ip6_my_gl, ip6_my_mac, ip6_peer_gl, 2,
	               ip6_peer_mac, 255));
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_REACHABLE);
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(len, 14 + 40 + 24);
	CHECK(memcmp(out, ip6_peer_mac, 6) == 0);
	CHECK_EQ(out[54], 129);
	sim_single_free(h);

	/* no answer: MAX_MULTICAST_SOLICIT solicitations RETRANS_TIMER apart */
	h = bare_host();
	c = ip6t_ctr(h);
	now = AXIP_MS(1);
	start_resolution(h);
	now += AXIP_SEC(1);
	sim_single_poll(h, now);
	check_ns(h, ip6_peer_gl, 0, 0);
	now += AXIP_SEC(1);
	sim_single_poll(h, now);
	check_ns(h, ip6_peer_gl, 0, 0);
	CHECK_EQ(c->nd6_tx_ns, 3);
	now += AXIP_SEC(1);
	sim_single_poll(h, now);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(c->nd6_resolve_fail, 1);
	CHECK_EQ(c->nd6_resolve_fail_pkts, 1);
	CHECK_EQ(state_of(h, ip6_peer_gl), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);

	/* RFC 4861 7.2.2: the first solicitation comes from the source of the
	 * packet that prompted it (here a reply through the router, from the
	 * global address), later ones from the address selected for the target */
	{
		struct axip_config cfg;
		static const uint8_t far[16] = {0x20, 0x01, 0x0d, 0xb9, 0, 0, 0, 0,
		                                0, 0, 0, 0, 0, 0, 0, 5};
		uint8_t m[64];
		uint32_t l;
		ip6t_cfg(&cfg);
		memcpy(cfg.gateway6, ip6_peer_ll, 16);
		h = ip6t_host_cfg(&cfg, 0);
		now = AXIP_MS(1);
		l = ip6t_echo_msg(m, 128, 1, 1, 8, far, ip6_my_gl);
		rx(h, ip6t_build(frame, ip6_my_mac, ip6_peer_mac, far, ip6_my_gl, 58, 64, m, l));
		REQUIRE(sim_single_tx_count(h) == 1);
		sim_single_tx_pop(h, out, sizeof(out));
		CHECK_EQ(out[54], 135);
		CHECK(memcmp(out + 62, ip6_peer_ll, 16) == 0);
		CHECK(memcmp(out + 22, ip6_my_gl, 16) == 0);
		now += AXIP_SEC(1);
		sim_single_poll(h, now);
		REQUIRE(sim_single_tx_count(h) == 1);
		sim_single_tx_pop(h, out, sizeof(out));
		CHECK(memcmp(out + 22, ip6_my_ll, 16) == 0);
		rx(h, nd_frame(136, NA_S | NA_R, ip6_peer_ll, ip6_my_ll, ip6_my_mac, ip6_peer_ll, 2,
		               ip6_peer_mac, 255));
		REQUIRE(sim_single_tx_count(h) == 1);
		sim_single_tx_pop(h, out, sizeof(out));
		CHECK(memcmp(out, ip6_peer_mac, 6) == 0);
		CHECK(memcmp(out + 38, far, 16) == 0);
		sim_single_free(h);
	}

	/* the queue keeps the latest nd6_queue_len packets */
	{
		struct axip_config cfg;
		ip6t_cfg(&cfg);
		cfg.nd6_queue_len = 2;
		h = ip6t_host_cfg(&cfg, 0);
		c = ip6t_ctr(h);
		start_resolution(h);
		rx(h, ip6t_echo_frame(frame, 2, 16));
		rx(h, ip6t_echo_frame(frame, 3, 16));
		CHECK_EQ(c->nd6_queue_full, 1);
		CHECK_EQ(sim_single_tx_count(h), 0); /* one solicitation per interval */
		rx(h, nd_frame(136, NA_S, ip6_peer_gl, ip6_my_gl, ip6_my_mac, ip6_peer_gl, 2,
		               ip6_peer_mac, 255));
		REQUIRE(sim_single_tx_count(h) == 2);
		sim_single_tx_pop(h, out, sizeof(out));
		CHECK_EQ(ip6t_be16(out + 60), 2); /* oldest dropped: seq 2 and 3 remain */
		sim_single_tx_pop(h, out, sizeof(out));
		CHECK_EQ(ip6t_be16(out + 60), 3);
		sim_single_free(h);
	}
}

/* REACHABLE -> STALE -> DELAY -> PROBE -> gone, and PROBE -> REACHABLE. */
static void test_nud_states(void)
{
	struct sim_single *h = bare_host();
	const struct axip_counters *c = ip6t_ctr(h);
	axip_time_ns exp;
	int i;

	now = AXIP_MS(1);
	start_resolution(h);
	rx(h, nd_frame(136, NA_S | NA_O, ip6_peer_gl, ip6_my_gl, ip6_my_mac, ip6_peer_gl, 2,
	               ip6_peer_mac, 255));
	sim_single_tx_pop(h, out, sizeof(out));
	exp = expires_of(h, ip6_peer_gl);
	/* ReachableTime: 0.5 .. 1.5 x 30 s (RFC 4861 6.3.2) */
	CHECK(exp - now >= AXIP_SEC(15) && exp - now <= AXIP_SEC(45));
	now = exp - AXIP_MS(5);
	sim_single_poll(h, now);
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_REACHABLE);
	now = exp + AXIP_MS(2);
	sim_single_poll(h, now);
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_STALE);
	CHECK_EQ(expires_of(h, ip6_peer_gl), 0);
	/* a STALE entry sends at once and moves to DELAY */
	rx(h, ip6t_echo_frame(frame, 2, 16));
	REQUIRE(sim_single_tx_count(h) == 1);
	sim_single_tx_pop(h, out, sizeof(out));
	CHECK(memcmp(out, ip6_peer_mac, 6) == 0);
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_DELAY);
	CHECK_EQ(expires_of(h, ip6_peer_gl), now + AXIP_SEC(5));
	/* DELAY_FIRST_PROBE_TIME later: PROBE with a unicast solicitation */
	now += AXIP_SEC(5) + AXIP_MS(2);
	sim_single_poll(h, now);
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_PROBE);
	check_ns(h, ip6_peer_gl, 1, 0);
	for (i = 0; i < 2; i++) {
		now += AXIP_SEC(1) + AXIP_MS(2);
		sim_single_poll(h, now);
		check_ns(h, ip6_peer_gl, 1, 0);
	}
	now += AXIP_SEC(1) + AXIP_MS(2);
	sim_single_poll(h, now);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(c->nd6_probe_fail, 1);
	CHECK_EQ(state_of(h, ip6_peer_gl), 0);

	/* again, and a solicited NA during PROBE confirms */
	start_resolution(h);
	rx(h, nd_frame(136, NA_S, ip6_peer_gl, ip6_my_gl, ip6_my_mac, ip6_peer_gl, 2,
	               ip6_peer_mac, 255));
	sim_single_tx_pop(h, out, sizeof(out));
	now = expires_of(h, ip6_peer_gl) + AXIP_MS(2);
	sim_single_poll(h, now);
	rx(h, ip6t_echo_frame(frame, 3, 16));
	sim_single_tx_pop(h, out, sizeof(out));
	now += AXIP_SEC(5) + AXIP_MS(2);
	sim_single_poll(h, now);
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_PROBE);
	sim_single_tx_pop(h, out, sizeof(out));
	rx(h, nd_frame(136, NA_S, ip6_peer_gl, ip6_my_gl, ip6_my_mac, ip6_peer_gl, 0, AXIP_NULL, 255));
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_REACHABLE);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* RFC 4861 7.2.5: the override flag and unsolicited advertisements. */
/* RFC 4861 7.3.1: upper-layer confirmation (nd6_confirm, called by TCP for
 * acknowledged data). */
static void test_confirm(void)
{
	struct axip_config c;
	struct sim_single *h;
	struct axip_stack *s;
	axip_time_ns exp;
	static const uint8_t off_link[16] = {0x20, 0x01, 0x0d, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};

	ip6t_cfg(&c);
	memcpy(c.gateway6, ip6_peer_ll, 16);
	h = ip6t_host_cfg(&c, 0);
	s = sim_single_stack(h);
	now = AXIP_MS(1);
	sim_single_poll(h, now);
	REQUIRE(axip_neigh6_set(s, ip6_peer_gl, ip6_peer_mac, 0) == AXIP_OK);
	REQUIRE(axip_neigh6_set(s, ip6_peer_ll, ip6_peer_mac, 0) == AXIP_OK);
	exp = expires_of(h, ip6_peer_gl);
	/* REACHABLE with most of its time left: nothing changes */
	nd6_confirm(s, ip6_peer_gl);
	CHECK_EQ(expires_of(h, ip6_peer_gl), exp);
	CHECK_EQ(ip6t_ctr(h)->nd6_confirmed, 0);
	/* STALE after ReachableTime; a confirmation makes it REACHABLE again */
	now = exp + AXIP_MS(2);
	sim_single_poll(h, now);
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_STALE);
	nd6_confirm(s, ip6_peer_gl);
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_REACHABLE);
	CHECK(expires_of(h, ip6_peer_gl) > now);
	CHECK_EQ(ip6t_ctr(h)->nd6_confirmed, 1);
	/* an off-link destination confirms the router's entry (STALE by now) */
	CHECK_EQ(state_of(h, ip6_peer_ll), AXIP_NEIGH6_STALE);
	nd6_confirm(s, off_link);
	CHECK_EQ(state_of(h, ip6_peer_ll), AXIP_NEIGH6_REACHABLE);
	CHECK_EQ(ip6t_ctr(h)->nd6_confirmed, 2);
	/* less than half of ReachableTime left: renewed, not counted */
	exp = expires_of(h, ip6_peer_gl);
	now = exp - AXIP_SEC(1);
	sim_single_poll(h, now);
	nd6_confirm(s, ip6_peer_gl);
	CHECK(expires_of(h, ip6_peer_gl) > exp);
	CHECK_EQ(ip6t_ctr(h)->nd6_confirmed, 2);
	/* no entry, and a static one: nothing */
	nd6_confirm(s, ip6_my_gl);
	REQUIRE(axip_neigh6_set(s, ip6_peer_gl, ip6_peer_mac, 1) == AXIP_OK);
	nd6_confirm(s, ip6_peer_gl);
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_STATIC);
	CHECK_EQ(ip6t_ctr(h)->nd6_confirmed, 2);
	CHECK_EQ(sim_single_tx_count(h), 0);
	sim_single_free(h);
}

static void test_na_rules(void)
{
	struct sim_single *h = bare_host();
	const struct axip_counters *c = ip6t_ctr(h);
	struct axip_neigh6 n;
	static const uint8_t other_mac[6] = {2, 0, 0, 0, 0, 7};

	now = AXIP_MS(1);
	/* unsolicited NA for no entry: ignored, nothing created */
	rx(h, nd_frame(136, NA_O, ip6_peer_gl, ip6_all_nodes, ip6_mac_all_nodes, ip6_peer_gl, 2,
	               ip6_peer_mac, 255));
	CHECK_EQ(c->nd6_rx_na_unsolicited, 1);
	CHECK_EQ(state_of(h, ip6_peer_gl), 0);
	/* validation: S set on a multicast NA, hop limit, multicast target */
	rx(h, nd_frame(136, NA_S, ip6_peer_gl, ip6_all_nodes, ip6_mac_all_nodes, ip6_peer_gl, 2,
	               ip6_peer_mac, 255));
	rx(h, nd_frame(136, NA_S, ip6_peer_gl, ip6_my_gl, ip6_my_mac, ip6_peer_gl, 2, ip6_peer_mac, 64));
	rx(h, nd_frame(136, NA_S, ip6_peer_gl, ip6_my_gl, ip6_my_mac, ip6_all_nodes, 2,
	               ip6_peer_mac, 255));
	CHECK_EQ(c->nd6_rx_bad, 3);

	start_resolution(h);
	rx(h, nd_frame(136, NA_S | NA_O, ip6_peer_gl, ip6_my_gl, ip6_my_mac, ip6_peer_gl, 2,
	               ip6_peer_mac, 255));
	sim_single_tx_pop(h, out, sizeof(out));
	/* O clear, another address: not taken; REACHABLE becomes STALE */
	rx(h, nd_frame(136, 0, ip6_peer_gl, ip6_all_nodes, ip6_mac_all_nodes, ip6_peer_gl, 2,
	               other_mac, 255));
	REQUIRE(axip_neigh6_get(sim_single_stack(h), ip6_peer_gl, &n) == AXIP_OK);
	CHECK_EQ(n.state, AXIP_NEIGH6_STALE);
	CHECK(memcmp(n.mac, ip6_peer_mac, 6) == 0);
	/* O set, S clear, another address: taken, STALE */
	rx(h, nd_frame(136, NA_O | NA_R, ip6_peer_gl, ip6_all_nodes, ip6_mac_all_nodes,
	               ip6_peer_gl, 2, other_mac, 255));
	REQUIRE(axip_neigh6_get(sim_single_stack(h), ip6_peer_gl, &n) == AXIP_OK);
	CHECK_EQ(n.state, AXIP_NEIGH6_STALE);
	CHECK(memcmp(n.mac, other_mac, 6) == 0);
	CHECK_EQ(n.is_router, 1);
	/* S set, same address: REACHABLE */
	rx(h, nd_frame(136, NA_S, ip6_peer_gl, ip6_my_gl, ip6_my_mac, ip6_peer_gl, 2, other_mac, 255));
	CHECK_EQ(state_of(h, ip6_peer_gl), AXIP_NEIGH6_REACHABLE);

	/* a static entry is never changed by what arrives */
	CHECK_EQ(axip_neigh6_set(sim_single_stack(h), ip6_peer_ll, ip6_peer_mac, 1), AXIP_OK);
	rx(h, nd_frame(136, NA_S | NA_O, ip6_peer_ll, ip6_my_ll, ip6_my_mac, ip6_peer_ll, 2,
	               other_mac, 255));
	REQUIRE(axip_neigh6_get(sim_single_stack(h), ip6_peer_ll, &n) == AXIP_OK);
	CHECK_EQ(n.state, AXIP_NEIGH6_STATIC);
	CHECK(memcmp(n.mac, ip6_peer_mac, 6) == 0);
	CHECK_EQ(n.expires, 0);
	/* the public calls refuse what no neighbour can be */
	CHECK_EQ(axip_neigh6_set(sim_single_stack(h), ip6_all_nodes, ip6_peer_mac, 0), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh6_set(sim_single_stack(h), ip6_my_gl, ip6_peer_mac, 0), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh6_set(sim_single_stack(h), ip6_unspec, ip6_peer_mac, 0), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh6_set(sim_single_stack(h), ip6_peer_gl, ip6_mac_all_nodes, 0), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh6_get(sim_single_stack(h), ip6_all_nodes, &n), AXIP_E_NOTFOUND);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* A table of one entry: a new neighbour takes the least recently updated. */
static void test_table_full(void)
{
	struct axip_config cfg;
	struct sim_single *h;
	const struct axip_counters *c;
	ip6t_cfg(&cfg);
	cfg.nd6_entries = 1;
	h = ip6t_host_cfg(&cfg, 0);
	c = ip6t_ctr(h);
	CHECK_EQ(axip_neigh6_set(sim_single_stack(h), ip6_peer_ll, ip6_peer_mac, 0), AXIP_OK);
	CHECK_EQ(axip_neigh6_set(sim_single_stack(h), ip6_peer_gl, ip6_peer_mac, 0), AXIP_OK);
	CHECK_EQ(state_of(h, ip6_peer_ll), 0);
	CHECK_EQ(axip_neigh6_set(sim_single_stack(h), ip6_peer_ll, ip6_peer_mac, 1), AXIP_OK);
	CHECK_EQ(axip_neigh6_set(sim_single_stack(h), ip6_peer_gl, ip6_peer_mac, 0), AXIP_E_NOMEM);
	CHECK_EQ(c->nd6_table_full, 1);
	sim_single_free(h);
}

static void test_dad(void)
{
	struct axip_config cfg;
	struct sim_single *h;
	const struct axip_counters *c;
	struct axip_ip6_addr a;
	uint8_t g[16], mac[6];

	ip6t_cfg(&cfg);
	cfg.nd6_dad_transmits = 2;
	h = ip6t_host_cfg(&cfg, 1);
	c = ip6t_ctr(h);
	/* RFC 4862 5.4.2: an NS from ::, no SLLA, for each address at init */
	REQUIRE(sim_single_tx_count(h) == 2);
	check_ns(h, ip6_my_ll, 0, 1);
	check_ns(h, ip6_my_gl, 0, 1);
	REQUIRE(axip_ip6_addr_get(sim_single_stack(h), 1, &a) == AXIP_OK);
	CHECK_EQ(a.state, AXIP_IP6_TENTATIVE);
	/* 5.4: nothing but ND reaches a tentative address */
	now = AXIP_MS(10);
	rx(h, ip6t_echo_frame(frame, 1, 8));
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(c->ip6_rx_not_for_us, 1);
	/* an NS from a unicast source for a tentative target is ignored */
	ip6t_snm(g, ip6_my_gl);
	ip6t_mcast_mac(mac, g);
	rx(h, nd_frame(135, 0, ip6_peer_gl, g, mac, ip6_my_gl, 1, ip6_peer_mac, 255));
	CHECK_EQ(sim_single_tx_count(h), 0);
	now = AXIP_SEC(1) + AXIP_MS(5);
	sim_single_poll(h, now);
	CHECK_EQ(sim_single_tx_count(h), 2); /* the second transmission */
	sim_single_tx_pop(h, out, sizeof(out));
	sim_single_tx_pop(h, out, sizeof(out));
	now = AXIP_SEC(2) + AXIP_MS(10);
	sim_single_poll(h, now);
	CHECK_EQ(c->nd6_dad_ok, 2);
	REQUIRE(axip_ip6_addr_get(sim_single_stack(h), 1, &a) == AXIP_OK);
	CHECK_EQ(a.state, AXIP_IP6_PREFERRED);
	rx(h, ip6t_echo_frame(frame, 2, 8));
	CHECK_EQ(sim_single_tx_count(h), 1);
	sim_single_tx_pop(h, out, sizeof(out));
	sim_single_free(h);

	/* conflicts: an NA for the tentative address (5.4.4), another node's
	 * DAD solicitation for it (5.4.3) */
	ip6t_cfg(&cfg);
	cfg.nd6_dad_transmits = 1;
	h = ip6t_host_cfg(&cfg, 1);
	c = ip6t_ctr(h);
	sim_single_tx_pop(h, out, sizeof(out));
	sim_single_tx_pop(h, out, sizeof(out));
	now = AXIP_MS(10);
	/* our own solicitation and advertisement reflected back are no
	 * duplicates (the source MAC is ours) */
	{
		uint32_t n;
		ip6t_snm(g, ip6_my_gl);
		ip6t_mcast_mac(mac, g);
		n = nd_frame(135, 0, ip6_unspec, g, mac, ip6_my_gl, 0, AXIP_NULL, 255);
		memcpy(frame + 6, ip6_my_mac, 6);
		rx(h, n);
		n = nd_frame(136, NA_O, ip6_my_gl, ip6_all_nodes, ip6_mac_all_nodes, ip6_my_gl, 2,
		             ip6_my_mac, 255);
		memcpy(frame + 6, ip6_my_mac, 6);
		rx(h, n);
		CHECK_EQ(c->nd6_rx_looped, 2);
		CHECK_EQ(c->nd6_dad_conflict, 0);
	}
	rx(h, nd_frame(136, NA_O, ip6_my_gl, ip6_all_nodes, ip6_mac_all_nodes, ip6_my_gl, 2,
	               ip6_peer_mac, 255));
	ip6t_snm(g, ip6_my_ll);
	ip6t_mcast_mac(mac, g);
	rx(h, nd_frame(135, 0, ip6_unspec, g, mac, ip6_my_ll, 0, AXIP_NULL, 255));
	CHECK_EQ(c->nd6_dad_conflict, 2);
	REQUIRE(axip_ip6_addr_get(sim_single_stack(h), 0, &a) == AXIP_OK);
	CHECK_EQ(a.state, AXIP_IP6_DUPLICATE);
	REQUIRE(axip_ip6_addr_get(sim_single_stack(h), 1, &a) == AXIP_OK);
	CHECK_EQ(a.state, AXIP_IP6_DUPLICATE);
	now = AXIP_SEC(3);
	sim_single_poll(h, now);
	CHECK_EQ(c->nd6_dad_ok, 0);
	/* a duplicate address is never used: no answer, no solicitation */
	rx(h, ip6t_echo_frame(frame, 3, 8));
	ip6t_snm(g, ip6_my_gl);
	ip6t_mcast_mac(mac, g);
	rx(h, nd_frame(135, 0, ip6_peer_gl, g, mac, ip6_my_gl, 1, ip6_peer_mac, 255));
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

int main(void)
{
	RUN_TEST(test_ns_answered);
	RUN_TEST(test_resolution);
	RUN_TEST(test_nud_states);
	RUN_TEST(test_na_rules);
	RUN_TEST(test_confirm);
	RUN_TEST(test_table_full);
	RUN_TEST(test_dad);
	return test_summary();
}
