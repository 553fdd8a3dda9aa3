/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spsc.c - the SPSC ring of <axip/spsc.h>: sizes, FIFO order, full and
 * empty, wrap-around, pointer rings, and a producer and a consumer thread
 * moving elements whose every byte is checked.
 */
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdint.h>
#include <axip/spsc.h>
#include "../../test/test.h"

static void test_sizes(void)
{
	struct axip_spsc *r;
	CHECK(axip_spsc_new(0, 8) == NULL);
	CHECK(axip_spsc_new(3, 8) == NULL);
	CHECK(axip_spsc_new(4, 0) == NULL);
	CHECK(axip_spsc_new(4, (1u << 20) + 1) == NULL);
	r = axip_spsc_new(1, 1);
	REQUIRE(r != NULL);
	CHECK_EQ(axip_spsc_capacity(r), 1);
	CHECK(axip_spsc_empty(r));
	REQUIRE(axip_spsc_reserve(r) != NULL);
	axip_spsc_commit(r);
	CHECK(!axip_spsc_empty(r));
	CHECK(axip_spsc_reserve(r) == NULL);
	axip_spsc_free(r);
	axip_spsc_free(NULL);
}

static void test_fifo_wrap(void)
{
	struct axip_spsc *r = axip_spsc_new(8, 5); /* elements of 5 bytes, 16 apart */
	uint32_t next_in = 0, next_out = 0, round, k;
	REQUIRE(r != NULL);
	CHECK(axip_spsc_peek(r) == NULL);
	/* uneven batches, so the indexes wrap at every offset */
	for (round = 0; round < 1000; round++) {
		uint32_t put = 1 + round % 8, got = 1 + (round * 7) % 8;
		unsigned char *e;
		for (k = 0; k < put && (e = axip_spsc_reserve(r)); k++) {
			CHECK(((uintptr_t)e & 15u) == 0);
			memcpy(e, &next_in, 4);
			e[4] = (unsigned char)(next_in * 3);
			axip_spsc_commit(r);
			next_in++;
		}
		for (k = 0; k < got && (e = axip_spsc_peek(r)); k++) {
			uint32_t v;
			memcpy(&v, e, 4);
			CHECK_EQ(v, next_out);
			CHECK_EQ(e[4], (unsigned char)(next_out * 3));
			CHECK(axip_spsc_peek(r) == e); /* the same until released */
			axip_spsc_release(r);
			next_out++;
		}
		CHECK(next_in - next_out <= 8);
		if (next_in - next_out == 8)
			CHECK(axip_spsc_reserve(r) == NULL);
	}
	while (axip_spsc_peek(r))
		axip_spsc_release(r), next_out++;
	CHECK_EQ(next_out, next_in);
	CHECK(axip_spsc_empty(r));
	axip_spsc_free(r);
}

static void test_ptr(void)
{
	struct axip_spsc *r = axip_spsc_new(2, sizeof(void *));
	int a, b, c;
	REQUIRE(r != NULL);
	CHECK(axip_spsc_pop_ptr(r) == NULL);
	CHECK_EQ(axip_spsc_push_ptr(r, &a), 0);
	CHECK_EQ(axip_spsc_push_ptr(r, &b), 0);
	CHECK_EQ(axip_spsc_push_ptr(r, &c), (unsigned long long)-1);
	CHECK(axip_spsc_pop_ptr(r) == &a);
	CHECK_EQ(axip_spsc_push_ptr(r, &c), 0);
	CHECK(axip_spsc_pop_ptr(r) == &b);
	CHECK(axip_spsc_pop_ptr(r) == &c);
	CHECK(axip_spsc_pop_ptr(r) == NULL);
	axip_spsc_free(r);
}

#define N_THREADED 2000000u
#define ELEM 40u

static void fill(unsigned char *e, uint32_t v)
{
	uint32_t i;
	for (i = 0; i < ELEM; i++)
		e[i] = (unsigned char)(v * 131u + i);
}

static void *producer(void *arg)
{
	struct axip_spsc *r = arg;
	uint32_t v = 0;
	while (v < N_THREADED) {
		unsigned char *e = axip_spsc_reserve(r);
		if (!e)
			continue;
		fill(e, v++);
		axip_spsc_commit(r);
	}
	return NULL;
}

/* Consumer: the producer's N_THREADED elements in order; how many differ. */
static uint32_t consume_all(struct axip_spsc *r)
{
	uint32_t v = 0, bad = 0;
	unsigned char want[ELEM];
	while (v < N_THREADED) {
		const unsigned char *e = axip_spsc_peek(r);
		if (!e)
			continue;
		fill(want, v++);
		bad += memcmp(e, want, ELEM) != 0;
		axip_spsc_release(r);
	}
	return bad;
}

static void test_threads(void)
{
	struct axip_spsc *r = axip_spsc_new(64, ELEM);
	pthread_t t;
	uint32_t bad;
	REQUIRE(r != NULL);
	REQUIRE(pthread_create(&t, NULL, producer, r) == 0);
	bad = consume_all(r);
	pthread_join(t, NULL);
	CHECK_EQ(bad, 0);
	CHECK(axip_spsc_empty(r));
	axip_spsc_free(r);
}

/* axip_spsc_new_shared: a forked child produces, the parent consumes */
static void test_processes(void)
{
	struct axip_spsc *r = axip_spsc_new_shared(64, ELEM);
	uint32_t bad;
	int st = -1;
	pid_t pid;
	REQUIRE(r != NULL);
	CHECK(axip_spsc_new_shared(3, 8) == NULL);
	CHECK(axip_spsc_empty(r));
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		producer(r);
		_exit(0);
	}
	alarm(30); /* a ring the child does not share would leave the loop waiting */
	bad = consume_all(r);
	alarm(0);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(bad, 0);
	CHECK(axip_spsc_empty(r));
	axip_spsc_free(r);
}

int main(void)
{
	RUN_TEST(test_sizes);
	RUN_TEST(test_fifo_wrap);
	RUN_TEST(test_ptr);
	RUN_TEST(test_threads);
	RUN_TEST(test_processes);
	return test_summary();
}
