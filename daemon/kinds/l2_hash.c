/* SPDX-License-Identifier: MIT */
/*
 * The L2 devices by what a received packet names, for its receive: a hash,
 * not a walk over every device. A key is a namespace and an id: a UDP
 * overlay's shared port and VNI, a GRE kind and its key or VSID, STT and
 * its context. Among devices of one key, the first added comes first, as
 * with the walk. The GRE kinds are also indexed by remote, to tell a wrong
 * key from a peer (counted as the kind's wrong id) from a stranger.
 */
#include <stdint.h>
#include <string.h>

#include "foud.h"
#include "foud_l2.h"

#define L2_OF(n, member) \
	((struct foud_tunnel *)((char *)(n) - offsetof(struct foud_tunnel, member)))

static uint32_t l2_id_hash(const struct foud *d, const void *ns, uint32_t id)
{
	uintptr_t a = (uintptr_t)ns;
	uint32_t w[3] = { (uint32_t)a, (uint32_t)((uint64_t)a >> 32), id };

	return fou_hash_words(w, 3, d->hash_seed);
}

int foud_l2_key_index(struct foud *d, struct foud_tunnel *t, const void *ns, uint32_t id)
{
	t->l2->rx_ns = ns;
	t->l2->rx_id = id;
	return fou_htab_add(&d->l2_ids, &t->rx_node, l2_id_hash(d, ns, id));
}

int foud_l2_id_index(struct foud *d, struct foud_tunnel *t)
{
	return foud_l2_key_index(d, t, t->l2->port, t->l2->cfg.vni);
}

/* Also for a device never indexed: removing what is not there does nothing. */
void foud_l2_id_unindex(struct foud *d, struct foud_tunnel *t)
{
	fou_htab_del(&d->l2_ids, &t->rx_node);
	if (!d->l2_ids.n)
		fou_htab_free(&d->l2_ids);
}

/* The next device of key (ns, id) after prev (NULL: the first), or NULL. */
struct foud_tunnel *foud_l2_key_next(struct foud *d, const void *ns, uint32_t id,
				     const struct foud_tunnel *prev)
{
	struct fou_hnode *n;

	n = prev ? fou_htab_next(&prev->rx_node) :
		   fou_htab_first(&d->l2_ids, l2_id_hash(d, ns, id));
	for (; n; n = fou_htab_next(n))
		if (L2_OF(n, rx_node)->l2->rx_ns == ns && L2_OF(n, rx_node)->l2->rx_id == id)
			return L2_OF(n, rx_node);
	return NULL;
}

struct foud_tunnel *foud_l2_id_find(struct foud *d, const struct foud_l2port *p, uint32_t vni)
{
	return foud_l2_key_next(d, p, vni, NULL);
}

/* ---- by remote ---------------------------------------------------------- */

int foud_l2_remote_index(struct foud *d, struct foud_tunnel *t)
{
	return fou_htab_add(&d->l2_remotes, &t->rx_peer,
			    fou_addr_hash(&t->l2->cfg.remote, d->hash_seed));
}

void foud_l2_remote_unindex(struct foud *d, struct foud_tunnel *t)
{
	fou_htab_del(&d->l2_remotes, &t->rx_peer);
	if (!d->l2_remotes.n)
		fou_htab_free(&d->l2_remotes);
}

/* The next device after prev (NULL: the first) whose remote is a, or NULL. */
struct foud_tunnel *foud_l2_remote_next(struct foud *d, const struct fou_addr *a,
					const struct foud_tunnel *prev)
{
	struct fou_hnode *n;

	n = prev ? fou_htab_next(&prev->rx_peer) :
		   fou_htab_first(&d->l2_remotes, fou_addr_hash(a, d->hash_seed));
	for (; n; n = fou_htab_next(n))
		if (fou_addr_eq(&L2_OF(n, rx_peer)->l2->cfg.remote, a))
			return L2_OF(n, rx_peer);
	return NULL;
}
