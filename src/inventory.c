// SPDX-License-Identifier: GPL-2.0-or-later
#include "fileio.h"
#include "inventory.h"
#include "log.h"
#include "strpool.h"
#include "util.h"
#include "vpd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

int ioerr_parse(const char *s, unsigned long long *v)
{
	unsigned long long x = 0;
	unsigned int n;

	if (s[0] != '0' || s[1] != 'x')
		return -EINVAL;
	for (n = 0, s += 2; *s; s++, n++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else
			return -EINVAL;
		if (n == 16)
			return -EINVAL;	/* more than 64 bits */
		x = x << 4 | d;
	}
	if (!n)
		return -EINVAL;
	*v = x;
	return 0;
}

/*
 * One attribute of the device directory into buf: its length, which a NUL in
 * it makes more than strlen(buf); "" (0) when missing or unreadable,
 * -EFBIG when it does not fit (a value cut short could match another rule, so it
 * is never used), -ENOENT when it is not there. sysfs hands out an attribute in
 * one read (kernfs: the whole of a show() up to a page), a regular file all that
 * was asked for, so a read short of the buffer is the whole of it: three calls,
 * openat, read, close. O_NONBLOCK: a FIFO in its place neither blocks the open
 * nor the read (no writer reads as empty); O_NOFOLLOW: sysfs attributes are
 * never symlinks.
 */
static int attr(int dfd, const char *name, char *buf, size_t size)
{
	ssize_t n, r;
	int fd, e = 0;

	buf[0] = '\0';
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : 0;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)size - 1) {
		char c;

		do
			r = read(fd, &c, 1);
		while (r < 0 && errno == EINTR);
		if (r > 0)
			e = -EFBIG;
	}
	close(fd);
	if (n < 0 || e) {
		buf[0] = '\0';
		return e;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return (int)n;
}

enum { AS_PADDED = 0, AS_TRIM = 1, AS_SHARED = 2 };

/*
 * attr() of at most size - 1 bytes into the pool (shared: stored once for all
 * devices): *out never NULL. -EFBIG, -ENOMEM or 0.
 */
static int attr_str(int dfd, const char *name, size_t size, int how, const char **out)
{
	char buf[256];
	int r;

	if (size > sizeof(buf))
		size = sizeof(buf);
	r = attr(dfd, name, buf, size);
	*out = "";
	if (r == -EFBIG)
		return r;
	if (how & AS_TRIM)
		rtrim(buf);
	*out = (how & AS_SHARED) ? str_intern(buf) : buf[0] ? str_keep(buf) : "";
	if (!*out) {
		*out = "";
		return -ENOMEM;
	}
	return 0;
}

/* a trimmed copy of s in the pool, or NULL */
static const char *trimmed(const char *s)
{
	char buf[256];

	if (str_copy(buf, sizeof(buf), s) < 0)
		return NULL;
	return str_intern(rtrim(buf));
}

/*
 * proc_name of a host, read once per host: devices come in directory order, not
 * host by host. An open-addressing table of the hosts seen, at most HOSTS_MAX of
 * them (beyond that, read each time).
 */
#define HOSTS_MAX 65536
static struct host_entry {
	unsigned int host;
	const char *name;	/* in the pool; NULL: a free slot */
} *hosts;
static unsigned int nhosts, hosts_used, hosts_gen;

static struct host_entry *host_slot(unsigned int host)
{
	unsigned int i;

	if (!nhosts)
		return NULL;
	for (i = (host * 2654435761u) & (nhosts - 1); hosts[i].name;
	     i = (i + 1) & (nhosts - 1))
		if (hosts[i].host == host)
			return &hosts[i];
	return &hosts[i];
}

static void host_remember(unsigned int host, const char *name)
{
	struct host_entry *e;

	if ((hosts_used + 1) * 2 > nhosts) {
		unsigned int n = nhosts ? nhosts * 2 : 64, i;
		struct host_entry *old = hosts, *t;

		if (n > HOSTS_MAX * 2 || !(t = calloc(n, sizeof(*t))))
			return;
		hosts = t;
		i = nhosts;
		nhosts = n;
		while (i--)
			if (old[i].name)
				*host_slot(old[i].host) = old[i];
		free(old);
	}
	e = host_slot(host);
	if (!e->name)
		hosts_used++;
	e->host = host;
	e->name = name;
}

static const char *host_driver(unsigned int host)
{
	char path[SDE_PATH_MAX], buf[64];
	struct host_entry *e;
	const char *name;

	if (hosts_gen != str_pool_generation()) {
		/* the names went with the pool */
		free(hosts);
		hosts = NULL;
		nhosts = hosts_used = 0;
		hosts_gen = str_pool_generation();
	}
	e = host_slot(host);
	if (e && e->name)
		return e->name;
	buf[0] = '\0';
	if (sde_path(path, sizeof(path), "/sys/class/scsi_host/host%u/proc_name", host) == 0 &&
	    read_attr(path, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	rtrim(buf);
	name = str_intern(buf);
	if (!name)
		return "";
	host_remember(host, name);
	return name;
}

/*
 * vpd_pg83 (binary): the target port group for alua's refusal, and the WWID where
 * the kernel has no wwid attribute (RHEL 7). A page that fills the buffer may be
 * cut short: unreadable, as truncation is never taken for the whole. The page
 * and its parse are kept off the stack (read one device at a time).
 */
_Static_assert(sizeof(((struct vpd83 *)0)->id) == WWID_MAX, "one bound for both wwids");

static int read_vpd83(int dfd, struct device *d)
{
	static unsigned char page[4096];
	static struct vpd83 v;
	ssize_t n = 0, r;
	int fd;

	d->vpd83 = 0;
	fd = openat(dfd, "vpd_pg83", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	/* kernfs reads a binary attribute a page at a time: short is the end */
	do {
		r = read(fd, page + n, sizeof(page) - (size_t)n);
		if (r > 0)
			n += r;
	} while ((r > 0 && (size_t)n < sizeof(page) && (size_t)r == sizeof(page)) ||
		 (r < 0 && errno == EINTR));
	close(fd);
	if (r < 0 || (size_t)n >= sizeof(page))
		return 0;
	if (vpd83_parse(page, (size_t)n, &v) < 0) {
		d->vpd83 = -1;
		return 0;
	}
	d->vpd83 = 1;
	d->tpg = v.tpg;
	d->vpd83_truncated = v.truncated;
	if (d->wwid[0] || d->wwid_too_long)
		return 0;
	if (v.id_len == -ENAMETOOLONG)
		d->wwid_too_long = true;
	if (v.id_len > 0) {
		d->wwid = str_keep(v.id);
		if (!d->wwid) {
			d->wwid = "";
			return -ENOMEM;
		}
		d->wwid_from_vpd = true;
	}
	return 0;
}

/*
 * The block device of a SCSI device: the one entry of its block/ directory,
 * read with getdents64 (one call for ".", ".." and the name; no DIR stream).
 */
static int read_block(int dfd, struct device *d)
{
	static char dents[1024];	/* off the stack: one device at a time */
	char name[32];
	long n, off;
	int fd, r = 0;

	fd = openat(dfd, "block", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	name[0] = '\0';
	while (!name[0] && (n = syscall(SYS_getdents64, fd, dents, sizeof(dents))) > 0) {
		for (off = 0; off < n;) {
			const struct sde_dirent64 {
				unsigned long long ino;
				long long off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *de = (const void *)(dents + off);

			off += de->reclen;
			if (de->name[0] == '.')
				continue;
			if (str_copy(name, sizeof(name), de->name) < 0)
				r = -EFBIG;
			break;
		}
		if (r)
			break;
	}
	close(fd);
	if (r || !name[0])
		return r;
	d->block = str_keep(name);
	if (!d->block) {
		d->block = "";
		return -ENOMEM;
	}
	return 0;
}

static void device_init(struct device *d)
{
	memset(d, 0, sizeof(*d));
	d->hctl = d->block = d->vendor = d->model = d->vendor_t = d->model_t = "";
	d->dh_state = d->access_state = d->wwid = d->host_driver = "";
	d->as.reason = "";
	d->type = -1;
	d->tpgs = -1;
	d->tpg = -1;
}

/* first error wins: -EFBIG or -ENOMEM over 0 */
#define KEEP(r, x)                      \
	do {                            \
		int _e = (x);           \
		if (_e < 0 && (r) == 0) \
			(r) = _e;       \
	} while (0)

static int device_read_some(struct device *d, const char *hctl, unsigned int skip)
{
	char path[SDE_PATH_MAX], buf[64];
	unsigned char inq[8];
	struct stat st;
	ssize_t n;
	int dfd, fd, r = 0, e;

	device_init(d);
	if (hctl_parse(hctl, &d->h, &d->c, &d->t, &d->l) < 0)
		return -EINVAL;
	if (strlen(hctl) >= HCTL_MAX)
		return -ENAMETOOLONG;
	d->hctl = str_keep(hctl);
	if (!d->hctl) {
		d->hctl = "";
		return -ENOMEM;
	}
	if (sde_path(path, sizeof(path), "/sys/class/scsi_device/%s/device", hctl) < 0)
		return -ENAMETOOLONG;
	/* openat(), not open(): musl's open() adds an fcntl() for O_CLOEXEC */
	dfd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		d->vanished = true;
		return -ENOENT;
	}
	if (!(skip & DEV_INO) && fstat(dfd, &st) == 0)
		d->ino = (unsigned long long)st.st_ino;

	/* the sizes of old: 8 and 16 bytes as the kernel shows them, room for more */
	KEEP(r, attr_str(dfd, "vendor", 16, AS_SHARED, &d->vendor));
	KEEP(r, attr_str(dfd, "model", 24, AS_SHARED, &d->model));
	d->vendor_t = trimmed(d->vendor);
	d->model_t = trimmed(d->model);
	if (!d->vendor_t || !d->model_t) {
		d->vendor_t = d->model_t = "";
		KEEP(r, -ENOMEM);
	}
	KEEP(r, attr_str(dfd, "dh_state", HANDLER_NAME_MAX, AS_TRIM | AS_SHARED, &d->dh_state));
	/*
	 * access_state without a handler: hidden before 5.18 (scsi_sysfs.c,
	 * scsi_sdev_attr_is_visible()), -EINVAL from 5.18 on
	 * (sdev_show_access_state()): nothing to read on a detached LUN.
	 */
	if (!(skip & DEV_ACCESS) && !str_eq(d->dh_state, "detached"))
		KEEP(r, attr_str(dfd, "access_state", 32, AS_TRIM | AS_SHARED, &d->access_state));
	if (!(skip & DEV_WWID)) {
		/*
		 * A wwid too long to keep (a T10 designator of non-printable bytes,
		 * each shown as \ooo) is unknown: owner rules on wwid do not match
		 * the LUN, the others still do; never the whole LUN left out.
		 */
		e = attr_str(dfd, "wwid", WWID_MAX, AS_TRIM, &d->wwid);
		if (e == -EFBIG)
			d->wwid_too_long = true;
		else
			KEEP(r, e);
	}

	fd = openat(dfd, "inquiry", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd >= 0) {
		do
			n = read(fd, inq, sizeof(inq));
		while (n < 0 && errno == EINTR);
		close(fd);
		if (n >= 6)
			d->tpgs = (inq[5] >> 4) & 0x3;
	}
	/*
	 * vpd_pg83 for the target port group, which only alua asks for (TPGS set),
	 * and for the WWID when the kernel shows none.
	 */
	if (d->tpgs != 0 || (!(skip & DEV_WWID) && !d->wwid[0]))
		KEEP(r, read_vpd83(dfd, d));
	if (!(skip & DEV_BLOCK))
		KEEP(r, read_block(dfd, d));
	/* one that is missing, too long, with a NUL or malformed is unknown; the LUN stays */
	if (!(skip & DEV_IOERR)) {
		e = attr(dfd, "ioerr_cnt", buf, sizeof(buf));
		d->ioerr_known = e == (int)strlen(buf) && ioerr_parse(buf, &d->ioerr) == 0;
	}

	/* last: gone now, the device went away while we read it */
	e = attr(dfd, "type", buf, sizeof(buf));
	if (e == -ENOENT)
		d->vanished = true;
	KEEP(r, e == -ENOENT ? 0 : e);
	if (buf[0] >= '0' && buf[0] <= '9') {
		long v = strtol(buf, NULL, 10);

		d->type = v <= 0x1f ? (int)v : -1;	/* 5 bits: the peripheral type */
	}
	close(dfd);
	if (!(skip & DEV_HOST))
		d->host_driver = host_driver(d->h);
	if (d->vanished)
		return -ENOENT;
	return r;
}

/*
 * Said when a device joins an inventory, not when it is read again: at -v on
 * standard error; the kernel log gets the count in the summary line.
 */
static void said_too_long(const struct device *d)
{
	if (d->wwid_too_long)
		log_msg(SDE_INFO, "%s: wwid longer than %d bytes: taken as unknown", d->hctl,
			WWID_MAX - 1);
}

int device_read(struct device *d, const char *hctl)
{
	return device_read_some(d, hctl, 0);
}

unsigned int device_skip(const struct policy *p, unsigned int shown)
{
	unsigned int i, need = shown;

	for (i = 0; i < p->nowners; i++) {
		if (!p->owners[i].active)
			continue;
		if (p->owners[i].wwid.n)
			need |= DEV_WWID;
		if (p->owners[i].host.n)
			need |= DEV_HOST;
	}
	return (DEV_ACCESS | DEV_WWID | DEV_BLOCK | DEV_HOST | DEV_IOERR) & ~need;
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

/* inventory_add()'s index: slot of hctl, free or holding it */
static unsigned int *index_slot(const struct inventory *inv, const char *hctl)
{
	size_t h = 2166136261u;	/* FNV-1a */
	unsigned int i, mask = inv->nindex - 1;
	const char *p;

	for (p = hctl; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (i = (unsigned int)h & mask; inv->index[i]; i = (i + 1) & mask)
		if (str_eq(inv->dev[inv->index[i] - 1].hctl, hctl))
			break;
	return &inv->index[i];
}

/* room for one more name in the index, kept at most half full */
static int index_grow(struct inventory *inv)
{
	unsigned int n, i, *old = inv->index, nold = inv->nindex;

	if ((inv->n + 1) * 2 <= inv->nindex)
		return 0;
	n = inv->nindex ? inv->nindex * 2 : 128;
	inv->index = calloc(n, sizeof(*inv->index));
	if (!inv->index) {
		inv->index = old;
		return -ENOMEM;
	}
	inv->nindex = n;
	for (i = 0; i < nold; i++)
		if (old[i])
			*index_slot(inv, inv->dev[old[i] - 1].hctl) = old[i];
	free(old);
	return 0;
}

int inventory_add(struct inventory *inv, const char *hctl)
{
	unsigned int *slot;
	int r;

	/* a device named twice is acted on once: a hash, not a search per name */
	r = index_grow(inv);
	if (r < 0)
		return r;
	slot = index_slot(inv, hctl);
	if (*slot)
		return 0;
	r = grow(inv);
	if (r < 0)
		return r;
	r = device_read_some(&inv->dev[inv->n], hctl, inv->skip);
	if (r == -EINVAL || r == -ENAMETOOLONG || r == -EFBIG || r == -ENOMEM)
		return r;
	said_too_long(&inv->dev[inv->n]);
	inv->n++;
	*slot = inv->n;
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
		r = device_read_some(&inv->dev[inv->n], de->d_name, inv->skip);
		if (r == 0)
			said_too_long(&inv->dev[inv->n++]);
		else if (r != -ENOENT)
			log_msg(SDE_WARNING, "%s: %s, not looked at", de->d_name,
				r == -EFBIG ? "an attribute longer than it can be" : strerror(-r));
		if (r == -ENOMEM)
			break;
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
	free(inv->index);
	inv->dev = NULL;
	inv->index = NULL;
	inv->n = inv->cap = inv->nindex = 0;
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
