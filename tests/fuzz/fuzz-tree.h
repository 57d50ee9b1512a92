/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A scratch sysroot for the harnesses that read files, removed at exit. */
#ifndef FUZZ_TREE_H
#define FUZZ_TREE_H

#include <stddef.h>
#include <stdint.h>

/* Make the sysroot (once) and set it; returns its path. */
const char *tree_root(void);
/* Write (or with data NULL remove) ROOT/rel, making its directories. */
void tree_put(const char *rel, const void *data, size_t size);
void tree_mkdir(const char *rel);
/* Remove ROOT/rel and everything below it. */
void tree_rmtree(const char *rel);

/* Fields of an input: each a 2-byte little-endian length (capped) and its bytes. */
struct fields {
	const uint8_t *data;
	size_t size;
};
/* The next field: 1 and *p, *n; 0 when the input is used up. */
int field_next(struct fields *f, const uint8_t **p, size_t *n, size_t cap);

#endif
