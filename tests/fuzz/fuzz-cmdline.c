// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel command line parser on any bytes. The first byte chooses a chunk
 * size: the same text fed in pieces must give the same policy as fed whole
 * (the files of /etc/cmdline.d are read in 4 KiB pieces).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct policy whole, pieces;
static struct cmdline_reader cr;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed(struct policy *p, const char *s, size_t n, size_t chunk)
{
	size_t off = 0;

	policy_defaults(p);
	cmdline_begin(&cr, p, "fuzz");
	while (off < n) {
		size_t k = n - off < chunk ? n - off : chunk;

		cmdline_feed(&cr, s + off, k);
		off += k;
	}
	cmdline_finish(&cr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	feed(&whole, (const char *)data, size, size ? size : 1);
	feed(&pieces, (const char *)data, size, chunk);
	if (whole.enabled != pieces.enabled || whole.debug != pieces.debug ||
	    whole.late_attach != pieces.late_attach || whole.detach != pieces.detach ||
	    whole.kill_seen != pieces.kill_seen || whole.nerrors != pieces.nerrors ||
	    whole.npreload != pieces.npreload ||
	    memcmp(whole.preload, pieces.preload, sizeof(whole.preload)) != 0)
		abort();
	/* the kill switch, last on the line, always wins */
	if (whole.npreload > MAX_HANDLERS)
		abort();
	for (unsigned int i = 0; i < whole.npreload; i++)
		if (!handler_name_valid(whole.preload[i]))
			abort();
	return 0;
}
