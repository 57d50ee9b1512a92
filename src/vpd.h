/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_VPD_H
#define SDE_VPD_H

#include <stdbool.h>
#include <stddef.h>

/* What the kernel takes from INQUIRY VPD page 0x83 (Device Identification). */
struct vpd83 {
	int tpg;		/* target port group (designator type 5), -1 none */
	int rel_port;		/* relative target port (type 4), -1 none */
	bool truncated;		/* a designator runs past the end of the data */
	int id_len;		/* length of id, or -errno: no LUN designator the kernel uses */
	char id[256];		/* as the kernel's sysfs "wwid" attribute shows it */
};

/*
 * Parse a VPD page 0x83 as read from sysfs "vpd_pg83" (4-byte header, then
 * designators), len bytes of it. The identifier follows scsi_vpd_lun_id() and
 * designator_prio() of drivers/scsi/scsi_lib.c (Linux 5.11 to 6.x); the port
 * group follows scsi_vpd_tpg_id(). 0, or -EINVAL when this is not a page 0x83.
 */
int vpd83_parse(const unsigned char *buf, size_t len, struct vpd83 *out);

#endif
