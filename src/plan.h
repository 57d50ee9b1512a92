/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_PLAN_H
#define SDE_PLAN_H

#include "config.h"
#include "inventory.h"

/* Pure functions of (policy, device, kernel facts): no I/O here. */

enum verdict { V_OK, V_NONE, V_MISSING, V_MISMATCH, V_OWNED, V_OWNED_ATTACHED, V__COUNT };
enum action { A_NONE, A_ATTACH, A_DETACH };

struct plan {
	enum action action;
	const char *handler;		/* to attach, or the one to detach */
	const struct owner_rule *owner;
	char reason[128];
};

const char *verdict_name(enum verdict v);
const char *action_name(enum action a);

/* fnmatch(3) of any glob of the list; an empty list matches everything. */
bool glob_list_match(const struct glob_list *l, const char *value);

/* The first active owner rule that claims the device, or NULL. */
const struct owner_rule *device_owner(const struct policy *p, const struct device *d);

/*
 * The handler the kernel attaches to this device at scan time: the scsi_dh
 * table's, or where the table has none, the one the kernel did attach.
 */
const char *device_expected(const struct device *d);

enum verdict device_verdict(const struct policy *p, const struct device *d);

/* One action for one device; the executor decides what a detach can achieve. */
void plan_device(const struct policy *p, const struct device *d, struct plan *out);

#endif
