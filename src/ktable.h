/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_KTABLE_H
#define SDE_KTABLE_H

#include <stdbool.h>

/* The kernel release whose drivers/scsi/scsi_dh.c the default table follows. */
#define KTABLE_SOURCE "Linux 6.1 (drivers/scsi/scsi_dh.c, scsi_dh_blist)"

/*
 * Kernel generations, each with the rule its SCSI core uses to pick a handler
 * at scan time. The rule is the same in all three (TPGS bits set: alua; else the
 * first vendor/model prefix match); the tables differ.
 */
enum kgen_id {
	KGEN_PRE43,	/* before 4.3 (RHEL 6/7, SLES 11): each handler's own list */
	KGEN_43,	/* 4.3 to 4.8: scsi_dh_blist naming DGC "clariion" */
	KGEN_49,	/* 4.9 on (6.1, RHEL 8/9): scsi_dh_blist, DGC "emc" */
	KGEN__COUNT
};

#define KGEN_BIT(id) (1u << (id))

struct ktable_entry {
	const char *vendor;
	const char *model;
	const char *handler;
	unsigned int gens;	/* KGEN_BIT()s: the generations whose table has it */
	/* in the generations of was.gens the entry reads so (NULL: as above) */
	struct {
		unsigned int gens;
		const char *model;
		const char *handler;
	} was;
};

struct kgen {
	enum kgen_id id;
	const char *name;	/* "4.9 and later" */
	const char *source;	/* where the table was read */
	unsigned int size;	/* entries of ktable[] it has */
	bool detach;		/* dh_state accepts "detach" */
};

const struct kgen *kgen_get(enum kgen_id id);

/* The 6.1 table, its entries marked with the generations that have them. */
extern const struct ktable_entry ktable[];
extern const unsigned int ktable_size;

/* One of alua, emc, rdac, hp_sw as a static string, or NULL for any other name. */
const char *handler_known(const char *name);

/*
 * The name the generation's rule gives the device at scan time, or NULL:
 * "alua" when the TPGS bits are non-zero, else the first table entry whose
 * vendor and model are prefixes of the device's space-padded INQUIRY strings.
 * tpgs < 0 means unknown: the table decides alone. The name may be one no
 * handler registers ("clariion" of 4.3-4.8): see handler_known().
 */
const char *kgen_match(const struct kgen *g, int tpgs, const char *vendor,
		       const char *model);

/* kgen_match() of the 4.9+ generation. */
const char *ktable_expected(int tpgs, const char *vendor, const char *model);

/* The init function that registers a built-in handler, for initcall_blacklist=. */
const char *handler_initcall(const char *handler);

#endif
