// SPDX-License-Identifier: MIT
/*
 * Longest-prefix match by one hash table keyed by (family, length, masked
 * address), probed once per length in use, longest first: constant time in
 * the number of prefixes. Next hops are a second hash set, so that receive
 * asks "is this source a member" at the same cost.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fou/pfx.h"
#include "fou/wire.h"

static size_t alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static void pfx_mask(struct fou_addr *a, uint8_t len)
{
	size_t n = alen(a->family);

	for (size_t i = 0; i < n; i++) {
		unsigned int bits = len > i * 8 ? len - (unsigned int)i * 8 : 0;

		if (bits < 8)
			a->a[i] &= (uint8_t)(0xff00 >> bits);
	}
	memset(a->a + n, 0, sizeof(a->a) - n);
}

int fou_pfx_parse(const char *s, struct fou_addr *a, uint8_t *len)
{
	char buf[64], *slash, *end;
	struct fou_addr m;
	unsigned long l;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	*slash = '\0';
	l = strtoul(slash + 1, &end, 10);
	if (*end || slash[1] < '0' || slash[1] > '9' || fou_addr_parse(buf, a) ||
	    l > alen(a->family) * 8)
		return -EINVAL;
	m = *a;
	pfx_mask(&m, (uint8_t)l);
	if (!fou_addr_eq(&m, a))
		return -EINVAL;	/* host bits set: as ip route, refused */
	*len = (uint8_t)l;
	return 0;
}

const char *fou_pfx_str(const struct fou_addr *a, uint8_t len, char *buf, size_t n)
{
	char s[48];

	snprintf(buf, n, "%s/%u", fou_addr_str(a, s, sizeof(s)), len);
	return buf;
}

bool fou_pfx_contains(const struct fou_addr *p, uint8_t len, const struct fou_addr *addr)
{
	struct fou_addr m = *addr;

	if (p->family != addr->family)
		return false;
	pfx_mask(&m, len);
	return fou_addr_eq(&m, p);
}

bool fou_pfx_overlap(const struct fou_addr *a, uint8_t alen_, const struct fou_addr *b,
		     uint8_t blen)
{
	return alen_ <= blen ? fou_pfx_contains(a, alen_, b) : fou_pfx_contains(b, blen, a);
}

/* FNV-1a over what identifies a slot. */
static uint32_t pfx_hash(const struct fou_addr *a, uint8_t len)
{
	uint32_t h = 2166136261u ^ (uint32_t)a->family ^ ((uint32_t)len << 8);

	for (size_t i = 0; i < alen(a->family); i++)
		h = (h ^ a->a[i]) * 16777619u;
	return h;
}

int fou_pfx_init(struct fou_pfx *t, size_t max)
{
	size_t cap = 16;

	memset(t, 0, sizeof(*t));
	while (cap < max * 2)
		cap *= 2;	/* at most half full: short probes */
	t->ent = calloc(cap, sizeof(*t->ent));
	t->peer = calloc(cap, sizeof(*t->peer));
	if (!t->ent || !t->peer) {
		fou_pfx_free(t);
		return -ENOMEM;
	}
	t->cap = cap;
	return 0;
}

void fou_pfx_free(struct fou_pfx *t)
{
	free(t->ent);
	free(t->peer);
	memset(t, 0, sizeof(*t));
}

static struct fou_pfx_peer *peer_slot(const struct fou_pfx *t, const struct fou_addr *a)
{
	size_t i = pfx_hash(a, 255) & (t->cap - 1);

	while (t->peer[i].a.family && !fou_addr_eq(&t->peer[i].a, a))
		i = (i + 1) & (t->cap - 1);
	return &t->peer[i];
}

static struct fou_pfx_ent *ent_slot(const struct fou_pfx *t, const struct fou_addr *p,
				    uint8_t len)
{
	size_t i = pfx_hash(p, len) & (t->cap - 1);

	while (t->ent[i].nh.family &&
	       (t->ent[i].plen != len || !fou_addr_eq(&t->ent[i].pfx, p)))
		i = (i + 1) & (t->cap - 1);
	return &t->ent[i];
}

/* Keeps the family's lengths in use sorted, longest first. */
static void len_use(struct fou_pfx *t, int v6, uint8_t len)
{
	uint8_t *l = t->lens[v6], n = t->nlens[v6], i;

	for (i = 0; i < n && l[i] > len; i++)
		;
	if (i < n && l[i] == len)
		return;
	memmove(l + i + 1, l + i, n - i);
	l[i] = len;
	t->nlens[v6]++;
}

int fou_pfx_add(struct fou_pfx *t, const struct fou_addr *pfx, uint8_t len,
		const struct fou_addr *nh)
{
	struct fou_pfx_ent *e;
	struct fou_pfx_peer *p;

	if (!t->cap || (pfx->family != AF_INET && pfx->family != AF_INET6) ||
	    len > alen(pfx->family) * 8 || !nh->family)
		return -EINVAL;
	if ((t->n + 1) * 2 > t->cap)
		return -ENOSPC;
	e = ent_slot(t, pfx, len);
	if (e->nh.family)
		return -EEXIST;
	*e = (struct fou_pfx_ent){ .pfx = *pfx, .plen = len, .nh = *nh };
	t->n++;
	len_use(t, pfx->family == AF_INET6, len);
	p = peer_slot(t, nh);
	if (!p->a.family) {
		p->a = *nh;
		t->npeers++;
	}
	p->refs++;
	return 0;
}

const struct fou_pfx_ent *fou_pfx_lookup(const struct fou_pfx *t, const struct fou_addr *dst)
{
	int v6 = dst->family == AF_INET6;
	const struct fou_pfx_ent *e;
	struct fou_addr m;

	if (!t->cap)
		return NULL;
	for (unsigned int i = 0; i < t->nlens[v6]; i++) {
		m = *dst;
		pfx_mask(&m, t->lens[v6][i]);
		e = ent_slot(t, &m, t->lens[v6][i]);
		if (e->nh.family)
			return e;
	}
	return NULL;
}

bool fou_pfx_peer(const struct fou_pfx *t, const struct fou_addr *a)
{
	return t->cap && a->family && peer_slot(t, a)->a.family;
}

int fou_pfx_inner_dst(const uint8_t *pkt, size_t len, struct fou_addr *dst)
{
	memset(dst, 0, sizeof(*dst));
	if (len < 1)
		return -FOU_DROP_TOO_SHORT;
	if (pkt[0] >> 4 == 4) {
		if (len < FOU_IPV4_HLEN)
			return -FOU_DROP_TOO_SHORT;
		dst->family = AF_INET;
		memcpy(dst->a, pkt + 16, 4);
		return 0;
	}
	if (pkt[0] >> 4 != 6)
		return -FOU_DROP_BAD_IP;
	if (len < FOU_IPV6_HLEN)
		return -FOU_DROP_TOO_SHORT;
	dst->family = AF_INET6;
	memcpy(dst->a, pkt + 24, 16);
	return 0;
}
