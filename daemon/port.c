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
static bool port_same(const struct foud_port_cfg *a, const struct foud_port_cfg *b)
{
	return a->port == b->port && a->family == b->family &&
	       fou_addr_eq(&a->local, &b->local) && fou_addr_eq(&a->peer, &b->peer) &&
	       a->peer_port == b->peer_port;
}

static int port_rx_one(struct foud *d, struct foud_port *p, struct fou_buf *b,
		       const struct foud_rxmeta *m)
{
	const struct foud_port_cfg *c = &p->cfg;
	struct fou_rx rx = { .src = m->src, .dst = m->dst, .tos = m->tos };
	int ret;

	if (m->truncated)
		return -FOU_DROP_TOO_SHORT;
	if (c->peer.family && (!fou_addr_eq(&c->peer, &m->src) || c->peer_port != m->sport))
		return -FOU_DROP_UNKNOWN_PEER;
	ret = fou_encap(c->type)->pull(b, c->ipproto, &rx.proto);
	if (ret)
		return ret;
	if (rx.proto != FOU_PROTO_IPIP && rx.proto != FOU_PROTO_IPV6 &&
	    rx.proto != FOU_PROTO_GRE)
		return -FOU_DROP_INNER_PROTO;
	ret = fou_rx_kind(b, &rx);
	if (ret)
		return ret;
	foud_tunnel_input(d, b, &rx, &p->st);
	return 0;
}

/*
 * A UDP GRO read holds several datagrams of meta->gso bytes (the last one
 * shorter); each is handled on its own, in place. Writing a virtio header
 * in front of one clobbers the tail of the one before, already done with.
 */
static void port_rx_split(struct foud *d, struct foud_port *p, const struct fou_buf *b,
			  const struct foud_rxmeta *m)
{
	struct fou_buf s;
	size_t off = 0;
	int ret;

	while (foud_rx_next(b, m, &off, &s)) {
		p->st.rx_packets++;
		p->st.rx_bytes += s.len;
		ret = port_rx_one(d, p, &s, m);
		if (ret < 0) {
			p->st.rx_drop[-ret]++;
			foud_log_drop("port", -ret, &m->src);
		}
	}
}

static void port_readable(struct foud *d, struct foud_ev *ev)
{
	struct foud_port *p = (struct foud_port *)((char *)ev - offsetof(struct foud_port, ev));
	struct foud_rxmeta meta[FOUD_BATCH];
	int i, n = FOUD_BATCH, rounds = 0;

	/*
	 * A few batches, then let the other descriptors have their turn. A
	 * short batch found the queue empty: no read just to hear EAGAIN
	 * (epoll is level-triggered, what came since wakes us again).
	 */
	while (rounds++ < 8 && n == FOUD_BATCH && (n = foud_recv_batch(ev->fd, &d->rxb, meta)) > 0) {
		for (i = 0; i < n; i++) {
			if (meta[i].sock_drops > p->sock_drops)
				p->sock_drops = meta[i].sock_drops;
			port_rx_split(d, p, &d->rxb.buf[i], &meta[i]);
		}
		foud_gro_flush(d);
	}
}

int foud_port_add(struct foud *d, const struct foud_port_cfg *cfg, char *err, size_t errlen)
{
	struct foud_port *p;
	int fd;

	TAILQ_FOREACH(p, &d->ports, entry) {
		if (port_same(&p->cfg, cfg)) {
			snprintf(err, errlen, "fou port %u already exists", cfg->port);
			return -EEXIST;
		}
	}
	fd = foud_udp_open(cfg, d->offload);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open UDP port %u: %s", cfg->port, strerror(-fd));
		return fd;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->cfg = *cfg;
	p->ev.fd = fd;
	p->ev.fn = port_readable;
	if (foud_loop_add(d, &p->ev) < 0) {
		close(fd);
		free(p);
		snprintf(err, errlen, "cannot watch UDP port %u", cfg->port);
		return -EIO;
	}
	if (foud_ours_add(d, FOU_PROTO_UDP, cfg->port)) {
		foud_loop_del(d, &p->ev);
		close(fd);
		free(p);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	TAILQ_INSERT_TAIL(&d->ports, p, entry);
	foud_bpf_ports_changed(d);
	return 0;
}

static void port_free(struct foud *d, struct foud_port *p)
{
	foud_uso_forget(d, p->ev.fd);
	TAILQ_REMOVE(&d->ports, p, entry);
	foud_loop_del(d, &p->ev);
	close(p->ev.fd);
	foud_ours_del(d, FOU_PROTO_UDP, p->cfg.port);
	free(p);
	foud_bpf_ports_changed(d);
}

int foud_port_del(struct foud *d, const struct foud_port_cfg *cfg, char *err, size_t errlen)
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

int foud_port_socket(struct foud *d, int family, const struct fou_addr *local, uint16_t port)
{
	const struct foud_port *p;

	TAILQ_FOREACH(p, &d->ports, entry)
		if (p->cfg.port == port && p->cfg.family == family &&
		    (!p->cfg.local.family || fou_addr_eq(&p->cfg.local, local)))
			return p->ev.fd;
	return -1;
}

void foud_port_free_all(struct foud *d)
{
	while (!TAILQ_EMPTY(&d->ports))
		port_free(d, TAILQ_FIRST(&d->ports));
}
