/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_UTIL_H
#define SDE_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Longest path the helper builds, sysroot included. */
#define SDE_PATH_MAX 4096
/* Longest line read from a configuration, modules.dep or kallsyms file. */
#define SDE_LINE_MAX 16384

/* Every absolute path is taken under this root ("" for the real one). */
void sde_set_sysroot(const char *root);
const char *sde_sysroot(void);

/* Build "<sysroot><path>" from a printf format; 0 or -ENAMETOOLONG. */
int sde_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* snprintf that reports truncation as -ENAMETOOLONG, else 0. */
int xsnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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

/* Remove trailing blanks and newlines in place; returns s. */
char *rtrim(char *s);
/* Skip leading blanks. */
char *ltrim(char *s);

/*
 * fnmatch(3) with no flags, in the C locale, byte by byte: '*', '?', bracket
 * expressions with ranges, classes and '!' or '^', backslash escapes. Ours,
 * so that the static helper does not carry libc's wide-character tables.
 */
bool glob_match(const char *pattern, const char *s);

bool str_eq(const char *a, const char *b);
bool str_starts(const char *s, const char *prefix);
/* Copy with truncation check: 0 or -ENAMETOOLONG. */
int str_copy(char *dst, size_t size, const char *src);

/*
 * A directory of our own: made when missing, opened without following a symlink,
 * owned by the effective user and writable by no one else. The descriptor, or
 * -ELOOP (a symlink or no directory in its place), -EPERM (not ours alone), -errno.
 */
int private_dir_open(const char *path, mode_t mode);
/* The same for a directory that exists: nothing is made (-ENOENT). */
int private_dir_peek(const char *path);

/* Create name in dirfd: O_EXCL|O_NOFOLLOW|O_CLOEXEC. The descriptor or -errno. */
int create_at(int dirfd, const char *name, mode_t mode);

/* Remove "NAME.PID.tmp" files of dirfd whose PID is no running process. */
void stale_tmp_remove(int dirfd);

/*
 * Replace name in dirfd atomically: atomic_open_at() creates a temporary file
 * beside it (its name in tmp, created with create_at()), atomic_commit_at()
 * closes that and renames it over name, or removes it on any error. 0 or -errno.
 */
FILE *atomic_open_at(int dirfd, const char *name, char *tmp, size_t size);
int atomic_commit_at(int dirfd, FILE *f, const char *tmp, const char *name);
/* mkdir -p for one directory whose parent exists or can be made. */
int mkdir_p(const char *path, mode_t mode);

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

/*
 * A pool of strings that live as long as the process: str_keep() stores a copy,
 * str_intern() stores each distinct string once (for the few values that many
 * devices share: vendors, handler names, reasons). NULL when the pool, bounded
 * at STR_POOL_MAX bytes, is full, or for a string longer than STR_KEEP_MAX.
 */
#define STR_POOL_MAX (64u << 20)
#define STR_KEEP_MAX 4096
const char *str_keep(const char *s);
const char *str_intern(const char *s);
/* Bytes the pool holds (for tests); str_pool_free() empties it. */
size_t str_pool_size(void);
void str_pool_free(void);
/* Changes with each str_pool_free(): what holds pool strings knows to let go. */
unsigned int str_pool_generation(void);

/* Monotonic clock in milliseconds. */
long long now_ms(void);
/* Sleep ms milliseconds, whatever signals come. */
void sleep_ms(long ms);

#endif
