/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_UTIL_H
#define SDE_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Longest path the helper builds, sysroot included. */
#define SDE_PATH_MAX 4096

/* Every absolute path is taken under this root ("" for the real one). */
void sde_set_sysroot(const char *root);
const char *sde_sysroot(void);

/* Build "<sysroot><path>" from a printf format; 0 or -ENAMETOOLONG. */
int sde_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* snprintf that reports truncation as -ENAMETOOLONG, else 0. */
int xsnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Remove trailing blanks and newlines in place; returns s. */
char *rtrim(char *s);
/* Skip leading blanks. */
char *ltrim(char *s);

bool str_eq(const char *a, const char *b);
bool str_starts(const char *s, const char *prefix);
/* Copy with truncation check: 0 or -ENAMETOOLONG. */
int str_copy(char *dst, size_t size, const char *src);

/* Monotonic clock in milliseconds. */
long long now_ms(void);
/* Sleep ms milliseconds, whatever signals come. */
void sleep_ms(long ms);

#endif
