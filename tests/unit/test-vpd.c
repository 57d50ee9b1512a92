// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VPD page 0x83 as drivers/scsi/scsi_lib.c reads it: scsi_vpd_lun_id() with
 * designator_prio() for the wwid, scsi_vpd_tpg_id() for alua's port group.
 */
#include "unit.h"
#include "vpd.h"

#include <errno.h>

struct page {
	unsigned char b[1024];
	size_t n;
};

static void start(struct page *p)
{
	memset(p, 0, sizeof(*p));
	p->b[1] = 0x83;
	p->n = 4;
}

/* one designator: code set, association << 4 | type, bytes */
static void desig(struct page *p, unsigned char cs, unsigned char at, const void *v,
		  unsigned char len)
{
	p->b[p->n] = cs;
	p->b[p->n + 1] = at;
	p->b[p->n + 3] = len;
	memcpy(p->b + p->n + 4, v, len);
	p->n += 4u + len;
}

static void finish(struct page *p)
{
	p->b[2] = (unsigned char)((p->n - 4) >> 8);
	p->b[3] = (unsigned char)(p->n - 4);
}

static const unsigned char naa6[16] = { 0x60, 0x06, 0x01, 0x60, 0x12, 0x34, 0x56, 0x78,
					0x90, 0xab, 0xcd, 0xef, 0x12, 0x34, 0x56, 0x78 };
static const unsigned char naa5[8] = { 0x50, 0x01, 0x40, 0x50, 0x00, 0x00, 0x00, 0x01 };
static const unsigned char eui8[8] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
static const unsigned char eui16[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const unsigned char tpg[4] = { 0, 0, 0x01, 0x02 };
static const unsigned char rel[4] = { 0, 0, 0, 0x07 };

static void every_type(void)
{
	struct page p;
	struct vpd83 v;

	/* each type alone, formatted as the kernel's wwid attribute */
	start(&p);
	desig(&p, 1, 0x03, naa6, 16);
	finish(&p);
	CHECK(vpd83_parse(p.b, p.n, &v) == 0);
	CHECK_STR(v.id, "naa.600601601234567890abcdef12345678");
	CHECK(v.id_len == 36);

	start(&p);
	desig(&p, 1, 0x03, naa5, 8);
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK_STR(v.id, "naa.5001405000000001");

	start(&p);
	desig(&p, 1, 0x02, eui8, 8);
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK_STR(v.id, "eui.0011223344556677");

	start(&p);
	desig(&p, 1, 0x02, eui16, 16);
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK_STR(v.id, "eui.0102030405060708090a0b0c0d0e0f10");

	/* T10 vendor ID: "t10." and %pE escapes of what is not printable */
	start(&p);
	desig(&p, 2, 0x01, "ATA     QEMU\x01\n", 14);
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK_STR(v.id, "t10.ATA     QEMU\\001\\n");

	/* SCSI name string: the string, up to its NUL padding */
	start(&p);
	desig(&p, 3, 0x08, "iqn.2003-01.org.x\0\0\0", 20);
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK_STR(v.id, "iqn.2003-01.org.x");

	/* port designators give no id, only the port group and relative port */
	start(&p);
	desig(&p, 1, 0x15, tpg, 4);
	desig(&p, 1, 0x14, rel, 4);
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK(v.tpg == 0x102 && v.rel_port == 7);
	CHECK(v.id_len < 0 && v.id[0] == '\0');
	CHECK(!v.truncated);

	/* MD5 (type 6), UUID (10) and the rest: not used for the id */
	start(&p);
	desig(&p, 1, 0x06, naa6, 16);
	desig(&p, 1, 0x0a, naa6, 16);
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK(v.id_len < 0 && v.tpg == -1 && v.rel_port == -1);
}

static void preference(void)
{
	struct page p;
	struct vpd83 v;

	/* designator_prio(): name string 9, NAA 6 8, EUI-16 7, NAA 5 5, EUI-8 3, T10 1 */
	start(&p);
	desig(&p, 2, 0x01, "VENDOR  PRODUCT", 15);
	desig(&p, 1, 0x02, eui8, 8);
	desig(&p, 1, 0x03, naa5, 8);
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK_STR(v.id, "naa.5001405000000001");

	desig(&p, 1, 0x02, eui16, 16);
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK_STR(v.id, "eui.0102030405060708090a0b0c0d0e0f10");

	desig(&p, 1, 0x03, naa6, 16);
	desig(&p, 1, 0x02, eui8, 8);	/* lower: does not replace */
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK_STR(v.id, "naa.600601601234567890abcdef12345678");

	desig(&p, 3, 0x08, "naa.600601601234\0\0\0\0", 20);
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK_STR(v.id, "naa.600601601234");

	/* a designator of the target port (association 1) is never the LUN's */
	start(&p);
	desig(&p, 1, 0x13, naa6, 16);
	desig(&p, 1, 0x03, naa5, 8);
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK_STR(v.id, "naa.5001405000000001");
}

static void truncated(void)
{
	struct page p;
	struct vpd83 v;

	/* page length beyond the data read: what is whole is used, the rest flagged */
	start(&p);
	desig(&p, 1, 0x03, naa6, 16);
	desig(&p, 1, 0x15, tpg, 4);
	finish(&p);
	CHECK(vpd83_parse(p.b, p.n - 2, &v) == 0);
	CHECK(v.truncated);
	CHECK_STR(v.id, "naa.600601601234567890abcdef12345678");
	CHECK(v.tpg == -1);

	/* a header cut short */
	CHECK(vpd83_parse(p.b, 4 + 20 + 2, &v) == 0);
	CHECK(v.truncated && v.tpg == -1);

	/* a designator longer than the page says */
	start(&p);
	desig(&p, 1, 0x03, naa6, 16);
	finish(&p);
	p.b[3] = 10;
	CHECK(vpd83_parse(p.b, p.n, &v) == 0);
	CHECK(v.truncated && v.id_len < 0);

	/* not a page 0x83, or not even a header */
	p.b[1] = 0x80;
	CHECK(vpd83_parse(p.b, p.n, &v) == -EINVAL);
	CHECK(vpd83_parse(p.b, 3, &v) == -EINVAL);
	CHECK(vpd83_parse(p.b, 0, &v) == -EINVAL);
}

static void zero_length(void)
{
	struct page p;
	struct vpd83 v;

	/* zero-length designators are stepped over (designator_prio() 0) */
	start(&p);
	desig(&p, 1, 0x03, naa6, 0);
	desig(&p, 1, 0x15, tpg, 0);
	desig(&p, 1, 0x02, eui8, 8);
	desig(&p, 2, 0x01, "", 0);
	finish(&p);
	CHECK(vpd83_parse(p.b, p.n, &v) == 0);
	CHECK_STR(v.id, "eui.0011223344556677");
	CHECK(v.tpg == -1 && !v.truncated);

	/* an empty page */
	start(&p);
	finish(&p);
	CHECK(vpd83_parse(p.b, p.n, &v) == 0);
	CHECK(v.id_len < 0 && v.tpg == -1 && !v.truncated);

	/* NAA and EUI of lengths the kernel does not print */
	start(&p);
	desig(&p, 1, 0x03, naa6, 12);
	desig(&p, 1, 0x02, eui8, 4);
	finish(&p);
	vpd83_parse(p.b, p.n, &v);
	CHECK(v.id[0] == '\0');
}

const struct unit_test vpd_tests[] = {
	{ "vpd83: every designator type, as the kernel's wwid prints it", every_type },
	{ "vpd83: designator_prio() order", preference },
	{ "vpd83: truncated pages and designators", truncated },
	{ "vpd83: zero-length designators and odd lengths", zero_length },
	{ NULL, NULL },
};
