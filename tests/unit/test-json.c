// SPDX-License-Identifier: GPL-2.0-or-later
#include "unit.h"
#include "report.h"

#include <stdlib.h>

static char *json(const char *s)
{
	static char out[256];
	FILE *f = fmemopen(out, sizeof(out), "w");

	json_string(f, s);
	fclose(f);
	return out;
}

static void escapes(void)
{
	CHECK_STR(json(NULL), "null");
	CHECK_STR(json(""), "\"\"");
	CHECK_STR(json("RAID 5"), "\"RAID 5\"");
	CHECK_STR(json("a\"b\\c"), "\"a\\\"b\\\\c\"");
	CHECK_STR(json("l1\nl2\t\x01\x7f"), "\"l1\\nl2\\t\\u0001\\u007f\"");
}

static void bytes_that_are_not_utf8(void)
{
	/* valid UTF-8 passes, each other byte becomes U+FFFD, never U+00XX */
	CHECK_STR(json("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	CHECK_STR(json("\xc3\xbf"), "\"\xc3\xbf\"");	/* U+00FF itself */
	CHECK_STR(json("\xff\xfe"), "\"\\ufffd\\ufffd\"");
	CHECK_STR(json("\xc3("), "\"\\ufffd(\"");
	CHECK_STR(json("\xc0\xaf"), "\"\\ufffd\\ufffd\"");	/* overlong '/' */
	CHECK_STR(json("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	CHECK_STR(json("\xe2\x82"), "\"\\ufffd\\ufffd\"");	/* cut short */
	CHECK(utf8_valid("caf\xc3\xa9") && utf8_valid(NULL) && !utf8_valid("a\xff"));
}

static void c1_controls(void)
{
	/* U+0080..U+009F escaped like C0 (U+009B is CSI); U+00A0 on is text */
	CHECK_STR(json("\xc2\x80-\xc2\x9b-\xc2\x9f-\xc2\xa0"), "\"\\u0080-\\u009b-\\u009f-\xc2\xa0\"");
}

static char *member(const char *name, const char *value)
{
	static char out[256];
	FILE *f = fmemopen(out, sizeof(out), "w");

	json_member(f, name, value, true);
	fclose(f);
	return out;
}

static void exact_bytes(void)
{
	CHECK_STR(member("model", "RAID 5"), ",\"model\":\"RAID 5\"");
	CHECK_STR(member("model", NULL), ",\"model\":null");
	CHECK_STR(member("model", "X\xff"), ",\"model\":\"X\\ufffd\",\"model_hex\":\"58ff\"");
	CHECK_STR(member("model", "\xc3\xbf"), ",\"model\":\"\xc3\xbf\"");
}

static void summary_line(void)
{
	struct summary s;
	char buf[256];

	memset(&s, 0, sizeof(s));
	s.luns = 412;
	s.verdicts[V_OK] = 408;
	s.verdicts[V_NONE] = 2;
	s.verdicts[V_OWNED] = 2;
	s.attached = 3;
	summary_format(&s, buf, sizeof(buf));
	CHECK_STR(buf,
		  "412 LUNs: 408 ok, 2 none, 2 owned; attached 3, detached 0, refused 0, failed 0");
	memset(&s, 0, sizeof(s));
	summary_format(&s, buf, sizeof(buf));
	CHECK_STR(buf, "0 LUNs; attached 0, detached 0, refused 0, failed 0");
	s.luns = 2;
	s.verdicts[V_NONE] = 2;
	s.wwid_too_long = 1;
	summary_format(&s, buf, sizeof(buf));
	CHECK_STR(buf, "2 LUNs: 2 none; attached 0, detached 0, refused 0, failed 0; "
		       "wwid too long to read (taken as unknown): 1 LUN");
}

const struct unit_test json_tests[] = {
	{ "json: escapes", escapes },
	{ "json: bytes that are not UTF-8", bytes_that_are_not_utf8 },
	{ "json: C1 controls", c1_controls },
	{ "json: a member's exact bytes", exact_bytes },
	{ "report: the summary line", summary_line },
	{ NULL, NULL },
};
