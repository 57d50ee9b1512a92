// SPDX-License-Identifier: GPL-2.0-or-later
#include "unit.h"
#include "config.h"
#include "inventory.h"
#include "plan.h"

#include <stdio.h>

static enum verdict device_verdict(const struct policy *p, const struct device *d)
{
	struct assessment a;

	plan_assess(p, NULL, d, &a);
	return a.verdict;
}

static const char *device_expected(const struct device *d)
{
	static struct policy none;
	static struct assessment a;

	policy_defaults(&none);
	plan_assess(&none, NULL, d, &a);
	return a.expected;
}

static void plan_device(const struct policy *p, const struct device *d, struct assessment *a)
{
	plan_assess(p, NULL, d, a);
}

static struct device dev(const char *vendor, const char *model, int tpgs, const char *dh)
{
	struct device d;

	memset(&d, 0, sizeof(d));
	snprintf(d.hctl, sizeof(d.hctl), "1:0:0:1");
	snprintf(d.vendor, sizeof(d.vendor), "%-8s", vendor);
	snprintf(d.model, sizeof(d.model), "%-16s", model);
	snprintf(d.vendor_t, sizeof(d.vendor_t), "%s", vendor);
	snprintf(d.model_t, sizeof(d.model_t), "%s", model);
	snprintf(d.dh_state, sizeof(d.dh_state), "%s", dh);
	snprintf(d.host_driver, sizeof(d.host_driver), "qla2xxx");
	d.tpgs = tpgs;
	d.type = 0;
	d.tpg = -1;
	return d;
}

static struct policy *with_owner(void)
{
	static struct policy p;

	policy_defaults(&p);
	config_parse(&p, "t.conf", "[owner pp]\nvendor = DGC\nmodel = \"RAID 5\" VRAID\n");
	p.owners[0].active = true;
	return &p;
}

static void verdicts(void)
{
	struct policy *p = with_owner();
	struct device d;

	d = dev("HP", "HSV100", 0, "hp_sw");
	CHECK(device_verdict(p, &d) == V_OK);
	d = dev("HP", "HSV100", 0, "detached");
	CHECK(device_verdict(p, &d) == V_MISSING);
	d = dev("QEMU", "QEMU HARDDISK", 0, "detached");
	CHECK(device_verdict(p, &d) == V_NONE);
	d = dev("HP", "HSV100", 1, "hp_sw");
	CHECK(device_verdict(p, &d) == V_MISMATCH);
	d = dev("DGC", "RAID 5", 0, "detached");
	CHECK(device_verdict(p, &d) == V_OWNED);
	d = dev("DGC", "RAID 5", 0, "emc");
	CHECK(device_verdict(p, &d) == V_OWNED_ATTACHED);
	/* the owner rule is on the trimmed model: "RAID 10" is not "RAID 5" */
	d = dev("DGC", "RAID 10", 0, "emc");
	CHECK(device_verdict(p, &d) == V_OK);
	/* an inactive rule owns nothing */
	p->owners[0].active = false;
	d = dev("DGC", "RAID 5", 0, "emc");
	CHECK(device_verdict(p, &d) == V_OK);
	CHECK_STR(verdict_name(V_OWNED_ATTACHED), "owned-attached");
}

static void kernel_verdict_wins(void)
{
	struct policy *p = with_owner();
	struct device d = dev("NEWCO", "ARRAY", 0, "rdac");

	/* no table entry, but the kernel attached one: a newer table than ours */
	CHECK_STR(device_expected(&d), "rdac");
	CHECK(device_verdict(p, &d) == V_OK);
	d = dev("NEWCO", "ARRAY", 0, "detached");
	CHECK_NULL(device_expected(&d));
	CHECK(device_verdict(p, &d) == V_NONE);
	/* where the table names one, another is a mismatch, access_state or not */
	d = dev("IBM", "1722", 0, "alua");
	snprintf(d.access_state, sizeof(d.access_state), "active/optimized");
	CHECK_STR(device_expected(&d), "rdac");
	CHECK(device_verdict(p, &d) == V_MISMATCH);
}

static void actions(void)
{
	struct policy *p = with_owner();
	struct assessment pl;
	struct device d;

	d = dev("DGC", "VRAID", 0, "emc");
	plan_device(p, &d, &pl);
	CHECK(pl.action == A_DETACH);
	CHECK_STR(pl.handler, "emc");
	CHECK_STR(pl.owner->name, "pp");

	d = dev("DGC", "VRAID", 0, "detached");
	plan_device(p, &d, &pl);
	CHECK(pl.action == A_NONE && pl.owner);

	p->detach = false;
	d = dev("DGC", "VRAID", 0, "emc");
	plan_device(p, &d, &pl);
	CHECK(pl.action == A_NONE);
	CHECK(strstr(pl.reason, "detach is off") != NULL);

	d = dev("Linux", "scsi_debug", 1, "detached");
	plan_device(p, &d, &pl);
	CHECK(pl.action == A_ATTACH);
	CHECK_STR(pl.handler, "alua");

	p->late_attach = false;
	plan_device(p, &d, &pl);
	CHECK(pl.action == A_NONE);
	CHECK(strstr(pl.reason, "late attach is off") != NULL);

	p->late_attach = true;
	p->npreload = 1;	/* alua only */
	d = dev("HP", "HSV100", 0, "detached");
	plan_device(p, &d, &pl);
	CHECK(pl.action == A_NONE);
	CHECK(strstr(pl.reason, "not in the preload list") != NULL);

	d = dev("HP", "HSV100", 0, "");	/* no dh_state attribute */
	plan_device(p, &d, &pl);
	CHECK(pl.action == A_NONE);

	d = dev("IBM", "1722", 0, "alua");	/* mismatch: never touched */
	plan_device(p, &d, &pl);
	CHECK(pl.action == A_NONE);

	d = dev("QEMU", "QEMU HARDDISK", 0, "detached");
	plan_device(p, &d, &pl);
	CHECK(pl.action == A_NONE);
	CHECK_STR(pl.reason, "no handler expected");
}

static void owner_keys(void)
{
	static struct policy p;
	struct device d = dev("EMC", "SYMMETRIX", 0, "alua");

	policy_defaults(&p);
	config_parse(&p, "t.conf",
		     "[owner a]\nwwid = naa.6000*\n[owner b]\nhost = lpfc\nvendor = EMC\n");
	p.owners[0].active = p.owners[1].active = true;
	/* no wwid: rule a cannot claim it; host qla2xxx: rule b neither */
	CHECK(device_owner(&p, &d) == NULL);
	snprintf(d.wwid, sizeof(d.wwid), "naa.60001234");
	CHECK(device_owner(&p, &d) == &p.owners[0]);
	d.wwid[0] = '\0';
	snprintf(d.host_driver, sizeof(d.host_driver), "lpfc");
	CHECK(device_owner(&p, &d) == &p.owners[1]);
}

const struct unit_test plan_tests[] = {
	{ "plan: every verdict", verdicts },
	{ "plan: the kernel's verdict where the table has none", kernel_verdict_wins },
	{ "plan: actions and reasons", actions },
	{ "plan: owner keys are and-ed, globs or-ed", owner_keys },
	{ NULL, NULL },
};
