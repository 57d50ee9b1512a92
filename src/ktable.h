/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_KTABLE_H
#define SDE_KTABLE_H

/* The kernel release whose drivers/scsi/scsi_dh.c the table below follows. */
#define KTABLE_SOURCE "Linux 6.1 (drivers/scsi/scsi_dh.c, scsi_dh_blist)"

struct ktable_entry {
	const char *vendor;
	const char *model;
	const char *handler;
};

extern const struct ktable_entry ktable[];
extern const unsigned int ktable_size;

/*
 * The handler the kernel attaches at scan time when its module is loaded, or NULL:
 * "alua" when the TPGS bits are non-zero, else the first table entry whose vendor
 * and model are prefixes of the device's space-padded INQUIRY strings.
 * tpgs < 0 means unknown: the table decides alone.
 */
const char *ktable_expected(int tpgs, const char *vendor, const char *model);

#endif
