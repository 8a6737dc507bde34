/* SPDX-License-Identifier: MIT */
/*
 * What every L2 device shares, whatever carries its frames (overlay.c's
 * overlays, stt.c): its TAP device, its forwarding table (learning,
 * ageing, the fdb commands), who may send to it, its outer TOS and TTL,
 * and the words of its linkinfo common to all L2 kinds. Its classes call
 * down into this file; it calls no class.
 */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "event.h"
#include "fou/l2.h"
#include "foud.h"
#include "foud_l2.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	/* Learning asks for every frame; ageing needs no better than a tick. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- who may send to us ------------------------------------------------- */

static void l2_peers_add(struct fou_addr *v, size_t *n, const struct fou_addr *a)
{
	if (a->family)
		v[(*n)++] = *a;
}

/*
 * Sorted (fou_addr_cmp), each once, at most L2_PEERS_MAX: a binary search
 * per packet. v becomes the device's (its size is what it holds).
 */
static void l2_peers_set(struct foud_l2 *l, struct fou_addr *v, size_t n)
{
	size_t i, k = 0;

	qsort(v, n, sizeof(*v), fou_addr_cmp);
	for (i = 0; i < n && k < L2_PEERS_MAX; i++)
		if (!k || fou_addr_cmp(&v[k - 1], &v[i]))
			v[k++] = v[i];
	free(l->peers);
	l->peers = v;
	l->npeers = k;
}

/* Rebuilt whenever the configuration changes; learning never adds peers. */
static void l2_peers_rebuild(struct foud_l2 *l)
{
	const struct fou_fdb_entry *e;
	size_t pos = 0, n = 0, max = 1 + l->fdb.nflood;
	struct fou_addr *v;

	while ((e = fou_fdb_next(&l->fdb, &pos)))
		max += !!(e->flags & FOU_FDB_F_STATIC);
	v = malloc(max * sizeof(*v));
	if (!v)
		return;	/* out of memory: the peers stay as they were */
	l2_peers_add(v, &n, &l->cfg.remote);
	for (size_t i = 0; i < l->fdb.nflood; i++)
		l2_peers_add(v, &n, &l->fdb.flood[i]);
	pos = 0;
	while ((e = fou_fdb_next(&l->fdb, &pos)))
		if (e->flags & FOU_FDB_F_STATIC)
			l2_peers_add(v, &n, &e->remote);
	l2_peers_set(l, v, n);
}

/* Room for one more flood destination: the list doubles, up to L2_FLOOD_MAX. */
static int l2_flood_room(struct foud_l2 *l)
{
	size_t cap = l->fdb.flood_cap ? l->fdb.flood_cap * 2 : 2;
	struct fou_addr *v;

	if (l->fdb.nflood < l->fdb.flood_cap)
		return 0;
	if (l->fdb.flood_cap >= L2_FLOOD_MAX)
		return 0;	/* fou_fdb_flood_add says -EEXIST or -ENOSPC */
	if (cap > L2_FLOOD_MAX)
		cap = L2_FLOOD_MAX;
	v = realloc(l->flood, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->flood = l->fdb.flood = v;
	l->fdb.flood_cap = cap;
	return 0;
}

/* fou_fdb_flood_add with the list grown first when it is full. */
static int l2_flood_add(struct foud_l2 *l, const struct fou_addr *a)
{
	int ret = l2_flood_room(l);

	return ret ? ret : fou_fdb_flood_add(&l->fdb, a);
}

/* Tells the monitors of a forwarding-table change (bridge monitor fdb). */
static void l2_fdb_event(struct foud *d, const struct foud_tunnel *t, enum foud_event_type type,
			 const uint8_t *mac, const struct fou_addr *dst, bool permanent)
{
	foud_event(d, &(struct foud_event){ .type = type, .t = t, .mac = mac, .dst = dst,
					    .permanent = permanent });
}

/*
 * With a monitor of fdb only: whether learning mac behind src is news (a new
 * or moved entry); a non-NULL "yes". Without one, learning costs no lookup more.
 */
static const struct fou_fdb_entry *l2_fdb_watch(struct foud *d, const struct foud_l2 *l,
						const uint8_t *mac, const struct fou_addr *src)
{
	static const struct fou_fdb_entry news;
	const struct fou_fdb_entry *e;

	if (!foud_event_wanted(d, FOUD_EVG_FDB))
		return NULL;
	e = fou_fdb_lookup(&l->fdb, mac);
	return !e || (!(e->flags & FOU_FDB_F_STATIC) && !fou_addr_eq(&e->remote, src)) ?
	       &news : NULL;
}

/*
 * A received frame: our own frame come back, a nested one (never learned
 * from: its source may be forged), or its source learned behind src.
 */
int foud_l2_rx_learn(struct foud *d, struct foud_tunnel *t, const uint8_t *eth, size_t len,
		     const struct fou_addr *src)
{
	struct foud_l2 *l = t->l2;
	const struct fou_fdb_entry *e;
	bool known;
	int ret;

	if (len < FOU_ETH_HLEN)
		return -FOU_DROP_TOO_SHORT;
	/* Our own frame come back (a group loops to its sender). */
	if (!memcmp(eth + FOU_ETH_ALEN, l->mac, FOU_ETH_ALEN))
		return -FOU_DROP_LOOP;
	if (foud_nested(d, eth, len, true))
		return -FOU_DROP_NESTED;
	if (l->cfg.learning) {
		const struct fou_fdb_entry *w = l2_fdb_watch(d, l, eth + FOU_ETH_ALEN, src);

		e = fou_fdb_lookup(&l->fdb, eth + FOU_ETH_ALEN);
		known = e && fou_addr_eq(&e->remote, src);
		ret = fou_fdb_learn(&l->fdb, eth + FOU_ETH_ALEN, src, now_ms());
		if (w && !ret)
			l2_fdb_event(d, t, FOUD_EVT_FDB_NEW, eth + FOU_ETH_ALEN, src, false);
		/* Table full: counted in fdb.refused; as Linux, the frame still goes up. */
		if (ret && ret != -FOU_DROP_FDB_FULL)
			return ret;
		/* New or moved: the programs carry this source's next frames (bpf_l2.c). */
		if (!ret && !known)
			foud_bpf_fdb_set(d, t, eth + FOU_ETH_ALEN);
	}
	return 0;
}

/* For the classes: a device's configuration, whether src is one of its peers. */
const struct cmd_l2_cfg *cmd_l2_cfg(const struct foud_tunnel *t)
{
	return &t->l2->cfg;
}

/* For metrics_text.c: the forwarding table. */
const struct fou_fdb *foud_l2_fdb(const struct foud_tunnel *t)
{
	return &t->l2->fdb;
}

bool foud_l2_peer_ok(const struct foud_tunnel *t, const struct fou_addr *src)
{
	const struct foud_l2 *l = t->l2;

	/* Members of a group are not known in advance. */
	if (l->cfg.group.family)
		return true;
	return bsearch(src, l->peers, l->npeers, sizeof(*src), fou_addr_cmp) != NULL;
}

/* The outer TOS and TTL of a frame (STT; an overlay adds its group's TTL: overlay.c). */
void foud_l2_outer(const struct foud_tunnel *t, const uint8_t *frame, size_t len,
		   uint8_t *tos, uint8_t *ttl)
{
	fou_l2_outer(&t->l2->hop, frame, len, tos, ttl);
}

/* A frame's destinations: its forwarding entry, else every flood destination; how many. */
size_t foud_l2_dests(const struct foud_tunnel *t, const uint8_t *frame, const struct fou_addr **v)
{
	const struct fou_fdb_entry *e = fou_fdb_lookup(&t->l2->fdb, frame);

	if (e) {
		*v = &e->remote;
		return 1;
	}
	*v = t->l2->fdb.flood;
	return t->l2->fdb.nflood;
}

/* ---- configuration ------------------------------------------------------ */

/* With a monitor of fdb: the learned entries about to age out, told before they go. */
static void l2_age_events(struct foud *d, const struct foud_tunnel *t, uint64_t now)
{
	const struct fou_fdb *f = &t->l2->fdb;
	const struct fou_fdb_entry *e;
	size_t pos = 0;

	if (!f->ageing_ms || f->oldest == UINT64_MAX || f->oldest + f->ageing_ms > now ||
	    !foud_event_wanted(d, FOUD_EVG_FDB))
		return;
	while ((e = fou_fdb_next(f, &pos)))
		if ((e->flags & FOU_FDB_F_LEARNED) && e->updated + f->ageing_ms <= now)
			l2_fdb_event(d, t, FOUD_EVT_FDB_DEL, e->mac, &e->remote, false);
}

static void l2_age(struct foud *d, void *arg)
{
	struct foud_tunnel *t;
	uint64_t now = now_ms();

	(void)arg;
	FOUD_DEV_FOREACH(t, d) {
		if (!t->l2)
			continue;
		/* What the BPF programs received counts as seen; what ages goes from their map too. */
		foud_bpf_fdb_seen(d, t, true);
		l2_age_events(d, t, now);
		fou_fdb_age(&t->l2->fdb, now);
	}
}

/* Geneve may omit local: the source address of the route to remote, now. */
static int l2_pick_local(struct cmd_l2_cfg *c, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int s, ret = 0;

	if (c->local.family || !c->remote.family)
		return 0;
	s = socket(c->remote.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	sl = foud_sockaddr(&ss, &c->remote, c->remote.family, c->dstport ? c->dstport : 9);
	if (connect(s, (struct sockaddr *)&ss, sl) < 0 ||
	    getsockname(s, (struct sockaddr *)&ss, &sl) < 0) {
		ret = -errno;
		snprintf(err, errlen, "no local address towards the remote: %s", strerror(errno));
	} else {
		c->local.family = c->remote.family;
		if (ss.ss_family == AF_INET)
			memcpy(c->local.a, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		else
			memcpy(c->local.a, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	}
	close(s);
	return ret;
}

/* A TAP's address, read or (set) written: a TAP takes a new one while up too. */
static int hwaddr_io(const char *name, uint8_t mac[FOU_ETH_ALEN], bool set)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	if (set)
		memcpy(ifr.ifr_hwaddr.sa_data, mac, FOU_ETH_ALEN);
	if (ioctl(s, set ? SIOCSIFHWADDR : SIOCGIFHWADDR, &ifr) < 0)
		ret = -errno;
	else if (!set)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, FOU_ETH_ALEN);
	close(s);
	return ret;
}

int foud_l2_hwaddr(const char *name, uint8_t mac[FOU_ETH_ALEN])
{
	return hwaddr_io(name, mac, false);
}

/*
 * The configured address, else the kernel's random one, which t->cfg keeps:
 * fouctl save writes it, so that the device comes back with it.
 */
static int l2_mac(struct foud_tunnel *t, char *err, size_t errlen)
{
	static const uint8_t zero[FOU_ETH_ALEN];
	uint8_t *want = t->cfg.l2.mac;
	int ret = 0;

	if (memcmp(want, zero, sizeof(zero)))
		ret = hwaddr_io(t->name, want, true);
	if (!ret)
		ret = foud_l2_hwaddr(t->name, t->l2->mac);
	if (ret)
		snprintf(err, errlen, "cannot set the address of \"%s\": %s", t->name, strerror(-ret));
	else
		memcpy(want, t->l2->mac, FOU_ETH_ALEN);
	return ret;
}

/* From the first L2 device on, forwarding tables age by the second until foud exits. */
static int l2_first(struct foud *d)
{
	if (foud_timer_add(d, 1000, l2_age, NULL))
		return -ENOMEM;
	d->l2_ageing = true;
	return 0;
}

int foud_l2_new(struct foud_tunnel *t, const struct cmd_link_cfg *cfg, char *err, size_t errlen)
{
	const struct cmd_l2_cfg *c = &cfg->l2;
	struct foud_l2 *l;

	l = t->l2 = foud_zalloc(sizeof(*t->l2), err, errlen);
	if (!l)
		return -ENOMEM;
	l->fk = fk_by_l2(c->kind);
	l->cfg = *c;
	l->mc_fd = -1;
	l->hop = (struct fou_l2_hop){
		.tos = c->tos, .tos_inherit = c->tos_inherit, .ttl = c->ttl,
		.ttl_inherit = c->ttl_inherit, .ttl_default = 64,
	};
	return l2_pick_local(&l->cfg, err, errlen);
}

/* The forwarding table, with the remote and group as flood destinations; ageing from the first device on. */
static int l2_fdb_init(struct foud *d, struct foud_tunnel *t, char *err, size_t errlen)
{
	struct foud_l2 *l = t->l2;
	const struct cmd_l2_cfg *c = &l->cfg;
	uint32_t seed = d->hash_seed ^ (uint32_t)t->ifindex * 2654435761u;

	if ((!d->l2_ageing && l2_first(d)) ||
	    fou_fdb_init(&l->fdb, c->maxaddress, c->ageing, seed, NULL, 0, &d->fdb_budget)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (c->remote.family)
		l2_flood_add(l, &c->remote);
	if (c->group.family)
		l2_flood_add(l, &c->group);
	l2_peers_rebuild(l);
	return 0;
}

int foud_l2_tap(struct foud *d, struct foud_tunnel *t, const struct cmd_link_cfg *cfg,
		uint32_t mtu0, char *err, size_t errlen)
{
	const struct cmd_l2_cfg *c = &t->l2->cfg;
	int ret = foud_dev_open_tun(d, t, true, err, errlen);

	if (ret)
		return ret;
	t->path_mtu = foud_path_mtu(c->group.family ? &c->group : &c->remote);
	t->mtu = cfg->mtu ? cfg->mtu : mtu0 ? mtu0 : t->path_mtu - t->l2->overhead - FOU_ETH_HLEN;
	ret = foud_tun_set_mtu(t->name, t->mtu);
	if (ret)
		snprintf(err, errlen, "cannot set mtu %u on \"%s\": %s", t->mtu, t->name,
			 strerror(-ret));
	if (!ret)
		ret = l2_mac(t, err, errlen);
	if (!ret)
		ret = l2_fdb_init(d, t, err, errlen);
	return ret;
}

int foud_l2_ready(struct foud *d, struct foud_tunnel *t, char *err, size_t errlen)
{
	if (foud_raw_tx(d, t->l2->cfg.local.family) < 0 || foud_loop_add(d, &t->ev)) {
		snprintf(err, errlen, "cannot set up \"%s\"", t->name);
		return -EIO;
	}
	return 0;
}

void foud_l2_free(struct foud_tunnel *t)
{
	if (!t->l2)
		return;
	fou_fdb_free(&t->l2->fdb);
	free(t->l2->flood);
	free(t->l2->peers);
	free(t->l2);
	t->l2 = NULL;
}

/* ---- fdb commands ------------------------------------------------------- */

static struct foud_tunnel *fdb_dev(struct foud *d, const char *name, char *err, size_t errlen)
{
	struct foud_tunnel *t = foud_dev_find(d, name);

	if (!t || !t->l2) {
		snprintf(err, errlen, "\"%s\" is no %s", name, t ? "L2 device" : "link");
		return NULL;
	}
	return t;
}

/*
 * Whether the peers may have changed: not when an add of a static entry
 * was refused or names a remote that already is a peer (batches of `fdb
 * add` to a few remotes would otherwise rebuild them, a walk of the whole
 * table, per line).
 */
static bool fdb_peers_changed(const struct foud_l2 *l, const struct cmd_req *cmd, int ret)
{
	const struct cmd_fdb_cfg *f = &cmd->fdb;

	if (cmd->op == CMD_OP_DEL || fou_mac_is_zero(f->mac))
		return true;
	return !ret && !bsearch(&f->dst, l->peers, l->npeers, sizeof(f->dst), fou_addr_cmp);
}

/* The peers again, for the class's index (stt.c) and the BPF programs' map. */
static void l2_peers_update(struct foud *d, struct foud_tunnel *t)
{
	if (t->ops->peers)
		t->ops->peers(d, t, false);
	l2_peers_rebuild(t->l2);
	if (t->ops->peers)
		t->ops->peers(d, t, true);
	foud_bpf_l2_peers(d, t);
}

/* A change by command, told as a learned one is; old: the entry a del removed. */
static void fdb_exec_event(struct foud *d, const struct foud_tunnel *t,
			   const struct cmd_req *cmd, const struct fou_fdb_entry *old)
{
	const struct cmd_fdb_cfg *f = &cmd->fdb;
	bool del = cmd->op == CMD_OP_DEL;
	const struct fou_addr *dst = del && old->flags ? &old->remote : &f->dst;

	if (!dst->family)
		return;		/* the whole flood list at once */
	l2_fdb_event(d, t, del ? FOUD_EVT_FDB_DEL : FOUD_EVT_FDB_NEW, f->mac, dst,
		     del && old->flags ? old->flags & FOU_FDB_F_STATIC : true);
}

int foud_fdb_exec(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen)
{
	const struct cmd_fdb_cfg *f = &cmd->fdb;
	struct foud_tunnel *t = fdb_dev(d, f->dev, err, errlen);
	struct fou_fdb_entry old = { 0 };
	const struct fou_fdb_entry *e;
	struct foud_l2 *l;
	int ret;

	if (!t)
		return -ENODEV;
	l = t->l2;
	if (f->dst.family && f->dst.family != l->cfg.local.family) {
		snprintf(err, errlen, "dst is not of the device's address family");
		return -EINVAL;
	}
	if (fou_mac_is_zero(f->mac)) {
		if (cmd->op == CMD_OP_DEL && !f->dst.family) {
			/* No dst: the whole flood list goes, as `bridge fdb del` does. */
			while (l->fdb.nflood)
				fou_fdb_flood_del(&l->fdb, &l->fdb.flood[l->fdb.nflood - 1]);
			ret = 0;
		} else if (cmd->op == CMD_OP_DEL)
			ret = fou_fdb_flood_del(&l->fdb, &f->dst);
		else
			ret = l2_flood_add(l, &f->dst);
	} else if (cmd->op == CMD_OP_DEL) {
		if ((e = fou_fdb_lookup(&l->fdb, f->mac)))
			old = *e;
		ret = fou_fdb_del(&l->fdb, f->mac);
	} else {
		ret = fou_fdb_add(&l->fdb, f->mac, &f->dst, FOU_FDB_F_STATIC, now_ms());
	}
	if (ret)
		snprintf(err, errlen, "fdb %s: %s", cmd->op == CMD_OP_DEL ? "del" : "add",
			 ret == -EEXIST ? "entry exists" : ret == -ENOENT ? "no such entry" :
			 ret == -ENOSPC ? "table full" : strerror(-ret));
	else
		fdb_exec_event(d, t, cmd, &old);
	/* The BPF programs' copy (bpf_l2.c), whatever the command did. */
	if (!fou_mac_is_zero(f->mac))
		foud_bpf_fdb_set(d, t, f->mac);
	if (fdb_peers_changed(l, cmd, ret))
		l2_peers_update(d, t);
	return ret;
}

static void fdb_cfg(struct cmd_fdb_cfg *f, const char *dev, const uint8_t *mac,
		    const struct fou_addr *dst)
{
	memset(f, 0, sizeof(*f));
	if (mac)
		memcpy(f->mac, mac, sizeof(f->mac));
	snprintf(f->dev, sizeof(f->dev), "%s", dev);
	f->dst = *dst;
}

/* Flood destinations from the link's own remote or group are its, not fdb's. */
size_t foud_l2_static(const struct foud_tunnel *t, struct cmd_fdb_cfg *out, size_t max)
{
	const struct foud_l2 *l = t->l2;
	const struct fou_fdb_entry *e;
	size_t i, pos = 0, n = 0;

	if (!l)
		return 0;
	for (i = 0; i < l->fdb.nflood; i++) {
		const struct fou_addr *a = &l->fdb.flood[i];

		if (fou_addr_eq(a, &l->cfg.remote) || fou_addr_eq(a, &l->cfg.group))
			continue;
		if (n < max)
			fdb_cfg(&out[n], t->name, NULL, a);
		n++;
	}
	while ((e = fou_fdb_next(&l->fdb, &pos))) {
		if (!(e->flags & FOU_FDB_F_STATIC))
			continue;
		if (n < max)
			fdb_cfg(&out[n], t->name, e->mac, &e->remote);
		n++;
	}
	return n;
}

/* One entry as `bridge fdb show` words it (JSON: as `bridge -j`). */
static void fdb_line(struct foud_pr *p, const struct foud_tunnel *t, bool named,
		     const uint8_t *mac, const struct fou_addr *dst, const char *state, long long age)
{
	char a[64], m[18];

	snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	foud_pr_open_object(p, NULL);
	foud_pr_str(p, "mac", "%s", m);
	if (named)	/* bridge -j: no ifname when the command named the device */
		foud_pr_str(p, "ifname", " dev %s", t->name);
	else
		foud_pr_text(p, " dev %s", t->name);
	foud_pr_open_array(p, "flags");
	foud_pr_str(p, NULL, NULL, "self");
	foud_pr_close_array(p);
	foud_pr_str(p, "dst", " dst %s", fou_addr_str(dst, a, sizeof(a)));
	foud_pr_text(p, " self %s", state);
	/* bridge -j: a learned (reachable) entry's state is "", its age -s's "updated" */
	foud_pr_str(p, "state", NULL, age >= 0 ? "" : state);
	if (age >= 0 && (p->flags & CTL_F_STATS))
		foud_pr_s64(p, "updated", NULL, age);
	if (age >= 0)
		foud_pr_text(p, " age %lld", age);
	foud_pr_nl(p);
	foud_pr_close_object(p);
}

static void fdb_show_dev(const struct foud_tunnel *t, bool named, struct foud_pr *p)
{
	static const uint8_t zero[FOU_ETH_ALEN];
	const struct fou_fdb_entry *e;
	uint64_t now = now_ms();
	size_t i, pos = 0;

	while ((e = fou_fdb_next(&t->l2->fdb, &pos))) {
		bool st = e->flags & FOU_FDB_F_STATIC;

		fdb_line(p, t, named, e->mac, &e->remote, st ? "permanent" : "learned",
			 st ? -1 : (long long)((now - e->updated) / 1000));
	}
	for (i = 0; i < t->l2->fdb.nflood; i++)
		fdb_line(p, t, named, zero, &t->l2->fdb.flood[i], "permanent", -1);
}

int foud_fdb_show(struct foud *d, const struct cmd_req *cmd, struct foud_pr *p, char *err,
		  size_t errlen)
{
	struct foud_tunnel *t;

	if (cmd->fdb.dev[0] && !fdb_dev(d, cmd->fdb.dev, err, errlen))
		return -ENODEV;
	foud_pr_open_array(p, NULL);
	FOUD_DEV_FOREACH(t, d) {
		if (!t->l2 || (cmd->fdb.dev[0] && strcmp(cmd->fdb.dev, t->name)))
			continue;
		foud_bpf_fdb_seen(d, t, false);	/* ages as the BPF programs saw them */
		fdb_show_dev(t, !cmd->fdb.dev[0], p);
	}
	foud_pr_close_array(p);
	return 0;
}

/* ttl and tos, as `ip -d link show` words them; JSON as ip -j: GRE's inherit is 0, VXLAN's none. */
static void l2_show_hop(const struct foud_l2 *l, struct foud_pr *p)
{
	const struct cmd_l2_cfg *c = &l->cfg;

	if (c->ttl_inherit) {
		if (l->gre)
			foud_pr_uint(p, "ttl", NULL, 0);
		foud_pr_text(p, " ttl inherit");
	} else if (c->ttl) {
		foud_pr_uint(p, "ttl", " ttl %u", c->ttl);
	} else {
		/* 0: the default, 64 (1 towards a group) */
		foud_pr_uint(p, "ttl", NULL, 0);
		foud_pr_text(p, " ttl auto");
	}
	foud_show_tos(p, c->tos_inherit, c->tos);
}

/* geneve_opts as tc's tunnel_key prints them: CLASS:TYPE:DATA,... in hexadecimal. */
static void l2_show_geneve_opts(const struct cmd_l2_cfg *c, struct foud_pr *p)
{
	const uint8_t *o = c->geneve_opts, *end = o + c->geneve_opts_len;
	char hex[2 * 0x1f * 4 + 1];
	size_t i, n;

	if (o == end)
		return;
	foud_pr_text(p, " geneve_opts ");
	foud_pr_open_array(p, "geneve_opts");
	/* The grammar wrote these TLVs: each is whole. */
	for (; o < end; o += FOU_GENEVE_OPT_HLEN + n) {
		n = (size_t)(o[3] & 0x1f) * 4;
		for (i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", o[FOU_GENEVE_OPT_HLEN + i]);
		hex[2 * n] = '\0';
		if (o != c->geneve_opts)
			foud_pr_text(p, ",");
		foud_pr_open_object(p, NULL);
		foud_pr_uint(p, "class", "%04x", fou_get16(o));
		foud_pr_uint(p, "type", ":%02x", o[2]);
		foud_pr_str(p, "data", ":%s", hex);
		foud_pr_close_object(p);
	}
	foud_pr_close_array(p);
}

/* VXLAN's group is `group`; a GRE kind's is a multicast `remote`, as typed. */
static const char *l2_dest_word(const struct foud_l2 *l)
{
	return l->cfg.group.family && !l->gre ? "group" : "remote";
}

void foud_l2_show(const struct foud_tunnel *t, struct foud_pr *p, uint64_t id,
		  void (*kind)(const struct foud_tunnel *t, struct foud_pr *p))
{
	const struct foud_l2 *l = t->l2;
	const struct cmd_l2_cfg *c = &l->cfg;
	const struct fou_addr *peer = c->group.family ? &c->group : &c->remote;
	char a[64];

	foud_pr_str(p, "info_kind", " %s", l->fk->name);
	foud_pr_open_object(p, "info_data");
	if (l->fk->id_word) {
		foud_pr_text(p, " %s", l->fk->id_word);
		foud_pr_u64(p, l->fk->id_word, " %llu", id);
	}
	foud_pr_text(p, " %s", l2_dest_word(l));
	foud_pr_str(p, l2_dest_word(l), " %s", fou_addr_str(peer, a, sizeof(a)));
	foud_pr_str(p, "local", " local %s", fou_addr_str(&c->local, a, sizeof(a)));
	if (c->group.family)
		foud_pr_text(p, " dev %s", c->dev);
	if (c->fleet)	/* its destinations come from the fleet (fleet.c) */
		foud_pr_bool(p, "fleet", " fleet", NULL, true);
	kind(t, p);
	l2_show_geneve_opts(c, p);
	l2_show_hop(l, p);
	foud_pr_bool(p, "learning", " learning", " nolearning", c->learning);
	foud_pr_uint(p, "ageing", " ageing %u", c->ageing);
	if (c->maxaddress)	/* ip -j: none is no limit */
		foud_pr_uint(p, "limit", NULL, c->maxaddress);
	foud_pr_text(p, " maxaddress %u", c->maxaddress);
	if (l->udp)
		foud_pr_text(p, " %sudpcsum", l->csum ? "" : "no");
	foud_pr_text(p, " mtu %u\n", t->mtu);
	/* JSON has the table's figures with -d, under "foud" (foud_l2_show_details). */
	foud_pr_text(p, "    fdb entries %llu refused %llu\n", (unsigned long long)l->fdb.count,
		     (unsigned long long)l->fdb.refused);
	foud_pr_close_object(p);
}

/* -d: the data path (why not BPF, or what BPF leaves to foud), UDP GSO; JSON: the forwarding table's figures; -s the programs' counters. */
void foud_l2_show_details(struct foud *d, const struct foud_tunnel *t, struct foud_pr *p)
{
	foud_pr_u64(p, "fdb_entries", NULL, t->l2->fdb.count);
	foud_pr_u64(p, "fdb_refused", NULL, t->l2->fdb.refused);
	foud_pr_str(p, "datapath", "    datapath %s", t->bpf_egress ? "bpf" : "userspace");
	if (!t->bpf_egress) {
		foud_pr_text(p, " (%s)", t->dp_why);
		foud_pr_str(p, "datapath_reason", NULL, t->dp_why);
	}
	foud_pr_text(p, "\n");
	if (t->bpf_egress)
		foud_bpf_l2_show_punts(t, p);
	foud_show_gso(d, t, p);
	if ((p->flags & CTL_F_STATS) && t->bpf_egress)
		foud_show_bpf_stats(d, t, p);
}

/* GRE-TAP and NVGRE: ip -j says such a kernel device is bound to no device ("link": null). */
bool foud_l2_gre(const struct foud_tunnel *t)
{
	return t->l2 && t->l2->gre;
}
