// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Strings that live as long as the process, in chunks that are never moved:
 * the inventory keeps every device's attributes here, and shares the values
 * that many devices have in common.
 */
#include "strpool.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define POOL_CHUNK ((size_t)64 * 1024)

struct pool_chunk {
	struct pool_chunk *next;
	size_t used, size;
	char data[];
};

static struct pool_chunk *pool;
static size_t pool_bytes;
/* str_intern()'s open-addressing table over the pool's strings */
static const char **slots;
static size_t nslots, nslots_used;
static unsigned int pool_gen;

unsigned int str_pool_generation(void)
{
	return pool_gen;
}

size_t str_pool_size(void)
{
	return pool_bytes + nslots * sizeof(*slots);
}

void str_pool_free(void)
{
	while (pool) {
		struct pool_chunk *next = pool->next;

		free(pool);
		pool = next;
	}
	free(slots);
	slots = NULL;
	nslots = nslots_used = 0;
	pool_bytes = 0;
	pool_gen++;
}

const char *str_keep(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (n > STR_KEEP_MAX)
		return NULL;
	if (!pool || pool->size - pool->used < n) {
		struct pool_chunk *c;

		if (pool_bytes + POOL_CHUNK > STR_POOL_MAX)
			return NULL;
		c = malloc(sizeof(*c) + POOL_CHUNK);
		if (!c)
			return NULL;
		c->next = pool;
		c->used = 0;
		c->size = POOL_CHUNK;
		pool = c;
		pool_bytes += POOL_CHUNK;
	}
	p = pool->data + pool->used;
	memcpy(p, s, n);
	pool->used += n;
	return p;
}

static size_t str_hash(const char *s)
{
	size_t h = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int slots_grow(void)
{
	size_t n = nslots ? nslots * 2 : 256, i;
	const char **t;

	if (n * sizeof(*t) > STR_POOL_MAX / 4)
		return -ENOMEM;
	t = calloc(n, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < nslots; i++) {
		size_t j;

		if (!slots[i])
			continue;
		for (j = str_hash(slots[i]) & (n - 1); t[j]; j = (j + 1) & (n - 1))
			;
		t[j] = slots[i];
	}
	free(slots);
	slots = t;
	nslots = n;
	return 0;
}

const char *str_intern(const char *s)
{
	size_t i;

	if (!*s)
		return "";
	if ((nslots_used + 1) * 2 > nslots && slots_grow() < 0)
		return NULL;
	for (i = str_hash(s) & (nslots - 1); slots[i]; i = (i + 1) & (nslots - 1))
		if (str_eq(slots[i], s))
			return slots[i];
	slots[i] = str_keep(s);
	if (!slots[i])
		return NULL;
	nslots_used++;
	return slots[i];
}
