// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The directories the helper keeps its own state in (the sweep lock, the boot
 * record, the seen set): made so that no one else can write there, and files
 * in them replaced atomically, a temporary file renamed over the old one.
 */
#include "privdir.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
