/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_PRIVDIR_H
#define SDE_PRIVDIR_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

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

#endif
