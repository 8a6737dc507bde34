/* SPDX-License-Identifier: MIT */
/*
 * A prefix table for multipoint L3 tunnels (lib/pfx.c): inner destination
 * prefix -> outer destination (next hop), and the set of next hops. Built
 * whole, then read: a lookup probes one hash per prefix length in use, so
 * it costs the same for 3 prefixes as for 3000. No I/O; allocation only
 * while building.
 */
#ifndef FOU_PFX_H
#define FOU_PFX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fou/fou.h"

struct fou_pfx_ent {
	struct fou_addr pfx;		/* host bits zero */
	uint8_t plen;
	struct fou_addr nh;		/* family 0: a free slot */
};

struct fou_pfx_peer {
	struct fou_addr a;		/* family 0: a free slot */
	uint32_t refs;			/* prefixes behind it */
};

struct fou_pfx {
	struct fou_pfx_ent *ent;	/* open addressing, cap a power of two */
	struct fou_pfx_peer *peer;
	size_t cap, n, npeers;
	uint8_t lens[2][129];		/* per family (v4, v6): lengths in use, longest first */
	uint8_t nlens[2];
};

/* "ADDR/LEN" (host bits zero) into a and len; 0 or -EINVAL. */
int fou_pfx_parse(const char *s, struct fou_addr *a, uint8_t *len);
/* "ADDR/LEN" of a prefix; buf of at least 52 bytes. */
const char *fou_pfx_str(const struct fou_addr *a, uint8_t len, char *buf, size_t n);
/* Whether two prefixes share an address (same family, one contains the other). */
bool fou_pfx_overlap(const struct fou_addr *a, uint8_t alen, const struct fou_addr *b,
		     uint8_t blen);
/* Whether addr is inside prefix p/len. */
bool fou_pfx_contains(const struct fou_addr *p, uint8_t len, const struct fou_addr *addr);

/* An empty table for up to max prefixes; 0 or -ENOMEM. */
int fou_pfx_init(struct fou_pfx *t, size_t max);
void fou_pfx_free(struct fou_pfx *t);
/* Adds pfx/len -> nh; -EEXIST (that prefix is there), -ENOSPC (max reached) or -EINVAL. */
int fou_pfx_add(struct fou_pfx *t, const struct fou_addr *pfx, uint8_t len,
		const struct fou_addr *nh);
/* The longest prefix containing dst: its entry, or NULL. */
const struct fou_pfx_ent *fou_pfx_lookup(const struct fou_pfx *t, const struct fou_addr *dst);
/* Whether a is the next hop of some prefix. */
bool fou_pfx_peer(const struct fou_pfx *t, const struct fou_addr *a);
/* The inner destination of an IPv4 or IPv6 packet; 0 or -FOU_DROP_TOO_SHORT/-BAD_IP. */
int fou_pfx_inner_dst(const uint8_t *pkt, size_t len, struct fou_addr *dst);

#endif /* FOU_PFX_H */
