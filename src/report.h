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
/* summary may be NULL */
void status_json(FILE *f, const struct policy *p, struct kernel_info *k,
		 const struct inventory *inv, const char *summary);

void kernel_json(FILE *f, struct kernel_info *k);

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
