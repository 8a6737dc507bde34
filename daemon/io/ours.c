/* SPDX-License-Identifier: MIT */
/*
 * foud's receive points, one table: every UDP port of every kind (FOU, GUE,
 * VXLAN, Geneve, TOU), STT's TCP port and the raw IP protocols of plain
 * tunnels. Each is added when its socket opens and removed when it closes,
 * reference-counted, so a receive point added later cannot be missed by the
 * "never nest" check (foud_ours_has) nor by the BPF programs' map, which is
 * built from this table (foud_ours_list).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "foud.h"

struct foud_ours {
	struct foud_rp *rp;		/* the points, with their users */
	size_t n, cap;
	/* One bit per port (UDP, TCP) or protocol (raw): the packet path's lookup. */
	uint8_t udp[65536 / 8], tcp[65536 / 8], raw[256 / 8];
	void (*changed)(struct foud *d);	/* who mirrors the table (the BPF maps) */
};

/* A receive point's bit in the packet path's maps: its byte, and the mask in *mask. */
static uint8_t *ours_bit(struct foud_ours *o, uint8_t proto, uint16_t port, uint8_t *mask)
{
	uint8_t *map = o->raw;
	uint16_t key = proto;

	if (proto == FOU_PROTO_UDP || proto == FOU_PROTO_TCP) {
		map = proto == FOU_PROTO_UDP ? o->udp : o->tcp;
		key = port;
	}
	*mask = (uint8_t)(1u << (key % 8));
	return &map[key / 8];
}

/* Raw protocols have no port: the table keeps 0 for them. */
static uint16_t ours_port(uint8_t proto, uint16_t port)
{
	return proto == FOU_PROTO_UDP || proto == FOU_PROTO_TCP ? port : 0;
}

static struct foud_rp *ours_find(struct foud_ours *o, uint8_t proto, uint16_t port)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->rp[i].proto == proto && o->rp[i].port == port)
			return &o->rp[i];
	return NULL;
}

static int ours_grow(struct foud_ours *o)
{
	size_t cap = o->cap ? o->cap * 2 : 16;
	struct foud_rp *rp = realloc(o->rp, cap * sizeof(*rp));

	if (!rp)
		return -ENOMEM;
	o->rp = rp;
	o->cap = cap;
	return 0;
}

static void ours_changed(struct foud *d)
{
	if (d->ours->changed)
		d->ours->changed(d);
}

/* Sets or clears the bit of (proto, port) in the map the BPF programs read. */
static void ours_mark(struct foud *d, uint8_t proto, uint16_t port, bool on)
{
	uint8_t mask, *bit;

	/* before mask is read: the operands of one expression are unsequenced */
	bit = ours_bit(d->ours, proto, port, &mask);
	*bit = on ? (uint8_t)(*bit | mask) : (uint8_t)(*bit & ~mask);
	ours_changed(d);
}

void foud_ours_watch(struct foud *d, void (*fn)(struct foud *d))
{
	if (d->ours)
		d->ours->changed = fn;
}

int foud_ours_add(struct foud *d, uint8_t proto, uint16_t port)
{
	struct foud_ours *o = d->ours;
	struct foud_rp *rp;

	port = ours_port(proto, port);
	rp = ours_find(o, proto, port);
	if (rp) {
		rp->users++;
		return 0;
	}
	if (o->n == o->cap && ours_grow(o))
		return -ENOMEM;
	o->rp[o->n++] = (struct foud_rp){ .proto = proto, .port = port, .users = 1 };
	ours_mark(d, proto, port, true);
	return 0;
}

void foud_ours_del(struct foud *d, uint8_t proto, uint16_t port)
{
	struct foud_ours *o = d->ours;
	struct foud_rp *rp;

	port = ours_port(proto, port);
	rp = ours_find(o, proto, port);
	if (!rp || --rp->users)
		return;
	*rp = o->rp[--o->n];
	ours_mark(d, proto, port, false);
}

bool foud_ours_has(const struct foud *d, uint8_t proto, uint16_t port)
{
	const uint8_t *bit;
	uint8_t mask;

	bit = ours_bit(d->ours, proto, port, &mask);
	return *bit & mask;
}

/*
 * Never nest: whether a decapsulated packet (an Ethernet frame with l2)
 * would reach one of foud's receive points, or cannot be judged (dropped
 * rather than delivered). A TCP segment costs the walk and one bit test.
 */
bool foud_nested(const struct foud *d, const uint8_t *p, size_t len, bool l2)
{
	struct fou_nest n;

	switch (fou_nest_judge(p, len, l2, &n)) {
	case FOU_NEST_L4:
		return foud_ours_has(d, n.proto, n.dport);
	case FOU_NEST_UNKNOWN:
		return true;
	default:
		return false;
	}
}

size_t foud_ours_list(const struct foud *d, const struct foud_rp **rp)
{
	*rp = d->ours->rp;
	return d->ours->n;
}

int foud_ours_init(struct foud *d)
{
	d->ours = calloc(1, sizeof(*d->ours));
	return d->ours ? 0 : -ENOMEM;
}

void foud_ours_fini(struct foud *d)
{
	if (!d->ours)
		return;
	free(d->ours->rp);
	free(d->ours);
	d->ours = NULL;
}
