// SPDX-License-Identifier: GPL-2.0-or-later
#include "fuzz-tree.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

static void tree_remove(void)
{
	if (root[0])
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void tree_rmtree(const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", tree_root(), rel);
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tree_root(void)
{
	const char *tmp = getenv("TMPDIR");

	if (root[0])
		return root;
	snprintf(root, sizeof(root), "%s/sde-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		abort();
	atexit(tree_remove);
	sde_set_sysroot(root);
	return root;
}

static void parents(char *path)
{
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			abort();
		*p = '/';
	}
}

void tree_mkdir(const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s/", tree_root(), rel);
	parents(path);
}

void tree_put(const char *rel, const void *data, size_t size)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tree_root(), rel);
	parents(path);
	if (!data) {
		unlink(path);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || close(fd) < 0)
		abort();
}

int field_next(struct fields *f, const uint8_t **p, size_t *n, size_t cap)
{
	size_t len;

	if (f->size < 2)
		return 0;
	len = (size_t)f->data[0] | (size_t)f->data[1] << 8;
	f->data += 2;
	f->size -= 2;
	if (len > cap)
		len = cap;
	if (len > f->size)
		len = f->size;
	*p = f->data;
	*n = len;
	f->data += len;
	f->size -= len;
	return 1;
}
