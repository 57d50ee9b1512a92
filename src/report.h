/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_REPORT_H
#define SDE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "actions.h"
#include "config.h"
#include "inventory.h"
#include "kernel.h"
#include "plan.h"

struct summary {
	unsigned int luns;
	unsigned int verdicts[V__COUNT];
	unsigned int attached, detached, refused, failed, vanished, declined, held;
	unsigned int wwid_too_long;	/* LUNs whose wwid was too long to read */
};

/*
 * The counts of one sweep, as its record keeps them (status.json's "sweep"
 * member, by these names) and the metrics show them: the LUNs it looked at,
 * then how many of its actions ended how.
 */
enum { SC_LUNS, SC_ATTACHED, SC_DETACHED, SC_REFUSED, SC_FAILED, SC_DECLINED, SC_HELD,
       SC_VANISHED, SC__N };
extern const char *const sweep_count_names[SC__N];
void sweep_counts(const struct summary *s, unsigned int c[SC__N]);

/* Length of the valid UTF-8 sequence at s (1 for ASCII), or 0 for a byte that is not. */
unsigned int utf8_len(const unsigned char *s);

/*
 * A JSON string for any bytes: controls (C0, DEL, C1) escaped, each byte that
 * is not UTF-8 written as U+FFFD; true when there was such a byte.
 */
bool json_string(FILE *f, const char *s);
/* Whether s is valid UTF-8 (NULL is). */
bool utf8_valid(const char *s);
/*
 * [","]"name":value, and when value has bytes that are not UTF-8, also
 * ,"name_hex":"<its exact bytes in hex>" (status.json's scheme).
 */
void json_member(FILE *f, const char *name, const char *value, bool comma);

/* Counts the assessments of inv (d->as) and the results of items (may be NULL). */
void summary_count(struct summary *s, const struct inventory *inv,
		   const struct apply_item *items);
/*
 * "412 LUNs: 408 ok, 2 none, 2 owned; attached 3, detached 0, refused 0, failed 0",
 * then "; wwid too long to read (taken as unknown): 2 LUNs" when there are such
 */
void summary_format(const struct summary *s, char *buf, unsigned int size);

/* The kernel, its generation and what each command can do on it; the policy. */
void status_header(FILE *f, const struct policy *p, struct kernel_info *k);
void status_table(FILE *f, const struct policy *p, const struct inventory *inv);
/*
 * summary may be NULL; sweep (NULL but in a record) becomes the "sweep" member,
 * on the first line, where sweep_record_read() looks for it.
 */
void status_json(FILE *f, const struct policy *p, struct kernel_info *k,
		 const struct inventory *inv, const char *summary, const struct summary *sweep);

void kernel_json(FILE *f, struct kernel_info *k);
/* "pre-4.3", "4.3" or "4.9": the kernel's generation as JSON and the metrics name it */
const char *kernel_generation(struct kernel_info *k);

/* What can and cannot be done on this kernel (built-in handlers, detach), or "". */
void kernel_levers(struct kernel_info *k, char *buf, unsigned int size);

/* "0:0:0:1 (DGC:RAID 5) owner=powerpath dh_state=emc" into buf */
void device_label(const struct device *d, const struct owner_rule *o, char *buf,
		  unsigned int size);

/*
 * check's kernel lines: generation, table, what can be done; with built-in
 * handlers and no detach, the initcall_blacklist= that keeps the handlers of
 * owned LUNs off, and which other LUNs would lose them. Returns warnings.
 */
unsigned int check_kernel(FILE *f, const struct policy *p, struct kernel_info *k,
			  struct inventory *inv);

#endif
