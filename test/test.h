/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test.h - minimal assertion macros for axip's tests (hosted code).
 *
 * CHECK* record a failure and continue; REQUIRE* stop the test function.
 * test_summary() prints the result and is the exit status of main().
 */
#ifndef AXIP_TEST_H
#define AXIP_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures_;
static int test_checks_;

#define CHECK(cond)                                                                       \
	do {                                                                                  \
		test_checks_++;                                                                   \
		if (!(cond)) {                                                                    \
			test_failures_++;                                                             \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);      \
		}                                                                                 \
	} while (0)

#define CHECK_EQ(a, b)                                                                    \
	do {                                                                                  \
		unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b);  \
		test_checks_++;                                                                   \
		if (va_ != vb_) {                                                                 \
			test_failures_++;                                                             \
			fprintf(stderr, "%s:%d: CHECK_EQ failed: %s = %llu, %s = %llu\n", __FILE__,   \
			        __LINE__, #a, va_, #b, vb_);                                          \
		}                                                                                 \
	} while (0)

#define REQUIRE(cond)                                                                     \
	do {                                                                                  \
		test_checks_++;                                                                   \
		if (!(cond)) {                                                                    \
			test_failures_++;                                                             \
			fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond);    \
			return;                                                                       \
		}                                                                                 \
	} while (0)

#define RUN_TEST(fn)                                                                      \
	do {                                                                                  \
		int before_ = test_failures_;                                                     \
		fn();                                                                             \
		fprintf(stderr, "%s %s\n", test_failures_ == before_ ? "ok  " : "FAIL", #fn);      \
	} while (0)

static inline int test_summary(void)
{
	fprintf(stderr, "%d checks, %d failures\n", test_checks_, test_failures_);
	if (test_checks_ == 0) {
		fprintf(stderr, "no checks ran: treating as failure\n");
		return 1;
	}
	return test_failures_ ? 1 : 0;
}

#endif
