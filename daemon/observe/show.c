/* SPDX-License-Identifier: MIT */
/*
 * `fou show` and `link show`, written once through print.c: text like ip(8),
 * JSON like `ip -j`. A device's linkinfo is its class's (ops->show), made of
 * the shared words of showdev.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "foud.h"

/* foud's own counters plus what the BPF programs counted. */
static struct foud_stats port_stats(struct foud *d, const struct foud_port *fp)
{
	struct foud_stats s = fp->st;

	foud_bpf_port_stats(d, fp, &s);
	return s;
}

static struct foud_stats link_stats(struct foud *d, const struct foud_tunnel *t)
{
	struct foud_stats s = t->st;

	foud_bpf_tunnel_stats(d, t, &s);
	return s;
}

static void port_show(struct foud *d, const struct foud_port *fp, struct foud_pr *p)
{
	const struct cmd_port_cfg *c = &fp->cfg;
	struct foud_stats st = port_stats(d, fp);
	char a[64];

	foud_pr_open_object(p, NULL);
	foud_pr_uint(p, "port", "port %u", c->port);
	if (c->type == FOU_ENCAP_GUE)
		foud_pr_null(p, "gue", " %s");
	else
		foud_pr_uint(p, "ipproto", " ipproto %u", c->ipproto);
	foud_show_family(p, c->family);
	if (c->local.family)
		foud_pr_str(p, "local", " local %s", fou_addr_str(&c->local, a, sizeof(a)));
	if (c->peer.family) {
		foud_pr_str(p, "peer", " peer %s", fou_addr_str(&c->peer, a, sizeof(a)));
		foud_pr_uint(p, "peer_port", " peer_port %u", c->peer_port);
	}
	foud_pr_nl(p);
	foud_show_port_stats(p, &st, foud_sock_drops(fp->ev.fd, fp->sock_drops) +
			     (fp->vev.fd >= 0 ? foud_sock_drops(fp->vev.fd, fp->vsock_drops) : 0), fp);
	foud_pr_close_object(p);
}

void foud_show_ports(struct foud *d, struct foud_pr *p)
{
	const struct foud_port *fp;

	foud_pr_open_array(p, NULL);
	TAILQ_FOREACH(fp, &d->ports, entry)
		port_show(d, fp, p);
	foud_dev_show_ports(d, p);
	foud_pr_close_array(p);
	/* Raw-socket drops that reached no tunnel: a text line; JSON's list of ports has no room. */
	if ((p->flags & CTL_F_STATS) && !foud_pr_json(p))
		foud_show_drops(p, NULL, "raw sockets: RX", d->unmatched.rx_drop);
}

/* ---- link show ---------------------------------------------------------- */

/*
 * foud's own figures, in JSON under "foud" (a key ip never prints): -d what
 * the class shows after its linkinfo (path, state, UDP GSO, BPF counters,
 * an L2 device's table); -s the drop reasons.
 */
static void link_foud(struct foud *d, const struct foud_tunnel *t, struct foud_pr *p,
		      const struct foud_stats *st)
{
	bool details = p->flags & CTL_F_DETAILS, stats = p->flags & CTL_F_STATS;

	if (!details && !stats)
		return;
	foud_pr_open_object(p, "foud");
	if (details)
		t->ops->show_details(d, t, p);
	if (stats && foud_pr_json(p)) {
		foud_show_drop_dirs(p, "drops", st, false);
		foud_pr_u64(p, "csum_trusted", NULL, t->csum_trusted);
	}
	foud_pr_close_object(p);
}

/* JSON: what ip -j says of the device itself, around its linkinfo (iflink.c). */
static void link_head(const struct foud_iflink *il, const struct foud_tunnel *t,
		      struct foud_pr *p)
{
	if (il)
		foud_iflink_head(il, t, p, p->flags & CTL_F_DETAILS);
	else
		foud_pr_uint(p, "mtu", NULL, t->mtu);
}

static void link_show(struct foud *d, const struct foud_tunnel *t, struct foud_pr *p)
{
	struct foud_stats st = link_stats(d, t);
	bool stats = p->flags & CTL_F_STATS;
	struct foud_iflink *il = foud_pr_json(p) ? foud_iflink_get(t->name) : NULL;

	foud_pr_open_object(p, NULL);
	foud_pr_s64(p, "ifindex", NULL, t->ifindex);
	foud_pr_str(p, "ifname", "%s:", t->name);
	link_head(il, t, p);
	foud_pr_open_object(p, "linkinfo");
	t->ops->show(t, p);
	foud_pr_close_object(p);
	if (il && (p->flags & CTL_F_DETAILS))
		foud_iflink_tail(il, p);
	foud_iflink_free(il);
	link_foud(d, t, p, &st);
	if (stats)
		foud_show_stats64(p, "stats64", &st, true);
	if (stats && !foud_pr_json(p))
		foud_show_drop_dirs(p, NULL, &st, true);
	foud_pr_close_object(p);
}

int foud_show_links(struct foud *d, const char *name, struct foud_pr *p, char *err,
		    size_t errlen)
{
	const struct foud_tunnel *t;

	if (name[0] && !foud_dev_find(d, name)) {
		snprintf(err, errlen, "no link \"%s\"", name);
		return -ENODEV;
	}
	foud_pr_open_array(p, NULL);
	FOUD_DEV_FOREACH(t, d)
		if (!name[0] || !strcmp(name, t->name))
			link_show(d, t, p);
	foud_pr_close_array(p);
	return 0;
}
