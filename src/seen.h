/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_SEEN_H
#define SDE_SEEN_H

#include "inventory.h"

#include <stdbool.h>

/*
 * The LUNs a sweep of this boot has looked at: STATUS_DIR/seen, one H:C:T:L a
 * line, replaced atomically by every sweep.  A sweep with --late takes only
 * the SCSI devices that are not in it.  Bounded: at most MAX_DEVICES names,
 * and a sweep keeps only the names of devices still present.
 */
#define SEEN_FILE "seen"

struct hctl_set {
	char (*v)[HCTL_MAX];
	unsigned int n, cap;
	bool sorted;
};

/* 0, -EINVAL (not H:C:T:L) or -E2BIG (MAX_DEVICES reached), -ENOMEM */
int hctl_set_add(struct hctl_set *s, const char *hctl);
/* in strcmp() order */
void hctl_set_sort(struct hctl_set *s);
bool hctl_set_has(struct hctl_set *s, const char *hctl);
void hctl_set_free(struct hctl_set *s);

/* The names in /sys/class/scsi_device (under the sysroot). 0 or -errno. */
int scsi_device_names(struct hctl_set *s);

/*
 * Read dirfd's SEEN_FILE into s: 0, -ENOENT when there is none, -EINVAL (with
 * *line set) for a line that is not H:C:T:L, -E2BIG, other -errno.
 */
int seen_read(int dirfd, struct hctl_set *s, unsigned int *line);
/* Replace dirfd's SEEN_FILE with the names of s, sorted. 0 or -errno. */
int seen_write(int dirfd, struct hctl_set *s);

#endif
