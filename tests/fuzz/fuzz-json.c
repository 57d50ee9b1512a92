// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON string writer on any bytes, its output re-parsed strictly (RFC 8259,
 * UTF-8 without overlong forms or surrogates): it must always be one valid
 * JSON string, and give back the input whenever the input was valid UTF-8; say
 * whether it was not; never hold a C1 control (U+0080..U+009F) unescaped.
 */
#include "report.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of one valid UTF-8 sequence at s (at most n bytes), 0 if invalid; *cp. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t len, i;
	unsigned long c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static bool utf8_ok(const unsigned char *s, size_t n)
{
	unsigned long cp;

	while (n) {
		size_t k = utf8_seq(s, n, &cp);

		if (!k)
			return false;
		s += k;
		n -= k;
	}
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strictly parse one JSON string that is all of s; decoded into out (UTF-8). */
static bool json_parse_string(const unsigned char *s, size_t n, unsigned char *out,
			      size_t *outlen)
{
	size_t i = 1, o = 0;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return false;
	while (i < n - 1) {
		unsigned long cp;
		size_t k;

		if (s[i] == '\\') {
			int j;

			if (i + 1 >= n - 1)
				return false;
			switch (s[i + 1]) {
			case '"': out[o++] = '"'; i += 2; continue;
			case '\\': out[o++] = '\\'; i += 2; continue;
			case '/': out[o++] = '/'; i += 2; continue;
			case 'b': out[o++] = '\b'; i += 2; continue;
			case 'f': out[o++] = '\f'; i += 2; continue;
			case 'n': out[o++] = '\n'; i += 2; continue;
			case 'r': out[o++] = '\r'; i += 2; continue;
			case 't': out[o++] = '\t'; i += 2; continue;
			case 'u':
				break;
			default:
				return false;
			}
			if (i + 6 > n - 1)
				return false;
			cp = 0;
			for (j = 2; j < 6; j++) {
				int h = hexval(s[i + (size_t)j]);

				if (h < 0)
					return false;
				cp = cp * 16 + (unsigned long)h;
			}
			/* the writer never needs surrogate pairs: lone ones are errors */
			if (cp >= 0xd800 && cp <= 0xdfff)
				return false;
			/* encode cp as UTF-8 */
			if (cp < 0x80) {
				out[o++] = (unsigned char)cp;
			} else if (cp < 0x800) {
				out[o++] = (unsigned char)(0xc0 | (cp >> 6));
				out[o++] = (unsigned char)(0x80 | (cp & 0x3f));
			} else {
				out[o++] = (unsigned char)(0xe0 | (cp >> 12));
				out[o++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
				out[o++] = (unsigned char)(0x80 | (cp & 0x3f));
			}
			i += 6;
			continue;
		}
		if (s[i] < 0x20 || s[i] == '"')
			return false;
		k = utf8_seq(s + i, n - 1 - i, &cp);
		if (!k)
			return false;
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	*outlen = o;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *out = NULL;
	size_t outlen = 0, declen = 0, inlen, i;
	unsigned char *dec;
	bool invalid;
	FILE *f;

	in = malloc(size + 1);
	if (!in)
		abort();
	memcpy(in, data, size);
	in[size] = '\0';
	inlen = strlen(in);	/* C strings: the writer sees up to the first NUL */

	f = open_memstream(&out, &outlen);
	if (!f)
		abort();
	invalid = json_string(f, in);
	if (fclose(f) != 0)
		abort();
	if (invalid == utf8_ok((const unsigned char *)in, inlen) ||
	    invalid == utf8_valid(in))
		abort();
	for (i = 0; i + 1 < outlen; i++)
		if ((unsigned char)out[i] == 0xc2 && (unsigned char)out[i + 1] < 0xa0 &&
		    (unsigned char)out[i + 1] >= 0x80)
			abort();
	dec = malloc(outlen + 1);
	if (!dec)
		abort();
	if (!json_parse_string((const unsigned char *)out, outlen, dec, &declen)) {
		fprintf(stderr, "not one strict JSON string: %s\n", out);
		abort();
	}
	if (utf8_ok((const unsigned char *)in, inlen) &&
	    (declen != inlen || memcmp(dec, in, inlen) != 0))
		abort();
	free(dec);
	free(out);
	free(in);
	return 0;
}
