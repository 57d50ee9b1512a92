// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sets of LUNs of this boot in the status directory: those its sweeps
 * have looked at (STATUS_DIR/seen), for the sweeps over LUNs that arrive later
 * (apply --late), and those they detached (STATUS_DIR/detached).
 */
#include "privdir.h"
#include "seen.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int key_cmp(const void *a, const void *b)
{
	const struct lun_key *x = a, *y = b;
	int c = strcmp(x->hctl, y->hctl);

	if (c)
		return c;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int hctl_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct lun_key *)elem)->hctl);
}

int hctl_set_add(struct hctl_set *s, const char *hctl, unsigned long long ino)
{
	unsigned int h, c, t;
	unsigned long long l;

	if (strlen(hctl) >= HCTL_MAX || hctl_parse(hctl, &h, &c, &t, &l) < 0)
		return -EINVAL;
	if (s->n == s->cap) {
		unsigned int cap = s->cap ? s->cap * 2 : 64;
		struct lun_key *v;

		if (s->n >= MAX_DEVICES)
			return -E2BIG;
		if (cap > MAX_DEVICES)
			cap = MAX_DEVICES;
		v = realloc(s->v, (size_t)cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	if (str_copy(s->v[s->n].hctl, sizeof(s->v[0].hctl), hctl) < 0)
		return -EINVAL;
	s->v[s->n].ino = ino;
	s->n++;
	s->sorted = false;
	return 0;
}

void hctl_set_sort(struct hctl_set *s)
{
	if (!s->sorted && s->n)
		qsort(s->v, s->n, sizeof(*s->v), key_cmp);
	s->sorted = true;
}

bool hctl_set_has(struct hctl_set *s, const char *hctl, unsigned long long ino)
{
	const struct lun_key *k, *end;

	if (!s->n)
		return false;
	hctl_set_sort(s);
	k = bsearch(hctl, s->v, s->n, sizeof(*s->v), hctl_cmp);
	if (!k)
		return false;
	/* the keys of that address are next to each other: the first of them on */
	while (k > s->v && str_eq(k[-1].hctl, hctl))
		k--;
	for (end = s->v + s->n; k < end && str_eq(k->hctl, hctl); k++)
		if (!k->ino || k->ino == ino)
			return true;
	return false;
}

void hctl_set_free(struct hctl_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void detached_mark(struct hctl_set *s, struct inventory *inv)
{
	unsigned int i;

	for (i = 0; i < inv->n; i++)
		if (hctl_set_has(s, inv->dev[i].hctl, inv->dev[i].ino))
			inv->dev[i].detach_bar = DB_DETACHED;
}

int scsi_device_names(struct hctl_set *s)
{
	char path[SDE_PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (sde_path(path, sizeof(path), "/sys/class/scsi_device") < 0)
		return -ENAMETOOLONG;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char rel[HCTL_MAX + 16];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		/* the device's own directory; gone meanwhile: not present */
		if (xsnprintf(rel, sizeof(rel), "%s/device", de->d_name) < 0 ||
		    fstatat(dirfd(d), rel, &st, 0) < 0)
			continue;
		r = hctl_set_add(s, de->d_name, (unsigned long long)st.st_ino);
		if (r == -EINVAL)
			r = 0;	/* not a SCSI device name: not ours to look at */
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

/* "H:C:T:L INO" or "H:C:T:L" (NUL-terminated, no newline) into s. */
static int key_parse(struct hctl_set *s, char *line)
{
	unsigned long long ino = 0;
	char *sp = strchr(line, ' '), *end;

	if (sp) {
		*sp = '\0';
		if (sp[1] < '0' || sp[1] > '9')
			return -EINVAL;
		errno = 0;
		ino = strtoull(sp + 1, &end, 10);
		if (errno || *end || !ino)
			return -EINVAL;
	}
	return hctl_set_add(s, line, ino);
}

int lun_set_read(int dirfd, const char *file, struct hctl_set *s, unsigned int *line)
{
	char buf[HCTL_MAX + 24];
	struct stat st;
	FILE *f;
	int fd, r = 0;

	*line = 0;
	fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		r = -errno;
		close(fd);
		return r;
	}
	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);

		++*line;
		/* a line too long to be a name is an error, never two names */
		if (!len || buf[len - 1] != '\n') {
			r = -EINVAL;
			break;
		}
		buf[len - 1] = '\0';
		r = key_parse(s, buf);
		if (r < 0)
			break;
	}
	if (!r && ferror(f))
		r = -EIO;
	fclose(f);
	return r;
}

int lun_set_write(int dirfd, const char *file, struct hctl_set *s)
{
	char tmp[SDE_PATH_MAX];
	unsigned int i;
	FILE *f;

	hctl_set_sort(s);
	f = atomic_open_at(dirfd, file, tmp, sizeof(tmp));
	if (!f)
		return -errno;
	for (i = 0; i < s->n; i++) {
		if (s->v[i].ino)
			fprintf(f, "%s %llu\n", s->v[i].hctl, s->v[i].ino);
		else
			fprintf(f, "%s\n", s->v[i].hctl);
	}
	return atomic_commit_at(dirfd, f, tmp, file);
}
