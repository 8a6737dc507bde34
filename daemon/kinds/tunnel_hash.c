/* SPDX-License-Identifier: MIT */
/*
 * The L3 tunnels by what a received packet carries, as ip_tunnel_lookup()
 * hashes them: remote address and GRE key. A packet's candidates are the
 * tunnels of its hash, in the order they were added (fou_tnl_match still
 * decides, so the first configured wins as with the list before); a second
 * table by remote alone tells "no tunnel" from "unknown peer" for a drop.
 */
#include <string.h>

#include "foud.h"

#define TNL_OF(n, member) \
	((struct foud_tunnel *)((char *)(n) - offsetof(struct foud_tunnel, member)))

/* address (its hash ah), whether keyed, key: what fou_tnl_match compares but local. */
static uint32_t tnl_hash_of(const struct foud *d, uint32_t ah, bool keyed, uint32_t key)
{
	uint32_t w[3] = { ah, keyed, keyed ? key : 0 };

	return fou_hash_words(w, 3, d->hash_seed);
}

static uint32_t tnl_hash(const struct foud *d, const struct fou_addr *a, bool keyed, uint32_t key)
{
	return tnl_hash_of(d, fou_addr_hash(a, d->hash_seed), keyed, key);
}

static uint32_t peer_hash(const struct foud *d, const struct fou_addr *a)
{
	return tnl_hash(d, a, false, 1);
}

/* On receive: the address's hash remembered for the next segment (as foud_tnl_lookup()). */
static uint32_t peer_hash_rx(struct foud *d, const struct fou_addr *a)
{
	return tnl_hash_of(d, fou_addr_hash_last(&d->tnl_last, a, d->hash_seed), false, 1);
}

static bool tnl_keyed(const struct foud_tunnel *t)
{
	return fou_kind(t->tnl.kind)->gre && (t->tnl.gre_iflags & FOU_GRE_KEY);
}

int foud_tnl_index(struct foud *d, struct foud_tunnel *t)
{
	int ret = fou_htab_add(&d->tnl_rx, &t->rx_node,
			       tnl_hash(d, &t->tnl.remote, tnl_keyed(t), t->tnl.ikey));

	if (!ret)
		ret = fou_htab_add(&d->tnl_peers, &t->rx_peer, peer_hash(d, &t->tnl.remote));
	return ret;
}

/* Also for a tunnel foud_tnl_index failed on: removing what is not there does nothing. */
void foud_tnl_unindex(struct foud *d, struct foud_tunnel *t)
{
	fou_htab_del(&d->tnl_rx, &t->rx_node);
	fou_htab_del(&d->tnl_peers, &t->rx_peer);
	if (!d->tnl_rx.n)
		fou_htab_free(&d->tnl_rx);
	if (!d->tnl_peers.n)
		fou_htab_free(&d->tnl_peers);
}

struct foud_tunnel *foud_tnl_lookup(struct foud *d, const struct fou_rx *rx)
{
	bool keyed = rx->proto == FOU_PROTO_GRE && (rx->gre.flags & FOU_GRE_KEY);
	uint32_t ah = fou_addr_hash_last(&d->tnl_last, &rx->src, d->hash_seed);
	struct fou_hnode *n;

	for (n = fou_htab_first(&d->tnl_rx, tnl_hash_of(d, ah, keyed, rx->gre.key)); n;
	     n = fou_htab_next(n))
		if (fou_tnl_match(&TNL_OF(n, rx_node)->tnl, rx))
			return TNL_OF(n, rx_node);
	return NULL;
}

struct foud_tunnel *foud_tnl_peer(struct foud *d, const struct fou_addr *src,
				  bool (*ok)(const struct foud_tunnel *t, const void *arg),
				  const void *arg)
{
	struct foud_tunnel *t;
	struct fou_hnode *n;

	for (n = fou_htab_first(&d->tnl_peers, peer_hash_rx(d, src)); n; n = fou_htab_next(n)) {
		t = TNL_OF(n, rx_peer);
		if (fou_addr_eq(&t->tnl.remote, src) && (!ok || ok(t, arg)))
			return t;
	}
	return NULL;
}
