/* SPDX-License-Identifier: MIT */
/*
 * L3 fleets: a device with `fleet prefix P` (ipip, sit, gre, ip6tnl,
 * ip6gre; any encap) publishes P with its kind and encapsulation; every
 * other node's prefix, published by a device of the same kind,
 * encapsulation and port, is routed over ours with that node's address as
 * the outer destination: a route `P via NODE dev DEV onlink` (what the
 * kernel's NBMA tunnels take), a prefix table the userspace path looks up
 * per packet (tunnel.c), and the BPF maps (bpf_mp.c).
 *
 * Prefixes must not overlap: one that overlaps one of ours, or one
 * already routed, is refused and logged with its publisher's name, and the
 * rest stay. Between two new ones the node of the lower name wins, so every
 * host decides alike.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "foud.h"
#include "fleet.h"
#include "fou/pfx.h"

/* A prefix someone claims for one of our devices; ours have no node. */
struct l3_cand {
	struct fleet_node *n;		/* NULL: one of this host's devices */
	const char *owner;		/* node name, or our device's */
	struct fou_addr pfx, nh;
	uint8_t plen;
	uint8_t lo[16], hi[16];		/* the first and last address */
	int prio;			/* 0 ours, 1 routed already, 2 new */
	bool ok;
};

json_t *fleet_l3_publish(const struct foud_tunnel *t)
{
	char pf[64];

	fou_pfx_str(&t->cfg.fleet_pfx, t->cfg.fleet_plen, pf, sizeof(pf));
	return json_pack("{s:s, s:s, s:s, s:i, s:s}", "name", t->name,
			 "kind", fk_by_tnl(t->tnl.kind)->name, "encap", fleet_encap_name(t->tnl.encap),
			 "port", t->tnl.encap == FOU_ENCAP_NONE ? 0 : t->tnl.encap_dport, "prefix", pf);
}

void fleet_l3_show_dev(const struct fleet_dev *v, struct foud_pr *p)
{
	char pf[64];

	foud_pr_str(p, "kind", " %s", fk_by_tnl(v->tnl)->name);
	foud_pr_str(p, "encap", " encap %s", fleet_encap_name(v->encap));
	foud_pr_uint(p, "port", v->port ? " port %u" : NULL, v->port);
	foud_pr_str(p, "prefix", " prefix %s", fou_pfx_str(&v->pfx, v->plen, pf, sizeof(pf)));
}

/* The address of node n our device t sends to: the one of t's underlay family, or NULL. */
static const struct fou_addr *l3_addr(const struct foud_tunnel *t, const struct fleet_node *n)
{
	return fleet_value_addr(&n->v, t->tnl.local.family);
}

/* Whether node n's device v can be reached through our device t. */
static bool l3_same(const struct foud_tunnel *t, const struct fleet_dev *v,
		    const struct fleet_node *n)
{
	return fk_l3(v->kind) && v->tnl == t->tnl.kind && v->encap == t->tnl.encap &&
	       v->port == (t->tnl.encap == FOU_ENCAP_NONE ? 0 : t->tnl.encap_dport) &&
	       l3_addr(t, n);
}

static void cand_range(struct l3_cand *c)
{
	size_t n = c->pfx.family == AF_INET6 ? 16 : 4;

	memset(c->lo, 0, 16);
	memset(c->hi, 0, 16);
	memcpy(c->lo, c->pfx.a, n);
	for (size_t i = 0; i < n; i++) {
		unsigned int bits = c->plen > i * 8 ? c->plen - (unsigned int)i * 8 : 0;

		c->hi[i] = bits >= 8 ? c->lo[i] : (uint8_t)(c->lo[i] | (0xff >> bits));
	}
}

static int cand_cmp(const void *x, const void *y)
{
	const struct l3_cand *a = x, *b = y;
	int c = (a->pfx.family > b->pfx.family) - (a->pfx.family < b->pfx.family);

	if (!c)
		c = memcmp(a->lo, b->lo, 16);
	return c ? c : a->prio - b->prio;
}

/* Which of two overlapping claims stays: ours, then the one routed already, then the lower name. */
static bool cand_wins(const struct l3_cand *a, const struct l3_cand *b)
{
	if (a->prio != b->prio)
		return a->prio < b->prio;
	return strcmp(a->owner, b->owner) < 0;
}

static void cand_refuse(struct l3_cand *c, const char *why)
{
	char pf[64];

	c->ok = false;
	if (!c->n || c->n->l3why[0])
		return;	/* ours are never refused; a node's first reason is enough */
	snprintf(c->n->l3why, sizeof(c->n->l3why), "prefix %s %s",
		 fou_pfx_str(&c->pfx, c->plen, pf, sizeof(pf)), why);
}

/* Sorted claims: each overlapping pair keeps its winner. */
static void cand_sweep(struct l3_cand *c, size_t n)
{
	char why[140], pf[64];
	struct l3_cand *last = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!c[i].ok)
			continue;
		if (last && last->pfx.family == c[i].pfx.family && memcmp(c[i].lo, last->hi, 16) <= 0) {
			struct l3_cand *win = cand_wins(last, &c[i]) ? last : &c[i];
			struct l3_cand *lose = win == last ? &c[i] : last;

			snprintf(why, sizeof(why), "overlaps %s of %s%s",
				 fou_pfx_str(&win->pfx, win->plen, pf, sizeof(pf)),
				 win->n ? "node " : "this host's ", win->owner);
			cand_refuse(lose, why);
			last = win;
			continue;
		}
		last = &c[i];
	}
}

/* A node's claim for t, unless it covers an underlay address (a loop). */
static void cand_add(struct foud_fleet *f, const struct foud_tunnel *t, struct fleet_node *n,
		     const struct fleet_dev *v, struct l3_cand *c)
{
	const struct fou_pfx_ent *e = t->mp ? fou_pfx_lookup(t->mp, &v->pfx) : NULL;
	const struct fou_addr *nh = l3_addr(t, n);
	char a[64], why[100];

	*c = (struct l3_cand){ .n = n, .owner = n->name, .pfx = v->pfx, .plen = v->plen,
			       .nh = *nh, .prio = 2, .ok = true };
	if (e && e->plen == v->plen && fou_addr_eq(&e->nh, nh) && fou_addr_eq(&e->pfx, &v->pfx))
		c->prio = 1;
	cand_range(c);
	if (fou_pfx_contains(&v->pfx, v->plen, nh) ||
	    fou_pfx_contains(&v->pfx, v->plen, &f->cfg.address) ||
	    fou_pfx_contains(&v->pfx, v->plen, &f->cfg.address2) ||
	    fou_pfx_contains(&v->pfx, v->plen, &t->tnl.local)) {
		snprintf(why, sizeof(why), "covers the underlay address %s",
			 fou_addr_str(fou_pfx_contains(&v->pfx, v->plen, nh) ? nh : &t->tnl.local,
				      a, sizeof(a)));
		cand_refuse(c, why);
	}
}

/* Every claim on t: our devices' prefixes, then each other node's. */
static size_t cand_collect(struct foud_fleet *f, const struct foud_tunnel *t, struct l3_cand *c,
			   size_t max)
{
	struct foud_tunnel *o;
	struct fleet_node *n;
	size_t k = 0;

	FOUD_DEV_FOREACH(o, f->d)
		if (fleet_l3_dev(o) && k < max) {
			c[k] = (struct l3_cand){ .owner = o->name, .pfx = o->cfg.fleet_pfx,
						 .plen = o->cfg.fleet_plen, .prio = 0, .ok = true };
			cand_range(&c[k++]);
		}
	TAILQ_FOREACH(n, &f->nodes, entry) {
		if (!strcmp(n->name, f->cfg.node) || n->why[0])
			continue;
		for (unsigned int i = 0; i < n->v.ndevs && k < max; i++)
			if (l3_same(t, &n->v.dev[i], n))
				cand_add(f, t, n, &n->v.dev[i], &c[k++]);
	}
	return k;
}

static size_t l3_ndevs(const struct foud_fleet *f)
{
	const struct foud_tunnel *t;
	size_t n = 0;

	FOUD_DEV_FOREACH(t, f->d)
		n += fleet_l3_dev(t);
	return n;
}

/* The table the claims that stand make; the representative remote is the first node's. */
static struct fou_pfx *table_build(struct foud *d, struct foud_tunnel *t, const struct l3_cand *c,
				  size_t n)
{
	struct fou_pfx *tb = calloc(1, sizeof(*tb));
	struct fou_addr was = t->tnl.remote;

	if (!tb || fou_pfx_init(tb, n + 1)) {
		free(tb);
		return NULL;
	}
	memset(&t->tnl.remote, 0, sizeof(t->tnl.remote));
	for (size_t i = 0; i < n; i++) {
		if (!c[i].ok || !c[i].n)
			continue;
		fou_pfx_add(tb, &c[i].pfx, c[i].plen, &c[i].nh);
		/* follow.c follows the route to it: the underlay device, path MTU, BPF's oif. */
		if (!t->tnl.remote.family)
			t->tnl.remote = c[i].nh;
	}
	/* The receive index (tunnel_hash.c) and the device's route, path MTU
	 * and BPF underlay (follow.c) follow it. */
	if (!fou_addr_eq(&was, &t->tnl.remote)) {
		foud_tnl_unindex(d, t);
		if (foud_tnl_index(d, t))
			foud_log(LOG_WARNING, "%s: receive index: out of memory", t->name);
	}
	if (!fou_addr_eq(&was, &t->tnl.remote) || !t->mp)
		foud_follow_poke(d);
	return tb;
}

/* ---- routes ---------------------------------------------------------------- */

static int route_cmp(const void *x, const void *y)
{
	const struct fleet_route *a = x, *b = y;
	int c = (a->ifindex > b->ifindex) - (a->ifindex < b->ifindex);

	if (!c)
		c = (a->pfx.family > b->pfx.family) - (a->pfx.family < b->pfx.family);
	if (!c)
		c = memcmp(a->pfx.a, b->pfx.a, 16);
	return c ? c : a->plen - b->plen;
}

static void route_set(bool add, const struct fleet_route *r, unsigned int *nerr, int *err)
{
	int ret = foud_rtnl_prefix(add, r->ifindex, &r->pfx, r->plen, &r->nh);

	/* A deleted device took its routes along: nothing to say. */
	if (ret && !(!add && (ret == -ESRCH || ret == -ENODEV)) && !(*nerr)++)
		*err = ret;
}

/* Installs what new has and old had not (or with another node), removes the rest. */
static void routes_apply(struct foud_fleet *f, struct fleet_route *nw, size_t n)
{
	size_t i = 0, j = 0;
	unsigned int nerr = 0;
	int err = 0, c;

	qsort(nw, n, sizeof(*nw), route_cmp);
	while (i < f->nroutes || j < n) {
		c = i == f->nroutes ? 1 : j == n ? -1 : route_cmp(&f->routes[i], &nw[j]);
		if (c < 0) {
			route_set(false, &f->routes[i++], &nerr, &err);
			continue;
		}
		if (c > 0 || !fou_addr_eq(&f->routes[i].nh, &nw[j].nh))
			route_set(true, &nw[j], &nerr, &err);
		i += c == 0;
		j++;
	}
	if (nerr)
		foud_log(LOG_WARNING, "fleet: %u route changes refused by the kernel: %s", nerr,
			 strerror(-err));
	free(f->routes);
	f->routes = nw;
	f->nroutes = n;
}

/*
 * ---- stale routes: a foud stopped keeps its routes (traffic flows on);
 * those of nodes that left meanwhile go after the next full read.
 */

struct sweep_ctx {
	struct foud_fleet *f;
	struct fleet_route *gone;
	size_t n, cap;
};

static bool l3_ifindex(const struct foud_fleet *f, int ifindex)
{
	const struct foud_tunnel *t;

	FOUD_DEV_FOREACH(t, f->d)
		if (fleet_l3_dev(t) && t->ifindex == ifindex)
			return true;
	return false;
}

/* A route of ours on a fleet device that the last sync did not want: kept to delete. */
static void sweep_one(int ifindex, const struct fou_addr *pfx, uint8_t plen,
		      const struct fou_addr *nh, void *arg)
{
	struct sweep_ctx *c = arg;
	struct fleet_route r = { .ifindex = ifindex, .pfx = *pfx, .plen = plen, .nh = *nh }, *g;

	if (!l3_ifindex(c->f, ifindex) ||
	    bsearch(&r, c->f->routes, c->f->nroutes, sizeof(r), route_cmp))
		return;
	if (c->n == c->cap) {
		g = reallocarray(c->gone, c->cap * 2 + 8, sizeof(*g));
		if (!g)
			return;
		c->gone = g;
		c->cap = c->cap * 2 + 8;
	}
	c->gone[c->n++] = r;
}

void fleet_l3_sweep(struct foud_fleet *f)
{
	static const int fam[] = { AF_INET, AF_INET6 };
	struct sweep_ctx c = { .f = f };
	unsigned int nerr = 0;
	int err = 0;

	if (!l3_ndevs(f))
		return;
	for (size_t i = 0; i < 2; i++)
		if ((err = foud_rtnl_prefixes(fam[i], sweep_one, &c)))
			foud_log(LOG_WARNING, "fleet: reading the routes: %s", strerror(-err));
	for (size_t i = 0; i < c.n; i++) {
		int ret = foud_rtnl_prefix(false, c.gone[i].ifindex, &c.gone[i].pfx, c.gone[i].plen,
					   &c.gone[i].nh);

		if (ret && !nerr++)
			err = ret;
	}
	if (c.n)
		foud_log(LOG_INFO, "fleet: %zu routes of nodes gone removed, %u refused: %s", c.n - nerr,
			 nerr, nerr ? strerror(-err) : "none");
	free(c.gone);
}

/*
 * ---- devices up and down: the kernel drops a device's routes when it goes
 * down and takes none while it is; a device routes the fleet while it is up.
 */

static bool l3_was_up(const struct foud_fleet *f, int ifindex)
{
	for (size_t i = 0; i < f->nl3up; i++)
		if (f->l3up[i] == ifindex)
			return true;
	return false;
}

static void l3_remember_up(struct foud_fleet *f, size_t ndev)
{
	const struct foud_tunnel *t;
	int *up = calloc(ndev + 1, sizeof(*up));
	size_t n = 0;

	if (!up)
		return;
	FOUD_DEV_FOREACH(t, f->d)
		if (fleet_l3_dev(t) && t->dev_up && n < ndev)
			up[n++] = t->ifindex;
	free(f->l3up);
	f->l3up = up;
	f->nl3up = n;
}

/* ---- the sync -------------------------------------------------------------- */

/* t's claims settled into its new table; the routes it wants appended to r. */
static void dev_sync(struct foud_fleet *f, struct foud_tunnel *t, struct l3_cand *c, size_t max,
		     struct fleet_route *r, size_t *nr)
{
	size_t n = cand_collect(f, t, c, max);
	struct fou_pfx *tb;

	qsort(c, n, sizeof(*c), cand_cmp);
	cand_sweep(c, n);
	tb = table_build(f->d, t, c, n);
	if (!tb)
		return;	/* out of memory: the old table stays */
	for (size_t i = 0; i < n && t->dev_up; i++)
		if (c[i].ok && c[i].n)
			r[(*nr)++] = (struct fleet_route){ .ifindex = t->ifindex, .pfx = c[i].pfx,
							   .plen = c[i].plen, .nh = c[i].nh };
	foud_bpf_mp_sync(f->d, t, t->mp, tb);
	if (t->mp)
		fou_pfx_free(t->mp);
	free(t->mp);
	t->mp = tb;
}

/* A node's L3 device that no device of ours carries (another kind, encap or port): refused. */
static void node_mismatch(struct foud_fleet *f, struct fleet_node *n)
{
	const struct foud_tunnel *t;
	const struct fleet_dev *v;
	char pf[64];
	bool same;

	for (unsigned int i = 0; i < n->v.ndevs && !n->l3why[0] && !n->why[0]; i++) {
		v = &n->v.dev[i];
		same = false;
		FOUD_DEV_FOREACH(t, f->d)
			same |= fleet_l3_dev(t) && l3_same(t, v, n);
		if (!fk_l3(v->kind) || same)
			continue;
		snprintf(n->l3why, sizeof(n->l3why), "prefix %s: its %s/%s port %u device matches "
			 "none of ours", fou_pfx_str(&v->pfx, v->plen, pf, sizeof(pf)),
			 fk_by_tnl(v->tnl)->name, fleet_encap_name(v->encap), v->port);
	}
}

/* A node's new reason (or none): logged once, with its name. */
static void node_why_log(struct fleet_node *n, const char *old)
{
	if (!strcmp(old, n->l3why))
		return;
	if (n->l3why[0])
		foud_log(LOG_WARNING, "fleet: node %s: refused: %s", n->name, n->l3why);
	else if (old[0])
		foud_log(LOG_INFO, "fleet: node %s: its prefixes are routed again", n->name);
}

void fleet_l3_sync(struct foud_fleet *f)
{
	size_t ndev = l3_ndevs(f), max = ndev, nr = 0, nn = 0, k = 0;
	struct fleet_route *r = NULL;
	struct l3_cand *c = NULL;
	struct foud_tunnel *t;
	struct fleet_node *n;
	char (*old)[160];

	if (!ndev && !f->nroutes)
		return;	/* no L3 fleet device, none before */
	TAILQ_FOREACH(n, &f->nodes, entry) {
		max += n->v.ndevs;
		nn++;
	}
	old = calloc(nn + 1, sizeof(*old));
	c = calloc(max + 1, sizeof(*c));
	r = calloc(ndev * max + 1, sizeof(*r));
	if (!old || !c || !r)
		goto out;
	TAILQ_FOREACH(n, &f->nodes, entry) {
		memcpy(old[k++], n->l3why, sizeof(n->l3why));
		n->l3why[0] = '\0';
	}
	FOUD_DEV_FOREACH(t, f->d)
		if (fleet_l3_dev(t))
			dev_sync(f, t, c, max, r, &nr);
	k = 0;
	TAILQ_FOREACH(n, &f->nodes, entry) {
		if (ndev && strcmp(n->name, f->cfg.node))
			node_mismatch(f, n);
		node_why_log(n, old[k++]);
	}
	routes_apply(f, r, nr);
	l3_remember_up(f, ndev);
	r = NULL;
out:
	free(old);
	free(c);
	free(r);
}

bool fleet_l3_stale(const struct foud_fleet *f)
{
	const struct foud_tunnel *t;

	FOUD_DEV_FOREACH(t, f->d)
		if (fleet_l3_dev(t) && (!t->mp || t->dev_up != l3_was_up(f, t->ifindex)))
			return true;
	return false;
}

void fleet_l3_free(struct foud_fleet *f)
{
	free(f->routes);
	f->routes = NULL;
	f->nroutes = 0;
	free(f->l3up);
	f->l3up = NULL;
	f->nl3up = 0;
}
