// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * softdeps and modules: what an initramfs needs, for --kver.
 */
#include "cmd.h"
#include "config.h"
#include "kernel.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* The policy's handlers that are modules of the kernel, for softdeps and modules. */
static unsigned int handler_modules(const struct policy *p, struct kernel_info *k,
				    char mods[][HANDLER_NAME_MAX + 8], bool warn)
{
	const char *names[MAX_HANDLERS];
	enum modstate states[MAX_HANDLERS];
	char all[MAX_HANDLERS][HANDLER_NAME_MAX + 8];
	unsigned int i, n = 0;
	int r;

	for (i = 0; i < p->npreload; i++) {
		snprintf(all[i], sizeof(all[i]), "scsi_dh_%s", p->preload[i]);
		names[i] = all[i];
	}
	r = kernel_modules(k, names, p->npreload, states);
	if (r < 0) {
		log_msg(SDE_ERR, "%s/modules.dep: %s", k->moddir, strerror(-r));
		return 0;
	}
	if (kernel_dh_support(k) == 0) {
		if (warn)
			log_msg(SDE_WARNING,
				"kernel %s has no SCSI device handlers (%s): the image preloads "
				"nothing, and no handler can attach at boot",
				k->release, k->dh_why);
		return 0;
	}
	for (i = 0; i < p->npreload; i++) {
		if (states[i] == MOD_MODULE)
			str_copy(mods[n++], sizeof(mods[0]), all[i]);
		else if (warn && states[i] == MOD_MISSING)
			log_msg(SDE_WARNING, "handler %s: no module %s for %s", p->preload[i],
				all[i], k->release);
		else if (warn)
			log_msg(SDE_INFO, "handler %s: built into %s", p->preload[i], k->release);
	}
	return n;
}

struct softdep_ctx {
	char (*mods)[HANDLER_NAME_MAX + 8];
	unsigned int n;
};

static void softdep_line(const char *name, void *arg)
{
	/* upper-level drivers and helpers that drive no HBA */
	static const char *const upper[] = { "sd_mod", "sr_mod", "st", "sg", "ses", "ch",
					     "osst", "scsi_mod", "scsi_common" };
	const struct softdep_ctx *c = arg;
	unsigned int i;

	if (str_starts(name, "scsi_dh_"))
		return;
	for (i = 0; i < ARRAY_SIZE(upper); i++)
		if (str_eq(name, upper[i]))
			return;
	printf("softdep %s pre:", name);
	for (i = 0; i < c->n; i++)
		printf(" %s", c->mods[i]);
	putchar('\n');
}

int cmd_softdeps(const struct policy *p, struct kernel_info *k)
{
	char mods[MAX_HANDLERS][HANDLER_NAME_MAX + 8];
	struct softdep_ctx c = { .mods = mods };
	const char *scsi_mod = "scsi_mod";
	enum modstate st;
	unsigned int i;
	int r;

	/* without handlers, "modules" says so: once in the image build's log */
	c.n = handler_modules(p, k, mods, kernel_dh_support(k) != 0);
	printf("# " SDE_PROG ": load the SCSI device handlers before any SCSI HBA driver\n"
	       "# probes (kernel %s).\n",
	       k->release);
	if (kernel_dh_support(k) == 0)
		printf("# The kernel has no SCSI device handlers (%s): nothing to load.\n",
		       k->dh_why);
	if (!c.n)
		return EXIT_OK;
	r = kernel_modules(k, &scsi_mod, 1, &st);
	if (r < 0)
		return EXIT_PROBLEM;
	if (st == MOD_MODULE) {
		printf("softdep scsi_mod post:");
		for (i = 0; i < c.n; i++)
			printf(" %s", mods[i]);
		putchar('\n');
	} else {
		printf("# scsi_mod is built in: each HBA module loads the handlers first\n");
	}
	r = kernel_scsi_modules(k, st != MOD_MODULE, softdep_line, &c);
	if (r < 0) {
		log_msg(SDE_ERR, "%s/modules.dep: %s", k->moddir, strerror(-r));
		return EXIT_PROBLEM;
	}
	return EXIT_OK;
}

int cmd_modules(const struct policy *p, struct kernel_info *k)
{
	char mods[MAX_HANDLERS][HANDLER_NAME_MAX + 8];
	unsigned int i, n = handler_modules(p, k, mods, true);

	for (i = 0; i < n; i++)
		printf("%s\n", mods[i]);
	return EXIT_OK;
}
