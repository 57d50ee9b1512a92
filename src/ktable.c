// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's rule for which device handler a LUN gets at scan time
 * (scsi_dh_find_driver() in drivers/scsi/scsi_dh.c), kept as data.
 * Entries follow Linux 6.1, in the kernel's order: the first match wins.
 */
#include "ktable.h"

#include <string.h>

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

const unsigned int ktable_size = sizeof(ktable) / sizeof(ktable[0]);

const char *ktable_expected(int tpgs, const char *vendor, const char *model)
{
	unsigned int i;

	if (tpgs > 0)
		return "alua";
	/*
	 * The kernel compares strlen(entry) bytes of the padded INQUIRY field: a prefix
	 * match, so "HP" also matches vendor "HPE     " and "RAID" matches "RAID 5".
	 */
	for (i = 0; i < ktable_size; i++) {
		const struct ktable_entry *e = &ktable[i];

		if (!strncmp(vendor, e->vendor, strlen(e->vendor)) &&
		    !strncmp(model, e->model, strlen(e->model)))
			return e->handler;
	}
	return NULL;
}
