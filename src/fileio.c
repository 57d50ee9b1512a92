// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading files: one bounded read of a small file (a sysfs attribute), with
 * truncation detected; a line reader over a fixed buffer; the sorted "*.conf"
 * names of a directory. Nothing here blocks on a FIFO or allocates.
 */
#include "fileio.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
