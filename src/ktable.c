// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's rule for which device handler a LUN gets at scan time, kept as
 * data, one table per kernel generation, each in the kernel's order (the
 * first match wins):
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

const struct ktable_entry ktable[] = {
	{ "DGC", "RAID", "emc" },
	{ "DGC", "DISK", "emc" },
	{ "DGC", "VRAID", "emc" },

	{ "COMPAQ", "MSA1000 VOLUME", "hp_sw" },
	{ "COMPAQ", "HSV110", "hp_sw" },
	{ "HP", "HSV100", "hp_sw" },
	{ "DEC", "HSG80", "hp_sw" },

	{ "IBM", "1722", "rdac" },
	{ "IBM", "1724", "rdac" },
	{ "IBM", "1726", "rdac" },
	{ "IBM", "1742", "rdac" },
	{ "IBM", "1745", "rdac" },
	{ "IBM", "1746", "rdac" },
	{ "IBM", "1813", "rdac" },
	{ "IBM", "1814", "rdac" },
	{ "IBM", "1815", "rdac" },
	{ "IBM", "1818", "rdac" },
	{ "IBM", "3526", "rdac" },
	{ "IBM", "3542", "rdac" },
	{ "IBM", "3552", "rdac" },
	{ "SGI", "TP9300", "rdac" },
	{ "SGI", "TP9400", "rdac" },
	{ "SGI", "TP9500", "rdac" },
	{ "SGI", "TP9700", "rdac" },
	{ "SGI", "IS", "rdac" },
	{ "STK", "OPENstorage", "rdac" },
	{ "STK", "FLEXLINE 380", "rdac" },
	{ "STK", "BladeCtlr", "rdac" },
	{ "SUN", "CSM", "rdac" },
	{ "SUN", "LCSM100", "rdac" },
	{ "SUN", "STK6580_6780", "rdac" },
	{ "SUN", "SUN_6180", "rdac" },
	{ "SUN", "ArrayStorage", "rdac" },
	{ "DELL", "MD3", "rdac" },
	{ "NETAPP", "INF-01-00", "rdac" },
	{ "LSI", "INF-01-00", "rdac" },
	{ "ENGENIO", "INF-01-00", "rdac" },
	{ "LENOVO", "DE_Series", "rdac" },
	{ "FUJITSU", "ETERNUS_AHB", "rdac" },
};

const unsigned int ktable_size = ARRAY_LEN(ktable);

/* scsi_dh_blist[] of Linux 4.3 to 4.8 */
static const struct ktable_entry table_43[] = {
	{ "DGC", "RAID", "clariion" },
	{ "DGC", "DISK", "clariion" },
	{ "DGC", "VRAID", "clariion" },

	{ "COMPAQ", "MSA1000 VOLUME", "hp_sw" },
	{ "COMPAQ", "HSV110", "hp_sw" },
	{ "HP", "HSV100", "hp_sw" },
	{ "DEC", "HSG80", "hp_sw" },

	{ "IBM", "1722", "rdac" },
	{ "IBM", "1724", "rdac" },
	{ "IBM", "1726", "rdac" },
	{ "IBM", "1742", "rdac" },
	{ "IBM", "1745", "rdac" },
	{ "IBM", "1746", "rdac" },
	{ "IBM", "1813", "rdac" },
	{ "IBM", "1814", "rdac" },
	{ "IBM", "1815", "rdac" },
	{ "IBM", "1818", "rdac" },
	{ "IBM", "3526", "rdac" },
	{ "SGI", "TP9", "rdac" },
	{ "SGI", "IS", "rdac" },
	{ "STK", "OPENstorage D280", "rdac" },
	{ "STK", "FLEXLINE 380", "rdac" },
	{ "SUN", "CSM", "rdac" },
	{ "SUN", "LCSM100", "rdac" },
	{ "SUN", "STK6580_6780", "rdac" },
	{ "SUN", "SUN_6180", "rdac" },
	{ "SUN", "ArrayStorage", "rdac" },
	{ "DELL", "MD3", "rdac" },
	{ "NETAPP", "INF-01-00", "rdac" },
	{ "LSI", "INF-01-00", "rdac" },
	{ "ENGENIO", "INF-01-00", "rdac" },
};

/* before 4.3, in the order the handlers are asked: emc, hp_sw, rdac */
static const struct ktable_entry table_pre43[] = {
	{ "DGC", "RAID", "emc" },
	{ "DGC", "DISK", "emc" },
	{ "DGC", "VRAID", "emc" },

	{ "COMPAQ", "MSA1000 VOLUME", "hp_sw" },
	{ "COMPAQ", "HSV110", "hp_sw" },
	{ "HP", "HSV100", "hp_sw" },
	{ "DEC", "HSG80", "hp_sw" },

	{ "IBM", "1722", "rdac" },
	{ "IBM", "1724", "rdac" },
	{ "IBM", "1726", "rdac" },
	{ "IBM", "1742", "rdac" },
	{ "IBM", "1745", "rdac" },
	{ "IBM", "1746", "rdac" },
	{ "IBM", "1813", "rdac" },
	{ "IBM", "1814", "rdac" },
	{ "IBM", "1815", "rdac" },
	{ "IBM", "1818", "rdac" },
	{ "IBM", "3526", "rdac" },
	{ "SGI", "TP9", "rdac" },
	{ "SGI", "IS", "rdac" },
	{ "STK", "OPENstorage D280", "rdac" },
	{ "STK", "FLEXLINE 380", "rdac" },
	{ "SUN", "CSM", "rdac" },
	{ "SUN", "LCSM100", "rdac" },
	{ "SUN", "STK6580_6780", "rdac" },
	{ "SUN", "SUN_6180", "rdac" },
	{ "SUN", "ArrayStorage", "rdac" },
	{ "DELL", "MD3", "rdac" },
	{ "NETAPP", "INF-01-00", "rdac" },
	{ "LSI", "INF-01-00", "rdac" },
	{ "ENGENIO", "INF-01-00", "rdac" },
};

static const struct kgen kgens[KGEN__COUNT] = {
	[KGEN_PRE43] = { KGEN_PRE43, "before 4.3 (3.10-like, RHEL 7)",
			 "each handler's own list (clariion_dev_list, hp_sw_dh_data_list, "
			 "rdac_dev_list of a 3.10 tree)",
			 table_pre43, ARRAY_LEN(table_pre43), true },
	[KGEN_43] = { KGEN_43, "4.3 to 4.8 (4.4-like)",
		      "Linux 4.4 (drivers/scsi/scsi_dh.c, scsi_dh_blist: DGC named "
		      "\"clariion\")",
		      table_43, ARRAY_LEN(table_43), false },
	[KGEN_49] = { KGEN_49, "4.9 and later (6.1-like, RHEL 8/9)", KTABLE_SOURCE, ktable,
		      ARRAY_LEN(ktable), false },
};

const struct kgen *kgen_get(enum kgen_id id)
{
	return id < KGEN__COUNT ? &kgens[id] : &kgens[KGEN_49];
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
	unsigned int i;

	if (tpgs > 0)
		return "alua";
	/*
	 * The kernel compares strlen(entry) bytes of the padded INQUIRY field: a prefix
	 * match, so "HP" also matches vendor "HPE     " and "RAID" matches "RAID 5".
	 */
	for (i = 0; i < g->size; i++) {
		const struct ktable_entry *e = &g->table[i];

		if (!strncmp(vendor, e->vendor, strlen(e->vendor)) &&
		    !strncmp(model, e->model, strlen(e->model)))
			return e->handler;
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
