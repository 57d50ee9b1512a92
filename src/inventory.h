/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_INVENTORY_H
#define SDE_INVENTORY_H

#include <stdbool.h>

#include "assess.h"
#include "config.h"

#define MAX_DEVICES 65536	/* SCSI devices looked at in one run */
#define HCTL_MAX 64	/* "4294967295:4294967295:4294967295:18446744073709551615" fits */
#define WWID_MAX 256	/* the wwid kept, with its NUL; struct vpd83's id is as long */

/*
 * One SCSI device as sysfs shows it. The strings live in the string pool
 * (util.h): never NULL, "" when missing or unreadable; those many devices share
 * (vendor, model, dh_state, access_state, the host's driver) are stored once.
 */
struct device {
	/* the small fields first: no padding between them, at 16384 LUNs it counts */
	unsigned int h, c, t;
	signed char type;	/* SCSI peripheral type, -1 unknown */
	signed char tpgs;	/* INQUIRY byte 5 bits 4-5, -1 unknown */
	signed char vpd83;	/* vpd_pg83: 1 read, 0 absent or unreadable, -1 malformed */
	bool wwid_from_vpd;
	bool wwid_too_long;	/* longer than WWID_MAX - 1 bytes: taken as unknown ("") */
	bool vpd83_truncated;
	bool vanished;
	bool ioerr_known;	/* ioerr_cnt read, and as the kernel writes it */
	/* learnt from the kernel in this run: a late attach refused by the handler */
	bool attach_refused;
	/* what keeps a sweep from writing a detach (enum detach_bar), set before the plan */
	unsigned char detach_bar;
	int tpg;		/* target port group designator, -1 none */
	unsigned long long l;
	unsigned long long ino;	/* of its sysfs directory: a new one when added again, 0 unknown */
	unsigned long long ioerr;	/* ioerr_cnt: commands that failed since it was added */
	const char *hctl;
	const char *block;	/* "" when not a block device */
	const char *vendor;	/* as sysfs gives them: space padded, for matching */
	const char *model;
	const char *vendor_t;	/* trailing blanks trimmed, for display and globs */
	const char *model_t;
	const char *dh_state;	/* "" when unreadable */
	const char *access_state;
	const char *wwid;	/* the kernel's wwid, else derived from vpd_pg83 */
	const char *host_driver;
	struct assessment as;
};

/*
 * Why a sweep writes no detach to a device (device.detach_bar), an input of the
 * plan: at most one detach per LUN and boot (before 4.3 each write drops one
 * reference, and a second could drop dm-multipath's), and none without the
 * sweep lock, which keeps that count.
 */
enum detach_bar { DB_NONE, DB_DETACHED, DB_NO_LOCK };

/*
 * Attributes a command may leave unread when it neither shows them nor decides
 * with them (inventory.skip); the rest are always read.
 */
enum { DEV_ACCESS = 1, DEV_WWID = 2, DEV_BLOCK = 4, DEV_HOST = 8, DEV_IOERR = 32 };
/* the inode (device.ino), which only the sets of seen and detached LUNs need */
enum { DEV_INO = 16 };

struct inventory {
	struct device *dev;
	unsigned int n, cap;
	unsigned int dropped;	/* devices beyond MAX_DEVICES */
	unsigned int skip;	/* DEV_* not to read; 0 reads everything */
	unsigned int *index;	/* inventory_add()'s hash of H:C:T:L, 0 or device + 1 */
	unsigned int nindex;
};

/*
 * The DEV_* a command may skip when it shows only `shown` of them: what no
 * active owner rule matches on (wwid =, host =) and the command does not show.
 */
unsigned int device_skip(const struct policy *p, unsigned int shown);

/*
 * ioerr_cnt as the kernel writes it, "0x%llx" (drivers/scsi/scsi_sysfs.c,
 * show_iostat_##field), its newline chopped: 0 and *v, or -EINVAL for anything
 * else (no digits, another byte, more than 16 digits): unknown, never 0.
 */
int ioerr_parse(const char *s, unsigned long long *v);

/* "H:C:T:L" with decimal numbers; 0 or -EINVAL. */
int hctl_parse(const char *s, unsigned int *h, unsigned int *c, unsigned int *t,
	       unsigned long long *l);

/*
 * Read one device's attributes; -ENOENT when it is not (or no longer) there,
 * -ENOMEM when the string pool is full, -EFBIG for an attribute too long.
 */
int device_read(struct device *d, const char *hctl);

/* Every device under sys/class/scsi_device, sorted by H:C:T:L. 0 or -errno. */
int inventory_scan(struct inventory *inv);
/* Append one device by H:C:T:L (it may have vanished: d->vanished); once only. */
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
