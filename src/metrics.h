/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The status in the Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector: what the plan assessed of each LUN, its
 * I/O error count, and what the boot's records say of the last sweeps.
 */
#ifndef SDE_METRICS_H
#define SDE_METRICS_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "inventory.h"
#include "kernel.h"
#include "report.h"

/* The file of the textfile directory, replaced whole by each run. */
#define TEXTFILE_NAME "scsi_dh_early.prom"

/*
 * The two records in the status directory, by the label they get: the boot
 * record (status.json, the first sweep of the boot) and the real root's
 * (status-root.json, written beside it by a later sweep there).
 */
enum { REC_BOOT, REC_ROOT, REC__N };

struct sweep_record {
	bool present;		/* the record is there */
	bool counted;		/* with its sweep's counts */
	long long mtime;	/* when it was written, in seconds since the epoch */
	unsigned int count[SC__N];
};

/*
 * Both records of dirfd (the status directory, or -1 for none): the "sweep"
 * member, which status_json() writes on the first line, from their first KiB.
 */
void sweep_records_read(int dirfd, struct sweep_record rec[REC__N]);

/* Every family of metrics, the LUNs of inv as the plan assessed them (d->as). */
void metrics_write(FILE *f, const struct policy *p, struct kernel_info *k,
		   const struct inventory *inv, const struct sweep_record rec[REC__N]);

/*
 * The same into dir/TEXTFILE_NAME, atomically: a temporary file beside it
 * (O_EXCL|O_NOFOLLOW), renamed over it, so that a reader sees the old file or
 * the new one whole, and a symlink in its place is replaced, not followed.
 * 0; -ENOENT, -ENOTDIR for dir itself (*dir_bad set); another -errno.
 */
int metrics_textfile(const char *dir, bool *dir_bad, const struct policy *p,
		     struct kernel_info *k, const struct inventory *inv,
		     const struct sweep_record rec[REC__N]);

#endif
