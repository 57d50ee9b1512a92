// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * preload: load the handlers before any HBA driver probes.
 */
#include "cmd.h"
#include "actions.h"
#include "config.h"
#include "kernel.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

int cmd_preload(const struct opts *o, struct policy *p, struct kernel_info *k)
{
	struct preload_report rep;
	char line[512];
	size_t len;
	unsigned int i;
	int r;

	if (!p->enabled) {
		if (o->verbosity >= 0)
			printf("disabled by rd.scsi_dh=0\n");
		kmsg_msg(SDE_INFO, "disabled by rd.scsi_dh=0");
		return EXIT_OK;
	}
	if (p->fallback)
		kmsg_fallback(p, "preloading the default handlers");
	/* no handler to load; apply's summary says why, once */
	if (kernel_dh_support(k) == 0)
		memset(&rep, 0, sizeof(rep)), r = 0;
	else
		r = preload_run(p, k, o->dry_run, &rep);

	snprintf(line, sizeof(line), "preload:");
	for (i = 0; i < rep.n; i++) {
		len = strlen(line);
		snprintf(line + len, sizeof(line) - len, "%s %s %s", i ? "," : "",
			 rep.items[i].module + strlen("scsi_dh_"),
			 preload_result_name(rep.items[i].result));
	}
	if (!rep.n) {
		len = strlen(line);
		snprintf(line + len, sizeof(line) - len, " nothing to load");
	}
	if (rep.note[0]) {
		len = strlen(line);
		snprintf(line + len, sizeof(line) - len, " (%s)", rep.note);
	}
	if (o->verbosity >= 0)
		printf("%s\n", line);
	if (!o->dry_run)
		kmsg_msg(r ? SDE_WARNING : SDE_INFO, "%s", line);
	if (p->fallback)
		return EXIT_USAGE;
	return r ? EXIT_PROBLEM : EXIT_OK;
}
