/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_ACTIONS_H
#define SDE_ACTIONS_H

#include <stdbool.h>

#include "config.h"
#include "inventory.h"
#include "kernel.h"
#include "plan.h"

enum preload_result {
	PR_LOADED,	/* loaded by this run */
	PR_ALREADY,	/* was loaded before */
	PR_BUILTIN,	/* built into the kernel */
	PR_DEFERRED,	/* left to the scsi_mod softdep: scsi_mod is not loaded yet */
	PR_BLACKLISTED,	/* an admin's blacklist, respected */
	PR_FAILED,
	PR_TIMEOUT,
	PR_PLANNED,	/* --dry-run: would be loaded */
};

struct preload_item {
	char module[HANDLER_NAME_MAX + 8];	/* scsi_dh_NAME */
	enum preload_result result;
};

struct preload_report {
	struct preload_item items[MAX_HANDLERS];
	unsigned int n;
	char modprobe[256];	/* the program run, "" if none */
	bool busybox;		/* that modprobe is busybox's (no softdep) */
	int exit_status;	/* of modprobe; -1 not run */
	char note[160];		/* why something was or was not done */
};

const char *preload_result_name(enum preload_result r);

/* Load the policy's handlers; fills rep. Returns 0 all present or deferred, 1 otherwise. */
int preload_run(const struct policy *p, const struct kernel_info *k, bool dry_run,
		struct preload_report *rep);

/*
 * AR_REFUSED: the kernel refused a detach (4.3 on). AR_DECLINED: the handler
 * refused a late attach (-ENODEV; -EINVAL of a registered handler before 4.3),
 * as it does at scan time: not a failure. AR_HELD: before 4.3, the detach was
 * taken but another user (dm-multipath) still holds the handler. AR_ALREADY:
 * done meanwhile, not by this run: not counted.
 */
enum apply_result { AR_NOTHING, AR_PLANNED, AR_DONE, AR_REFUSED, AR_FAILED, AR_VANISHED,
		    AR_DECLINED, AR_HELD, AR_ALREADY };

struct apply_item {
	struct assessment plan;	/* the device's assessment when the action was planned */
	enum apply_result result;
	int err;		/* errno of a failure */
	bool written;		/* its write went to the kernel */
	/*
	 * The device's dh_state as planned (plan.handler is "" for none here): the
	 * device is re-read, its strings stay (the string pool frees nothing
	 * before inventory_free()).
	 */
	const char *dh_state;
};

struct apply_ctx {
	const struct policy *p;
	struct kernel_info *k;
	bool dry_run;
	int sweep_lockfd;	/* the sweep lock, closed in every child; -1 none */
	bool refusal_seen;	/* the kernel refused a detach in this run */
	bool detach_taken;	/* the kernel took a detach write in this run */
	unsigned int timeouts;	/* writes that timed out in this run */
};

/*
 * After this many dh_state writes have timed out, a run writes no more: with a
 * fabric that blocks every command, hundreds of LUNs times the timeout would
 * hold the boot for hours.
 */
#define MAX_WRITE_TIMEOUTS 3

const char *apply_result_name(enum apply_result r);

/* Called with each device and its result, in inventory order. */
typedef void apply_shown_fn(void *arg, const struct device *d, const struct apply_item *it);

/*
 * Carry out the action of each device's assessment (plan_inventory() first),
 * filling items[0..inv->n). One dh_state write per device and run, each in a
 * child with modprobe_timeout to finish, at most p->write_jobs of them at a
 * time on different devices. Each device is locked, re-read and assessed again
 * before its write, and read back and assessed again after it. Once
 * MAX_WRITE_TIMEOUTS writes have timed out no more start. shown (may be NULL)
 * sees each device as soon as it and all before it are done. 0, or -ENOMEM
 * before anything was done.
 */
int apply_inventory(struct apply_ctx *ctx, const struct inventory *inv, struct apply_item *items,
		    apply_shown_fn *shown, void *arg);

/*
 * The modprobe to run: the absolute directories of PATH, then /sbin and /usr/sbin
 * under the sysroot. 0 or -ENOENT. It runs with a fixed PATH and nothing else of
 * our environment.
 */
int find_modprobe(char *buf, unsigned int size);

/* What modprobe.d says about our modules: softdep scsi_mod post:, blacklists. */
struct modprobe_d {
	char post[1024];	/* the words after "post:" of softdep scsi_mod */
	char blacklist[MAX_HANDLERS][HANDLER_NAME_MAX + 8];
	unsigned int nblack;
};

/* Read one modprobe.d file into m: the blacklist entries for rep's modules. */
void modprobe_d_file(struct modprobe_d *m, const char *path,
		     const struct preload_report *rep);

#endif
