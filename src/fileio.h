/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_FILEIO_H
#define SDE_FILEIO_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Longest line read from a configuration, modules.dep or kallsyms file. */
#define SDE_LINE_MAX 16384

/*
 * errno of a file that must be a regular one and is not (a FIFO, a directory):
 * Linux has no EFTYPE, and nothing we open can fail with EMEDIUMTYPE otherwise.
 */
#define SDE_ENOTREG EMEDIUMTYPE

/*
 * Open path (relative to dirfd, or AT_FDCWD) for reading only if it is a regular
 * file: never blocks on a FIFO. The descriptor, or -errno (-SDE_ENOTREG).
 */
int open_regular(int dirfd, const char *path);

/* Read what fits of fd into buf, NUL-terminated: the length, -EFBIG, or -errno. */
ssize_t read_fd(int fd, char *buf, size_t size);

/*
 * Read a whole small regular file (a sysfs attribute) into buf, NUL-terminated.
 * Returns the length, or -errno; -EFBIG when it does not fit in size - 1.
 */
ssize_t read_file(const char *path, char *buf, size_t size);

/* strerror() with the words for -EFBIG and -SDE_ENOTREG of the readers above */
const char *read_error(int err);

/* read_file() with the single trailing newline removed (blanks kept). */
ssize_t read_attr(const char *path, char *buf, size_t size);

/* A line reader over one file with a fixed buffer: no allocation. */
struct line_reader {
	int fd;
	size_t len;	/* bytes in buf */
	size_t start;	/* start of the next line */
	bool eof;
	bool overlong;	/* the last line was longer than the buffer */
	char buf[SDE_LINE_MAX];
};

int line_open(struct line_reader *lr, const char *path);
/*
 * Next line without its newline, NUL-terminated, in *line (valid until the next call).
 * Returns 1 for a line, 0 at end of file, -errno on a read error. A line longer than
 * the buffer is skipped whole and returned as "" with lr->overlong set.
 */
int line_next(struct line_reader *lr, char **line);
void line_close(struct line_reader *lr);

/*
 * The names of the "*.conf" files of a directory (no dot files), sorted, at most
 * max of them. Returns the count (0 for a missing directory), -E2BIG when there
 * were more (the first max are kept), or -errno when it cannot be read.
 */
int conf_dir_list(const char *dir, char (*names)[256], unsigned int max);

#endif
