/* SPDX-License-Identifier: MIT */
/* Receive ports (`fou add port ...`): UDP in, FOU or GUE off, on to a tunnel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "foud.h"
#include "rx.h"

/* The kernel's fou_cfg_cmp(): an entry is its whole tuple. */
static bool port_same(const struct cmd_port_cfg *a, const struct cmd_port_cfg *b)
{
	return a->port == b->port && a->family == b->family &&
	       fou_addr_eq(&a->local, &b->local) && fou_addr_eq(&a->peer, &b->peer) &&
	       a->peer_port == b->peer_port;
}

/*
 * Under a verified outer checksum, RCO needs no sum of the payload (gro.c).
 * Where the sockets tell checksums apart, RCO under none is refused: the
 * option makes the receiver compute the inner checksum, so nothing would
 * vouch for the payload (foud and Linux always send it with one).
 */
static int port_pull(struct foud_port *p, struct fou_buf *b, const struct foud_rxmeta *m,
		     uint8_t *proto, bool *partial)
{
	const struct cmd_port_cfg *c = &p->cfg;

	if (c->type != FOU_ENCAP_GUE)
		return fou_encap(c->type)->pull(b, c->ipproto, proto);
	if (m->verified)
		return fou_gue_pull_partial(b, proto, partial);
	if (p->vev.fd >= 0 && fou_gue_has_rco(b))
		return -FOU_DROP_REMCSUM_NOCSUM;
	return fou_gue_pull(b, proto);
}

static int port_rx_one(struct foud *d, void *ctx, struct fou_buf *b, struct foud_rxmeta *m)
{
	struct foud_port *p = ctx;
	const struct cmd_port_cfg *c = &p->cfg;
	struct fou_rx rx = { .src = m->src, .dst = m->dst, .tos = m->tos };
	bool partial = false;
	int ret;

	if (m->truncated)
		return -FOU_DROP_TOO_SHORT;
	if (c->peer.family && (!fou_addr_eq(&c->peer, &m->src) || c->peer_port != m->sport))
		return -FOU_DROP_UNKNOWN_PEER;
	/* A keyed tunnel's datagram is authenticated before anything else reads it. */
	if (c->type == FOU_ENCAP_GUE && d->up.gue_rx) {
		ret = d->up.gue_rx(d, b, m);
		if (ret)
			return ret < 0 ? ret : 0;
	}
	ret = port_pull(p, b, m, &rx.proto, &partial);
	if (ret)
		return ret;
	if (rx.proto != FOU_PROTO_IPIP && rx.proto != FOU_PROTO_IPV6 &&
	    rx.proto != FOU_PROTO_GRE)
		return -FOU_DROP_INNER_PROTO;
	ret = fou_rx_kind(b, &rx);
	if (ret)
		return ret;
	if (m->verified)
		p->csum_trusted++;
	if (partial)
		p->rco_partial++;
	d->rx_verified = m->verified;
	d->rx_partial = partial;
	if (d->up.input)
		d->up.input(d, b, &rx, &p->st);
	d->rx_verified = d->rx_partial = false;
	return 0;
}

static void port_readable(struct foud *d, struct foud_ev *ev)
{
	struct foud_port *p = (struct foud_port *)((char *)ev - offsetof(struct foud_port, ev));
	const struct foud_rxpt rp = {
		.name = "port", .count = &p->st, .drops = &p->st, .sock_drops = &p->sock_drops,
		.one = port_rx_one, .ctx = p,
	};

	foud_rx_drain(d, ev->fd, &rp);
}

/* The verified socket of the pair (csum.c): every datagram's outer checksum vouches. */
static void port_readable_verified(struct foud *d, struct foud_ev *ev)
{
	struct foud_port *p = (struct foud_port *)((char *)ev - offsetof(struct foud_port, vev));
	const struct foud_rxpt rp = {
		.name = "port", .count = &p->st, .drops = &p->st, .sock_drops = &p->vsock_drops,
		.one = port_rx_one, .ctx = p, .verified = true,
	};

	foud_rx_drain(d, ev->fd, &rp);
}

/*
 * The kernel refused a second bind of an address a port holds; with the
 * pair's SO_REUSEPORT it would not, so foud refuses it itself.
 */
static bool port_overlaps(struct foud *d, const struct cmd_port_cfg *cfg)
{
	const struct foud_port *p;

	TAILQ_FOREACH(p, &d->ports, entry)
		if (p->cfg.port == cfg->port && p->cfg.family == cfg->family &&
		    (!p->cfg.local.family || !cfg->local.family ||
		     fou_addr_eq(&p->cfg.local, &cfg->local)))
			return true;
	return false;
}

static void port_close(struct foud *d, struct foud_port *p)
{
	foud_csum_unwatch(d, &p->ev, &p->vev);
}

int foud_port_add(struct foud *d, const struct cmd_port_cfg *cfg, char *err, size_t errlen)
{
	struct foud_port *p;
	int fd, vfd = -1;

	TAILQ_FOREACH(p, &d->ports, entry) {
		if (port_same(&p->cfg, cfg)) {
			snprintf(err, errlen, "fou port %u already exists", cfg->port);
			return -EEXIST;
		}
	}
	fd = port_overlaps(d, cfg) ? -EADDRINUSE : foud_csum_open(cfg, d->offload, &vfd);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open UDP port %u: %s", cfg->port, strerror(-fd));
		return fd;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		if (vfd >= 0)
			close(vfd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->cfg = *cfg;
	p->ev.fd = fd;
	p->ev.fn = port_readable;
	p->vev.fd = vfd;
	p->vev.fn = port_readable_verified;
	if (foud_loop_add(d, &p->ev) < 0 || (vfd >= 0 && foud_loop_add(d, &p->vev) < 0)) {
		foud_loop_del(d, &p->ev);
		close(fd);
		if (vfd >= 0)
			close(vfd);
		free(p);
		snprintf(err, errlen, "cannot watch UDP port %u", cfg->port);
		return -EIO;
	}
	if (foud_ours_add(d, FOU_PROTO_UDP, cfg->port)) {
		port_close(d, p);
		free(p);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	TAILQ_INSERT_TAIL(&d->ports, p, entry);
	p->share = (struct foud_txshare){
		.fd = fd, .family = cfg->family, .local = cfg->local, .port = cfg->port,
	};
	foud_tx_share(d, &p->share);
	if (d->up.ports_changed)
		d->up.ports_changed(d);
	return 0;
}

static void port_free(struct foud *d, struct foud_port *p)
{
	foud_tx_unshare(d, &p->share);
	foud_uso_forget(d, p->ev.fd);
	TAILQ_REMOVE(&d->ports, p, entry);
	port_close(d, p);
	foud_ours_del(d, FOU_PROTO_UDP, p->cfg.port);
	free(p);
	if (d->up.ports_changed)
		d->up.ports_changed(d);
}

int foud_port_del(struct foud *d, const struct cmd_port_cfg *cfg, char *err, size_t errlen)
{
	struct foud_port *p;

	TAILQ_FOREACH(p, &d->ports, entry) {
		if (port_same(&p->cfg, cfg)) {
			port_free(d, p);
			return 0;
		}
	}
	snprintf(err, errlen, "no fou port %u with these parameters", cfg->port);
	return -ENOENT;
}

void foud_port_free_all(struct foud *d)
{
	while (!TAILQ_EMPTY(&d->ports))
		port_free(d, TAILQ_FIRST(&d->ports));
}
