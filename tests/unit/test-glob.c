// SPDX-License-Identifier: GPL-2.0-or-later
#include "unit.h"
#include "glob.h"

#include <fnmatch.h>
#include <stdlib.h>

/* the owner rules' globs as the configuration documents them */
static void examples(void)
{
	CHECK(glob_match("DGC", "DGC"));
	CHECK(!glob_match("DGC", "DGC2"));
	CHECK(glob_match("*RAID*", "RAID 5"));
	CHECK(glob_match("naa.6006016*", "naa.600601601234"));
	CHECK(glob_match("qla2xxx", "qla2xxx"));
	CHECK(glob_match("lpfc|qla*", "lpfc|qla2xxx"));
	CHECK(glob_match("?GC", "DGC"));
	CHECK(glob_match("[DE]GC", "EGC") && !glob_match("[!DE]GC", "EGC"));
	CHECK(glob_match("[[:upper:]][[:digit:]]*", "A1x"));
	CHECK(glob_match("a\\*b", "a*b") && !glob_match("a\\*b", "axb"));
	CHECK(glob_match("a[b", "a[b"));	/* no closing ']': an ordinary '[' */
	CHECK(glob_match("*", "") && !glob_match("?", ""));
	CHECK(glob_match("a*/b", "a/x/b"));	/* '/' is an ordinary char */
	CHECK(glob_match("[]]", "]") && glob_match("[!]]", "x"));
	CHECK(glob_match("[a-c]", "b") && !glob_match("[a-c]", "d"));
	CHECK(glob_match("\xc3[\x80-\xbf]", "\xc3\xa9"));	/* bytes, as in the C locale */
}

static unsigned int rnd_state = 12345;

static unsigned int rnd(unsigned int n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

/* a well-formed pattern of literals, '?', '*', escapes and bracket expressions */
static void random_pattern(char *p, size_t size)
{
	static const char *const brackets[] = { "[ab]", "[!a]", "[^b-]", "[a-c]", "[]a]",
						"[!]b]", "[[:alpha:]]", "[![:digit:]]",
						"[-a]", "[a\\]]", "[[:punct:]x]" };
	static const char lit[] = "ab-]^!:1.";
	size_t n = 0;
	unsigned int k = rnd(7);

	while (k-- && n + 16 < size) {
		const char *t;
		char one[3] = { 0 };

		switch (rnd(6)) {
		case 0: t = "*"; break;
		case 1: t = "?"; break;
		case 2: t = brackets[rnd(sizeof(brackets) / sizeof(brackets[0]))]; break;
		case 3: one[0] = '\\'; one[1] = lit[rnd(sizeof(lit) - 1)]; t = one; break;
		default: one[0] = lit[rnd(sizeof(lit) - 1)]; t = one; break;
		}
		n += (size_t)snprintf(p + n, size - n, "%s", t);
	}
	p[n] = '\0';
}

/* glob_match() decides as glibc's fnmatch(3) does, on 200,000 random pairs */
static void as_fnmatch(void)
{
	static const char chars[] = "ab-]^!:1.Z";
	char pat[128], s[16];
	unsigned int i, j, bad = 0;

	for (i = 0; i < 200000; i++) {
		unsigned int n = rnd(6);

		random_pattern(pat, sizeof(pat));
		for (j = 0; j < n; j++)
			s[j] = chars[rnd(sizeof(chars) - 1)];
		s[n] = '\0';
		if (glob_match(pat, s) != (fnmatch(pat, s, 0) == 0) && bad++ < 5) {
			printf("# \"%s\" on \"%s\": %d, fnmatch %d\n", pat, s, glob_match(pat, s),
			       fnmatch(pat, s, 0) == 0);
		}
	}
	CHECK(bad == 0);
}

const struct unit_test glob_tests[] = {
	{ "glob: the owner rules' globs", examples },
	{ "glob: as fnmatch(3) decides, 200,000 random pairs", as_fnmatch },
	{ NULL, NULL },
};
