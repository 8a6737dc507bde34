/* SPDX-License-Identifier: MIT */
/*
 * The fleet's nodes as etcd has them, and the forwarding entries they mean
 * on our `fleet` devices. A value is checked whole before it replaces what
 * the node had: a malformed one is refused (logged with the node's name),
 * and the node keeps no entries until it publishes a good one.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "foud.h"
#include "fleet.h"

static struct fleet_node *node_find(struct foud_fleet *f, const char *name)
{
	struct fleet_node *n;

	TAILQ_FOREACH(n, &f->nodes, entry)
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}

bool fleet_node_put(struct foud_fleet *f, const char *name, const char *val, size_t len)
{
	struct fleet_node *n = node_find(f, name);
	struct fleet_value tmp = { 0 };
	char why[sizeof(n->why)];

	if (!cmd_fleet_name_ok(name))
		return false;	/* not a key of ours: never shown, never used */
	if (!n) {
		n = calloc(1, sizeof(*n));
		if (!n)
			return false;
		snprintf(n->name, sizeof(n->name), "%s", name);
		TAILQ_INSERT_TAIL(&f->nodes, n, entry);
		if (strcmp(name, f->cfg.node))
			foud_log(LOG_INFO, "fleet: node %s joined", name);
	}
	n->seen = true;
	n->updated_ms = foud_now_ms();
	if (fleet_value_parse(name, val, len, &tmp, why, sizeof(why))) {
		if (strcmp(why, n->why))
			foud_log(LOG_WARNING, "fleet: node %s: refused what it publishes: %s",
				 name, why);
		snprintf(n->why, sizeof(n->why), "%s", why);
		n->v.ndevs = 0;	/* nothing from it until it is right */
	} else {
		n->why[0] = '\0';
		n->v = tmp;
	}
	f->dirty = true;
	return true;
}

static void node_free(struct foud_fleet *f, struct fleet_node *n)
{
	TAILQ_REMOVE(&f->nodes, n, entry);
	free(n);
	f->dirty = true;
}

void fleet_node_del(struct foud_fleet *f, const char *name)
{
	struct fleet_node *n = node_find(f, name);

	if (!n)
		return;
	foud_log(LOG_INFO, "fleet: node %s left", name);
	node_free(f, n);
}

void fleet_nodes_unsee(struct foud_fleet *f)
{
	struct fleet_node *n;

	TAILQ_FOREACH(n, &f->nodes, entry)
		n->seen = false;
}

void fleet_nodes_sweep(struct foud_fleet *f)
{
	struct fleet_node *n, *next;

	for (n = TAILQ_FIRST(&f->nodes); n; n = next) {
		next = TAILQ_NEXT(n, entry);
		if (!n->seen)
			fleet_node_del(f, n->name);
	}
}

void fleet_nodes_free(struct foud_fleet *f)
{
	struct fleet_node *n;

	while ((n = TAILQ_FIRST(&f->nodes)))
		node_free(f, n);
}

/* ---- forwarding entries ---------------------------------------------------- */

/* add (append for a flood entry) or del, through the fdb commands' function. */
static int fdb_cmd(struct foud *d, enum cmd_op op, const struct fleet_fdb *e)
{
	static struct cmd_req c;	/* large: not on the stack */
	char err[128];

	memset(&c, 0, sizeof(c));
	c.obj = CMD_OBJ_FDB;
	c.op = op;
	memcpy(c.fdb.mac, e->mac, 6);
	memcpy(c.fdb.dev, e->dev, IFNAMSIZ);
	c.fdb.dst = e->dst;
	return foud_fdb_exec(d, &c, err, sizeof(err));
}

/* The table is sorted by device, MAC, destination: lookups are binary searches. */
static int fdb_cmp(const struct fleet_fdb *x, const struct fleet_fdb *y)
{
	int c = (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);

	if (!c)
		c = memcmp(x->mac, y->mac, 6);
	if (!c)
		c = (x->dst.family > y->dst.family) - (x->dst.family < y->dst.family);
	return c ? c : memcmp(x->dst.a, y->dst.a, sizeof(x->dst.a));
}

/* Where e is, or would go. */
static size_t fdb_pos(const struct foud_fleet *f, const struct fleet_fdb *e, bool *found)
{
	size_t lo = 0, hi = f->nfdb;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fdb_cmp(&f->fdb[mid], e) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < f->nfdb && !fdb_cmp(&f->fdb[lo], e);
	return lo;
}

static int fdb_insert(struct foud_fleet *f, size_t i, const struct fleet_fdb *e)
{
	size_t cap = f->capfdb ? f->capfdb * 2 : 64;
	struct fleet_fdb *n;

	if (f->nfdb == f->capfdb) {
		n = realloc(f->fdb, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		f->fdb = n;
		f->capfdb = cap;
	}
	memmove(&f->fdb[i + 1], &f->fdb[i], (f->nfdb - i) * sizeof(*n));
	f->fdb[i] = *e;
	f->nfdb++;
	return 0;
}

/* add (append for a flood entry); a learned entry for that MAC is replaced. */
static int fdb_add(struct foud_fleet *f, const struct fleet_fdb *e, const char *node)
{
	bool flood = fou_mac_is_zero(e->mac);
	int ret = fdb_cmd(f->d, flood ? CMD_OP_APPEND : CMD_OP_ADD, e);
	char m[18];

	if (ret == -EEXIST && !flood && !fdb_cmd(f->d, CMD_OP_DEL, e))
		ret = fdb_cmd(f->d, CMD_OP_ADD, e);
	/* The same flood entry there already (typed, or restored by link set): ours now. */
	if (ret == -EEXIST && flood)
		ret = 0;
	if (ret && !f->nrefused++) {
		fleet_mac_str(e->mac, m);
		snprintf(f->refused_why, sizeof(f->refused_why), "%s: %s for node %s: %s", e->dev, m,
			 node, ret == -ENOSPC ? "table full" : strerror(-ret));
	}
	return ret;
}

/*
 * Wanted: kept if the fleet put it there already, else added. One the
 * device refused (a full table) is remembered and tried again only after
 * entries went, not on every change.
 */
static void fdb_want(struct foud_fleet *f, const struct fleet_fdb *e, const char *node)
{
	struct fleet_fdb *have;
	bool found;
	size_t i = fdb_pos(f, e, &found);

	if (!found) {
		if (fdb_insert(f, i, e))
			return;
		f->fdb[i].refused = fdb_add(f, e, node) != 0;
	} else if (f->fdb[i].refused && f->retry) {
		f->fdb[i].refused = fdb_add(f, e, node) != 0;
	}
	have = &f->fdb[i];
	have->keep = true;
}

/* Every entry node n means on device t. */
static void want_node(struct foud_fleet *f, const struct foud_tunnel *t,
		      const struct cmd_l2_cfg *c, const struct fleet_node *n)
{
	const struct fou_addr *dst = fleet_value_addr(&n->v, c->local.family);
	struct fleet_fdb e = { 0 };

	if (!dst)
		return;	/* no address of our device's family */
	e.dst = *dst;

	snprintf(e.dev, sizeof(e.dev), "%s", t->name);
	e.ifindex = t->ifindex;	/* a device made again under that name has none */
	for (unsigned int i = 0; i < n->v.ndevs; i++) {
		const struct fleet_dev *v = &n->v.dev[i];

		if (v->kind != c->kind || v->vni != fleet_dev_id(t))
			continue;
		memset(e.mac, 0, 6);
		fdb_want(f, &e, n->name);
		for (unsigned int m = 0; m < v->nmacs; m++) {
			memcpy(e.mac, v->mac[m], 6);
			fdb_want(f, &e, n->name);
		}
	}
}

/* Removes the fleet's entries nobody wants any more (or whose device went), in order. */
static void fdb_unwanted(struct foud_fleet *f)
{
	size_t i, n = 0;
	bool freed = false;

	for (i = 0; i < f->nfdb; i++) {
		if (f->fdb[i].keep) {
			f->fdb[n++] = f->fdb[i];
			continue;
		}
		if (!f->fdb[i].refused && !fdb_cmd(f->d, CMD_OP_DEL, &f->fdb[i]))
			freed = true;
	}
	f->nfdb = n;
	/* Room made: what was refused is tried again, at the next tick. */
	f->retry = freed;
	if (freed)
		f->dirty = true;
}

void fleet_fdb_sync(struct foud_fleet *f)
{
	const struct cmd_l2_cfg *c;
	const struct fleet_node *n;
	struct foud_tunnel *t;

	f->dirty = false;
	f->nrefused = 0;
	for (size_t i = 0; i < f->nfdb; i++)
		f->fdb[i].keep = false;
	FOUD_DEV_FOREACH(t, f->d) {
		if (!(c = fleet_dev_cfg(t)))
			continue;
		TAILQ_FOREACH(n, &f->nodes, entry)
			if (strcmp(n->name, f->cfg.node) && !n->why[0])
				want_node(f, t, c, n);
	}
	fdb_unwanted(f);
	/* One line per change, however many the devices refused. */
	if (f->nrefused)
		foud_log(LOG_WARNING, "fleet: %u forwarding entries refused, the first %s",
			 f->nrefused, f->refused_why);
	fleet_l3_sync(f);
}

void fleet_fdb_free(struct foud_fleet *f)
{
	free(f->fdb);
	f->fdb = NULL;
	f->nfdb = f->capfdb = 0;
}

bool foud_fleet_owns(const struct foud *d, const struct foud_tunnel *t, const struct cmd_fdb_cfg *c)
{
	struct fleet_fdb e = { .ifindex = t->ifindex, .dst = c->dst };
	const struct foud_fleet *f = d->fleet;
	bool found;
	size_t i;

	if (!f)
		return false;
	memcpy(e.mac, c->mac, 6);
	i = fdb_pos(f, &e, &found);
	return found && !f->fdb[i].refused;
}
