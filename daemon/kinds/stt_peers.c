/* SPDX-License-Identifier: MIT */
/*
 * The STT receive path asks, for every segment before it takes reassembly
 * memory, whether its source is a peer of some device on its destination
 * address: the device itself is named only by the frame's first bytes. A
 * hash of (peer, local) pairs answers that, each pair counted once per
 * device that has it (the same remote on many contexts is one entry).
 */
#include <errno.h>
#include <stdlib.h>

#include "foud.h"
#include "foud_l2.h"
#include "stt_peers.h"

struct stt_peer {
	struct fou_hnode n;		/* first: the node is the entry */
	struct fou_addr src, local;
	unsigned int refs;
};

static uint32_t pair_hash(const struct foud_stt_peers *p, const struct fou_addr *src,
			  const struct fou_addr *local)
{
	return fou_addr_hash(src, fou_addr_hash(local, p->seed));
}

static struct stt_peer *pair_find(const struct foud_stt_peers *p, const struct fou_addr *src,
				  const struct fou_addr *local)
{
	struct fou_hnode *n;

	for (n = fou_htab_first(&p->h, pair_hash(p, src, local)); n; n = fou_htab_next(n)) {
		struct stt_peer *e = (struct stt_peer *)n;

		if (fou_addr_eq(&e->src, src) && fou_addr_eq(&e->local, local))
			return e;
	}
	return NULL;
}

static int pair_get(struct foud_stt_peers *p, const struct fou_addr *src,
		    const struct fou_addr *local)
{
	struct stt_peer *e = pair_find(p, src, local);

	if (e) {
		e->refs++;
		return 0;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->src = *src;
	e->local = *local;
	e->refs = 1;
	if (fou_htab_add(&p->h, &e->n, pair_hash(p, src, local))) {
		free(e);
		return -ENOMEM;
	}
	return 0;
}

static void pair_put(struct foud_stt_peers *p, const struct fou_addr *src,
		     const struct fou_addr *local)
{
	struct stt_peer *e = pair_find(p, src, local);

	if (!e || --e->refs)
		return;
	fou_htab_del(&p->h, &e->n);
	free(e);
	if (!p->h.n)
		fou_htab_free(&p->h);
}

static void peers_put(struct foud_stt_peers *p, const struct foud_l2 *l, size_t n)
{
	while (n--)
		pair_put(p, &l->peers[n], &l->cfg.local);
}

int foud_stt_peers_add(struct foud_stt_peers *p, const struct foud_tunnel *t)
{
	const struct foud_l2 *l = t->l2;
	size_t i;

	for (i = 0; i < l->npeers; i++) {
		if (pair_get(p, &l->peers[i], &l->cfg.local)) {
			peers_put(p, l, i);
			return -ENOMEM;
		}
	}
	return 0;
}

void foud_stt_peers_del(struct foud_stt_peers *p, const struct foud_tunnel *t)
{
	peers_put(p, t->l2, t->l2->npeers);
}

bool foud_stt_peers_has(const struct foud_stt_peers *p, const struct fou_addr *src,
			const struct fou_addr *dst)
{
	return pair_find(p, src, dst) != NULL;
}

void foud_stt_peers_free(struct foud_stt_peers *p)
{
	size_t i;

	for (i = 0; p->h.b && i <= p->h.mask; i++)
		while (p->h.b[i]) {
			struct fou_hnode *n = p->h.b[i];

			fou_htab_del(&p->h, n);
			free(n);
		}
	fou_htab_free(&p->h);
	p->partial = false;
}
