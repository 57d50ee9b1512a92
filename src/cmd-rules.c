// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rules: the udev rule for SCSI devices added after the boot's sweep, made
 * from the resolved policy when the image is built, so that a LUN that came up
 * with its handler and that no owner rule names starts nothing.
 *
 * By the time the kernel sends the "add" event of a scsi_device, the SCSI
 * core has decided its handler: scsi_sysfs_add_sdev() (drivers/scsi/scsi_sysfs.c)
 * calls scsi_dh_add_device() before device_add(), and dh_state reads the
 * attached handler's name or "detached" (sdev_show_dh_state()).  So:
 *  - dh_state "detached": the plan may want a late attach (TPGS or the
 *    kernel's table, which udev cannot read): the sweep looks, whatever
 *    late_attach says, since the kernel command line may turn it on.
 *  - a handler attached and an active owner rule that may claim the LUN: the
 *    sweep looks (detach, or reports the owned LUN).  vendor, model and wwid
 *    become ATTR{} globs, one line each (udev chops trailing blanks as the
 *    helper does and matches with fnmatch(3) as the helper does); a key that cannot be written
 *    as one (host: proc_name is no attribute of the scsi_device or its
 *    parents; a glob with '"', '|' or '\') is left out, so the match is wider,
 *    never narrower, than the helper's.  A device without the wwid attribute
 *    (before 3.15: the helper derives it from vpd_pg83) is looked at too.
 *  - anything else (a handler attached, no owner rule): nothing runs.
 * Where the sweep must look, the rule runs "scsi-dh-late kick", which runs
 * no helper itself: it marks work pending and starts one sweep runner unless
 * one is running (scsi-dh-late(8) in scsi-dh-early(8)).
 */
#include "cmd.h"
#include "config.h"
#include "kernel.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define LATE_PROG "/usr/lib/scsi-dh-early/scsi-dh-late"

static bool glob_expressible(const char *g)
{
	const unsigned char *s;

	for (s = (const unsigned char *)g; *s; s++)
		if (*s == '"' || *s == '|' || *s == '\\' || *s < 0x20 || *s == 0x7f)
			return false;
	return *g != '\0';
}

static bool globs_expressible(const struct glob_list *l)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (!glob_expressible(l->v[i]))
			return false;
	return true;
}

/*
 * One rule line per glob, never "a|b|c": udev 252 decides from the first glob
 * alone whether to chop the sysfs value's trailing blanks for every glob of a
 * list (src/udev/udev-rules.c, rule_line_add_token(): the list is made a
 * NUL-separated string before strlen() looks at its end; token_match_attr()),
 * and udev before 243 matches a list of globs in a copy of 1024 bytes, cut
 * short (v239 match_key(), GL_SPLIT_GLOB, strscpy() into UTIL_PATH_SIZE).  A
 * single glob is shorter than GLOB_MAX, far below that; and alone, it decides
 * the chopping for itself: chopped unless it ends in a blank, which the
 * helper's trimmed value never matches anyway (wider, never narrower).
 */
#define UDEV_VALUE_MAX 1024
_Static_assert(GLOB_MAX < UDEV_VALUE_MAX, "a glob must fit udev's match buffer whole");

/* Whether the key takes part in the match: false when left out (wider). */
static bool key_used(const struct glob_list *l)
{
	return l->n && globs_expressible(l);
}

/* the owner's name as a comment: its letters, digits and ._- only */
static void owner_comment(const struct owner_rule *o)
{
	const char *s;

	printf("# owner ");
	for (s = o->name; *s; s++)
		putchar(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			       *s) ? *s : '_');
	if (o->host.n)
		printf(" (host left out: not a udev match)");
	putchar('\n');
}

static const char *const key_names[] = { "vendor", "model", "wwid" };

/* Where a match of key k of owner rule i goes: the next key's label, or the kick. */
static void goto_next(unsigned int i, unsigned int k, unsigned int last)
{
	if (k == last)
		printf("GOTO=\"scsi_dh_early_late\"\n");
	else
		printf("GOTO=\"scsi_dh_early_o%u_%s\"\n", i, key_names[k]);
}

/*
 * Owner rule i: every key must match (the keys in turn, each ending in a
 * label), and a key matches when any of its globs does (a line each); when
 * none does, on to the owner's end.  Devices without a handler took the kick
 * above: here every device has one.
 */
static void owner_rule(unsigned int i, const struct owner_rule *o)
{
	const struct glob_list *keys[] = { &o->vendor, &o->model, &o->wwid };
	const unsigned int nkeys = sizeof(keys) / sizeof(keys[0]);
	unsigned int k, g, last = nkeys, used = 0, prev = nkeys;

	owner_comment(o);
	for (k = 0; k < nkeys; k++)
		if (key_used(keys[k])) {
			last = k;
			used++;
		}
	if (last == nkeys) {
		/* no key udev can say: every device with a handler */
		printf("GOTO=\"scsi_dh_early_late\"\n");
		return;
	}
	for (k = 0; k <= last; k++) {
		if (!key_used(keys[k]))
			continue;
		if (prev < nkeys)
			printf("LABEL=\"scsi_dh_early_o%u_%s\"\n", i, key_names[prev]);
		/* no wwid attribute (before 3.15): the helper derives it, udev cannot */
		if (keys[k] == &o->wwid) {
			printf("TEST!=\"wwid\", ");
			goto_next(i, k, last);
		}
		for (g = 0; g < keys[k]->n; g++) {
			printf("ATTR{%s}==\"%s\", ", key_names[k], keys[k]->v[g]);
			goto_next(i, k, last);
		}
		if (k != last)
			printf("GOTO=\"scsi_dh_early_o%u_end\"\n", i);
		prev = k;
	}
	if (used > 1)
		printf("LABEL=\"scsi_dh_early_o%u_end\"\n", i);
}

int cmd_rules(const struct policy *p, struct kernel_info *k)
{
	unsigned int i;

	if (kernel_dh_support(k) == 0) {
		printf("# SPDX-License-Identifier: GPL-2.0-or-later\n"
		       "#\n"
		       "# scsi-dh-early: kernel %s has no SCSI device handlers (%s):\n"
		       "# nothing to do for SCSI devices added after the boot's sweep.\n",
		       k->release, k->dh_why);
		return EXIT_OK;
	}
	printf("# SPDX-License-Identifier: GPL-2.0-or-later\n"
	       "#\n"
	       "# scsi-dh-early: SCSI devices added after the boot's sweep (slow fabric\n"
	       "# logins, iSCSI, hotplug).  Made by \"scsi-dh-early rules\" from the\n"
	       "# policy; see scsi-dh-early(8).  Nothing runs before the sweep has\n"
	       "# created /run/scsi-dh-early/swept (devices present then are the sweep's),\n"
	       "# nor for coldplug replays (SYNTH_UUID), nor after rd.scsi_dh=0, nor for a\n"
	       "# device that needs nothing.  Otherwise \"scsi-dh-late kick\" marks work\n"
	       "# pending and starts one sweep over the devices no sweep has seen, unless\n"
	       "# one is running: that one sweeps again before it ends.\n"
	       "\n"
	       "ACTION!=\"add\", GOTO=\"scsi_dh_early_end\"\n"
	       "SUBSYSTEM!=\"scsi\", GOTO=\"scsi_dh_early_end\"\n"
	       "ENV{DEVTYPE}!=\"scsi_device\", GOTO=\"scsi_dh_early_end\"\n"
	       "ENV{SYNTH_UUID}==\"?*\", GOTO=\"scsi_dh_early_end\"\n"
	       "TEST!=\"/run/scsi-dh-early/swept\", GOTO=\"scsi_dh_early_end\"\n"
	       "TEST==\"/run/scsi-dh-early/disabled\", GOTO=\"scsi_dh_early_end\"\n");
	if (p->fallback) {
		printf("\n# errors in the configuration: the sweeps change nothing\n");
		printf("GOTO=\"scsi_dh_early_end\"\n");
	}
	printf("\n");
	/*
	 * Whatever late_attach says: rd.scsi_dh.late_attach= on the command line
	 * wins over it, and no command line is known when the rule is made (the
	 * image's build, a unit that reads none); the sweep reads the policy
	 * with the command line and decides.
	 */
	printf("# no handler: the sweep attaches the one the kernel would have (late_attach,\n"
	       "# or rd.scsi_dh.late_attach= on the command line, which wins: the sweep decides)\n"
	       "ATTR{dh_state}==\"detached\", GOTO=\"scsi_dh_early_late\"\n");
	for (i = 0; i < p->nowners; i++) {
		if (!p->owners[i].active)
			continue;
		owner_rule(i, &p->owners[i]);
	}
	printf("GOTO=\"scsi_dh_early_end\"\n"
	       "\n"
	       "LABEL=\"scsi_dh_early_late\"\n"
	       "RUN+=\"" LATE_PROG " kick\"\n"
	       "\n"
	       "LABEL=\"scsi_dh_early_end\"\n");
	return EXIT_OK;
}
