/* SPDX-License-Identifier: MIT */
/*
 * The UDP overlay devices (VXLAN, Geneve) by shared port and VNI, for a
 * received datagram: a hash, not a walk over every device. Among devices of
 * one port and VNI, the first added answers, as the walk did.
 */
#include <stdint.h>
#include <string.h>

#include "foud.h"
#include "foud_l2.h"

#define L2_OF(n)	((struct foud_tunnel *)((char *)(n) - offsetof(struct foud_tunnel, rx_node)))

static uint32_t l2_id_hash(const struct foud *d, const struct foud_l2port *p, uint32_t vni)
{
	uintptr_t a = (uintptr_t)p;
	uint32_t w[3] = { (uint32_t)a, (uint32_t)((uint64_t)a >> 32), vni };

	return fou_hash_words(w, 3, d->hash_seed);
}

int foud_l2_id_index(struct foud *d, struct foud_tunnel *t)
{
	return fou_htab_add(&d->l2_ids, &t->rx_node, l2_id_hash(d, t->l2->port, t->l2->cfg.vni));
}

/* Also for a device never indexed: removing what is not there does nothing. */
void foud_l2_id_unindex(struct foud *d, struct foud_tunnel *t)
{
	fou_htab_del(&d->l2_ids, &t->rx_node);
	if (!d->l2_ids.n)
		fou_htab_free(&d->l2_ids);
}

struct foud_tunnel *foud_l2_id_find(struct foud *d, const struct foud_l2port *p, uint32_t vni)
{
	struct fou_hnode *n;

	for (n = fou_htab_first(&d->l2_ids, l2_id_hash(d, p, vni)); n; n = fou_htab_next(n))
		if (L2_OF(n)->l2->port == p && L2_OF(n)->l2->cfg.vni == vni)
			return L2_OF(n);
	return NULL;
}
