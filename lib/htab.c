// SPDX-License-Identifier: MIT
/*
 * Chained hash table of intrusive nodes (include/fou/htab.h). Chains keep
 * insertion order among nodes of one hash; growth rehashes bucket by bucket
 * and appends, which keeps that order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fou/htab.h"

static struct fou_hnode **htab_slot(const struct fou_htab *h, uint32_t hash)
{
	return &h->b[hash & h->mask];
}

/* The link to set so that e goes after every node already in its chain. */
static struct fou_hnode **htab_tail(const struct fou_htab *h, uint32_t hash)
{
	struct fou_hnode **p = htab_slot(h, hash);

	while (*p)
		p = &(*p)->next;
	return p;
}

static void htab_append(struct fou_htab *h, struct fou_hnode *e)
{
	e->next = NULL;
	*htab_tail(h, e->hash) = e;
}

/* Moves every node into size buckets (a power of two); old chains are walked in order. */
static int htab_resize(struct fou_htab *h, size_t size)
{
	struct fou_hnode **old = h->b, *e, *next;
	size_t i, n = h->b ? h->mask + 1 : 0;

	h->b = calloc(size, sizeof(*h->b));
	if (!h->b) {
		h->b = old;
		return -ENOMEM;
	}
	h->mask = size - 1;
	for (i = 0; i < n; i++)
		for (e = old[i]; e; e = next) {
			next = e->next;
			htab_append(h, e);
		}
	free(old);
	return 0;
}

int fou_htab_add(struct fou_htab *h, struct fou_hnode *e, uint32_t hash)
{
	if (!h->b && htab_resize(h, FOU_HTAB_MIN))
		return -ENOMEM;
	/* A failed doubling leaves longer chains, not a failed add. */
	if (h->n > h->mask && h->mask < SIZE_MAX / 2 / sizeof(*h->b))
		htab_resize(h, 2 * (h->mask + 1));
	e->hash = hash;
	htab_append(h, e);
	h->n++;
	return 0;
}

void fou_htab_del(struct fou_htab *h, struct fou_hnode *e)
{
	struct fou_hnode **p;

	if (!h->b)
		return;
	for (p = htab_slot(h, e->hash); *p; p = &(*p)->next) {
		if (*p == e) {
			*p = e->next;
			e->next = NULL;
			h->n--;
			return;
		}
	}
}

void fou_htab_free(struct fou_htab *h)
{
	free(h->b);
	memset(h, 0, sizeof(*h));
}

static struct fou_hnode *htab_from(struct fou_hnode *e, uint32_t hash)
{
	while (e && e->hash != hash)
		e = e->next;
	return e;
}

struct fou_hnode *fou_htab_first(const struct fou_htab *h, uint32_t hash)
{
	return h->b ? htab_from(*htab_slot(h, hash), hash) : NULL;
}

struct fou_hnode *fou_htab_next(const struct fou_hnode *e)
{
	return htab_from(e->next, e->hash);
}

size_t fou_htab_mem(const struct fou_htab *h)
{
	return h->b ? (h->mask + 1) * sizeof(*h->b) : 0;
}
