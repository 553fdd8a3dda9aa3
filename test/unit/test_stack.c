/* SPDX-License-Identifier: BSD-2-Clause */
/* test_stack.c - instance creation: configuration validation, memory sizing,
 * the LIFO packet pool, counters enumeration. Uses a minimal malloc env. */
#include "test.h"
#include "fixture.h"
#include "stack_internal.h"

static int bufs_out;
static void *t_alloc(void *ctx, axip_u8 **mem, axip_u32 *size)
{
	(void)ctx;
	*mem = malloc(2048);
	*size = 2048;
	bufs_out++;
	return *mem;
}
static void t_free(void *ctx, void *buf) { (void)ctx; bufs_out--; free(buf); }
static void t_ref(void *ctx, void *buf) { (void)ctx; (void)buf; }
static int t_tx(void *ctx, struct axip_pkt *p)
{
	(void)ctx;
	for (; p; p = p->sg_next)
		t_free(AXIP_NULL, p->buf);
	return 0;
}
static const struct axip_env_ops ops = {t_alloc, t_free, t_ref, t_tx, AXIP_NULL};

/* C99 has no aligned_alloc: over-allocate and align by hand, keeping the raw
 * pointers to free at the end. */
static void *raw_blocks[8];
static int n_raw;
static unsigned char *alloc16(axip_size n)
{
	unsigned char *raw = malloc(n + 16);
	raw_blocks[n_raw++ & 7] = raw;
	return (unsigned char *)(((axip_size)raw + 15) & ~(axip_size)15);
}

static void test_defaults_documented_values(void)
{
	struct axip_config c;
	axip_config_defaults(&c);
	CHECK_EQ(c.mtu, 1500);
	CHECK_EQ(c.tcp_rto_min_ns, AXIP_MS(200));
	CHECK_EQ(c.tcp_time_wait_ns, AXIP_SEC(60));
	CHECK_EQ(c.pkt_objects, 4096);
}

static void test_invalid_configs_rejected(void)
{
	struct axip_config c;
	axip_size n;
	fixture_cfg(&c);
	CHECK_EQ(axip_mem_size(&c, &n), AXIP_OK);
	CHECK(n > sizeof(struct axip_stack));

#define EXPECT_INVALID(stmt)                          \
	do {                                              \
		fixture_cfg(&c);                                 \
		stmt;                                         \
		CHECK_EQ(axip_mem_size(&c, &n), (axip_u64)(axip_i64)AXIP_E_INVAL); \
	} while (0)
	EXPECT_INVALID(memset(c.mac, 0, 6));
	EXPECT_INVALID(c.mac[0] = 1);                    /* multicast MAC */
	EXPECT_INVALID(c.n_addrs = 0);
	EXPECT_INVALID(c.n_addrs = AXIP_MAX_ADDRS + 1);
	EXPECT_INVALID(c.addrs[0].prefix_len = 0);
	EXPECT_INVALID(c.addrs[0].prefix_len = 33);
	EXPECT_INVALID(c.addrs[0].addr = AXIP_IP4(127, 0, 0, 1));
	EXPECT_INVALID(c.addrs[0].addr = AXIP_IP4(224, 0, 0, 1));
	EXPECT_INVALID(c.gateway = AXIP_IP4(192, 168, 1, 1)); /* not on a local subnet */
	EXPECT_INVALID(c.mtu = 575);
	EXPECT_INVALID(c.mtu = 9217);
	EXPECT_INVALID(c.pkt_objects = 1);
	EXPECT_INVALID(c.tcp_ephemeral_lo = 5000; c.tcp_ephemeral_hi = 4000);
	EXPECT_INVALID(c.tcp_delack_ns = AXIP_MS(600));
	EXPECT_INVALID(c.tcp_cc = 7);
	EXPECT_INVALID(c.tcp_rto_max_ns = AXIP_MS(100));
#undef EXPECT_INVALID
	fixture_cfg(&c);
	c.gateway = AXIP_IP4(10, 0, 0, 254);
	CHECK_EQ(axip_mem_size(&c, &n), AXIP_OK);
}

static void test_size_grows_with_limits(void)
{
	struct axip_config c;
	axip_size a, b;
	fixture_cfg(&c);
	axip_mem_size(&c, &a);
	c.pkt_objects *= 2;
	axip_mem_size(&c, &b);
	CHECK(b >= a + 4096 * sizeof(struct axip_pkt));
}

static void test_init_errors(void)
{
	struct axip_config c;
	struct axip_env env = {&ops, AXIP_NULL, 0, 0, 0};
	struct axip_stack *s = AXIP_NULL;
	axip_size n;
	unsigned char *mem;
	fixture_cfg(&c);
	axip_mem_size(&c, &n);
	mem = alloc16(n + 32 + 15);
	CHECK_EQ(axip_init(mem + 8, n, &c, &env, 0, &s), (axip_u64)(axip_i64)AXIP_E_ALIGN);
	CHECK_EQ(axip_init(mem, n - 1, &c, &env, 0, &s), (axip_u64)(axip_i64)AXIP_E_TOOSMALL);
	CHECK_EQ(axip_init(mem, n, &c, AXIP_NULL, 0, &s), (axip_u64)(axip_i64)AXIP_E_INVAL);
	CHECK(s == AXIP_NULL);
	CHECK_EQ(axip_init(mem, n, &c, &env, 0, &s), AXIP_OK);
	CHECK(s != AXIP_NULL);
	CHECK_EQ(axip_pkt_pool_available(s), c.pkt_objects);
}

static void test_pool_is_lifo_and_bounded(void)
{
	struct axip_config c;
	struct axip_env env = {&ops, AXIP_NULL, 0, 0, 0};
	struct axip_stack *s;
	struct axip_pkt *a, *b, *p[64];
	axip_size n;
	unsigned char *mem;
	int i, got = 0;
	fixture_cfg(&c);
	c.pkt_objects = 32;
	axip_mem_size(&c, &n);
	mem = alloc16(n + 15);
	REQUIRE(axip_init(mem, n, &c, &env, 0, &s) == AXIP_OK);
	a = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	b = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	REQUIRE(a && b);
	CHECK_EQ(a->headroom, AXIP_PKT_HEADROOM);
	CHECK_EQ(a->tailroom, 2048 - AXIP_PKT_HEADROOM);
	axip_pkt_free(s, b);
	axip_pkt_free(s, a);
	/* last freed is first reused */
	CHECK(axip_pkt_alloc(s, 0) == a);
	axip_pkt_free(s, a);
	for (i = 0; i < 64; i++) {
		p[i] = axip_pkt_alloc(s, 0);
		if (p[i])
			got++;
	}
	CHECK_EQ(got, 32);
	CHECK_EQ(axip_counters(s)->pkt_pool_empty, 32);
	for (i = 0; i < 64; i++)
		axip_pkt_free(s, p[i]);
	CHECK_EQ(axip_pkt_pool_available(s), 32);
	CHECK_EQ(bufs_out, 0);
}

static int visited;
static void count_visit(const char *name, axip_u64 v, void *arg)
{
	(void)v;
	(void)arg;
	CHECK(name && name[0]);
	visited++;
}

static void test_counters_foreach_visits_all(void)
{
	struct axip_config c;
	struct axip_env env = {&ops, AXIP_NULL, 0, 0, 0};
	struct axip_stack *s;
	axip_size n;
	unsigned char *mem;
	fixture_cfg(&c);
	axip_mem_size(&c, &n);
	mem = alloc16(n + 15);
	REQUIRE(axip_init(mem, n, &c, &env, 0, &s) == AXIP_OK);
	visited = 0;
	axip_counters_foreach(s, count_visit, AXIP_NULL);
	CHECK_EQ((axip_size)visited, sizeof(struct axip_counters) / sizeof(axip_u64));
	CHECK(strcmp(axip_strerror(AXIP_E_RESET), "connection reset by peer") == 0);
	CHECK(strcmp(axip_strerror(12345), "unknown error") == 0);
}

int main(void)
{
	RUN_TEST(test_defaults_documented_values);
	RUN_TEST(test_invalid_configs_rejected);
	RUN_TEST(test_size_grows_with_limits);
	RUN_TEST(test_init_errors);
	RUN_TEST(test_pool_is_lifo_and_bounded);
	RUN_TEST(test_counters_foreach_visits_all);
	while (n_raw > 0)
		free(raw_blocks[--n_raw & 7]);
	return test_summary();
}
