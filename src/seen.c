// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The set of LUNs this boot's sweeps have looked at (STATUS_DIR/seen), for the
 * sweeps over LUNs that arrive later (apply --late).
 */
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

static int hctl_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int hctl_set_add(struct hctl_set *s, const char *hctl)
{
	unsigned int h, c, t;
	unsigned long long l;

	if (strlen(hctl) >= HCTL_MAX || hctl_parse(hctl, &h, &c, &t, &l) < 0)
		return -EINVAL;
	if (s->n == s->cap) {
		unsigned int cap = s->cap ? s->cap * 2 : 64;
		char (*v)[HCTL_MAX];

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
	if (str_copy(s->v[s->n], sizeof(s->v[0]), hctl) < 0)
		return -EINVAL;
	s->n++;
	s->sorted = false;
	return 0;
}

void hctl_set_sort(struct hctl_set *s)
{
	if (!s->sorted && s->n)
		qsort(s->v, s->n, sizeof(*s->v), hctl_cmp);
	s->sorted = true;
}

bool hctl_set_has(struct hctl_set *s, const char *hctl)
{
	if (!s->n)
		return false;
	hctl_set_sort(s);
	return bsearch(hctl, s->v, s->n, sizeof(*s->v), hctl_cmp) != NULL;
}

void hctl_set_free(struct hctl_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
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
		if (de->d_name[0] == '.')
			continue;
		r = hctl_set_add(s, de->d_name);
		if (r == -EINVAL)
			r = 0;	/* not a SCSI device name: not ours to look at */
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

int seen_read(int dirfd, struct hctl_set *s, unsigned int *line)
{
	char buf[HCTL_MAX + 2];
	struct stat st;
	FILE *f;
	int fd, r = 0;

	*line = 0;
	fd = openat(dirfd, SEEN_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
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
		r = hctl_set_add(s, buf);
		if (r < 0)
			break;
	}
	if (!r && ferror(f))
		r = -EIO;
	fclose(f);
	return r;
}

int seen_write(int dirfd, struct hctl_set *s)
{
	char tmp[SDE_PATH_MAX];
	unsigned int i;
	FILE *f;

	hctl_set_sort(s);
	f = atomic_open_at(dirfd, SEEN_FILE, tmp, sizeof(tmp));
	if (!f)
		return -errno;
	for (i = 0; i < s->n; i++)
		fprintf(f, "%s\n", s->v[i]);
	return atomic_commit_at(dirfd, f, tmp, SEEN_FILE);
}
