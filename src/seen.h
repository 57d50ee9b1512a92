/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_SEEN_H
#define SDE_SEEN_H

#include "inventory.h"

#include <stdbool.h>

/*
 * Sets of LUNs of this boot, kept in the status directory, one "H:C:T:L INO"
 * a line, each file replaced atomically:
 *  - SEEN_FILE: the LUNs a sweep has looked at; a sweep with --late takes
 *    only the SCSI devices that are not in it.
 *  - DETACHED_FILE: the LUNs a sweep has written a detach to (the kernel took
 *    it, or its answer never came); no sweep of the boot writes a second one.
 * INO is the inode number of the device's sysfs directory: a LUN removed and
 * added again at the same H:C:T:L is a new kobject, a new kernfs node, and from
 * 4.14 on a number not used before (kernfs: __kernfs_new_node(),
 * idr_alloc_cyclic()), so it is a new LUN.  A line of an H:C:T:L alone (an
 * older helper's) stands for any device at that address.  Bounded: at most
 * MAX_DEVICES names, and a sweep keeps only devices still present.
 */
#define SEEN_FILE "seen"
#define DETACHED_FILE "detached"

struct lun_key {
	char hctl[HCTL_MAX];
	unsigned long long ino;	/* 0: any device at that address */
};

struct hctl_set {
	struct lun_key *v;
	unsigned int n, cap;
	bool sorted;
};

/* 0, -EINVAL (not H:C:T:L) or -E2BIG (MAX_DEVICES reached), -ENOMEM */
int hctl_set_add(struct hctl_set *s, const char *hctl, unsigned long long ino);
/* by H:C:T:L in strcmp() order, then by inode */
void hctl_set_sort(struct hctl_set *s);
/* Whether s holds the device at hctl with that inode (or a line for any). */
bool hctl_set_has(struct hctl_set *s, const char *hctl, unsigned long long ino);
void hctl_set_free(struct hctl_set *s);

/* DB_DETACHED for each device of inv that s holds (s: the detach record). */
void detached_mark(struct hctl_set *s, struct inventory *inv);

/* The devices in /sys/class/scsi_device (under the sysroot), with their inodes. 0 or -errno. */
int scsi_device_names(struct hctl_set *s);

/*
 * Read dirfd's file (SEEN_FILE, DETACHED_FILE) into s: 0, -ENOENT when there
 * is none, -EINVAL (with *line set) for a line that is not "H:C:T:L[ INO]",
 * -E2BIG, other -errno.
 */
int lun_set_read(int dirfd, const char *file, struct hctl_set *s, unsigned int *line);
/* Replace dirfd's file with the keys of s, sorted. 0 or -errno. */
int lun_set_write(int dirfd, const char *file, struct hctl_set *s);

#endif
