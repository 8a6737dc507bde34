/* SPDX-License-Identifier: MIT */
/*
 * Plain tunnels (encap none) receive on raw IP sockets of protocol 4, 41
 * and 47, one per family and protocol, opened while some tunnel needs them.
 */
#include <errno.h>
#include <unistd.h>

#include "foud.h"
#include "rx.h"

static const uint8_t raw_protos[3] = { FOU_PROTO_IPIP, FOU_PROTO_IPV6, FOU_PROTO_GRE };

static struct foud_raw *raw_slot(struct foud *d, int family, uint8_t proto)
{
	int i;

	for (i = 0; i < 3; i++)
		if (raw_protos[i] == proto)
			return &d->raw[(family == AF_INET6 ? 3 : 0) + i];
	return NULL;
}

/* IPv4 raw sockets deliver the outer header; take addresses and TOS from it. */
int foud_raw_outer_v4(struct fou_buf *b, struct foud_rxmeta *m)
{
	struct fou_ip ip;
	int ret = fou_ip_parse(fou_buf_data(b), b->len, &ip);

	if (ret)
		return ret;
	m->src = ip.src;
	m->dst = ip.dst;
	m->tos = ip.tos;
	b->len = ip.tot_len;
	fou_buf_pull(b, ip.hlen);
	return 0;
}

static int raw_rx_one(struct foud *d, void *ctx, struct fou_buf *b, struct foud_rxmeta *m)
{
	const struct foud_raw *r = ctx;
	struct fou_rx rx = { .proto = r->proto };
	int ret;

	if (m->truncated)
		return -FOU_DROP_TOO_SHORT;
	if (r->family == AF_INET && (ret = foud_raw_outer_v4(b, m)))
		return ret;
	rx.src = m->src;
	rx.dst = m->dst;
	rx.tos = m->tos;
	ret = fou_rx_kind(b, &rx);
	if (ret)
		return ret;
	if (d->up.input)
		d->up.input(d, b, &rx, &d->unmatched);
	return 0;
}

static void raw_readable(struct foud *d, struct foud_ev *ev)
{
	const struct foud_rxpt rp = {
		.name = "raw", .drops = &d->unmatched, .one = raw_rx_one, .ctx = (struct foud_raw *)ev,
	};

	foud_rx_drain(d, ev->fd, &rp);
}

int foud_raw_get(struct foud *d, int family, uint8_t proto)
{
	struct foud_raw *r = raw_slot(d, family, proto);
	int fd, ret;

	if (!r)
		return -EINVAL;
	if (r->users++)
		return 0;
	fd = foud_raw_rx_open(family, proto);
	if (fd < 0) {
		r->users = 0;
		return fd;
	}
	r->ev.fd = fd;
	r->ev.fn = raw_readable;
	r->family = family;
	r->proto = proto;
	ret = foud_loop_add(d, &r->ev);
	if (!ret && (ret = foud_ours_add(d, proto, 0)))
		foud_loop_del(d, &r->ev);
	if (ret) {
		close(fd);
		r->users = 0;
		r->ev.fd = -1;
	}
	return ret;
}

void foud_raw_put(struct foud *d, int family, uint8_t proto)
{
	struct foud_raw *r = raw_slot(d, family, proto);

	if (!r || !r->users || --r->users)
		return;
	foud_loop_del(d, &r->ev);
	close(r->ev.fd);
	r->ev.fd = -1;
	foud_ours_del(d, proto, 0);
}
