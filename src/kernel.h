/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_KERNEL_H
#define SDE_KERNEL_H

#include <stdbool.h>

#include "config.h"
#include "plan.h"

enum modstate { MOD_MISSING, MOD_MODULE, MOD_BUILTIN };

struct kernel_info {
	char release[128];
	bool running;		/* release is the running kernel's */
	char moddir[1024];	/* modules.dep and friends of that release */
	int can_detach;		/* 1, 0, or -1 unknown; see kernel_can_detach() */
	bool can_detach_known;	/* computed (lazily) */
	const char *can_detach_src;
	int dh;			/* 1, 0, or -1 unknown; see kernel_dh_support() */
	bool dh_known;		/* computed (lazily) */
	char dh_why[96];	/* how that was told */
	const char *dh_scan;	/* the symbol list that has the SCSI core, no scsi_dh */
	bool facts_known;	/* kernel_facts() computed */
	struct kfacts facts;
	char gen_why[192];	/* why that generation */
};

/*
 * release: --kver or NULL for proc/sys/kernel/osrelease; moddir: --moddir or NULL
 * for /lib/modules/RELEASE under the sysroot. 0 or -errno.
 */
int kernel_init(struct kernel_info *k, const char *release, const char *moddir);

/*
 * Whether the kernel exports scsi_dh_detach (kernels before 4.3), from
 * proc/kallsyms for the running kernel, boot/System.map-RELEASE, or the
 * release's modules.symbols: 1 yes, 0 no, -1 nothing says.
 */
int kernel_can_detach(struct kernel_info *k);

/*
 * Whether the kernel has device handlers at all (CONFIG_SCSI_DH): 1 yes, 0 no,
 * -1 nothing says. k->dh_why says how it was told.
 */
int kernel_dh_support(struct kernel_info *k);

/*
 * What the plan needs of this kernel, computed once: the generation (from the
 * scsi_dh_detach export first, then the release number), and the handlers that
 * are built in (modules.builtin). k->gen_why says how the generation was told.
 */
const struct kfacts *kernel_facts(struct kernel_info *k);

/*
 * Classify modules for the release in one pass over modules.builtin and
 * modules.dep: states[i] for names[i] ('-' and '_' are the same).
 */
int kernel_modules(const struct kernel_info *k, const char *const *names, unsigned int n,
		   enum modstate *states);

/* A loaded module (sys/module/NAME/initstate) of the running kernel. */
bool module_loaded(const char *name);
/* Present in the running kernel: loaded, or built in with a sys/module entry. */
bool module_present(const char *name);

/*
 * Call fn for every SCSI module of the release, in modules.dep order: those that
 * depend on scsi_mod, or with by_path (scsi_mod built in, so nothing lists it as
 * a dependency) those in the kernel's SCSI host driver directories.
 * Returns the count, or -errno.
 */
int kernel_scsi_modules(const struct kernel_info *k, bool by_path,
			void (*fn)(const char *name, void *arg), void *arg);

/* Decide which owner rules are active for this kernel (driver installed or loaded). */
void owners_resolve(struct policy *p, const struct kernel_info *k);

/* Module name from a modules.dep path: basename, no .ko*, '-' as '_'. */
void module_name_from_path(const char *path, char *out, unsigned int size);

#endif
