/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_ASSESS_H
#define SDE_ASSESS_H

#include "config.h"

/*
 * One assessment per LUN, computed once by the plan (plan_assess()) and kept
 * with the device; actions fill in their results beside it, and every report
 * (the table, the JSON, the summary, the kernel log lines) only reads it.
 */
enum verdict { V_OK, V_NONE, V_MISSING, V_MISMATCH, V_UNKNOWN, V_OWNED, V_OWNED_ATTACHED,
	       V__COUNT };
enum action { A_NONE, A_ATTACH, A_DETACH };

struct assessment {
	const struct owner_rule *owner;	/* the first active rule that claims it */
	const char *expected;	/* what the kernel attaches at scan and keeps, or NULL */
	const char *refused;	/* the handler that would refuse the LUN, or NULL */
	enum verdict verdict;
	enum action action;
	bool held;		/* detached once this boot, the handler still there: left */
	const char *handler;	/* to attach, or the one to detach */
	const char *reason;	/* in the string pool (plan_reason()), never NULL */
};

#endif
