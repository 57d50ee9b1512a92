// SPDX-License-Identifier: GPL-2.0-or-later
/* Small helpers: the sysroot and the paths under it, strings, the clock. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static char sysroot[SDE_PATH_MAX / 2];

void sde_set_sysroot(const char *root)
{
	size_t n;

	if (!root) {
		sysroot[0] = '\0';
		return;
	}
	n = strlen(root);
	/* the caller checked the length; drop trailing slashes so paths join cleanly */
	while (n > 0 && root[n - 1] == '/')
		n--;
	if (n >= sizeof(sysroot))
		n = sizeof(sysroot) - 1;
	memcpy(sysroot, root, n);
	sysroot[n] = '\0';
}

const char *sde_sysroot(void)
{
	return sysroot;
}

int xsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int sde_path(char *buf, size_t size, const char *fmt, ...)
{
	size_t rl = strlen(sysroot);
	va_list ap;
	int n;

	if (xsnprintf(buf, size, "%s", sysroot) < 0)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	n = vsnprintf(buf + rl, size - rl, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - rl)
		return -ENAMETOOLONG;
	return 0;
}

char *rtrim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
			 s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

char *ltrim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

bool str_eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size) {
		if (size > 0) {
			memcpy(dst, src, size - 1);
			dst[size - 1] = '\0';
		}
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
