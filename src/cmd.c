// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What every command shares: usage errors, configuration errors.
 */
#include "cmd.h"
#include "config.h"
#include "log.h"

#include <stdio.h>

int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, SDE_PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '" SDE_PROG " --help' for more information.\n");
	return EXIT_USAGE;
}

void print_errors(const struct policy *p)
{
	unsigned int i;

	for (i = 0; i < p->nerrors && i < MAX_ERRORS; i++)
		fprintf(stderr, "%s\n", p->errors[i]);
	if (p->nerrors > MAX_ERRORS)
		fprintf(stderr, SDE_PROG ": %u more errors\n", p->nerrors - MAX_ERRORS);
}

/* The first error and what the boot does about it, for the kernel log. */
void kmsg_fallback(const struct policy *p, const char *what)
{
	kmsg_msg(SDE_ERR, "%s%s; %s", p->errors[0],
		 p->nerrors > 1 ? " (and more errors)" : "", what);
}
