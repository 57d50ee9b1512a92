// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration parser on any bytes. What it accepts, written back by
 * policy_write(), must parse again without an error into the same policy.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct policy p, q;
static char text[CONFIG_FILE_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	/* load_file() refuses NUL bytes and files over CONFIG_FILE_MAX - 1 */
	if (size >= sizeof(text) || memchr(data, '\0', size))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	policy_defaults(&p);
	if (config_parse(&p, "fuzz.conf", text) != 0 || p.nerrors)
		return 0;

	f = open_memstream(&out, &outlen);
	if (!f)
		abort();
	policy_write(&p, f, false);
	if (fclose(f) != 0)
		abort();
	policy_defaults(&q);
	if (config_parse(&q, "written.conf", out) != 0) {
		fprintf(stderr, "written policy does not parse: %s\n---\n%s---\n", q.errors[0],
			out);
		abort();
	}
	if (q.npreload != p.npreload || q.nowners != p.nowners ||
	    q.late_attach != p.late_attach || q.detach != p.detach ||
	    q.timeout_ms != p.timeout_ms ||
	    memcmp(q.preload, p.preload, sizeof(p.preload)) != 0)
		abort();
	for (unsigned int i = 0; i < p.nowners; i++) {
		const struct owner_rule *a = &p.owners[i], *b = &q.owners[i];

		if (strcmp(a->name, b->name) != 0 || strcmp(a->driver, b->driver) != 0 ||
		    a->vendor.n != b->vendor.n || a->model.n != b->model.n ||
		    a->wwid.n != b->wwid.n || a->host.n != b->host.n)
			abort();
		for (unsigned int j = 0; j < a->vendor.n; j++)
			if (strcmp(a->vendor.v[j], b->vendor.v[j]) != 0)
				abort();
	}
	free(out);
	return 0;
}
