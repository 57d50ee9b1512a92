// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VPD page 0x83 as the kernel reads it. Designator header (SPC-4 7.8.6.1):
 * byte 1 bits 4-5 association (0 = the LUN), bits 0-3 designator type; byte 3
 * its length; the designator follows from byte 4.
 */
#include "vpd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * designator_prio() of drivers/scsi/scsi_lib.c: which LUN designator the
 * kernel prefers for "wwid" (higher wins, a later one of equal rank too);
 * 0 means never used.
 */
static int designator_prio(const unsigned char *d)
{
	if (d[1] & 0x30)	/* not associated with the LUN */
		return 0;
	if (d[3] == 0)		/* invalid length */
		return 0;
	switch (d[1] & 0xf) {
	case 8:			/* SCSI name string */
		return 9;
	case 3:			/* NAA, by its NAA field */
		switch (d[4] >> 4) {
		case 6:
			return 8;	/* IEEE registered extended */
		case 5:
			return 5;	/* IEEE registered */
		case 4:
			return 4;	/* IEEE extended */
		case 3:
			return 1;	/* locally assigned */
		}
		return 0;
	case 2:			/* EUI-64 based, by length */
		return d[3] == 16 ? 7 : d[3] == 12 ? 6 : d[3] == 8 ? 3 : 0;
	case 1:			/* T10 vendor ID */
		return 1;
	}
	return 0;
}

static int hex_id(char *id, size_t size, const char *prefix, const unsigned char *p,
		  unsigned int n)
{
	size_t o;
	unsigned int i;

	o = (size_t)snprintf(id, size, "%s", prefix);
	for (i = 0; i < n && o + 3 <= size; i++)
		o += (size_t)snprintf(id + o, size - o, "%02x", p[i]);
	return i == n ? (int)o : -ENAMETOOLONG;
}

/* Kernel isprint(): ASCII 0x20-0x7e and Latin-1 0xa0-0xff (lib/ctype.c). */
static bool kprint(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c >= 0xa0;
}

/* "t10.%*pE": non-printable bytes escaped as string_escape_mem(ESCAPE_ANY_NP) does. */
static int t10_id(char *id, size_t size, const unsigned char *p, unsigned int n)
{
	static const char from[] = "\n\r\t\v\f\a\033";
	static const char to[] = "nrtvfae";
	size_t o = 4;
	unsigned int i;

	if (size < 5)
		return -ENAMETOOLONG;
	memcpy(id, "t10.", 4);
	for (i = 0; i < n; i++) {
		unsigned char c = p[i];
		const char *e = c ? strchr(from, c) : NULL;
		char tmp[5];
		size_t k;

		if (kprint(c)) {
			tmp[0] = (char)c;
			k = 1;
		} else if (e) {
			tmp[0] = '\\';
			tmp[1] = to[e - from];
			k = 2;
		} else if (!c) {
			tmp[0] = '\\';
			tmp[1] = '0';
			k = 2;
		} else {
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\%03o", c);
		}
		if (o + k >= size)
			return -ENAMETOOLONG;
		memcpy(id + o, tmp, k);
		o += k;
	}
	id[o] = '\0';
	return (int)o;
}

int vpd83_parse(const unsigned char *buf, size_t len, struct vpd83 *out)
{
	size_t end, off;
	int cur_prio = 0, r;
	unsigned int cur_size = 0;

	memset(out, 0, sizeof(*out));
	out->tpg = -1;
	out->rel_port = -1;
	out->id_len = -ENODATA;
	if (len < 4 || buf[1] != 0x83)
		return -EINVAL;
	end = 4 + (((size_t)buf[2] << 8) | buf[3]);
	if (end > len) {
		out->truncated = true;
		end = len;
	}
	for (off = 4; off < end; off += 4 + (size_t)buf[off + 3]) {
		const unsigned char *d = buf + off;
		int prio;

		/* a header or a designator cut short ends the walk (scsi_lib.c since 6.x) */
		if (end - off < 4 || d[3] > end - off - 4) {
			out->truncated = true;
			break;
		}
		switch (d[1] & 0xf) {
		case 4:		/* relative target port */
			if (d[3] >= 4)
				out->rel_port = (d[6] << 8) | d[7];
			break;
		case 5:		/* target port group */
			if (d[3] >= 4)
				out->tpg = (d[6] << 8) | d[7];
			break;
		}
		prio = designator_prio(d);
		if (prio == 0 || cur_prio > prio)
			continue;
		/* T10 and name strings do not replace a longer one of the same rank */
		if (((d[1] & 0xf) == 1 || (d[1] & 0xf) == 8) && cur_size > d[3])
			continue;
		r = -ENODATA;
		switch (d[1] & 0xf) {
		case 1:
			r = t10_id(out->id, sizeof(out->id), d + 4, d[3]);
			break;
		case 2:
			r = hex_id(out->id, sizeof(out->id), "eui.", d + 4, d[3]);
			break;
		case 3:
			/* NAA of another length ranks, but prints nothing new */
			if (d[3] == 8 || d[3] == 16)
				r = hex_id(out->id, sizeof(out->id), "naa.", d + 4, d[3]);
			else
				r = out->id_len;
			break;
		case 8:
			/* the string itself, NUL padded: up to the first NUL (d[3] < 256) */
			memcpy(out->id, d + 4, d[3]);
			out->id[d[3]] = '\0';
			r = (int)strlen(out->id);
			break;
		}
		cur_prio = prio;
		cur_size = d[3];
		out->id_len = r;
	}
	if (out->id_len <= 0)
		out->id[0] = '\0';
	return 0;
}
