/* SPDX-License-Identifier: BSD-2-Clause */
/* test_ipv6.c - IPv6 (RFC 8200): configuration and addresses, the
 * pseudo-header checksum, input validation, the extension header walk with
 * its ICMPv6 answers, source selection and routing, on crafted frames. */
#include "test.h"
#include "sim.h"
#include "ip6_frames.h"
#include "checksum.h"
#include "ipv6.h"

static uint8_t frame[9300], out[9300];

static void test_config(void)
{
	struct axip_config c;
	axip_size n0, n1;
	ip6t_cfg(&c);
	c.ip6_enable = 0;
	CHECK_EQ(axip_mem_size(&c, &n0), AXIP_OK);
	c.ip6_enable = 1;
	CHECK_EQ(axip_mem_size(&c, &n1), AXIP_OK);
	CHECK(n1 > n0);
	/* defaults: IPv6 off, RFC 4861 section 10 timers, RFC 8200 4.5 timeout */
	axip_config_defaults(&c);
	CHECK_EQ(c.ip6_enable, 0);
	CHECK_EQ(c.nd6_retrans_ns, AXIP_SEC(1));
	CHECK_EQ(c.nd6_reachable_ns, AXIP_SEC(30));
	CHECK_EQ(c.nd6_delay_first_probe_ns, AXIP_SEC(5));
	CHECK_EQ(c.nd6_max_mcast_solicit, 3);
	CHECK_EQ(c.nd6_max_ucast_solicit, 3);
	CHECK_EQ(c.nd6_dad_transmits, 1);
	CHECK_EQ(c.frag6_timeout_ns, AXIP_SEC(60));
	CHECK_EQ(c.ip6_hop_limit, 64);
	/* invalid values are refused */
	ip6t_cfg(&c);
	c.mtu = 1279;
	CHECK_EQ(axip_mem_size(&c, &n1), AXIP_E_INVAL);
	ip6t_cfg(&c);
	c.addrs6[0].prefix_len = 0;
	CHECK_EQ(axip_mem_size(&c, &n1), AXIP_E_INVAL);
	ip6t_cfg(&c);
	c.addrs6[0].addr[0] = 0xff;
	CHECK_EQ(axip_mem_size(&c, &n1), AXIP_E_INVAL);
	ip6t_cfg(&c);
	memcpy(c.addrs6[0].addr, ip6_my_ll, 16);
	CHECK_EQ(axip_mem_size(&c, &n1), AXIP_E_INVAL);
	ip6t_cfg(&c);
	c.n_addrs6 = AXIP_MAX_ADDRS6 + 1;
	CHECK_EQ(axip_mem_size(&c, &n1), AXIP_E_INVAL);
	ip6t_cfg(&c);
	c.ip6_linklocal[0] = 0x20;
	CHECK_EQ(axip_mem_size(&c, &n1), AXIP_E_INVAL);
	ip6t_cfg(&c);
	c.gateway6[0] = 0x30; /* neither link-local nor on a configured prefix */
	CHECK_EQ(axip_mem_size(&c, &n1), AXIP_E_INVAL);
	ip6t_cfg(&c);
	memcpy(c.gateway6, ip6_peer_gl, 16);
	CHECK_EQ(axip_mem_size(&c, &n1), AXIP_OK);
	ip6t_cfg(&c);
	c.nd6_entries = 0;
	CHECK_EQ(axip_mem_size(&c, &n1), AXIP_E_INVAL);
	ip6t_cfg(&c);
	c.frag6_max_per_datagram = 1;
	CHECK_EQ(axip_mem_size(&c, &n1), AXIP_E_INVAL);
	ip6t_cfg(&c);
	c.ip6_hop_limit = 0;
	CHECK_EQ(axip_mem_size(&c, &n1), AXIP_E_INVAL);
}

/* RFC 4291 2.5.1 / RFC 2464 4: fe80::/64 + modified EUI-64. */
static void test_linklocal_eui64(void)
{
	struct axip_config c;
	struct sim_single *h;
	struct axip_ip6_addr a;
	static const uint8_t mac[6] = {0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e};
	static const uint8_t ll[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x1b, 0x21, 0xff, 0xfe,
	                               0x3c, 0x4d, 0x5e};
	static const uint8_t given[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77};
	ip6t_cfg(&c);
	memcpy(c.mac, mac, 6);
	h = sim_single_new(&c, 0);
	REQUIRE(axip_ip6_addr_get(sim_single_stack(h), 0, &a) == AXIP_OK);
	CHECK(memcmp(a.addr, ll, 16) == 0);
	CHECK_EQ(a.prefix_len, 64);
	CHECK_EQ(a.state, AXIP_IP6_PREFERRED);
	REQUIRE(axip_ip6_addr_get(sim_single_stack(h), 1, &a) == AXIP_OK);
	CHECK(memcmp(a.addr, ip6_my_gl, 16) == 0);
	CHECK_EQ(axip_ip6_addr_get(sim_single_stack(h), 2, &a), AXIP_E_NOTFOUND);
	sim_single_free(h);
	ip6t_cfg(&c);
	memcpy(c.ip6_linklocal, given, 16);
	h = sim_single_new(&c, 0);
	REQUIRE(axip_ip6_addr_get(sim_single_stack(h), 0, &a) == AXIP_OK);
	CHECK(memcmp(a.addr, given, 16) == 0);
	sim_single_free(h);
	/* IPv6 off: no addresses, IPv6 frames are an unknown type */
	ip6t_cfg(&c);
	c.ip6_enable = 0;
	h = sim_single_new(&c, 0);
	CHECK_EQ(axip_ip6_addr_get(sim_single_stack(h), 0, &a), AXIP_E_NOTFOUND);
	sim_single_rx(h, frame, ip6t_echo_frame(frame, 1, 8), AXIP_MS(1));
	CHECK_EQ(ip6t_ctr(h)->eth_rx_unknown_type, 1);
	CHECK_EQ(ip6t_ctr(h)->ip6_rx, 0);
	CHECK_EQ(sim_single_tx_count(h), 0);
	sim_single_free(h);
}

/* csum_pseudo6 against the reference sum, for even and odd lengths. */
static void test_pseudo6(void)
{
	uint8_t m[33];
	uint32_t len, i;
	for (len = 32; len <= 33; len++) {
		for (i = 0; i < len; i++)
			m[i] = (uint8_t)(i * 13u + 1u);
		m[2] = m[3] = 0;
		ip6t_icmp6_csum(m, len, ip6_peer_gl, ip6_my_ll);
		CHECK_EQ(csum_fold(csum_add_bytes(csum_pseudo6(ip6_peer_gl, ip6_my_ll, 58, len), m, len)), 0);
	}
}

/* Feed a frame; return how many frames the host sent in answer. */
static uint32_t rx(struct sim_single *h, uint32_t n)
{
	sim_single_rx(h, frame, n, AXIP_MS(1));
	return sim_single_tx_count(h);
}

static void test_echo_and_header_checks(void)
{
	struct sim_single *h = ip6t_host();
	const struct axip_counters *c = ip6t_ctr(h);
	uint32_t n, len;

	n = ip6t_echo_frame(frame, 1, 56);
	REQUIRE(rx(h, n) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(len, n);
	CHECK(memcmp(out, ip6_peer_mac, 6) == 0);
	CHECK_EQ(ip6t_be16(out + 12), 0x86dd);
	CHECK_EQ(out[14] >> 4, 6);
	CHECK_EQ(out[21], 64);
	CHECK(memcmp(out + 22, ip6_my_gl, 16) == 0);
	CHECK(memcmp(out + 38, ip6_peer_gl, 16) == 0);
	CHECK_EQ(out[54], 129);
	CHECK_EQ(sim_ref_csum(out + 54, len - 54, ip6t_pseudo(ip6_my_gl, ip6_peer_gl, 58, len - 54)), 0);
	CHECK(memcmp(out + 58, frame + 58, len - 58) == 0);
	CHECK_EQ(c->icmp6_tx_echo_reply, 1);

	/* short */
	n = ip6t_echo_frame(frame, 2, 8);
	CHECK_EQ(rx(h, 14 + 39), 0);
	CHECK_EQ(c->ip6_rx_short, 1);
	/* version */
	frame[14] = 0x45;
	CHECK_EQ(rx(h, n), 0);
	CHECK_EQ(c->ip6_rx_bad_version, 1);
	/* payload length beyond the frame */
	n = ip6t_echo_frame(frame, 3, 8);
	ip6t_put16(frame + 18, 17);
	CHECK_EQ(rx(h, n), 0);
	CHECK_EQ(c->ip6_rx_bad_len, 1);
	/* Ethernet padding after the payload is ignored */
	n = ip6t_echo_frame(frame, 4, 8);
	memset(frame + n, 0xee, 10);
	CHECK_EQ(rx(h, n + 10), 1);
	CHECK_EQ(sim_single_tx_pop(h, out, sizeof(out)), n);
	/* multicast, loopback and own sources */
	n = ip6t_echo_frame(frame, 5, 8);
	frame[22] = 0xff;
	CHECK_EQ(rx(h, n), 0);
	n = ip6t_echo_frame(frame, 5, 8);
	memset(frame + 22, 0, 16);
	frame[37] = 1;
	CHECK_EQ(rx(h, n), 0);
	n = ip6t_echo_frame(frame, 5, 8);
	memcpy(frame + 22, ip6_my_gl, 16);
	CHECK_EQ(rx(h, n), 0);
	CHECK_EQ(c->ip6_rx_bad_src, 3);
	/* not ours: another unicast address, a group we are not in */
	n = ip6t_echo_frame(frame, 6, 8);
	frame[53] = 9;
	CHECK_EQ(rx(h, n), 0);
	n = ip6t_echo_frame(frame, 6, 8);
	frame[38] = 0xff; frame[39] = 0x02; frame[53] = 2; /* ff02::...:2 all-routers-like */
	CHECK_EQ(rx(h, n), 0);
	CHECK_EQ(c->ip6_rx_not_for_us, 2);
	/* bad ICMPv6 checksum */
	n = ip6t_echo_frame(frame, 7, 8);
	frame[60] ^= 1;
	CHECK_EQ(rx(h, n), 0);
	CHECK_EQ(c->icmp6_rx_bad, 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* An echo request behind the extension headers `ext` (their next-header
 * bytes already chained, the last one pointing to 58). */
static uint32_t ext_frame(uint8_t first_nh, const uint8_t *ext, uint32_t ext_len,
                          const uint8_t *dst, const uint8_t *dst_mac)
{
	uint8_t p[2000], m[64];
	uint32_t l = ip6t_echo_msg(m, 128, 1, 1, 8, ip6_peer_gl, dst);
	memcpy(p, ext, ext_len);
	memcpy(p + ext_len, m, l);
	return ip6t_build(frame, dst_mac, ip6_peer_mac, ip6_peer_gl, dst, first_nh, 64, p, ext_len + l);
}

/* Pop one ICMPv6 error and check type, code, pointer. */
static void check_error(struct sim_single *h, uint8_t type, uint8_t code, uint32_t param)
{
	uint32_t len = sim_single_tx_pop(h, out, sizeof(out));
	REQUIRE(len >= 14 + 40 + 8 + 40);
	CHECK_EQ(out[20], 58);
	CHECK_EQ(out[54], type);
	CHECK_EQ(out[55], code);
	CHECK_EQ(ip6t_be32(out + 58), param);
	CHECK(memcmp(out + 38, ip6_peer_gl, 16) == 0);
	CHECK_EQ(sim_ref_csum(out + 54, len - 54, ip6t_pseudo(out + 22, out + 38, 58, len - 54)), 0);
	/* the quote starts with the offending packet's header */
	CHECK(memcmp(out + 62, frame + 14, 40) == 0);
}

static void test_ext_headers(void)
{
	struct sim_single *h = ip6t_host();
	const struct axip_counters *c = ip6t_ctr(h);
	uint8_t e[200];
	uint32_t n, i;

	/* hop-by-hop with Pad1, PadN and an unknown skippable (00) option */
	memset(e, 0, 16);
	e[0] = 60; e[1] = 1;         /* next: destination options; 16 bytes */
	e[2] = 0;                    /* Pad1 */
	e[3] = 1; e[4] = 1; e[5] = 0; /* PadN 3 */
	e[6] = 0x1e; e[7] = 2; e[8] = 0xaa; e[9] = 0xbb; /* type 00xxxxxx: skip */
	e[10] = 1; e[11] = 4;        /* PadN 6 */
	e[16] = 58; e[17] = 0; e[18] = 1; e[19] = 4; /* dest opts: PadN 6 */
	n = ext_frame(0, e, 24, ip6_my_gl, ip6_my_mac);
	CHECK_EQ(rx(h, n), 1);
	CHECK_EQ(c->icmp6_tx_echo_reply, 1);
	sim_single_tx_pop(h, out, sizeof(out));

	/* hop-by-hop after another header: parameter problem code 1 at the
	 * next-header byte that names it (offset 40) */
	memset(e, 0, 16);
	e[0] = 0; e[1] = 0; e[2] = 1; e[3] = 4;     /* dest opts -> hop-by-hop */
	e[8] = 58; e[9] = 0; e[10] = 1; e[11] = 4;
	n = ext_frame(60, e, 16, ip6_my_gl, ip6_my_mac);
	CHECK_EQ(rx(h, n), 1);
	CHECK_EQ(c->ip6_rx_hbh_not_first, 1);
	check_error(h, 4, 1, 40);

	/* unknown options by their two high bits (RFC 8200 4.2) */
	memset(e, 0, 8);
	e[0] = 58; e[2] = 0x5e; e[3] = 4;           /* 01: discard silently */
	CHECK_EQ(rx(h, ext_frame(60, e, 8, ip6_my_gl, ip6_my_mac)), 0);
	e[2] = 0x9e;                                /* 10: parameter problem code 2 */
	CHECK_EQ(rx(h, ext_frame(60, e, 8, ip6_my_gl, ip6_my_mac)), 1);
	check_error(h, 4, 2, 42);
	e[2] = 0xde;                                /* 11: the same to unicast */
	CHECK_EQ(rx(h, ext_frame(60, e, 8, ip6_my_gl, ip6_my_mac)), 1);
	check_error(h, 4, 2, 42);
	e[2] = 0xde;                                /* 11 to multicast: no error */
	CHECK_EQ(rx(h, ext_frame(60, e, 8, ip6_all_nodes, ip6_mac_all_nodes)), 0);
	e[2] = 0x9e;                                /* 10 to multicast: error */
	CHECK_EQ(rx(h, ext_frame(60, e, 8, ip6_all_nodes, ip6_mac_all_nodes)), 1);
	sim_single_tx_pop(h, out, sizeof(out));
	CHECK(memcmp(out + 22, ip6_my_gl, 16) == 0); /* a unicast source of ours */
	CHECK_EQ(c->ip6_rx_bad_opt, 5);
	/* RFC 4443 2.4 (e.4): a unicast packet in a link-layer group frame gets
	 * no error, save parameter problem code 2 (11 looks at the IPv6
	 * destination only, RFC 8200 4.2) */
	e[2] = 0xde;
	CHECK_EQ(rx(h, ext_frame(60, e, 8, ip6_my_gl, ip6_mac_all_nodes)), 1);
	sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(rx(h, ext_frame(253, e, 0, ip6_my_gl, ip6_mac_all_nodes)), 0);
	CHECK_EQ(c->ip6_rx_bad_opt, 6);
	/* an option running past its header */
	e[2] = 1; e[3] = 5;
	CHECK_EQ(rx(h, ext_frame(60, e, 8, ip6_my_gl, ip6_my_mac)), 0);
	CHECK_EQ(c->ip6_rx_bad_ext, 1);
	/* a header running past the packet */
	e[1] = 200;
	CHECK_EQ(rx(h, ext_frame(60, e, 8, ip6_my_gl, ip6_my_mac)), 0);
	CHECK_EQ(c->ip6_rx_bad_ext, 2);

	/* routing: segments left 0 is ignored, whatever the type */
	memset(e, 0, 8);
	e[0] = 58; e[1] = 0; e[2] = 0; e[3] = 0;
	CHECK_EQ(rx(h, ext_frame(43, e, 8, ip6_my_gl, ip6_my_mac)), 1);
	CHECK_EQ(c->icmp6_tx_echo_reply, 2);
	sim_single_tx_pop(h, out, sizeof(out));
	/* type 0 with segments left (RFC 5095): parameter problem code 0 at the type */
	e[3] = 1;
	CHECK_EQ(rx(h, ext_frame(43, e, 8, ip6_my_gl, ip6_my_mac)), 1);
	check_error(h, 4, 0, 42);
	e[2] = 4; /* any other type too: a host routes nothing */
	CHECK_EQ(rx(h, ext_frame(43, e, 8, ip6_my_gl, ip6_my_mac)), 1);
	check_error(h, 4, 0, 42);
	CHECK_EQ(c->ip6_rx_routing, 2);

	/* unknown next header: code 1 pointing at the field (6 in the header,
	 * or the byte of the extension header before it) */
	CHECK_EQ(rx(h, ext_frame(253, e, 0, ip6_my_gl, ip6_my_mac)), 1);
	check_error(h, 4, 1, 6);
	memset(e, 0, 8);
	e[0] = 253; e[2] = 1; e[3] = 4;
	CHECK_EQ(rx(h, ext_frame(60, e, 8, ip6_my_gl, ip6_my_mac)), 1);
	check_error(h, 4, 1, 40);
	CHECK_EQ(c->ip6_rx_unknown_nh, 3);
	/* no next header */
	CHECK_EQ(rx(h, ext_frame(59, e, 0, ip6_my_gl, ip6_my_mac)), 0);
	CHECK_EQ(c->ip6_rx_no_next, 1);

	/* a long chain of destination options headers */
	for (i = 0; i < 10; i++) {
		memset(e + i * 8, 0, 8);
		e[i * 8] = i == 9 ? 58 : 60;
		e[i * 8 + 2] = 1;
		e[i * 8 + 3] = 4;
	}
	CHECK_EQ(rx(h, ext_frame(60, e, 80, ip6_my_gl, ip6_my_mac)), 0);
	CHECK_EQ(c->ip6_rx_ext_too_many, 1);
	/* errors are never sent about errors */
	{
		uint8_t p[200], m[100];
		m[0] = 4; m[1] = 0;
		memset(m + 4, 0, 4);
		memcpy(m + 8, frame + 14, 48);
		ip6t_icmp6_csum(m, 56, ip6_peer_gl, ip6_my_gl);
		memset(p, 0, 8);
		p[0] = 58; p[2] = 0xde; p[3] = 4;
		memcpy(p + 8, m, 56);
		n = ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 60, 64, p, 64);
		CHECK_EQ(rx(h, n), 0);
	}
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* Output: source selection (RFC 6724 rules 2 and 8) and routing. */
static void test_route_and_source(void)
{
	struct axip_config cfg;
	struct sim_single *h;
	struct axip_stack *s;
	uint8_t nh[16], src[16], dst[16];
	static const uint8_t off_link[16] = {0x20, 0x01, 0x0d, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};

	ip6t_cfg(&cfg);
	h = ip6t_host_cfg(&cfg, 0);
	s = sim_single_stack(h);
	CHECK_EQ(ipv6_route(s, ip6_peer_ll, nh, src), AXIP_OK);
	CHECK(memcmp(src, ip6_my_ll, 16) == 0);
	CHECK(memcmp(nh, ip6_peer_ll, 16) == 0);
	CHECK_EQ(ipv6_route(s, ip6_peer_gl, nh, src), AXIP_OK);
	CHECK(memcmp(src, ip6_my_gl, 16) == 0);
	CHECK_EQ(ipv6_route(s, ip6_all_nodes, nh, src), AXIP_OK);
	CHECK(memcmp(src, ip6_my_ll, 16) == 0);
	CHECK_EQ(ipv6_route(s, off_link, nh, src), AXIP_E_UNREACH);
	CHECK_EQ(ipv6_route(s, ip6_my_gl, nh, src), AXIP_E_UNREACH);
	memset(dst, 0, 16);
	dst[15] = 1;
	CHECK_EQ(ipv6_route(s, dst, nh, src), AXIP_E_UNREACH);
	sim_single_free(h);

	/* with a default router, off-link goes to it from the global address */
	ip6t_cfg(&cfg);
	memcpy(cfg.gateway6, ip6_peer_ll, 16);
	h = ip6t_host_cfg(&cfg, 0);
	s = sim_single_stack(h);
	CHECK_EQ(ipv6_route(s, off_link, nh, src), AXIP_OK);
	CHECK(memcmp(nh, ip6_peer_ll, 16) == 0);
	CHECK(memcmp(src, ip6_my_gl, 16) == 0);
	sim_single_free(h);
}

/* axip_ip6_addrs_set: the embedder replaces the global addresses. */
static void test_addrs_set(void)
{
	struct axip_config cfg;
	struct sim_single *h;
	struct axip_stack *s;
	struct axip_ip6_addr got;
	struct axip_ifaddr6 list[AXIP_MAX_ADDRS6 + 1];
	uint8_t nh[16], src[16];
	static const uint8_t other[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t other_peer[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
	unsigned i;

	ip6t_cfg(&cfg);
	h = ip6t_host_cfg(&cfg, 0);
	s = sim_single_stack(h);
	memset(list, 0, sizeof list);
	memcpy(list[0].addr, other, 16);
	list[0].prefix_len = 64;
	CHECK_EQ(axip_ip6_addrs_set(s, list, 1), AXIP_OK);
	CHECK_EQ(axip_ip6_addr_get(s, 1, &got), AXIP_OK);
	CHECK(memcmp(got.addr, other, 16) == 0);
	CHECK_EQ(got.state, AXIP_IP6_PREFERRED);
	CHECK_EQ(got.prefix_len, 64);
	CHECK_EQ(axip_ip6_addr_get(s, 2, &got), AXIP_E_NOTFOUND);
	/* the new prefix is on-link and its address the source; the old one is gone */
	CHECK_EQ(ipv6_route(s, other_peer, nh, src), AXIP_OK);
	CHECK(memcmp(src, other, 16) == 0);
	CHECK_EQ(ipv6_route(s, ip6_peer_gl, nh, src), AXIP_E_UNREACH);
	CHECK(!ipv6_is_local(s, ip6_my_gl));
	CHECK(ipv6_is_local(s, other));

	/* the limit, and bad entries, which leave the addresses as they were */
	for (i = 0; i < AXIP_MAX_ADDRS6 + 1; i++) {
		memcpy(list[i].addr, other, 16);
		list[i].addr[15] = (uint8_t)(i + 1);
		list[i].prefix_len = 64;
	}
	CHECK_EQ(axip_ip6_addrs_set(s, list, AXIP_MAX_ADDRS6 + 1), AXIP_E_INVAL);
	CHECK_EQ(axip_ip6_addrs_set(s, list, AXIP_MAX_ADDRS6), AXIP_OK);
	CHECK_EQ(axip_ip6_addr_get(s, AXIP_MAX_ADDRS6, &got), AXIP_OK);
	CHECK_EQ(got.addr[15], AXIP_MAX_ADDRS6);
	list[1].prefix_len = 0;
	CHECK_EQ(axip_ip6_addrs_set(s, list, 2), AXIP_E_INVAL);
	list[1].prefix_len = 129;
	CHECK_EQ(axip_ip6_addrs_set(s, list, 2), AXIP_E_INVAL);
	list[1].prefix_len = 64;
	memcpy(list[1].addr, ip6_all_nodes, 16);
	CHECK_EQ(axip_ip6_addrs_set(s, list, 2), AXIP_E_INVAL);
	memcpy(list[1].addr, ip6_peer_ll, 16);
	CHECK_EQ(axip_ip6_addrs_set(s, list, 2), AXIP_E_INVAL);
	CHECK_EQ(axip_ip6_addrs_set(s, NULL, 1), AXIP_E_INVAL);
	CHECK_EQ(axip_ip6_addr_get(s, AXIP_MAX_ADDRS6, &got), AXIP_OK); /* unchanged */

	/* none: only the link-local address is left */
	CHECK_EQ(axip_ip6_addrs_set(s, NULL, 0), AXIP_OK);
	CHECK_EQ(axip_ip6_addr_get(s, 1, &got), AXIP_E_NOTFOUND);
	CHECK_EQ(axip_ip6_addr_get(s, 0, &got), AXIP_OK);
	CHECK(memcmp(got.addr, ip6_my_ll, 16) == 0);
	sim_single_free(h);

	/* an address still under DAD becomes preferred at once; its detection
	 * stops (only the link-local address completes one) */
	ip6t_cfg(&cfg);
	cfg.nd6_dad_transmits = 1;
	h = ip6t_host_cfg(&cfg, 0);
	s = sim_single_stack(h);
	CHECK_EQ(axip_ip6_addr_get(s, 1, &got), AXIP_OK);
	CHECK_EQ(got.state, AXIP_IP6_TENTATIVE);
	memcpy(list[0].addr, ip6_my_gl, 16);
	list[0].prefix_len = 64;
	CHECK_EQ(axip_ip6_addrs_set(s, list, 1), AXIP_OK);
	CHECK_EQ(axip_ip6_addr_get(s, 1, &got), AXIP_OK);
	CHECK_EQ(got.state, AXIP_IP6_PREFERRED);
	(void)sim_single_poll(h, AXIP_SEC(5));
	CHECK_EQ(axip_ip6_addr_get(s, 1, &got), AXIP_OK);
	CHECK_EQ(got.state, AXIP_IP6_PREFERRED);
	CHECK_EQ(ip6t_ctr(h)->nd6_dad_ok, 1);
	sim_single_free(h);

	/* IPv6 off */
	ip6t_cfg(&cfg);
	cfg.ip6_enable = 0;
	cfg.n_addrs6 = 0;
	h = ip6t_host_cfg(&cfg, 0);
	CHECK_EQ(axip_ip6_addrs_set(sim_single_stack(h), list, 1), AXIP_E_STATE);
	sim_single_free(h);
}

int main(void)
{
	RUN_TEST(test_config);
	RUN_TEST(test_linklocal_eui64);
	RUN_TEST(test_pseudo6);
	RUN_TEST(test_echo_and_header_checks);
	RUN_TEST(test_ext_headers);
	RUN_TEST(test_route_and_source);
	RUN_TEST(test_addrs_set);
	return test_summary();
}
