// SPDX-License-Identifier: GPL-2.0-or-later
#include "inventory.h"
#include "log.h"
#include "util.h"
#include "vpd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int hctl_parse(const char *s, unsigned int *h, unsigned int *c, unsigned int *t,
	       unsigned long long *l)
{
	unsigned long long v[4];
	int i;

	for (i = 0; i < 4; i++) {
		char *end;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		errno = 0;
		v[i] = strtoull(s, &end, 10);
		if (errno || (i < 3 && v[i] > 0xffffffffULL))
			return -EINVAL;
		if (i < 3 && *end != ':')
			return -EINVAL;
		s = end + (i < 3);
	}
	if (*s)
		return -EINVAL;
	*h = (unsigned int)v[0];
	*c = (unsigned int)v[1];
	*t = (unsigned int)v[2];
	*l = v[3];
	return 0;
}

/*
 * One attribute of the device directory; "" when missing, unreadable or not a
 * regular file (a FIFO would block). -EFBIG when it does not fit: a value cut
 * short could match another rule, so it is never used.
 */
static int attr(int dfd, const char *name, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open_regular(dfd, name);
	if (fd < 0)
		return 0;
	n = read_fd(fd, buf, size);
	close(fd);
	if (n == -EFBIG) {
		buf[0] = '\0';
		return -EFBIG;
	}
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static void trimmed(char *dst, size_t size, const char *src)
{
	str_copy(dst, size, src);
	rtrim(dst);
}

/* proc_name of a host, with a small cache: devices come host by host */
static void host_driver(unsigned int host, char *buf, size_t size)
{
	static struct {
		unsigned int host;
		bool valid;
		char name[64];
	} cache[8];
	static unsigned int next;
	char path[SDE_PATH_MAX];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cache); i++) {
		if (cache[i].valid && cache[i].host == host) {
			str_copy(buf, size, cache[i].name);
			return;
		}
	}
	buf[0] = '\0';
	if (sde_path(path, sizeof(path), "/sys/class/scsi_host/host%u/proc_name", host) == 0 &&
	    read_attr(path, buf, size) < 0)
		buf[0] = '\0';
	rtrim(buf);
	i = next++ % ARRAY_SIZE(cache);
	cache[i].host = host;
	cache[i].valid = true;
	str_copy(cache[i].name, sizeof(cache[i].name), buf);
}

/*
 * vpd_pg83 (binary): the target port group for alua's refusal, and the WWID where
 * the kernel has no wwid attribute (RHEL 7). A page that fills the buffer may be
 * cut short: unreadable, as truncation is never taken for the whole.
 */
static void read_vpd83(int dfd, struct device *d)
{
	static unsigned char page[4096];
	static struct vpd83 v;
	ssize_t n = 0, r;
	int fd;

	d->vpd83 = 0;
	fd = openat(dfd, "vpd_pg83", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	do {
		r = read(fd, page + n, sizeof(page) - (size_t)n);
		if (r > 0)
			n += r;
	} while ((r > 0 && (size_t)n < sizeof(page)) || (r < 0 && errno == EINTR));
	close(fd);
	if (r < 0 || (size_t)n >= sizeof(page))
		return;
	if (vpd83_parse(page, (size_t)n, &v) < 0) {
		d->vpd83 = -1;
		return;
	}
	d->vpd83 = 1;
	d->tpg = v.tpg;
	d->vpd83_truncated = v.truncated;
	if (!d->wwid[0] && v.id_len > 0 && str_copy(d->wwid, sizeof(d->wwid), v.id) == 0)
		d->wwid_from_vpd = true;
}

int device_read(struct device *d, const char *hctl)
{
	char path[SDE_PATH_MAX], buf[64];
	unsigned char inq[8];
	struct dirent *de;
	DIR *bd;
	ssize_t n;
	int dfd, fd, bfd, big = 0;

	memset(d, 0, sizeof(*d));
	d->type = -1;
	d->tpgs = -1;
	d->tpg = -1;
	if (hctl_parse(hctl, &d->h, &d->c, &d->t, &d->l) < 0)
		return -EINVAL;
	if (str_copy(d->hctl, sizeof(d->hctl), hctl) < 0)
		return -ENAMETOOLONG;
	if (sde_path(path, sizeof(path), "/sys/class/scsi_device/%s/device", hctl) < 0)
		return -ENAMETOOLONG;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		d->vanished = true;
		return -ENOENT;
	}

	big |= attr(dfd, "type", buf, sizeof(buf));
	if (buf[0] >= '0' && buf[0] <= '9') {
		long v = strtol(buf, NULL, 10);

		d->type = v <= 0x1f ? (int)v : -1;	/* 5 bits: the peripheral type */
	}
	big |= attr(dfd, "vendor", d->vendor, sizeof(d->vendor));
	big |= attr(dfd, "model", d->model, sizeof(d->model));
	big |= attr(dfd, "rev", d->rev, sizeof(d->rev));
	trimmed(d->vendor_t, sizeof(d->vendor_t), d->vendor);
	trimmed(d->model_t, sizeof(d->model_t), d->model);
	trimmed(d->rev_t, sizeof(d->rev_t), d->rev);
	big |= attr(dfd, "dh_state", d->dh_state, sizeof(d->dh_state));
	rtrim(d->dh_state);
	big |= attr(dfd, "access_state", d->access_state, sizeof(d->access_state));
	rtrim(d->access_state);
	big |= attr(dfd, "wwid", d->wwid, sizeof(d->wwid));
	rtrim(d->wwid);
	read_vpd83(dfd, d);

	fd = open_regular(dfd, "inquiry");
	if (fd >= 0) {
		do
			n = read(fd, inq, sizeof(inq));
		while (n < 0 && errno == EINTR);
		close(fd);
		if (n >= 6)
			d->tpgs = (inq[5] >> 4) & 0x3;
	}

	bfd = openat(dfd, "block", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd >= 0) {
		bd = fdopendir(bfd);
		if (!bd) {
			close(bfd);
		} else {
			while ((de = readdir(bd))) {
				if (de->d_name[0] == '.')
					continue;
				if (str_copy(d->block, sizeof(d->block), de->d_name) < 0)
					big = -EFBIG;
				break;
			}
			closedir(bd);
		}
	}
	/* did it go away while we read it? */
	if (faccessat(dfd, "type", F_OK, 0) < 0 && errno == ENOENT)
		d->vanished = true;
	close(dfd);
	host_driver(d->h, d->host_driver, sizeof(d->host_driver));
	if (d->vanished)
		return -ENOENT;
	return big ? -EFBIG : 0;
}

const char *device_attached(const struct device *d)
{
	if (!d->dh_state[0] || str_eq(d->dh_state, "detached"))
		return NULL;
	return d->dh_state;
}

static int grow(struct inventory *inv)
{
	struct device *n;
	unsigned int cap;

	if (inv->n < inv->cap)
		return 0;
	if (inv->cap >= MAX_DEVICES) {
		inv->dropped++;
		return -ENOSPC;
	}
	cap = inv->cap ? inv->cap * 2 : 64;
	if (cap > MAX_DEVICES)
		cap = MAX_DEVICES;
	n = realloc(inv->dev, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	inv->dev = n;
	inv->cap = cap;
	return 0;
}

int inventory_add(struct inventory *inv, const char *hctl)
{
	unsigned int i;
	int r;

	/* a device named twice is acted on once */
	for (i = 0; i < inv->n; i++)
		if (str_eq(inv->dev[i].hctl, hctl))
			return 0;
	r = grow(inv);

	if (r < 0)
		return r;
	r = device_read(&inv->dev[inv->n], hctl);
	if (r == -EINVAL || r == -ENAMETOOLONG || r == -EFBIG)
		return r;
	inv->n++;
	return 0;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct device *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	if (x->c != y->c)
		return x->c < y->c ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->l != y->l)
		return x->l < y->l ? -1 : 1;
	return 0;
}

int inventory_scan(struct inventory *inv)
{
	char path[SDE_PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (sde_path(path, sizeof(path), "/sys/class/scsi_device") < 0)
		return -ENAMETOOLONG;
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;	/* no SCSI at all */
	while ((de = readdir(d))) {
		unsigned int h, c, t;
		unsigned long long l;

		if (hctl_parse(de->d_name, &h, &c, &t, &l) < 0)
			continue;
		r = grow(inv);
		if (r == -ENOSPC)
			continue;	/* counted in inv->dropped */
		if (r < 0)
			break;
		/* a device that vanished since readdir is simply not there */
		r = device_read(&inv->dev[inv->n], de->d_name);
		if (r == 0)
			inv->n++;
		else if (r != -ENOENT)
			log_msg(SDE_WARNING, "%s: %s, not looked at", de->d_name,
				r == -EFBIG ? "an attribute longer than it can be" : strerror(-r));
		r = 0;
	}
	closedir(d);
	if (inv->dropped)
		log_msg(SDE_WARNING, "more than %d SCSI devices: %u not looked at", MAX_DEVICES,
			inv->dropped);
	if (inv->n > 1)
		qsort(inv->dev, inv->n, sizeof(*inv->dev), cmp_dev);
	return r == -ENOSPC ? 0 : r;
}

void inventory_free(struct inventory *inv)
{
	free(inv->dev);
	inv->dev = NULL;
	inv->n = inv->cap = 0;
}

/* The last path component shaped like H:C:T:L. */
static int hctl_in_path(const char *p, char *hctl, unsigned int size)
{
	char comp[HCTL_MAX];
	int found = -EINVAL;

	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		unsigned int h, c, t;
		unsigned long long l;

		if (n > 0 && n < sizeof(comp)) {
			memcpy(comp, p, n);
			comp[n] = '\0';
			if (hctl_parse(comp, &h, &c, &t, &l) == 0)
				found = str_copy(hctl, size, comp);
		}
		p += n + (slash ? 1 : 0);
	}
	return found;
}

int device_resolve(const char *arg, char *hctl, unsigned int size)
{
	char path[SDE_PATH_MAX], target[PATH_MAX];
	unsigned int h, c, t;
	unsigned long long l;
	const char *name;

	if (hctl_parse(arg, &h, &c, &t, &l) == 0)
		return str_copy(hctl, size, arg);
	if (str_starts(arg, "/dev/")) {
		name = arg + 5;
		if (!*name || strchr(name, '/') || str_eq(name, ".") || str_eq(name, ".."))
			return -EINVAL;
		if (sde_path(path, sizeof(path), "/sys/class/block/%s/device", name) < 0)
			return -EINVAL;
		/* sdX/device leads to the SCSI device's directory, named H:C:T:L */
		if (!realpath(path, target))
			return -ENOENT;
		return hctl_in_path(target, hctl, size) == 0 ? 0 : -ENOENT;
	}
	if (str_starts(arg, "/devices/") || str_starts(arg, "/sys/devices/"))
		return hctl_in_path(arg, hctl, size);
	return -EINVAL;
}
