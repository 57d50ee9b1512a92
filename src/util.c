// SPDX-License-Identifier: GPL-2.0-or-later
#include "util.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
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

	if (rl >= size)
		return -ENAMETOOLONG;
	memcpy(buf, sysroot, rl);
	va_start(ap, fmt);
	n = vsnprintf(buf + rl, size - rl, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - rl)
		return -ENAMETOOLONG;
	return 0;
}

ssize_t read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd;

	if (size < 2)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/* sysfs hands out an attribute in one read; loop for regular files */
	for (;;) {
		ssize_t r = read(fd, buf + len, size - 1 - len);

		if (r < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == size - 1) {
			char c;

			r = read(fd, &c, 1);
			close(fd);
			buf[len] = '\0';
			return r > 0 ? -EFBIG : (ssize_t)len;
		}
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
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

FILE *atomic_open(const char *path, char *tmp, size_t size)
{
	int fd;

	if (xsnprintf(tmp, size, "%s.%ld.tmp", path, (long)getpid()) < 0) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return NULL;
	return fdopen(fd, "w");
}

int atomic_commit(FILE *f, const char *tmp, const char *path)
{
	int r = 0;

	if (ferror(f))
		r = -EIO;
	if (fclose(f) != 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

int line_open(struct line_reader *lr, const char *path)
{
	lr->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (lr->fd < 0)
		return -errno;
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
		return 0;
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
	qsort(names, n, 256, cmp_names);
	return more ? -E2BIG : (int)n;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
