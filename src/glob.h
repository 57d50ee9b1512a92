/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_GLOB_H
#define SDE_GLOB_H

#include <stdbool.h>

/*
 * fnmatch(3) with no flags, in the C locale, byte by byte: '*', '?', bracket
 * expressions with ranges, classes and '!' or '^', backslash escapes. Ours,
 * so that the static helper does not carry libc's wide-character tables.
 */
bool glob_match(const char *pattern, const char *s);

#endif
