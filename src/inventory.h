/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_INVENTORY_H
#define SDE_INVENTORY_H

#include <stdbool.h>

#include "assess.h"
#include "config.h"

#define MAX_DEVICES 65536	/* SCSI devices looked at in one run */
#define HCTL_MAX 64	/* "4294967295:4294967295:4294967295:18446744073709551615" fits */

struct device {
	unsigned int h, c, t;
	unsigned long long l;
	char hctl[HCTL_MAX];
	char block[32];		/* "" when not a block device */
	int type;		/* SCSI peripheral type, -1 unknown */
	char vendor[16];	/* as sysfs gives them: space padded, for matching */
	char model[24];
	char rev[8];
	char vendor_t[16];	/* trailing blanks trimmed, for display and globs */
	char model_t[24];
	char rev_t[8];
	int tpgs;		/* INQUIRY byte 5 bits 4-5, -1 unknown */
	char dh_state[HANDLER_NAME_MAX];	/* "" when unreadable */
	char access_state[32];
	char wwid[256];		/* the kernel's wwid, else derived from vpd_pg83 */
	bool wwid_from_vpd;
	signed char vpd83;	/* vpd_pg83: 1 read, 0 absent or unreadable, -1 malformed */
	int tpg;		/* target port group designator, -1 none */
	bool vpd83_truncated;
	char host_driver[64];
	bool vanished;
	/* learnt from the kernel in this run: a late attach refused by the handler */
	bool attach_refused;
	struct assessment as;
};

struct inventory {
	struct device *dev;
	unsigned int n, cap;
	unsigned int dropped;	/* devices beyond MAX_DEVICES */
};

/* "H:C:T:L" with decimal numbers; 0 or -EINVAL. */
int hctl_parse(const char *s, unsigned int *h, unsigned int *c, unsigned int *t,
	       unsigned long long *l);

/* Read one device's attributes; -ENOENT when it is not (or no longer) there. */
int device_read(struct device *d, const char *hctl);

/* Every device under sys/class/scsi_device, sorted by H:C:T:L. 0 or -errno. */
int inventory_scan(struct inventory *inv);
/* Append one device by H:C:T:L (it may have vanished: d->vanished). */
int inventory_add(struct inventory *inv, const char *hctl);
void inventory_free(struct inventory *inv);

/* The handler attached ("alua"), or NULL when detached or unknown. */
const char *device_attached(const struct device *d);

/*
 * Map a command-line DEVICE (H:C:T:L, a sysfs devpath, /dev/sdX) to H:C:T:L.
 * 0, -EINVAL (not a form we know), -ENOENT (no such device).
 */
int device_resolve(const char *arg, char *hctl, unsigned int size);

#endif
