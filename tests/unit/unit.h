/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

/* A tiny TAP harness: each test is a function; CHECK records a failure and goes on. */
extern int unit_failed;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			printf("# %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			unit_failed = 1;                                               \
		}                                                                      \
	} while (0)

#define CHECK_STR(a, b)                                                                \
	do {                                                                           \
		const char *a_ = (a), *b_ = (b);                                       \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                               \
			printf("# %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,      \
			       a_ ? a_ : "(null)", b_ ? b_ : "(null)");                \
			unit_failed = 1;                                               \
		}                                                                      \
	} while (0)

#define CHECK_NULL(a)                                                                  \
	do {                                                                           \
		const char *a_ = (a);                                                  \
		if (a_) {                                                              \
			printf("# %s:%d: \"%s\" is not NULL\n", __FILE__, __LINE__, a_); \
			unit_failed = 1;                                               \
		}                                                                      \
	} while (0)

struct unit_test {
	const char *name;
	void (*fn)(void);
};

extern const struct unit_test config_tests[], ktable_tests[], plan_tests[], json_tests[],
	vpd_tests[], glob_tests[], procpool_tests[], metrics_tests[];

#endif
