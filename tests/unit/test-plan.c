// SPDX-License-Identifier: GPL-2.0-or-later
#include "unit.h"
#include "config.h"
#include "inventory.h"
#include "plan.h"
#include "strpool.h"

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

	char buf[32];

	memset(&d, 0, sizeof(d));
	d.hctl = "1:0:0:1";
	snprintf(buf, sizeof(buf), "%-8s", vendor);
	d.vendor = str_intern(buf);
	snprintf(buf, sizeof(buf), "%-16s", model);
	d.model = str_intern(buf);
	d.vendor_t = vendor;
	d.model_t = model;
	d.dh_state = dh;
	d.host_driver = "qla2xxx";
	d.block = d.access_state = d.wwid = "";
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
	d.access_state = "active/optimized";
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
	d.wwid = "naa.60001234";
	CHECK(device_owner(&p, &d) == &p.owners[0]);
	d.wwid = "";
	d.host_driver = "lpfc";
	CHECK(device_owner(&p, &d) == &p.owners[1]);
}

/* alua_check_tpgs(): only TYPE_DISK; alua_check_vpd(): a port group designator */
static void alua_refusals(void)
{
	struct policy *p = with_owner();
	static const int types[] = { 1, 12, 13, 20 };
	struct assessment a;
	struct device d;
	unsigned int i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		d = dev("NETAPP", "LUN C-Mode", 1, "detached");
		d.type = types[i];
		plan_assess(p, NULL, &d, &a);
		CHECK(a.verdict == V_NONE && a.action == A_NONE);
		CHECK_NULL(a.expected);
		CHECK_STR(a.refused, "alua");
	}
	/* a TPGS disk whose page 0x83 has no port group */
	d = dev("NETAPP", "LUN C-Mode", 1, "detached");
	d.vpd83 = 1;
	plan_assess(p, NULL, &d, &a);
	CHECK(a.verdict == V_NONE && a.action == A_NONE);
	CHECK(strstr(a.reason, "no target port group") != NULL);
	/* with one: missing, attached late */
	d.tpg = 1;
	plan_assess(p, NULL, &d, &a);
	CHECK(a.verdict == V_MISSING && a.action == A_ATTACH);
	/* a page cut short, or none at all: not judged */
	d.tpg = -1;
	d.vpd83_truncated = true;
	plan_assess(p, NULL, &d, &a);
	CHECK(a.verdict == V_MISSING);
	d.vpd83 = 0;
	d.vpd83_truncated = false;
	plan_assess(p, NULL, &d, &a);
	CHECK(a.verdict == V_MISSING);
	/* a late attach refused in this run: none, and no second attach */
	d.attach_refused = true;
	plan_assess(p, NULL, &d, &a);
	CHECK(a.verdict == V_NONE && a.action == A_NONE);
	/* the kernel kept alua where we expected a refusal: its word stands */
	d = dev("NETAPP", "LUN C-Mode", 1, "alua");
	d.type = 13;
	plan_assess(p, NULL, &d, &a);
	CHECK(a.verdict == V_OK);
}

/*
 * alua_check_tpgs() refuses non-disks from 4.5 on (commit db5a6a601ba9); 3.10's
 * and 4.4's alua looks at the TPGS bits alone.
 */
static void alua_types_by_generation(void)
{
	struct policy *p = with_owner();
	struct kfacts pre = { kgen_get(KGEN_PRE43), 1, 0xf, false, false };
	struct kfacts k44 = { kgen_get(KGEN_43), 0, 0, false, false };
	struct kfacts k61 = { kgen_get(KGEN_49), 0, 0, true, false };
	struct assessment a;
	struct device d;

	d = dev("NETAPP", "LUN C-Mode", 1, "detached");
	d.type = 13;
	plan_assess(p, &pre, &d, &a);
	CHECK(a.verdict == V_MISSING && a.action == A_ATTACH);
	CHECK_STR(a.expected, "alua");
	plan_assess(p, &k44, &d, &a);
	CHECK(a.verdict == V_MISSING && a.action == A_ATTACH);
	plan_assess(p, &k61, &d, &a);
	CHECK(a.verdict == V_NONE && a.action == A_NONE);
	CHECK_NULL(a.expected);
	/* the port group designator is needed on every generation */
	d.type = 0;
	d.vpd83 = 1;
	d.tpg = -1;
	plan_assess(p, &pre, &d, &a);
	CHECK(a.verdict == V_NONE && a.action == A_NONE);
}

static void tpgs_unknown(void)
{
	struct policy *p = with_owner();
	struct assessment a;
	struct device d;

	d = dev("HP", "HSV100", -1, "detached");
	plan_assess(p, NULL, &d, &a);
	CHECK(a.verdict == V_UNKNOWN && a.action == A_NONE);
	CHECK_NULL(a.expected);
	d = dev("QEMU", "QEMU HARDDISK", -1, "detached");
	plan_assess(p, NULL, &d, &a);
	CHECK(a.verdict == V_UNKNOWN);
	/* alua attached where the table says rdac: TPGS may be set, not a mismatch */
	d = dev("IBM", "1722", -1, "alua");
	plan_assess(p, NULL, &d, &a);
	CHECK(a.verdict == V_UNKNOWN);
	d = dev("IBM", "1722", -1, "rdac");
	plan_assess(p, NULL, &d, &a);
	CHECK(a.verdict == V_OK);
	d = dev("IBM", "1722", -1, "hp_sw");
	plan_assess(p, NULL, &d, &a);
	CHECK(a.verdict == V_MISMATCH);
	/* ownership does not depend on TPGS */
	d = dev("DGC", "RAID 5", -1, "emc");
	plan_assess(p, NULL, &d, &a);
	CHECK(a.verdict == V_OWNED_ATTACHED && a.action == A_DETACH);
}

static void generations(void)
{
	static struct policy p;
	struct kfacts k43 = { kgen_get(KGEN_43), 0, 0, false, false };
	struct kfacts pre = { kgen_get(KGEN_PRE43), 1, 0xf, false, false };
	struct kfacts rhel8 = { kgen_get(KGEN_49), 0, 0xf, true, false };
	struct assessment a;
	struct device d;

	policy_defaults(&p);
	/* 4.3-4.8: "clariion" names no handler: DGC LUNs get none at scan */
	d = dev("DGC", "VRAID", 0, "detached");
	plan_assess(&p, &k43, &d, &a);
	CHECK(a.verdict == V_NONE && a.action == A_NONE);
	CHECK(strstr(a.reason, "clariion") != NULL);
	plan_assess(&p, NULL, &d, &a);
	CHECK(a.verdict == V_MISSING && a.action == A_ATTACH);
	/* before 4.3: rdac_dev_list has no IBM 3542, and "SGI TP9" is a prefix */
	d = dev("IBM", "3542", 0, "detached");
	plan_assess(&p, &pre, &d, &a);
	CHECK(a.verdict == V_NONE);
	d = dev("SGI", "TP9100", 0, "detached");
	plan_assess(&p, &pre, &d, &a);
	CHECK(a.verdict == V_MISSING && a.action == A_ATTACH);
	CHECK_STR(a.expected, "rdac");
	plan_assess(&p, NULL, &d, &a);
	CHECK(a.verdict == V_NONE);
	/* built in, no detach: the reason names the initcall to blacklist */
	config_parse(&p, "t.conf", "[owner pp]\nvendor = DGC\n");
	p.owners[0].active = true;
	d = dev("DGC", "VRAID", 0, "emc");
	plan_assess(&p, &rhel8, &d, &a);
	CHECK(a.verdict == V_OWNED_ATTACHED);
	CHECK(strstr(a.reason, "initcall_blacklist=clariion_init") != NULL);
	plan_assess(&p, &pre, &d, &a);
	CHECK(a.action == A_DETACH && strstr(a.reason, "initcall") == NULL);
}

/* No CONFIG_SCSI_DH (scsi_sysfs.c: no dh_state): no LUN expects or gets a handler. */
static void no_device_handlers(void)
{
	static struct policy p;
	struct kfacts none = { kgen_get(KGEN_49), -1, 0, true, true };
	struct assessment a;
	struct device d;

	policy_defaults(&p);
	d = dev("NETAPP", "LUN C-Mode", 1, "");
	plan_assess(&p, &none, &d, &a);
	CHECK(a.verdict == V_NONE && a.action == A_NONE);
	CHECK_NULL(a.expected);
	CHECK(strstr(a.reason, "no device handlers") != NULL);
	/* the same LUN on a kernel with handlers: alua missing */
	plan_assess(&p, NULL, &d, &a);
	CHECK(a.verdict == V_MISSING);
	config_parse(&p, "t.conf", "[owner pp]\nvendor = NETAPP\n");
	p.owners[0].active = true;
	plan_assess(&p, &none, &d, &a);
	CHECK(a.verdict == V_OWNED && a.action == A_NONE);
}

/*
 * Before 4.3 each detach write drops one reference (scsi_dh_handler_detach(),
 * a kref_put()): a LUN detached once this boot gets no second one, and none
 * is planned without the sweep lock; a kernel that refuses detach says so.
 */
static void detach_bars(void)
{
	struct policy *p = with_owner();
	struct kfacts pre = { kgen_get(KGEN_PRE43), 1, 0, false, false };
	struct kfacts k61 = { kgen_get(KGEN_49), 0, 0, true, false };
	struct assessment a;
	struct device d;

	d = dev("DGC", "VRAID", 0, "emc");
	plan_assess(p, &pre, &d, &a);
	CHECK(a.action == A_DETACH && !a.held);
	d.detach_bar = DB_DETACHED;
	plan_assess(p, &pre, &d, &a);
	CHECK(a.verdict == V_OWNED_ATTACHED && a.action == A_NONE && a.held);
	CHECK(strstr(a.reason, "detached once this boot already") != NULL);
	d.detach_bar = DB_NO_LOCK;
	plan_assess(p, &pre, &d, &a);
	CHECK(a.action == A_NONE && !a.held);
	CHECK(strstr(a.reason, "sweep lock") != NULL);
	/* 4.3 on: the refusal is the reason, whatever the bar */
	plan_assess(p, &k61, &d, &a);
	CHECK(a.action == A_DETACH && strstr(a.reason, "refuses detach") != NULL);
	/* no handler: nothing to hold */
	d = dev("DGC", "VRAID", 0, "detached");
	d.detach_bar = DB_DETACHED;
	plan_assess(p, &pre, &d, &a);
	CHECK(a.verdict == V_OWNED && !a.held);
}

const struct unit_test plan_tests[] = {
	{ "plan: no CONFIG_SCSI_DH: every LUN none, owned LUNs owned, no action",
	  no_device_handlers },
	{ "plan: alua refuses non-disks (1, 12, 13, 20) and LUNs without a port group",
	  alua_refusals },
	{ "plan: alua takes non-disks before 4.5, refuses them from 4.5 on",
	  alua_types_by_generation },
	{ "plan: no inquiry, TPGS unknown: the verdict says unknown", tpgs_unknown },
	{ "plan: each generation's table; initcall_blacklist= for built-ins", generations },
	{ "plan: every verdict", verdicts },
	{ "plan: the kernel's verdict where the table has none", kernel_verdict_wins },
	{ "plan: actions and reasons", actions },
	{ "plan: owner keys are and-ed, globs or-ed", owner_keys },
	{ "plan: no second detach in a boot, none without the sweep lock", detach_bars },
	{ NULL, NULL },
};
