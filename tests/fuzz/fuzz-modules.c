// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The readers of a kernel's module lists on any contents: modules.dep,
 * modules.builtin, modules.symbols, kallsyms, System.map, and a modprobe.d file.
 */
#include "actions.h"
#include "fuzz-tree.h"
#include "kernel.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KVER "6.1.0-fuzz"

static const char *const files[] = {
	("lib/modules/" KVER "/modules.dep"),
	("lib/modules/" KVER "/modules.builtin"),
	("lib/modules/" KVER "/modules.symbols"),
	("boot/System.map-" KVER),
	("etc/modprobe.d/fuzz.conf"),
};

static void count(const char *name, void *arg)
{
	unsigned int *n = arg;

	/* a module name fit for a softdep line */
	if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_") != strlen(name))
		abort();
	(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "scsi_dh_alua", "scsi_dh_emc", "scsi_dh_rdac",
					     "scsi_dh_hp_sw", "scsi_mod" };
	static struct preload_report rep;
	struct fields f = { data, size };
	struct kernel_info k;
	struct modprobe_d m;
	enum modstate st[5];
	char path[SDE_PATH_MAX], mod[64];
	const uint8_t *p;
	unsigned int i, n = 0;
	size_t len;
	int r;

	tree_root();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (field_next(&f, &p, &len, 1 << 16))
			tree_put(files[i], p, len);
		else
			tree_put(files[i], NULL, 0);
	}
	if (kernel_init(&k, KVER, NULL) < 0)
		abort();
	r = kernel_modules(&k, names, 5, st);
	for (i = 0; r == 0 && i < 5; i++)
		if (st[i] != MOD_MISSING && st[i] != MOD_MODULE && st[i] != MOD_BUILTIN)
			abort();
	kernel_scsi_modules(&k, false, count, &n);
	kernel_scsi_modules(&k, true, count, &n);
	r = kernel_can_detach(&k);
	if (r < -1 || r > 1)
		abort();

	memset(&rep, 0, sizeof(rep));
	for (i = 0; i < 4; i++)
		snprintf(rep.items[i].module, sizeof(rep.items[i].module), "%s", names[i]);
	rep.n = 4;
	memset(&m, 0, sizeof(m));
	if (sde_path(path, sizeof(path), "/%s", files[4]) < 0)
		abort();
	modprobe_d_file(&m, path, &rep);
	if (m.nblack > MAX_HANDLERS || !memchr(m.post, '\0', sizeof(m.post)))
		abort();

	/* module names from any path */
	if (field_next(&f, &p, &len, 4096)) {
		char *s = malloc(len + 1);

		if (!s)
			abort();
		memcpy(s, p, len);
		s[len] = '\0';
		module_name_from_path(s, mod, sizeof(mod));
		if (strlen(mod) >= sizeof(mod))
			abort();
		free(s);
	}
	return 0;
}
