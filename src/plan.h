/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_PLAN_H
#define SDE_PLAN_H

#include "assess.h"
#include "config.h"
#include "inventory.h"
#include "ktable.h"

/* Pure functions of (policy, device, kernel facts): no I/O here. */

/* What the plan knows of the kernel that runs (kernel_facts() fills it). */
struct kfacts {
	const struct kgen *gen;	/* its generation's matching rule */
	int can_detach;		/* 1, 0, -1 unknown */
	unsigned int builtin;	/* HANDLER_BIT() of the handlers built into it */
	bool alua_disk_only;	/* alua refuses every peripheral type but disk (4.5 on) */
	bool no_dh;		/* built without CONFIG_SCSI_DH: no handler can attach */
};

#define HANDLER_BIT(i) (1u << (i))
/* alua 0, emc 1, rdac 2, hp_sw 3; -1 for any other name */
int handler_index(const char *name);

const char *verdict_name(enum verdict v);
const char *action_name(enum action a);

/* glob_match() (fnmatch(3)) of any glob of the list; an empty list matches everything. */
bool glob_list_match(const struct glob_list *l, const char *value);

/* The first active owner rule that claims the device, or NULL. */
const struct owner_rule *device_owner(const struct policy *p, const struct device *d);

/*
 * The handler that would refuse this device although the kernel's rule names it,
 * from what sysfs shows: alua takes peripheral type 0 only (alua_check_tpgs()),
 * and needs a target port group designator in VPD page 0x83 (alua_check_vpd(),
 * scsi_vpd_tpg_id()) where vpd_pg83 could be read. why: a short reason.
 */
const char *handler_refuses(const char *handler, const struct kfacts *kf, const struct device *d,
			    const char **why);

/*
 * Assess one device: owner rule, expected handler, verdict, the one action and
 * why. kf may be NULL (the 4.9+ rule, nothing known of detach or built-ins).
 */
void plan_assess(const struct policy *p, const struct kfacts *kf, const struct device *d,
		 struct assessment *out);

/* a->reason from a format, kept in the string pool (util.h): each text once. */
void plan_reason(struct assessment *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* plan_assess() of every device into its d->as. */
void plan_inventory(const struct policy *p, const struct kfacts *kf, struct inventory *inv);

#endif
