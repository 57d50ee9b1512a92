// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The readers of sysfs on any attribute contents: type, vendor, model, rev,
 * dh_state, access_state, wwid, the binary INQUIRY data, the block device and
 * host names, ioerr_cnt; and H:C:T:L and devpath parsing on any string. Whatever
 * the bytes, a device is read whole or refused, never cut; an ioerr_cnt is known
 * only when it is exactly what the kernel writes.
 */
#include "fuzz-tree.h"
#include "inventory.h"
#include "strpool.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DEV "sys/class/scsi_device/1:0:0:7/device"

static const char *const attrs[] = { "type", "vendor", "model", "rev", "dh_state",
				     "access_state", "wwid", "inquiry" };

static char *cstr(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Whether ioerr_cnt's n bytes at p are "0x" and 1 to 16 lowercase hex digits, of value v. */
static bool ioerr_exact(const uint8_t *p, size_t n, unsigned long long v)
{
	unsigned long long x = 0;
	size_t i;

	if (n && p[n - 1] == '\n')
		n--;
	if (n < 3 || n > 18 || p[0] != '0' || p[1] != 'x')
		return false;
	for (i = 2; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			x = x << 4 | (unsigned int)(p[i] - '0');
		else if (p[i] >= 'a' && p[i] <= 'f')
			x = x << 4 | (unsigned int)(p[i] - 'a' + 10);
		else
			return false;
	}
	return x == v;
}

/* a string of the pool: there, and no longer than its attribute may be */
static bool terminated(const char *s, size_t size)
{
	return s && strlen(s) < size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fields f = { data, size };
	struct inventory inv = { 0 };
	struct device d;
	const uint8_t *p, *ioerr = NULL;
	size_t nioerr = 0;
	unsigned int h, c, t, i;
	unsigned long long l;
	char hctl[HCTL_MAX], rel[512], *s;
	size_t n;
	int r;

	/* one string for the pure parsers */
	if (!field_next(&f, &p, &n, 4096))
		return 0;
	s = cstr(p, n);
	if (hctl_parse(s, &h, &c, &t, &l) == 0) {
		char again[HCTL_MAX];

		snprintf(again, sizeof(again), "%u:%u:%u:%llu", h, c, t, l);
		/* a parsed name prints back within HCTL_MAX */
		if (strlen(again) >= HCTL_MAX - 1)
			abort();
	}
	if (s[0] == '/') {
		r = device_resolve(s, hctl, sizeof(hctl));
		if (r == 0 && hctl_parse(hctl, &h, &c, &t, &l) < 0)
			abort();
	}
	free(s);

	tree_mkdir(DEV);
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		snprintf(rel, sizeof(rel), DEV "/%s", attrs[i]);
		if (field_next(&f, &p, &n, 8192))
			tree_put(rel, p, n);
		else
			tree_put(rel, NULL, 0);
	}
	/* a block device name: one path component */
	if (field_next(&f, &p, &n, 300)) {
		s = cstr(p, n);
		if (n && !memchr(p, '\0', n) && !memchr(p, '/', n) && strcmp(s, ".") != 0 &&
		    strcmp(s, "..") != 0 && n < 256) {
			snprintf(rel, sizeof(rel), DEV "/block/%s", s);
			tree_mkdir(rel);
		}
		free(s);
	}
	if (field_next(&f, &p, &n, 8192))
		tree_put("sys/class/scsi_host/host1/proc_name", p, n);
	/* last, so that the inputs from before it stay what they were */
	if (field_next(&f, &ioerr, &nioerr, 8192))
		tree_put(DEV "/ioerr_cnt", ioerr, nioerr);
	else
		tree_put(DEV "/ioerr_cnt", NULL, 0);

	r = device_read(&d, "1:0:0:7");
	if (r == 0) {
		if (!terminated(d.vendor, 16) || !terminated(d.model, 24) ||
		    !terminated(d.dh_state, 32) || !terminated(d.access_state, 32) ||
		    !terminated(d.wwid, 256) || !terminated(d.block, 32) ||
		    !terminated(d.host_driver, 64) || d.tpgs < -1 ||
		    d.tpgs > 3 || strcmp(d.hctl, "1:0:0:7") != 0)
			abort();
		if (d.ioerr_known != (ioerr && ioerr_exact(ioerr, nioerr, d.ioerr)))
			abort();
	} else if (r != -EFBIG && r != -ENOENT) {
		/* -ENOENT: no type attribute, taken as a device going away */
		abort();
	}
	(void)device_attached(&d);
	if (inventory_scan(&inv) < 0 || inv.n > 1)
		abort();
	inventory_free(&inv);

	/* leave no block device behind for the next input, nor the strings read */
	tree_rmtree(DEV "/block");
	str_pool_free();
	return 0;
}
