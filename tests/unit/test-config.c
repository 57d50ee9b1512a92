// SPDX-License-Identifier: GPL-2.0-or-later
#include "unit.h"
#include "config.h"

#include <stdlib.h>

static struct policy *fresh(void)
{
	static struct policy p;

	policy_defaults(&p);
	return &p;
}

/* parse text; return the first error or NULL */
static const char *parse(struct policy *p, const char *text)
{
	config_parse(p, "t.conf", text);
	return p->nerrors ? p->errors[0] : NULL;
}

static void defaults(void)
{
	struct policy *p = fresh();

	CHECK(p->enabled && p->late_attach && p->detach && !p->debug);
	CHECK(p->npreload == 4);
	CHECK(policy_preloads(p, "alua") && policy_preloads(p, "emc") &&
	      policy_preloads(p, "rdac") && policy_preloads(p, "hp_sw"));
	CHECK(p->timeout_ms == 10000);
	CHECK(p->write_jobs == 8);
	CHECK(p->nowners == 0);
}

static void full_example(void)
{
	struct policy *p = fresh();
	const char *text = "# comment\n"
			   "; also a comment\n"
			   "preload = scsi_dh_alua emc\n"
			   "late_attach = no\n"
			   "detach = off\n"
			   "modprobe_timeout = 2.5\n"
			   "write_jobs = 64\n"
			   "\n"
			   "[owner powerpath]\n"
			   "driver = emcp\n"
			   "vendor = DGC EMC\n"
			   "model = \"RAID 5\" VRAID*\n"
			   "  wwid = naa.6006016*\n"
			   "host = qla2xxx lpfc\n"
			   "[owner hdlm]\n"
			   "vendor = HITACHI\n";

	CHECK_NULL(parse(p, text));
	CHECK(p->npreload == 2);
	CHECK_STR(p->preload[0], "alua");
	CHECK_STR(p->preload[1], "emc");
	CHECK(!p->late_attach && !p->detach);
	CHECK(p->timeout_ms == 2500);
	CHECK(p->write_jobs == 64);
	CHECK(p->nowners == 2);
	CHECK_STR(p->owners[0].name, "powerpath");
	CHECK_STR(p->owners[0].driver, "emcp");
	CHECK(p->owners[0].line == 9);
	CHECK(p->owners[0].vendor.n == 2);
	CHECK_STR(p->owners[0].model.v[0], "RAID 5");
	CHECK_STR(p->owners[0].model.v[1], "VRAID*");
	CHECK_STR(p->owners[0].wwid.v[0], "naa.6006016*");
	CHECK(p->owners[0].host.n == 2);
	CHECK_STR(p->owners[1].name, "hdlm");
	CHECK_STR(p->owners[1].driver, "");
}

static void preload_forms(void)
{
	struct policy *p = fresh();

	CHECK_NULL(parse(p, "preload =\n"));
	CHECK(p->npreload == 0);
	p = fresh();
	CHECK_NULL(parse(p, "preload = alua alua scsi_dh_alua rdac\n"));
	CHECK(p->npreload == 2);
}

struct bad {
	const char *text;
	const char *error;
};

static void errors_name_file_line_value(void)
{
	static const struct bad bad[] = {
		{ "detach = yes\nfoo = 1\n", "t.conf:2: unknown key \"foo\"" },
		{ "\n[lun x]\n", "t.conf:2: unknown section \"[lun]\"" },
		{ "[global]\n", "t.conf:1: unknown section \"[global]\"" },
		{ "late_attach = maybe\n", "t.conf:1: late_attach: \"maybe\" is not a boolean" },
		{ "detach = yes no\n", "t.conf:1: detach: \"yes\" is not a boolean" },
		{ "preload = alua ../x\n", "t.conf:1: preload: invalid handler name \"../x\"" },
		{ "preload = alua;reboot\n",
		  "t.conf:1: preload: invalid handler name \"alua;reboot\"" },
		{ "preload = ALUA\n", "t.conf:1: preload: invalid handler name \"ALUA\"" },
		{ "preload = scsi_dh_scsi_dh_mt\n",
		  "t.conf:1: preload: invalid handler name \"scsi_dh_scsi_dh_mt\"" },
		{ "#\n\n[owner pp]\ndriver = emcp\n",
		  "t.conf:3: [owner pp]: no vendor, model, wwid or host key" },
		{ "[owner pp]\nvendor = DGC\n[owner pp]\nvendor = EMC\n",
		  "t.conf:3: [owner pp] defined twice" },
		{ "modprobe_timeout = 0\n", "t.conf:1: modprobe_timeout: \"0\" is not a positive" },
		{ "modprobe_timeout = -1\n",
		  "t.conf:1: modprobe_timeout: \"-1\" is not a positive" },
		{ "modprobe_timeout = ten\n",
		  "t.conf:1: modprobe_timeout: \"ten\" is not a positive" },
		{ "modprobe_timeout = 1.\n", "t.conf:1: modprobe_timeout: \"1.\" is not" },
		{ "modprobe_timeout = 99999\n", "t.conf:1: modprobe_timeout: \"99999\" is not" },
		{ "write_jobs = 0\n", "t.conf:1: write_jobs: \"0\" is not a whole number from 1 to 64" },
		{ "write_jobs = 65\n", "t.conf:1: write_jobs: \"65\" is not a whole number" },
		{ "write_jobs = 99999999999\n", "t.conf:1: write_jobs: \"99999999999\" is not" },
		{ "write_jobs = -1\n", "t.conf:1: write_jobs: \"-1\" is not a whole number" },
		{ "write_jobs = 4.5\n", "t.conf:1: write_jobs: \"4.5\" is not a whole number" },
		{ "write_jobs = 4 4\n", "t.conf:1: write_jobs: \"4\" is not a whole number" },
		{ "write_jobs =\n", "t.conf:1: write_jobs: \"\" is not a whole number" },
		{ "[owner pp]\nvendor = \"RAID 5\n", "t.conf:2: vendor: missing closing quote" },
		{ "[owner pp]\nvendor = DGC\npreload = alua\n",
		  "t.conf:3: unknown key \"preload\" in [owner pp]" },
		{ "[owner pp]\ndriver = emcp x\nvendor = DGC\n",
		  "t.conf:2: driver: \"emcp\" is not one module name" },
		{ "just words\n", "t.conf:1: expected KEY = VALUE" },
		{ "[owner]\n", "t.conf:1: [owner]: needs one name" },
		{ "[owner a/b]\n", "t.conf:1: [owner]: needs one name" },
		{ "[owner pp\n", "t.conf:1: malformed section header" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct policy *p = fresh();
		const char *e = parse(p, bad[i].text);

		if (!e || strncmp(e, bad[i].error, strlen(bad[i].error)) != 0) {
			printf("# case %u: got \"%s\", want \"%s...\"\n", i, e ? e : "(none)",
			       bad[i].error);
			unit_failed = 1;
		}
	}
}

static void error_keeps_going(void)
{
	struct policy *p = fresh();

	config_parse(p, "t.conf", "foo = 1\nbar = 2\ndetach = no\n");
	CHECK(p->nerrors == 2);
	CHECK(!p->detach);
}

static void cmdline(void)
{
	struct policy *p = fresh();

	CHECK(cmdline_apply(p, "BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet\n") == 0);
	CHECK(p->enabled && p->npreload == 4);

	CHECK(cmdline_apply(p, "rd.scsi_dh=0 rd.scsi_dh.debug") == 0);
	CHECK(!p->enabled && p->debug);
	/* the last one wins */
	CHECK(cmdline_apply(p, "rd.scsi_dh=0 rd.scsi_dh=1") == 0);
	CHECK(p->enabled);
	CHECK(cmdline_apply(p, "rd.scsi_dh.late_attach=0 rd.scsi_dh.detach=no") == 0);
	CHECK(!p->late_attach && !p->detach);
	CHECK(cmdline_apply(p, "rd.scsi_dh.preload=alua,scsi_dh_rdac x=\"a b\"") == 0);
	CHECK(p->npreload == 2);
	CHECK_STR(p->preload[1], "rdac");
	CHECK(cmdline_apply(p, "rd.scsi_dh.preload=emc rd.scsi_dh.preload=") == 0);
	CHECK(p->npreload == 0);
	CHECK(cmdline_apply(p, "rd.scsi_dh.preload=alua,../x") == 1);
	CHECK(strstr(p->errors[0], "kernel command line") &&
	      strstr(p->errors[0], "\"../x\""));
	p = fresh();
	CHECK(cmdline_apply(p, "rd.scsi_dh.bogus=1") == 1);
	/* the sweep's scripts read rd.scsi_dh.settle=; the helper lets it be */
	p = fresh();
	CHECK(cmdline_apply(p, "rd.scsi_dh.settle=300 rd.scsi_dh.settle=x") == 0);
	CHECK(p->nerrors == 0);
}

static void fallback(void)
{
	struct policy *p = fresh();

	parse(p, "preload = rdac\n[owner pp]\nvendor = DGC\nfoo = 1\n");
	CHECK(p->nerrors == 1);
	cmdline_apply(p, "rd.scsi_dh=0");
	policy_fallback(p);
	CHECK(p->fallback && !p->enabled);
	CHECK(p->npreload == 4 && !p->late_attach && !p->detach && p->nowners == 0);
}

static void names(void)
{
	CHECK(handler_name_valid("alua"));
	CHECK(handler_name_valid("hp_sw"));
	CHECK(handler_name_valid("a1_"));
	CHECK(!handler_name_valid(""));
	CHECK(!handler_name_valid("hp-sw"));
	CHECK(!handler_name_valid("Alua"));
	CHECK(!handler_name_valid("a b"));
	CHECK(!handler_name_valid("abcdefghijabcdefghijabcdefghij12"));
}

const struct unit_test config_tests[] = {
	{ "config: defaults", defaults },
	{ "config: the documented example", full_example },
	{ "config: preload forms", preload_forms },
	{ "config: errors name file, line and value", errors_name_file_line_value },
	{ "config: parsing goes on after an error", error_keeps_going },
	{ "config: kernel command line", cmdline },
	{ "config: fallback after errors", fallback },
	{ "config: handler names", names },
	{ NULL, NULL },
};
