// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's rule for which device handler a LUN gets at scan time, kept as
 * data: one table in the kernel's order (the first match wins), each entry
 * marked with the kernel generations that have it:
 *
 * - 4.9 on: scsi_dh_find_driver() and scsi_dh_blist[] of drivers/scsi/scsi_dh.c
 *   (Linux 6.1; 4.9 has the same rule).
 * - 4.3 to 4.8: the same function, but scsi_dh_blist[] names the DGC entries
 *   "clariion", and scsi_dh_add_device() looks that name up among the
 *   registered handlers ("alua", "emc", "rdac", "hp_sw"): none matches, so DGC
 *   LUNs get no handler at scan (scsi_dh.c of v4.4 and v4.8).
 * - before 4.3: device_handler_match() asks each registered handler's match()
 *   in list order. Handlers register in link order (rdac, hp_sw, emc, alua of
 *   drivers/scsi/device_handler/Makefile) and list_add() puts each in front:
 *   alua_match() (TPGS bits) is asked first, then clariion_match(),
 *   hp_sw_match() and rdac_match(), each of which declines TPGS LUNs. The
 *   lists are clariion_dev_list[], hp_sw_dh_data_list[] and rdac_dev_list[] of
 *   scsi_dh_emc.c, scsi_dh_hp_sw.c and scsi_dh_rdac.c (RHEL 7's 3.10 tree).
 */
#include "ktable.h"

#include <stddef.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define PRE43 KGEN_BIT(KGEN_PRE43)
#define K43 KGEN_BIT(KGEN_43)
#define K49 KGEN_BIT(KGEN_49)
#define ALL (PRE43 | K43 | K49)
#define BEFORE49 (PRE43 | K43)

/*
 * scsi_dh_blist[] of Linux 6.1, entry for entry, each marked with the
 * generations whose table has it, and with what the older tables say where they
 * differ. Those are scsi_dh_blist[] of Linux 4.3 to 4.8 and, before 4.3, the
 * handlers' own lists taken in the order the handlers are asked (emc, hp_sw,
 * rdac): the same 31 entries in the same order, but for the DGC name.
 */
const struct ktable_entry ktable[] = {
	/* 4.3 to 4.8 name the DGC entries "clariion" */
	{ "DGC", "RAID", "emc", .gens = ALL, .was = { K43, NULL, "clariion" } },
	{ "DGC", "DISK", "emc", .gens = ALL, .was = { K43, NULL, "clariion" } },
	{ "DGC", "VRAID", "emc", .gens = ALL, .was = { K43, NULL, "clariion" } },

	{ "COMPAQ", "MSA1000 VOLUME", "hp_sw", .gens = ALL },
	{ "COMPAQ", "HSV110", "hp_sw", .gens = ALL },
	{ "HP", "HSV100", "hp_sw", .gens = ALL },
	{ "DEC", "HSG80", "hp_sw", .gens = ALL },

	{ "IBM", "1722", "rdac", .gens = ALL },
	{ "IBM", "1724", "rdac", .gens = ALL },
	{ "IBM", "1726", "rdac", .gens = ALL },
	{ "IBM", "1742", "rdac", .gens = ALL },
	{ "IBM", "1745", "rdac", .gens = ALL },
	{ "IBM", "1746", "rdac", .gens = ALL },
	{ "IBM", "1813", "rdac", .gens = ALL },
	{ "IBM", "1814", "rdac", .gens = ALL },
	{ "IBM", "1815", "rdac", .gens = ALL },
	{ "IBM", "1818", "rdac", .gens = ALL },
	{ "IBM", "3526", "rdac", .gens = ALL },
	{ "IBM", "3542", "rdac", .gens = K49 },
	{ "IBM", "3552", "rdac", .gens = K49 },
	/* before 4.9 one entry "SGI TP9" in place of the four */
	{ "SGI", "TP9300", "rdac", .gens = ALL, .was = { BEFORE49, "TP9", NULL } },
	{ "SGI", "TP9400", "rdac", .gens = K49 },
	{ "SGI", "TP9500", "rdac", .gens = K49 },
	{ "SGI", "TP9700", "rdac", .gens = K49 },
	{ "SGI", "IS", "rdac", .gens = ALL },
	{ "STK", "OPENstorage", "rdac", .gens = ALL,
	  .was = { BEFORE49, "OPENstorage D280", NULL } },
	{ "STK", "FLEXLINE 380", "rdac", .gens = ALL },
	{ "STK", "BladeCtlr", "rdac", .gens = K49 },
	{ "SUN", "CSM", "rdac", .gens = ALL },
	{ "SUN", "LCSM100", "rdac", .gens = ALL },
	{ "SUN", "STK6580_6780", "rdac", .gens = ALL },
	{ "SUN", "SUN_6180", "rdac", .gens = ALL },
	{ "SUN", "ArrayStorage", "rdac", .gens = ALL },
	{ "DELL", "MD3", "rdac", .gens = ALL },
	{ "NETAPP", "INF-01-00", "rdac", .gens = ALL },
	{ "LSI", "INF-01-00", "rdac", .gens = ALL },
	{ "ENGENIO", "INF-01-00", "rdac", .gens = ALL },
	{ "LENOVO", "DE_Series", "rdac", .gens = K49 },
	{ "FUJITSU", "ETERNUS_AHB", "rdac", .gens = K49 },
};

const unsigned int ktable_size = ARRAY_LEN(ktable);

/* size: counted from the table by kgen_get() */
static struct kgen kgens[KGEN__COUNT] = {
	[KGEN_PRE43] = { KGEN_PRE43, "before 4.3 (3.10-like, RHEL 7)",
			 "each handler's own list (clariion_dev_list, hp_sw_dh_data_list, "
			 "rdac_dev_list of a 3.10 tree)",
			 0, true },
	[KGEN_43] = { KGEN_43, "4.3 to 4.8 (4.4-like)",
		      "Linux 4.4 (drivers/scsi/scsi_dh.c, scsi_dh_blist: DGC named "
		      "\"clariion\")",
		      0, false },
	[KGEN_49] = { KGEN_49, "4.9 and later (6.1-like, RHEL 8/9)", KTABLE_SOURCE, 0, false },
};

const struct kgen *kgen_get(enum kgen_id id)
{
	struct kgen *g = &kgens[id < KGEN__COUNT ? id : KGEN_49];
	unsigned int i;

	if (!g->size)
		for (i = 0; i < ktable_size; i++)
			g->size += (ktable[i].gens & KGEN_BIT(g->id)) != 0;
	return g;
}

const char *handler_known(const char *name)
{
	static const char *const names[] = { "alua", "emc", "rdac", "hp_sw" };
	unsigned int i;

	if (!name)
		return NULL;
	for (i = 0; i < ARRAY_LEN(names); i++)
		if (!strcmp(name, names[i]))
			return names[i];
	return NULL;
}

const char *kgen_match(const struct kgen *g, int tpgs, const char *vendor,
		       const char *model)
{
	unsigned int bit = KGEN_BIT(g->id), i;

	if (tpgs > 0)
		return "alua";
	/*
	 * The kernel compares strlen(entry) bytes of the padded INQUIRY field: a prefix
	 * match, so "HP" also matches vendor "HPE     " and "RAID" matches "RAID 5".
	 */
	for (i = 0; i < ktable_size; i++) {
		const struct ktable_entry *e = &ktable[i];
		const char *m = e->model, *h = e->handler;

		if (!(e->gens & bit))
			continue;
		if (e->was.gens & bit) {
			m = e->was.model ? e->was.model : m;
			h = e->was.handler ? e->was.handler : h;
		}
		if (!strncmp(vendor, e->vendor, strlen(e->vendor)) && !strncmp(model, m, strlen(m)))
			return h;
	}
	return NULL;
}

const char *ktable_expected(int tpgs, const char *vendor, const char *model)
{
	return kgen_match(&kgens[KGEN_49], tpgs, vendor, model);
}

const char *handler_initcall(const char *handler)
{
	/* module_init() of scsi_dh_alua.c, scsi_dh_emc.c, scsi_dh_rdac.c, scsi_dh_hp_sw.c */
	static const struct {
		const char *handler, *fn;
	} fns[] = {
		{ "alua", "alua_init" },
		{ "emc", "clariion_init" },
		{ "rdac", "rdac_init" },
		{ "hp_sw", "hp_sw_init" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(fns); i++)
		if (handler && !strcmp(handler, fns[i].handler))
			return fns[i].fn;
	return NULL;
}
