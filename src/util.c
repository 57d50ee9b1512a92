// SPDX-License-Identifier: GPL-2.0-or-later
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

int open_regular(int dirfd, const char *path)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: opening a FIFO with no writer must not wait for one */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -SDE_ENOTREG;
	}
	return fd;
}

ssize_t read_fd(int fd, char *buf, size_t size)
{
	size_t len = 0;

	if (size < 2)
		return -EINVAL;
	/* sysfs hands out an attribute in one read; loop for regular files */
	for (;;) {
		ssize_t r = read(fd, buf + len, size - 1 - len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			buf[len] = '\0';
			return -errno;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == size - 1) {
			char c;

			do
				r = read(fd, &c, 1);
			while (r < 0 && errno == EINTR);
			buf[len] = '\0';
			return r > 0 ? -EFBIG : (ssize_t)len;
		}
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if (size < 2)
		return -EINVAL;
	buf[0] = '\0';
	fd = open_regular(AT_FDCWD, path);
	if (fd < 0)
		return fd;
	n = read_fd(fd, buf, size);
	close(fd);
	return n;
}

const char *read_error(int err)
{
	if (err == SDE_ENOTREG)
		return "not a regular file";
	if (err == EFBIG)
		return "file too large";
	return strerror(err);
}

ssize_t read_attr(const char *path, char *buf, size_t size)
{
	ssize_t n = read_file(path, buf, size);

	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
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

int mkdir_p(const char *path, mode_t mode)
{
	char tmp[SDE_PATH_MAX];
	char *p;

	if (str_copy(tmp, sizeof(tmp), path) < 0)
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int private_dir_open(const char *path, mode_t mode)
{
	int r = mkdir_p(path, mode);

	return r < 0 ? r : private_dir_peek(path);
}

int private_dir_peek(const char *path)
{
	struct stat st;
	int fd, r;

	/* a symlink in its place is not followed, whatever it points to */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR ? -ELOOP : -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int create_at(int dirfd, const char *name, mode_t mode)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	return fd < 0 ? -errno : fd;
}

void stale_tmp_remove(int dirfd)
{
	struct dirent *de;
	DIR *d;
	int fd = dup(dirfd);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		const char *dot, *end;
		char *e;
		long pid;

		end = strstr(de->d_name, ".tmp");
		if (!end || end[4] || end == de->d_name)
			continue;
		for (dot = end - 1; dot > de->d_name && *dot != '.'; dot--)
			;
		if (*dot != '.' || dot + 1 == end)
			continue;
		errno = 0;
		pid = strtol(dot + 1, &e, 10);
		if (errno || e != end || pid <= 0 || pid > INT_MAX)
			continue;
		/* a run still writing it keeps it */
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

FILE *atomic_open_at(int dirfd, const char *name, char *tmp, size_t size)
{
	int fd, tries;

	if (xsnprintf(tmp, size, "%s.%ld.tmp", name, (long)getpid()) < 0) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	for (tries = 0; tries < 2; tries++) {
		FILE *f;

		fd = create_at(dirfd, tmp, 0644);
		if (fd == -EEXIST && tries == 0) {
			/* ours by name, left by a killed run whose pid we now have */
			unlinkat(dirfd, tmp, 0);
			continue;
		}
		if (fd < 0) {
			errno = -fd;
			return NULL;
		}
		f = fdopen(fd, "w");
		if (!f) {
			int e = errno;

			close(fd);
			unlinkat(dirfd, tmp, 0);
			errno = e;
		}
		return f;
	}
	errno = EEXIST;
	return NULL;
}

int atomic_commit_at(int dirfd, FILE *f, const char *tmp, const char *name)
{
	int r = 0;

	if (fflush(f) != 0 || ferror(f))
		r = -EIO;
	if (fclose(f) != 0 && !r)
		r = -errno;
	if (!r && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r)
		unlinkat(dirfd, tmp, 0);
	return r;
}

int line_open(struct line_reader *lr, const char *path)
{
	lr->fd = open_regular(AT_FDCWD, path);
	if (lr->fd < 0)
		return lr->fd;
	lr->len = lr->start = 0;
	lr->eof = false;
	lr->overlong = false;
	return 0;
}

static int line_fill(struct line_reader *lr)
{
	ssize_t r;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->len - lr->start);
		lr->len -= lr->start;
		lr->start = 0;
	}
	do
		r = read(lr->fd, lr->buf + lr->len, sizeof(lr->buf) - 1 - lr->len);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		lr->eof = true;
	lr->len += (size_t)r;
	return 0;
}

int line_next(struct line_reader *lr, char **line)
{
	for (;;) {
		char *s = lr->buf + lr->start;
		char *nl = memchr(s, '\n', lr->len - lr->start);
		int r;

		if (nl) {
			*nl = '\0';
			lr->start = (size_t)(nl - lr->buf) + 1;
			lr->overlong = false;
			*line = s;
			return 1;
		}
		if (lr->eof) {
			if (lr->start == lr->len)
				return 0;
			lr->buf[lr->len] = '\0';
			*line = lr->buf + lr->start;
			lr->start = lr->len;
			lr->overlong = false;
			return 1;
		}
		if (lr->start == 0 && lr->len == sizeof(lr->buf) - 1) {
			/* longer than the buffer: skip to its end, hand out an empty line */
			for (;;) {
				char *p;

				lr->len = 0;
				r = line_fill(lr);
				if (r < 0)
					return r;
				p = memchr(lr->buf, '\n', lr->len);
				if (p) {
					lr->start = (size_t)(p - lr->buf) + 1;
					break;
				}
				if (lr->eof) {
					lr->start = lr->len;
					break;
				}
			}
			lr->overlong = true;
			lr->buf[sizeof(lr->buf) - 1] = '\0';
			*line = lr->buf + sizeof(lr->buf) - 1;
			return 1;
		}
		r = line_fill(lr);
		if (r < 0)
			return r;
	}
}

void line_close(struct line_reader *lr)
{
	if (lr->fd >= 0)
		close(lr->fd);
	lr->fd = -1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

int conf_dir_list(const char *dir, char (*names)[256], unsigned int max)
{
	unsigned int n = 0;
	bool more = false;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 || !str_eq(de->d_name + len - 5, ".conf"))
			continue;
		if (n == max) {
			more = true;
			break;
		}
		if (str_copy(names[n], 256, de->d_name) == 0)
			n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, 256, cmp_names);
	return more ? -E2BIG : (int)n;
}

/* [:name:] of a bracket expression, in the C locale; -1 not a class */
static int glob_class(const char *name, size_t n, unsigned char c)
{
	static const char *const names[] = { "alnum", "alpha", "blank", "cntrl", "digit",
					     "graph", "lower", "print", "punct", "space",
					     "upper", "xdigit" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == n && strncmp(names[i], name, n) == 0)
			break;
	if (c >= 0x80)
		return i < ARRAY_SIZE(names) ? 0 : -1;
	switch (i) {
	case 0: return isalnum(c) != 0;
	case 1: return isalpha(c) != 0;
	case 2: return c == ' ' || c == '\t';
	case 3: return iscntrl(c) != 0;
	case 4: return isdigit(c) != 0;
	case 5: return isgraph(c) != 0;
	case 6: return islower(c) != 0;
	case 7: return isprint(c) != 0;
	case 8: return ispunct(c) != 0;
	case 9: return isspace(c) != 0;
	case 10: return isupper(c) != 0;
	case 11: return isxdigit(c) != 0;
	}
	return -1;
}

/*
 * The bracket expression at p (just past '['), against c: 1 match, 0 no match,
 * -1 not a bracket expression (no closing ']': the '[' is an ordinary char).
 * *end is set past the closing ']'.
 */
static int glob_bracket(const char *p, unsigned char c, const char **end)
{
	bool neg = false, hit = false, first = true;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	for (;; first = false) {
		unsigned char lo, hi;

		if (!*p)
			return -1;
		if (*p == ']' && !first)
			break;
		if (p[0] == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			char kind = p[1];
			const char *q = strchr(p + 2, kind);

			if (!q || q[1] != ']')
				return -1;
			if (kind == ':') {
				int r = glob_class(p + 2, (size_t)(q - p - 2), c);

				if (r < 0)
					return 0;	/* an unknown class matches nothing */
				hit |= r;
			} else if (q - p - 2 == 1) {
				hit |= (unsigned char)p[2] == c;	/* [=x=], [.x.]: x itself */
			}
			p = q + 2;
			continue;
		}
		if (*p == '\\' && p[1])
			p++;
		lo = (unsigned char)*p++;
		hi = lo;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			p++;
			if (*p == '\\' && p[1])
				p++;
			hi = (unsigned char)*p++;
		}
		if (lo <= c && c <= hi)
			hit = true;
	}
	*end = p + 1;
	return hit != neg;
}

bool glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	for (;;) {
		const char *next = NULL;
		int r;

		if (*pat == '*') {
			while (*pat == '*')
				pat++;
			if (!*pat)
				return true;
			/* the last star takes one more char on each mismatch after it */
			star = pat;
			resume = s;
			continue;
		}
		if (!*s) {
			if (!*pat)
				return true;
			return false;
		}
		if (*pat == '?') {
			pat++;
			s++;
			continue;
		}
		if (*pat == '[') {
			r = glob_bracket(pat + 1, (unsigned char)*s, &next);
			if (r > 0) {
				pat = next;
				s++;
				continue;
			}
			if (r == 0)
				goto mismatch;
			/* no closing ']': an ordinary '[' */
		}
		if (*pat == '\\' && pat[1])
			pat++;
		if (*pat && *pat == *s) {
			pat++;
			s++;
			continue;
		}
mismatch:
		if (!star)
			return false;
		pat = star;
		s = ++resume;
	}
}

#define POOL_CHUNK ((size_t)64 * 1024)

struct pool_chunk {
	struct pool_chunk *next;
	size_t used, size;
	char data[];
};

static struct pool_chunk *pool;
static size_t pool_bytes;
/* str_intern()'s open-addressing table over the pool's strings */
static const char **slots;
static size_t nslots, nslots_used;
static unsigned int pool_gen;

unsigned int str_pool_generation(void)
{
	return pool_gen;
}

size_t str_pool_size(void)
{
	return pool_bytes + nslots * sizeof(*slots);
}

void str_pool_free(void)
{
	while (pool) {
		struct pool_chunk *next = pool->next;

		free(pool);
		pool = next;
	}
	free(slots);
	slots = NULL;
	nslots = nslots_used = 0;
	pool_bytes = 0;
	pool_gen++;
}

const char *str_keep(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (n > STR_KEEP_MAX)
		return NULL;
	if (!pool || pool->size - pool->used < n) {
		struct pool_chunk *c;

		if (pool_bytes + POOL_CHUNK > STR_POOL_MAX)
			return NULL;
		c = malloc(sizeof(*c) + POOL_CHUNK);
		if (!c)
			return NULL;
		c->next = pool;
		c->used = 0;
		c->size = POOL_CHUNK;
		pool = c;
		pool_bytes += POOL_CHUNK;
	}
	p = pool->data + pool->used;
	memcpy(p, s, n);
	pool->used += n;
	return p;
}

static size_t str_hash(const char *s)
{
	size_t h = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int slots_grow(void)
{
	size_t n = nslots ? nslots * 2 : 256, i;
	const char **t;

	if (n * sizeof(*t) > STR_POOL_MAX / 4)
		return -ENOMEM;
	t = calloc(n, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < nslots; i++) {
		size_t j;

		if (!slots[i])
			continue;
		for (j = str_hash(slots[i]) & (n - 1); t[j]; j = (j + 1) & (n - 1))
			;
		t[j] = slots[i];
	}
	free(slots);
	slots = t;
	nslots = n;
	return 0;
}

const char *str_intern(const char *s)
{
	size_t i;

	if (!*s)
		return "";
	if ((nslots_used + 1) * 2 > nslots && slots_grow() < 0)
		return NULL;
	for (i = str_hash(s) & (nslots - 1); slots[i]; i = (i + 1) & (nslots - 1))
		if (str_eq(slots[i], s))
			return slots[i];
	slots[i] = str_keep(s);
	if (!slots[i])
		return NULL;
	nslots_used++;
	return slots[i];
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
