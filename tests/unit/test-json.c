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
	/* valid UTF-8 passes, anything else becomes \u00XX */
	CHECK_STR(json("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	CHECK_STR(json("\xff\xfe"), "\"\\u00ff\\u00fe\"");
	CHECK_STR(json("\xc3("), "\"\\u00c3(\"");
	CHECK_STR(json("\xc0\xaf"), "\"\\u00c0\\u00af\"");	/* overlong '/' */
	CHECK_STR(json("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");	/* surrogate */
	CHECK_STR(json("\xe2\x82"), "\"\\u00e2\\u0082\"");	/* cut short */
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
}

const struct unit_test json_tests[] = {
	{ "json: escapes", escapes },
	{ "json: bytes that are not UTF-8", bytes_that_are_not_utf8 },
	{ "report: the summary line", summary_line },
	{ NULL, NULL },
};
