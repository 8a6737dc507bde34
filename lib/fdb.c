// SPDX-License-Identifier: MIT
/*
 * Forwarding table of an L2 overlay device, with the semantics of
 * drivers/net/vxlan/vxlan_core.c:
 *   - vxlan_snoop(): an unknown source is learned; a learned source seen
 *     behind another remote moves; a static one does not, and the frame is
 *     dropped; frames from an invalid source MAC are dropped;
 *   - vxlan_fdb_create(): addrmax (maxaddress) bounds every entry;
 *   - vxlan_cleanup(): learned entries expire `ageing` seconds after their
 *     last update (static ones never);
 *   - vxlan_xmit(): a destination without an entry goes to every remote of
 *     the all-zero entry.
 * Storage: linear probing over a power-of-two array, deletion by backward
 * shift so that lookups never wade through tombstones after a MAC flood
 * ages out. Learning, on the packet path, never allocates: the array is
 * preallocated for maxaddress (up to FOU_FDB_PREALLOC slots), and a source
 * that finds it 3/4 full is refused and counted. The control path (static
 * entries) doubles it as needed; the ageing tick doubles it when learning
 * has filled half, so an unbounded device grows a step per second, and
 * halves it below 1/8, never under what was preallocated. A budget shared
 * by the devices bounds them all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fou/l2.h"

static size_t fdb_home(const struct fou_fdb *f, const uint8_t *mac)
{
	return fou_mac_hash(mac, f->seed) & (f->size - 1);
}

static size_t fdb_next(const struct fou_fdb *f, size_t i)
{
	return (i + 1) & (f->size - 1);
}

/* Slots that hold maxaddress entries under 3/4 full, within [MIN_SIZE, PREALLOC]. */
static size_t fdb_floor(size_t maxaddress)
{
	size_t size = FOU_FDB_MIN_SIZE;

	while (size < FOU_FDB_PREALLOC && size / 4 * 3 < maxaddress)
		size *= 2;
	return size;
}

int fou_fdb_init(struct fou_fdb *f, size_t maxaddress, uint32_t ageing, uint32_t seed,
		 struct fou_addr *flood, size_t flood_cap, struct fou_fdb_budget *budget)
{
	memset(f, 0, sizeof(*f));
	f->floor = fdb_floor(maxaddress);
	f->tab = calloc(f->floor, sizeof(*f->tab));
	if (!f->tab)
		return -ENOMEM;
	f->size = f->floor;
	f->limit = maxaddress ? maxaddress : SIZE_MAX;
	f->oldest = UINT64_MAX;
	f->seed = seed;
	f->ageing_ms = (uint64_t)ageing * 1000;
	f->flood = flood;
	f->flood_cap = flood ? flood_cap : 0;
	f->budget = budget;
	return 0;
}

void fou_fdb_free(struct fou_fdb *f)
{
	if (f->budget)
		f->budget->used -= f->count;
	free(f->tab);
	f->tab = NULL;
	f->size = f->count = 0;
}

size_t fou_fdb_mem(const struct fou_fdb *f)
{
	return f->size * sizeof(*f->tab);
}

/* Slot holding mac, or the empty slot where it would go; never full (count < 3/4 size). */
static size_t fdb_find(const struct fou_fdb *f, const uint8_t *mac, bool *found)
{
	size_t i = fdb_home(f, mac);

	while (f->tab[i].flags) {
		if (memcmp(f->tab[i].mac, mac, FOU_ETH_ALEN) == 0) {
			*found = true;
			return i;
		}
		i = fdb_next(f, i);
	}
	*found = false;
	return i;
}

/* Moves every entry into a new array of size slots (a power of two). */
static int fdb_resize(struct fou_fdb *f, size_t size)
{
	struct fou_fdb_entry *old = f->tab;
	size_t i, n = f->size;
	bool found;

	f->tab = calloc(size, sizeof(*f->tab));
	if (!f->tab) {
		f->tab = old;
		return -ENOMEM;
	}
	f->size = size;
	for (i = 0; i < n; i++)
		if (old[i].flags)
			f->tab[fdb_find(f, old[i].mac, &found)] = old[i];
	free(old);
	return 0;
}

/* Halves the array while it is under 1/8 full; a failure keeps the bigger one. */
static void fdb_shrink(struct fou_fdb *f)
{
	size_t size = f->size;

	while (size > f->floor && f->count < size / 8)
		size /= 2;
	if (size != f->size)
		fdb_resize(f, size);
}

/* Whether one more entry stays under maxaddress and the shared budget. */
static bool fdb_allowed(const struct fou_fdb *f)
{
	return f->count < f->limit && (!f->budget || f->budget->used < f->budget->max);
}

static int fdb_grow(struct fou_fdb *f)
{
	if (f->size > SIZE_MAX / 2 / sizeof(*f->tab))
		return -ENOSPC;
	return fdb_resize(f, f->size * 2);
}

/*
 * Room for one more entry: allowed, and an array under 3/4 full after it,
 * doubled if need be when grow (never for learning: no allocation on the
 * packet path). *i, the free slot fdb_find() gave, is found again after a
 * resize.
 */
static int fdb_reserve(struct fou_fdb *f, const uint8_t *mac, size_t *i, bool grow)
{
	bool found;

	if (!fdb_allowed(f))
		return -ENOSPC;
	if ((f->count + 1) * 4 > f->size * 3) {
		if (!grow || fdb_grow(f))
			return -ENOSPC;
		*i = fdb_find(f, mac, &found);
	}
	f->count++;
	if (f->budget)
		f->budget->used++;
	return 0;
}

/* Whether home h lies cyclically in (hole, j]: then the entry at j must stay. */
static bool fdb_stays(size_t hole, size_t h, size_t j)
{
	if (hole <= j)
		return hole < h && h <= j;
	return hole < h || h <= j;
}

/* Backward-shift deletion (Knuth 6.4 algorithm R). */
static void fdb_remove_at(struct fou_fdb *f, size_t hole)
{
	size_t j = hole;

	for (;;) {
		j = fdb_next(f, j);
		if (!f->tab[j].flags)
			break;
		if (fdb_stays(hole, fdb_home(f, f->tab[j].mac), j))
			continue;
		f->tab[hole] = f->tab[j];
		hole = j;
	}
	memset(&f->tab[hole], 0, sizeof(f->tab[hole]));
	f->count--;
	if (f->budget)
		f->budget->used--;
}

/* Keeps oldest a lower bound of every learned entry's updated. */
static void fdb_seen(struct fou_fdb *f, struct fou_fdb_entry *e, uint64_t now)
{
	e->updated = now;
	if (now < f->oldest)
		f->oldest = now;
}

static void fdb_put(struct fou_fdb *f, size_t i, const uint8_t *mac,
		    const struct fou_addr *remote, uint8_t flags, uint64_t now)
{
	memcpy(f->tab[i].mac, mac, FOU_ETH_ALEN);
	f->tab[i].flags = flags;
	f->tab[i].remote = *remote;
	f->tab[i].updated = now;
}

int fou_fdb_learn(struct fou_fdb *f, const uint8_t *mac,
		  const struct fou_addr *remote, uint64_t now)
{
	struct fou_fdb_entry *e;
	bool found;
	size_t i;

	if (fou_mac_is_mcast(mac) || fou_mac_is_zero(mac))
		return -FOU_DROP_BAD_SRC_MAC;
	i = fdb_find(f, mac, &found);
	if (!found) {
		/* The frame is still delivered: the caller only counts this. */
		if (fdb_reserve(f, mac, &i, false)) {
			f->refused++;
			return -FOU_DROP_FDB_FULL;
		}
		fdb_put(f, i, mac, remote, FOU_FDB_F_LEARNED, now);
		fdb_seen(f, &f->tab[i], now);
		f->learned++;
		return 0;
	}
	e = &f->tab[i];
	if (fou_addr_eq(&e->remote, remote)) {
		if (e->flags & FOU_FDB_F_LEARNED)
			fdb_seen(f, e, now);
		return 0;
	}
	if (e->flags & FOU_FDB_F_STATIC)
		return -FOU_DROP_FDB_STATIC;
	e->remote = *remote;
	fdb_seen(f, e, now);
	f->moved++;
	return 0;
}

int fou_fdb_add(struct fou_fdb *f, const uint8_t *mac,
		const struct fou_addr *remote, unsigned int flags, uint64_t now)
{
	bool found;
	size_t i;

	if (fou_mac_is_zero(mac))
		return -EINVAL;
	i = fdb_find(f, mac, &found);
	if (found) {
		if (!(flags & FOU_FDB_F_REPLACE))
			return -EEXIST;
	} else if (fdb_reserve(f, mac, &i, true)) {
		return -ENOSPC;
	}
	fdb_put(f, i, mac, remote, FOU_FDB_F_STATIC, now);
	return 0;
}

int fou_fdb_del(struct fou_fdb *f, const uint8_t *mac)
{
	bool found;
	size_t i;

	i = fdb_find(f, mac, &found);
	if (!found)
		return -ENOENT;
	fdb_remove_at(f, i);
	fdb_shrink(f);
	return 0;
}

/* Removes every entry match() selects; rescans a slot an entry moved into. */
static size_t fdb_remove_if(struct fou_fdb *f,
			    bool (*match)(struct fou_fdb *, const struct fou_fdb_entry *, uint64_t),
			    uint64_t arg)
{
	size_t i = 0, n = 0;

	while (i < f->size) {
		if (f->tab[i].flags && match(f, &f->tab[i], arg)) {
			fdb_remove_at(f, i);
			n++;
			continue;
		}
		i++;
	}
	fdb_shrink(f);
	return n;
}

static bool fdb_is_learned(struct fou_fdb *f, const struct fou_fdb_entry *e, uint64_t all)
{
	(void)f;
	return all || (e->flags & FOU_FDB_F_LEARNED);
}

/* Also gathers the oldest survivor, so that the next scan waits until one can expire. */
static bool fdb_expired(struct fou_fdb *f, const struct fou_fdb_entry *e, uint64_t now)
{
	if (!(e->flags & FOU_FDB_F_LEARNED))
		return false;
	if (e->updated + f->ageing_ms <= now)
		return true;
	if (e->updated < f->oldest)
		f->oldest = e->updated;
	return false;
}

void fou_fdb_flush(struct fou_fdb *f, bool all)
{
	fdb_remove_if(f, fdb_is_learned, all);
}

static size_t fdb_expire(struct fou_fdb *f, uint64_t now)
{
	size_t n;

	/* Nothing learned, or nothing old enough: the scan is skipped. */
	if (f->ageing_ms == 0 || f->oldest == UINT64_MAX || f->oldest + f->ageing_ms > now)
		return 0;
	f->oldest = UINT64_MAX;
	n = fdb_remove_if(f, fdb_expired, now);
	f->aged += n;
	return n;
}

size_t fou_fdb_age(struct fou_fdb *f, uint64_t now)
{
	size_t n = fdb_expire(f, now);

	/* Headroom for the next second's learning, off the packet path. */
	if (f->count * 2 > f->size && fdb_allowed(f))
		fdb_grow(f);
	return n;
}

static size_t flood_find(const struct fou_fdb *f, const struct fou_addr *remote)
{
	size_t i;

	for (i = 0; i < f->nflood; i++)
		if (fou_addr_eq(&f->flood[i], remote))
			break;
	return i;
}

int fou_fdb_flood_add(struct fou_fdb *f, const struct fou_addr *remote)
{
	if (flood_find(f, remote) < f->nflood)
		return -EEXIST;
	if (f->nflood >= f->flood_cap)
		return -ENOSPC;
	f->flood[f->nflood++] = *remote;
	return 0;
}

int fou_fdb_flood_del(struct fou_fdb *f, const struct fou_addr *remote)
{
	size_t i = flood_find(f, remote);

	if (i == f->nflood)
		return -ENOENT;
	/* Keep the order: replication follows the order of `append`. */
	memmove(&f->flood[i], &f->flood[i + 1], (f->nflood - i - 1) * sizeof(f->flood[0]));
	f->nflood--;
	return 0;
}

const struct fou_fdb_entry *fou_fdb_lookup(const struct fou_fdb *f, const uint8_t *mac)
{
	bool found;
	size_t i;

	i = fdb_find(f, mac, &found);
	return found ? &f->tab[i] : NULL;
}

const struct fou_fdb_entry *fou_fdb_next(const struct fou_fdb *f, size_t *pos)
{
	while (*pos < f->size) {
		const struct fou_fdb_entry *e = &f->tab[(*pos)++];

		if (e->flags)
			return e;
	}
	return NULL;
}
