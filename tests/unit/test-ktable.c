// SPDX-License-Identifier: GPL-2.0-or-later
#include "unit.h"
#include "ktable.h"

#include <stdio.h>

/* pad like the kernel's "%.8s" / "%.16s" of the space-padded INQUIRY fields */
static const char *pad(char *buf, const char *s, int width)
{
	snprintf(buf, (size_t)width + 1, "%-*s", width, s);
	return buf;
}

static const char *expect(int tpgs, const char *vendor, const char *model)
{
	char v[9], m[17];

	return ktable_expected(tpgs, pad(v, vendor, 8), pad(m, model, 16));
}

static void every_entry(void)
{
	unsigned int i;

	CHECK(ktable_size == 39);
	for (i = 0; i < ktable_size; i++)
		CHECK_STR(expect(0, ktable[i].vendor, ktable[i].model), ktable[i].handler);
}

static void tpgs_is_alua(void)
{
	CHECK_STR(expect(1, "Linux", "scsi_debug"), "alua");
	CHECK_STR(expect(2, "DGC", "RAID 5"), "alua");
	CHECK_STR(expect(3, "NOBODY", "NOTHING"), "alua");
	/* unknown TPGS: the table alone */
	CHECK_STR(expect(-1, "DGC", "VRAID"), "emc");
	CHECK_NULL(expect(-1, "Linux", "scsi_debug"));
	CHECK_NULL(expect(0, "QEMU", "QEMU HARDDISK"));
}

static void prefix_semantics(void)
{
	/* the kernel compares strlen(entry) bytes: a prefix on both fields */
	CHECK_STR(expect(0, "HPE", "HSV100"), "hp_sw");
	CHECK_STR(expect(0, "HP", "HSV1000"), "hp_sw");
	CHECK_STR(expect(0, "DGC", "RAID 5"), "emc");
	CHECK_STR(expect(0, "DGCX", "DISK"), "emc");
	CHECK_STR(expect(0, "IBM", "1722-600"), "rdac");
	CHECK_STR(expect(0, "DELL", "MD3200i"), "rdac");
	CHECK_STR(expect(0, "COMPAQ", "MSA1000 VOLUME"), "hp_sw");
	CHECK_NULL(expect(0, "COMPAQ", "MSA1000"));
	CHECK_NULL(expect(0, "HP", "HSV10"));
	CHECK_NULL(expect(0, "H", "HSV100"));
	CHECK_NULL(expect(0, "dgc", "RAID"));
	CHECK_NULL(expect(0, "DGC", "LUNZ"));
	CHECK_NULL(expect(0, "SGI", "TP9100"));
	CHECK_NULL(expect(0, "", ""));
	/* model must start the field: no match inside it */
	CHECK_NULL(expect(0, "HP", "XHSV100"));
	/* first match wins, in the kernel's order */
	CHECK_STR(expect(0, "SGI", "IS4600"), "rdac");
}

static void generation_tables(void)
{
	const struct kgen *g49 = kgen_get(KGEN_49), *g43 = kgen_get(KGEN_43);
	const struct kgen *pre = kgen_get(KGEN_PRE43);
	char v[9], m[17];

	CHECK(g49->size == 39 && g43->size == 31 && pre->size == 31);
	CHECK(pre->detach && !g43->detach && !g49->detach);
	/* 4.4's scsi_dh_blist: DGC is "clariion", which is no handler's name */
	CHECK_STR(kgen_match(g43, 0, pad(v, "DGC", 8), pad(m, "RAID 5", 16)), "clariion");
	CHECK_NULL(handler_known("clariion"));
	CHECK_STR(handler_known("emc"), "emc");
	/* 6.1 only: IBM 3542/3552, STK BladeCtlr, LENOVO, FUJITSU */
	CHECK_NULL(kgen_match(g43, 0, pad(v, "STK", 8), pad(m, "BladeCtlr", 16)));
	CHECK_NULL(kgen_match(pre, 0, pad(v, "FUJITSU", 8), pad(m, "ETERNUS_AHB", 16)));
	CHECK_NULL(kgen_match(pre, 0, pad(v, "IBM", 8), pad(m, "3552", 16)));
	CHECK_STR(kgen_match(g49, 0, pad(v, "IBM", 8), pad(m, "3552", 16)), "rdac");
	/* "STK OPENstorage D280" before 4.9, "STK OPENstorage" from 4.9 */
	CHECK_NULL(kgen_match(pre, 0, pad(v, "STK", 8), pad(m, "OPENstorage D1", 16)));
	CHECK_STR(kgen_match(g49, 0, pad(v, "STK", 8), pad(m, "OPENstorage D1", 16)), "rdac");
	/* TPGS first in every generation */
	CHECK_STR(kgen_match(pre, 1, pad(v, "DGC", 8), pad(m, "RAID 5", 16)), "alua");
	CHECK_STR(handler_initcall("emc"), "clariion_init");
	CHECK_STR(handler_initcall("hp_sw"), "hp_sw_init");
	CHECK_NULL(handler_initcall("clariion"));
}

/* one table: what differs between the generations is data of its entries */
static void generation_differences(void)
{
	const struct kgen *g49 = kgen_get(KGEN_49), *g43 = kgen_get(KGEN_43);
	const struct kgen *pre = kgen_get(KGEN_PRE43);
	unsigned int i, n[KGEN__COUNT] = { 0 };
	char v[9], m[17];

	for (i = 0; i < ktable_size; i++) {
		const struct ktable_entry *e = &ktable[i];
		unsigned int g;

		/* an entry differs only in generations that have it, and only in something */
		CHECK(e->gens && (e->was.gens & ~e->gens) == 0);
		CHECK(!e->was.gens == !(e->was.model || e->was.handler));
		for (g = 0; g < KGEN__COUNT; g++)
			n[g] += (e->gens & KGEN_BIT(g)) != 0;
	}
	CHECK(n[KGEN_PRE43] == pre->size && n[KGEN_43] == g43->size && n[KGEN_49] == g49->size);
	/* "SGI TP9" and "STK OPENstorage D280" before 4.9 */
	CHECK_STR(kgen_match(g43, 0, pad(v, "SGI", 8), pad(m, "TP9100", 16)), "rdac");
	CHECK_STR(kgen_match(pre, 0, pad(v, "SGI", 8), pad(m, "TP9400", 16)), "rdac");
	CHECK_STR(kgen_match(pre, 0, pad(v, "STK", 8), pad(m, "OPENstorage D280", 16)), "rdac");
	CHECK_STR(kgen_match(g49, 0, pad(v, "STK", 8), pad(m, "OPENstorage D280", 16)), "rdac");
	/* "clariion" is 4.3 to 4.8 only: emc before and after */
	CHECK_STR(kgen_match(pre, 0, pad(v, "DGC", 8), pad(m, "VRAID", 16)), "emc");
	CHECK_STR(kgen_match(g43, 0, pad(v, "DGC", 8), pad(m, "VRAID", 16)), "clariion");
	CHECK_STR(kgen_match(g49, 0, pad(v, "DGC", 8), pad(m, "VRAID", 16)), "emc");
	/* what 6.1 added is in no older table */
	CHECK_NULL(kgen_match(g43, 0, pad(v, "LENOVO", 8), pad(m, "DE_Series", 16)));
	CHECK_NULL(kgen_match(g49, 0, pad(v, "SGI", 8), pad(m, "TP9", 16)));
}

const struct unit_test ktable_tests[] = {
	{ "ktable: one table per kernel generation", generation_tables },
	{ "ktable: the generations' differences are data of one table", generation_differences },
	{ "ktable: every entry matches itself, padded", every_entry },
	{ "ktable: TPGS means alua, unknown TPGS uses the table", tpgs_is_alua },
	{ "ktable: prefix compare on padded strings", prefix_semantics },
	{ NULL, NULL },
};
