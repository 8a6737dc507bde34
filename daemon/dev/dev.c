/* SPDX-License-Identifier: MIT */
/*
 * The registry of devices: every `link add` makes one, of the class its
 * kind's row (common/kinds.c) names; the registry keeps what every device
 * has (name, TUN/TAP descriptor, send sockets, GRO slots, BPF path) and
 * reaches a class only through its ops (struct foud_dev_ops).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cmd_twin.h"
#include "event.h"
#include "foud.h"

/* Registered at start (foud_dev_class): the classes are above the registry. */
static const struct foud_dev_ops *dev_classes[FK_DEV__MAX];

/* Who is asked first: GRE carrying Ethernet is an overlay's before the L3 GRE tunnels see it. */
static const enum fk_dev dev_order[FK_DEV__MAX] = { FK_DEV_STT, FK_DEV_OVERLAY, FK_DEV_TUN };

#define DEV_OF(n, member) \
	((struct foud_tunnel *)((char *)(n) - offsetof(struct foud_tunnel, member)))

static uint32_t dev_ifindex_hash(const struct foud *d, int ifindex)
{
	uint32_t k = (uint32_t)ifindex;

	return fou_hash_words(&k, 1, d->hash_seed);
}

/* By hash, not by walking every device: 10 000 of them, and follow.c asks per netlink event. */
struct foud_tunnel *foud_dev_find(struct foud *d, const char *name)
{
	struct fou_hnode *n;

	for (n = fou_htab_first(&d->dev_names, fou_hash_str(name, d->hash_seed)); n;
	     n = fou_htab_next(n))
		if (!strcmp(DEV_OF(n, by_name)->name, name))
			return DEV_OF(n, by_name);
	return NULL;
}

struct foud_tunnel *foud_dev_by_ifindex(struct foud *d, int ifindex)
{
	struct fou_hnode *n;

	for (n = fou_htab_first(&d->dev_ifindex, dev_ifindex_hash(d, ifindex)); n;
	     n = fou_htab_next(n))
		if (DEV_OF(n, by_ifindex)->ifindex == ifindex)
			return DEV_OF(n, by_ifindex);
	return NULL;
}

/* The IP tunnel Linux would take cfg for (cmd_twin.c), or NULL. */
static struct foud_tunnel *dev_twin(struct foud *d, const struct cmd_link_cfg *cfg)
{
	struct fou_hnode *n;

	if (!cmd_link_twinnable(cfg))
		return NULL;
	for (n = fou_htab_first(&d->dev_twins, cmd_link_twin_hash(cfg)); n; n = fou_htab_next(n))
		if (cmd_link_twin(&DEV_OF(n, by_twin)->cfg, cfg))
			return DEV_OF(n, by_twin);
	return NULL;
}

/* Refused as `ip link add` refuses it: the receive side could not tell the two apart. */
static int dev_twin_refuse(struct foud *d, const struct cmd_link_cfg *cfg, char *err,
			   size_t errlen)
{
	const struct foud_tunnel *t = dev_twin(d, cfg);

	if (!t)
		return 0;
	snprintf(err, errlen, "link \"%s\" has this %s already "
		 "(the encap port does not tell tunnels apart): File exists", t->name,
		 cmd_link_twin_what(cfg));
	return -EEXIST;
}

/* Into the list and the lookups: 0, or -ENOMEM (dev_unindex undoes what was done). */
static int dev_index(struct foud *d, struct foud_tunnel *t)
{
	TAILQ_INSERT_TAIL(&d->tunnels, t, entry);
	if (fou_htab_add(&d->dev_names, &t->by_name, fou_hash_str(t->name, d->hash_seed)) ||
	    fou_htab_add(&d->dev_ifindex, &t->by_ifindex, dev_ifindex_hash(d, t->ifindex)))
		return -ENOMEM;
	if (cmd_link_twinnable(&t->cfg) &&
	    fou_htab_add(&d->dev_twins, &t->by_twin, cmd_link_twin_hash(&t->cfg)))
		return -ENOMEM;
	return 0;
}

static void dev_unindex(struct foud *d, struct foud_tunnel *t)
{
	TAILQ_REMOVE(&d->tunnels, t, entry);
	fou_htab_del(&d->dev_names, &t->by_name);
	fou_htab_del(&d->dev_ifindex, &t->by_ifindex);
	if (cmd_link_twinnable(&t->cfg))
		fou_htab_del(&d->dev_twins, &t->by_twin);
}

struct foud_tunnel *foud_dev_of(struct foud_ev *ev)
{
	return (struct foud_tunnel *)((char *)ev - offsetof(struct foud_tunnel, ev));
}

int foud_dev_open_tun(struct foud *d, struct foud_tunnel *t, bool tap, char *err, size_t errlen)
{
	int fd = foud_tun_open(t->name, tap, d->offload, &t->offload, &t->ifindex);

	t->tap = tap;
	if (fd == -EEXIST && foud_persist_refused())
		snprintf(err, errlen, "device \"%s\" exists and is not foud's to take over: %s",
			 t->name, foud_persist_refused());
	else if (fd < 0)
		snprintf(err, errlen, "cannot create device \"%s\": %s", t->name, strerror(-fd));
	if (fd < 0)
		return fd;
	t->ev.fd = fd;
	return 0;
}

/* The remote as the raw socket wants it (port 0) and as UDP sends want it. */
static void dev_dst(struct foud_tunnel *t)
{
	const struct fou_addr *r = &t->tnl.remote;

	t->dst_len = foud_sockaddr(&t->dst, r, r->family, 0);
	foud_sockaddr(&t->udp_dst, r, r->family, t->tnl.encap_dport);
	foud_uso_init(t);
}

static struct foud_tunnel *dev_new(const struct cmd_link_cfg *cfg, const struct foud_dev_ops *ops)
{
	struct foud_tunnel *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ops = ops;
	snprintf(t->name, sizeof(t->name), "%s", cfg->name);
	t->ev.fd = -1;
	t->ev.fn = ops->readable;
	t->cfg = *cfg;
	t->tnl = cfg->tnl;
	if (!t->tnl.port_min || t->tnl.port_min >= t->tnl.port_max)
		foud_local_port_range(&t->tnl.port_min, &t->tnl.port_max);
	dev_dst(t);
	return t;
}

/* Frees t but for its device's descriptor, which it returns. */
static int dev_release(struct foud *d, struct foud_tunnel *t)
{
	int fd = t->ev.fd;

	dev_unindex(d, t);
	foud_bpf_tunnel_del(d, t);
	foud_loop_del(d, &t->ev);
	foud_uso_close(t);
	foud_gro_forget(d, t);
	t->ops->close(d, t);
	free(t);
	return fd;
}

int foud_dev_add(struct foud *d, const struct cmd_link_cfg *cfg, char *err, size_t errlen)
{
	const struct fk_kind *fk = fk_of(cfg->l2.kind, cfg->tnl.kind);
	struct foud_tunnel *t;
	int ret;

	if (!fk || !dev_classes[fk->dev]) {
		snprintf(err, errlen, "unknown link type");
		return -EOPNOTSUPP;
	}
	if (foud_dev_find(d, cfg->name)) {
		snprintf(err, errlen, "link \"%s\" already exists", cfg->name);
		return -EEXIST;
	}
	ret = dev_twin_refuse(d, cfg, err, errlen);
	if (ret)
		return ret;
	t = dev_new(cfg, dev_classes[fk->dev]);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = t->ops->open(d, t, cfg, err, errlen);
	if (ret) {
		free(t);
		return ret;
	}
	if (dev_index(d, t)) {
		snprintf(err, errlen, "out of memory");
		foud_tun_close(d, dev_release(d, t));
		return -ENOMEM;
	}
	/* A BPF tunnel's port receives without GRO (receive points mirror themselves: ours.c). */
	foud_bpf_ports_changed(d);
	foud_log(LOG_INFO, "link %s added (mtu %u)", t->name, t->mtu);
	foud_event(d, &(struct foud_event){ .type = FOUD_EVT_LINK_NEW, .t = t,
					    .kind = foud_dev_kind_name(t) });
	return 0;
}

/* Deleted: told as ip monitor tells it (a link set's detach is not a deletion). */
static void dev_free(struct foud *d, struct foud_tunnel *t)
{
	/* stopping with the devices kept (d->keep): nothing is deleted */
	if (!d->keep)
		foud_event(d, &(struct foud_event){ .type = FOUD_EVT_LINK_DEL, .t = t,
						    .kind = foud_dev_kind_name(t) });
	foud_tun_close(d, dev_release(d, t));
}

int foud_dev_detach(struct foud *d, struct foud_tunnel *t)
{
	return dev_release(d, t);
}

int foud_dev_del(struct foud *d, const char *name, char *err, size_t errlen)
{
	struct foud_tunnel *t = foud_dev_find(d, name);

	if (!t) {
		snprintf(err, errlen, "no link \"%s\"", name);
		return -ENODEV;
	}
	dev_free(d, t);
	return 0;
}

void foud_dev_free_all(struct foud *d)
{
	while (!TAILQ_EMPTY(&d->tunnels))
		dev_free(d, TAILQ_FIRST(&d->tunnels));
	fou_htab_free(&d->dev_names);
	fou_htab_free(&d->dev_twins);
	fou_htab_free(&d->dev_ifindex);
}

void foud_dev_input(struct foud *d, struct fou_buf *b, struct fou_rx *rx,
		    struct foud_stats *src_stats)
{
	const struct foud_dev_ops *ops;
	size_t i;

	for (i = 0; i < FK_DEV__MAX; i++) {
		ops = dev_classes[dev_order[i]];
		if (ops && ops->input && ops->input(d, b, rx, src_stats))
			return;
	}
}

void foud_dev_show_ports(struct foud *d, struct foud_pr *p)
{
	const struct foud_dev_ops *ops;
	size_t i;

	for (i = 0; i < FK_DEV__MAX; i++) {
		ops = dev_classes[dev_order[i]];
		if (ops && ops->show_ports)
			ops->show_ports(d, p);
	}
}

/* The kind's name as `type` spells it, for events and metrics: from the descriptor, as at add. */
const char *foud_dev_kind_name(const struct foud_tunnel *t)
{
	const struct fk_kind *fk = fk_of(t->cfg.l2.kind, t->cfg.tnl.kind);

	return fk ? fk->name : fou_kind(t->tnl.kind)->name;
}

void foud_dev_port_each(struct foud *d, void (*fn)(void *arg, const struct foud_port_info *i),
			void *arg)
{
	const struct foud_dev_ops *ops;
	size_t i;

	for (i = 0; i < FK_DEV__MAX; i++) {
		ops = dev_classes[dev_order[i]];
		if (ops && ops->port_each)
			ops->port_each(d, fn, arg);
	}
}

/* TOU's device has no class. */
const struct fou_fdb *foud_dev_fdb(const struct foud_tunnel *t)
{
	return t->ops && t->ops->fdb ? t->ops->fdb(t) : NULL;
}

void foud_dev_class(enum fk_dev dev, const struct foud_dev_ops *ops)
{
	if ((unsigned int)dev < FK_DEV__MAX)
		dev_classes[dev] = ops;
}
