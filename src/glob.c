// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The owner rules' globs: fnmatch(3) with no flags, in the C locale, byte by
 * byte. Ours, so that the static helper does not carry libc's wide-character
 * tables.
 */
#include "glob.h"
#include "util.h"

#include <ctype.h>
#include <string.h>

/* [:name:] of a bracket expression, in the C locale; -1 not a class */
static int glob_class(const char *name, size_t n, unsigned char c)
{
	static const char *const names[] = { "alnum", "alpha", "blank", "cntrl", "digit",
					     "graph", "lower", "print", "punct", "space",
					     "upper", "xdigit" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == n && strncmp(names[i], name, n) == 0)
			break;
	if (c >= 0x80)
		return i < ARRAY_SIZE(names) ? 0 : -1;
	switch (i) {
	case 0: return isalnum(c) != 0;
	case 1: return isalpha(c) != 0;
	case 2: return c == ' ' || c == '\t';
	case 3: return iscntrl(c) != 0;
	case 4: return isdigit(c) != 0;
	case 5: return isgraph(c) != 0;
	case 6: return islower(c) != 0;
	case 7: return isprint(c) != 0;
	case 8: return ispunct(c) != 0;
	case 9: return isspace(c) != 0;
	case 10: return isupper(c) != 0;
	case 11: return isxdigit(c) != 0;
	}
	return -1;
}

/*
 * The bracket expression at p (just past '['), against c: 1 match, 0 no match,
 * -1 not a bracket expression (no closing ']': the '[' is an ordinary char).
 * *end is set past the closing ']'.
 */
static int glob_bracket(const char *p, unsigned char c, const char **end)
{
	bool neg = false, hit = false, first = true;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	for (;; first = false) {
		unsigned char lo, hi;

		if (!*p)
			return -1;
		if (*p == ']' && !first)
			break;
		if (p[0] == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			char kind = p[1];
			const char *q = strchr(p + 2, kind);

			if (!q || q[1] != ']')
				return -1;
			if (kind == ':') {
				int r = glob_class(p + 2, (size_t)(q - p - 2), c);

				if (r < 0)
					return 0;	/* an unknown class matches nothing */
				hit |= r;
			} else if (q - p - 2 == 1) {
				hit |= (unsigned char)p[2] == c;	/* [=x=], [.x.]: x itself */
			}
			p = q + 2;
			continue;
		}
		if (*p == '\\' && p[1])
			p++;
		lo = (unsigned char)*p++;
		hi = lo;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			p++;
			if (*p == '\\' && p[1])
				p++;
			hi = (unsigned char)*p++;
		}
		if (lo <= c && c <= hi)
			hit = true;
	}
	*end = p + 1;
	return hit != neg;
}

bool glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	for (;;) {
		const char *next = NULL;
		int r;

		if (*pat == '*') {
			while (*pat == '*')
				pat++;
			if (!*pat)
				return true;
			/* the last star takes one more char on each mismatch after it */
			star = pat;
			resume = s;
			continue;
		}
		if (!*s) {
			if (!*pat)
				return true;
			return false;
		}
		if (*pat == '?') {
			pat++;
			s++;
			continue;
		}
		if (*pat == '[') {
			r = glob_bracket(pat + 1, (unsigned char)*s, &next);
			if (r > 0) {
				pat = next;
				s++;
				continue;
			}
			if (r == 0)
				goto mismatch;
			/* no closing ']': an ordinary '[' */
		}
		if (*pat == '\\' && pat[1])
			pat++;
		if (*pat && *pat == *s) {
			pat++;
			s++;
			continue;
		}
mismatch:
		if (!star)
			return false;
		pat = star;
		s = ++resume;
	}
}
