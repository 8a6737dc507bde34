/* SPDX-License-Identifier: MIT */
/*
 * A fleet's L3 device (`fleet prefix`) on the BPF path: each prefix of its
 * table in foud_mp (an LPM trie the transmit program looks the inner
 * destination up in), each node's receive keys in foud_rx, so that the
 * receive program takes the fleet's members and leaves everyone else to
 * foud, which drops them as unknown_peer. Only the changes are written.
 */
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>

#include "bpf_mp.h"
#include "foud.h"

static void mp_key(__u32 ifindex, const struct fou_pfx_ent *e, struct foud_bpf_mpkey *k)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = ifindex;
	k->v6 = e->pfx.family == AF_INET6;
	k->prefixlen = 64 + e->plen;
	memcpy(k->addr, e->pfx.a, k->v6 ? 16 : 4);
}

/* Whether t has e, with the same node. */
static bool ent_in(const struct fou_pfx *t, const struct fou_pfx_ent *e)
{
	const struct fou_pfx_ent *x = t ? fou_pfx_lookup(t, &e->pfx) : NULL;

	return x && x->plen == e->plen && fou_addr_eq(&x->pfx, &e->pfx) &&
	       fou_addr_eq(&x->nh, &e->nh);
}

/* A node's receive keys: added (rv) or deleted (NULL). */
static void peer_keys(const struct foud_bpf_mp *m, const struct fou_addr *a, bool add)
{
	struct foud_bpf_rxkey k;

	for (int i = 0; i < m->nkeys; i++) {
		k = m->keys[i];
		memset(k.remote, 0, sizeof(k.remote));
		memcpy(k.remote, a->a, a->family == AF_INET6 ? 16 : 4);
		if (add)
			bpf_map_update_elem(m->rxfd, &k, &m->rv, BPF_ANY);
		else
			bpf_map_delete_elem(m->rxfd, &k);
	}
}

static void prefix_del(const struct foud_bpf_mp *m, const struct fou_pfx_ent *e)
{
	struct foud_bpf_mpkey k;

	mp_key(m->ifindex, e, &k);
	bpf_map_delete_elem(m->mpfd, &k);
}

/* With the device its route goes through now: the programs send only on the underlay. */
static void prefix_add(const struct foud_bpf_mp *m, const struct fou_pfx_ent *e)
{
	int oif = foud_rtnl_route_oif(&e->nh);
	struct foud_bpf_mpkey k;
	struct foud_bpf_mpval v = { .oif = oif > 0 ? (__u32)oif : 0 };

	mp_key(m->ifindex, e, &k);
	memcpy(v.remote, e->nh.a, 16);
	bpf_map_update_elem(m->mpfd, &k, &v, BPF_ANY);
}

static void prefixes_sync(const struct foud_bpf_mp *m, const struct fou_pfx *old,
			  const struct fou_pfx *nw)
{
	for (size_t i = 0; old && i < old->cap; i++)
		if (old->ent[i].nh.family && !ent_in(nw, &old->ent[i]))
			prefix_del(m, &old->ent[i]);
	for (size_t i = 0; nw && i < nw->cap; i++)
		if (nw->ent[i].nh.family && !ent_in(old, &nw->ent[i]))
			prefix_add(m, &nw->ent[i]);
}

void foud_bpf_mp_peers(const struct foud_bpf_mp *m, const struct fou_pfx *t)
{
	for (size_t i = 0; t && i < t->cap; i++)
		if (t->peer[i].a.family)
			peer_keys(m, &t->peer[i].a, true);
}

unsigned int foud_bpf_mp_slow(const struct foud_bpf_mp *m, const struct fou_pfx *t)
{
	struct foud_bpf_mpkey k;
	struct foud_bpf_mpval v;
	unsigned int n = 0;

	for (size_t i = 0; t && i < t->cap; i++) {
		if (!t->ent[i].nh.family)
			continue;
		mp_key(m->ifindex, &t->ent[i], &k);
		n += bpf_map_lookup_elem(m->mpfd, &k, &v) || v.oif != m->oif;
	}
	return n;
}

void foud_bpf_mp_maps(const struct foud_bpf_mp *m, const struct fou_pfx *old,
		      const struct fou_pfx *nw)
{
	prefixes_sync(m, old, nw);
	for (size_t i = 0; old && i < old->cap; i++)
		if (old->peer[i].a.family && !(nw && fou_pfx_peer(nw, &old->peer[i].a)))
			peer_keys(m, &old->peer[i].a, false);
	for (size_t i = 0; nw && i < nw->cap; i++)
		if (nw->peer[i].a.family && !(old && fou_pfx_peer(old, &nw->peer[i].a)))
			peer_keys(m, &nw->peer[i].a, true);
}
