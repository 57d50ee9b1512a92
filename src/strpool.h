/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SDE_STRPOOL_H
#define SDE_STRPOOL_H

#include <stddef.h>

/*
 * A pool of strings that live as long as the process: str_keep() stores a copy,
 * str_intern() stores each distinct string once (for the few values that many
 * devices share: vendors, handler names, reasons). NULL when the pool, bounded
 * at STR_POOL_MAX bytes, is full, or for a string longer than STR_KEEP_MAX.
 */
#define STR_POOL_MAX (64u << 20)
#define STR_KEEP_MAX 4096
const char *str_keep(const char *s);
const char *str_intern(const char *s);
/* Bytes the pool holds (for tests); str_pool_free() empties it. */
size_t str_pool_size(void);
void str_pool_free(void);
/* Changes with each str_pool_free(): what holds pool strings knows to let go. */
unsigned int str_pool_generation(void);

#endif
