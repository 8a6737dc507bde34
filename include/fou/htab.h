/* SPDX-License-Identifier: MIT */
/*
 * A chained hash table of intrusive nodes, for lookups on the packet path
 * that must not walk every device: the caller embeds a struct fou_hnode,
 * computes the hash of its key and compares keys itself while walking the
 * nodes of one hash (fou_htab_first / fou_htab_next). Nodes of equal hash
 * keep the order they were added in, so "the first configured wins" holds
 * as with a list. The bucket array doubles as nodes are added (never on
 * lookup); if that allocation fails, chains grow longer but stay correct.
 */
#ifndef FOU_HTAB_H
#define FOU_HTAB_H

#include <stddef.h>
#include <stdint.h>

#include "fou/fou.h"

#define FOU_HTAB_MIN	16	/* buckets of an empty table */

struct fou_hnode {
	struct fou_hnode *next;
	uint32_t hash;
};

struct fou_htab {
	struct fou_hnode **b;	/* NULL until the first add */
	size_t mask;		/* buckets - 1 */
	size_t n;		/* nodes */
};

/* Adds e with hash after every node of that hash: 0, or -ENOMEM (nothing added). */
int fou_htab_add(struct fou_htab *h, struct fou_hnode *e, uint32_t hash);
/* Removes e, which must be in h. */
void fou_htab_del(struct fou_htab *h, struct fou_hnode *e);
/* Frees the bucket array (not the nodes); h is empty and usable again. */
void fou_htab_free(struct fou_htab *h);
/* The first node of this hash, or NULL; then fou_htab_next until NULL. */
struct fou_hnode *fou_htab_first(const struct fou_htab *h, uint32_t hash);
struct fou_hnode *fou_htab_next(const struct fou_hnode *e);
/* Bytes the bucket array takes. */
size_t fou_htab_mem(const struct fou_htab *h);

/* lookup3 over n 32-bit words, for the keys of such tables. */
uint32_t fou_hash_words(const uint32_t *k, size_t n, uint32_t seed);
/* The same over bytes, and over a string's bytes (names, configuration lines). */
uint32_t fou_hash_bytes(const void *p, size_t n, uint32_t seed);
uint32_t fou_hash_str(const char *s, uint32_t seed);
/* An address as fou_addr_eq() compares it: equal addresses hash equal. */
uint32_t fou_addr_hash(const struct fou_addr *a, uint32_t seed);

/*
 * The last address hashed, for a lookup per packet: a UDP GRO train's
 * segments share their addresses, so it is hashed once a train.
 */
struct fou_addr_hlast {
	struct fou_addr a;
	uint32_t seed;
	uint32_t h;
};
/* fou_addr_hash(a, seed), from c when a and seed are the last ones; c zeroed to start. */
uint32_t fou_addr_hash_last(struct fou_addr_hlast *c, const struct fou_addr *a, uint32_t seed);

#endif
