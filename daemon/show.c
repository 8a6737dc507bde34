/* SPDX-License-Identifier: MIT */
/* `fou show` and `link show`: text like ip(8), or JSON shaped like `ip -j`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "foud.h"

static uint64_t drops_total(const uint64_t *v)
{
	uint64_t sum = 0;
	int i;

	for (i = 1; i < FOU_DROP__MAX; i++)
		sum += v[i];
	return sum;
}

static void text_drops(struct foud_out *o, const char *dir, const uint64_t *v)
{
	int i;

	if (!drops_total(v))
		return;
	foud_out_printf(o, "    %s drops:", dir);
	for (i = 1; i < FOU_DROP__MAX; i++)
		if (v[i])
			foud_out_printf(o, " %s %llu", fou_drop_name(i), (unsigned long long)v[i]);
	foud_out_printf(o, "\n");
}

static void json_drops(struct foud_out *o, const uint64_t *v)
{
	const char *sep = "";
	int i;

	foud_out_printf(o, "{");
	for (i = 1; i < FOU_DROP__MAX; i++) {
		foud_out_printf(o, "%s\"%s\":%llu", sep, fou_drop_name(i),
				(unsigned long long)v[i]);
		sep = ",";
	}
	foud_out_printf(o, "}");
}

static void json_dir(struct foud_out *o, uint64_t bytes, uint64_t pkts, const uint64_t *drops)
{
	foud_out_printf(o, "{\"bytes\":%llu,\"packets\":%llu,\"errors\":0,\"dropped\":%llu}",
			(unsigned long long)bytes, (unsigned long long)pkts,
			(unsigned long long)drops_total(drops));
}

void foud_show_stats_json(struct foud_out *o, const struct foud_stats *s)
{
	foud_out_printf(o, ",\"stats64\":{\"rx\":");
	json_dir(o, s->rx_bytes, s->rx_packets, s->rx_drop);
	foud_out_printf(o, ",\"tx\":");
	json_dir(o, s->tx_bytes, s->tx_packets, s->tx_drop);
	foud_out_printf(o, "},\"drops\":{\"rx\":");
	json_drops(o, s->rx_drop);
	foud_out_printf(o, ",\"tx\":");
	json_drops(o, s->tx_drop);
	foud_out_printf(o, "}");
}

void foud_show_stats_text(struct foud_out *o, const struct foud_stats *s)
{
	foud_out_printf(o, "    RX: bytes packets dropped\n        %llu %llu %llu\n",
			(unsigned long long)s->rx_bytes, (unsigned long long)s->rx_packets,
			(unsigned long long)drops_total(s->rx_drop));
	foud_out_printf(o, "    TX: bytes packets dropped\n        %llu %llu %llu\n",
			(unsigned long long)s->tx_bytes, (unsigned long long)s->tx_packets,
			(unsigned long long)drops_total(s->tx_drop));
	text_drops(o, "RX", s->rx_drop);
	text_drops(o, "TX", s->tx_drop);
}

/* ---- fou show ----------------------------------------------------------- */

/* Datagrams the kernel dropped at a port's socket before foud could read them. */
void foud_show_sock_drops(struct foud_out *o, bool json, uint64_t n)
{
	if (json)
		foud_out_printf(o, ",\"sock_drops\":%llu", (unsigned long long)n);
	else
		foud_out_printf(o, "    socket drops (receive queue full) %llu\n",
				(unsigned long long)n);
}

/* foud's own counters plus what the BPF programs counted. */
static struct foud_stats port_stats(struct foud *d, const struct foud_port *p)
{
	struct foud_stats s = p->st;

	foud_bpf_port_stats(d, p, &s);
	return s;
}

static struct foud_stats link_stats(struct foud *d, const struct foud_tunnel *t)
{
	struct foud_stats s = t->st;

	foud_bpf_tunnel_stats(d, t, &s);
	return s;
}

static void port_text(struct foud *d, const struct foud_port *p, uint32_t flags,
		      struct foud_out *o)
{
	struct foud_stats st;
	const struct foud_port_cfg *c = &p->cfg;
	char a[64];

	foud_out_printf(o, "port %u", c->port);
	if (c->type == FOU_ENCAP_GUE)
		foud_out_printf(o, " gue");
	else
		foud_out_printf(o, " ipproto %u", c->ipproto);
	if (c->family == AF_INET6)
		foud_out_printf(o, " -6");
	if (c->local.family)
		foud_out_printf(o, " local %s", fou_addr_str(&c->local, a, sizeof(a)));
	if (c->peer.family)
		foud_out_printf(o, " peer %s peer_port %u", fou_addr_str(&c->peer, a, sizeof(a)),
				c->peer_port);
	foud_out_printf(o, "\n");
	if (flags & FOUD_CTL_F_STATS) {
		st = port_stats(d, p);
		foud_show_stats_text(o, &st);
		foud_show_sock_drops(o, false, foud_sock_drops(p->ev.fd, p->sock_drops));
	}
}

static void port_json(struct foud *d, const struct foud_port *p, uint32_t flags,
		      struct foud_out *o)
{
	struct foud_stats st;
	const struct foud_port_cfg *c = &p->cfg;
	char a[64];

	foud_out_printf(o, "{\"port\":%u", c->port);
	if (c->type == FOU_ENCAP_GUE)
		foud_out_printf(o, ",\"gue\":null");
	else
		foud_out_printf(o, ",\"ipproto\":%u", c->ipproto);
	foud_out_printf(o, ",\"family\":");
	foud_out_jstr(o, c->family == AF_INET6 ? "inet6" : "inet");
	if (c->local.family) {
		foud_out_printf(o, ",\"local\":");
		foud_out_jstr(o, fou_addr_str(&c->local, a, sizeof(a)));
	}
	if (c->peer.family) {
		foud_out_printf(o, ",\"peer\":");
		foud_out_jstr(o, fou_addr_str(&c->peer, a, sizeof(a)));
		foud_out_printf(o, ",\"peer_port\":%u", c->peer_port);
	}
	if (flags & FOUD_CTL_F_STATS) {
		st = port_stats(d, p);
		foud_show_stats_json(o, &st);
		foud_show_sock_drops(o, true, foud_sock_drops(p->ev.fd, p->sock_drops));
	}
	foud_out_printf(o, "}");
}

void foud_show_ports(struct foud *d, uint32_t flags, struct foud_out *o)
{
	const struct foud_port *p;
	const char *sep = "";

	if (flags & FOUD_CTL_F_JSON)
		foud_out_printf(o, "[");
	TAILQ_FOREACH(p, &d->ports, entry) {
		if (flags & FOUD_CTL_F_JSON) {
			foud_out_printf(o, "%s", sep);
			port_json(d, p, flags, o);
			sep = ",";
		} else {
			port_text(d, p, flags, o);
		}
	}
	foud_l2_show_ports(d, flags, o, &sep);
	if (flags & FOUD_CTL_F_JSON)
		foud_out_printf(o, "]\n");
	else if ((flags & FOUD_CTL_F_STATS) && drops_total(d->unmatched.rx_drop))
		text_drops(o, "raw sockets: RX", d->unmatched.rx_drop);
}

/* ---- link show ---------------------------------------------------------- */

static void link_text_gre(const struct fou_tnl *n, struct foud_out *o)
{
	if (!fou_kind(n->kind)->gre)
		return;
	if (n->gre_iflags & FOU_GRE_KEY)
		foud_out_printf(o, " ikey %u", n->ikey);
	if (n->gre_oflags & FOU_GRE_KEY)
		foud_out_printf(o, " okey %u", n->okey);
	if (n->gre_iflags & FOU_GRE_CSUM)
		foud_out_printf(o, " icsum");
	if (n->gre_oflags & FOU_GRE_CSUM)
		foud_out_printf(o, " ocsum");
	if (n->gre_iflags & FOU_GRE_SEQ)
		foud_out_printf(o, " iseq");
	if (n->gre_oflags & FOU_GRE_SEQ)
		foud_out_printf(o, " oseq");
}

/*
 * UDP GSO of a tunnel's super-packets (uso.c), with -d: on; off (foud -O, or
 * a kernel without it); refused (the kernel said no on this path); and how
 * many super-packets went segment by segment because of a refusal.
 */
static void link_gso(const struct foud *d, const struct foud_tunnel *t, bool json,
		     struct foud_out *o)
{
	const char *st = !d->udp_gso ? "off" : t->gso_off ? "refused" : "on";

	/* Raw-socket tunnels and the BPF path never send with UDP_SEGMENT. */
	if (t->bpf_egress || (!t->l2 && t->tnl.encap == FOU_ENCAP_NONE))
		return;
	if (json) {
		foud_out_printf(o, ",\"udp_gso\":");
		foud_out_jstr(o, st);
		foud_out_printf(o, ",\"gso_fallback\":%llu", (unsigned long long)t->gso_fallback);
	} else
		foud_out_printf(o, "    udp-gso %s gso_fallback %llu\n", st,
				(unsigned long long)t->gso_fallback);
}

/* The device of the route to remote now (follow.c), or none. */
static const char *link_underlay(const struct foud_tunnel *t, char buf[IF_NAMESIZE])
{
	if (!t->ul_ifindex || !if_indextoname((unsigned int)t->ul_ifindex, buf))
		return NULL;
	return buf;
}

/* A BPF tunnel whose route goes through a device the programs cannot send on. */
static bool link_bpf_userspace(const struct foud_tunnel *t)
{
	return t->bpf_egress && t->ul_ifindex && !t->bpf_oif;
}

static void link_text(struct foud *d, const struct foud_tunnel *t, uint32_t flags,
		      struct foud_out *o)
{
	const struct fou_tnl *n = &t->tnl;
	struct foud_stats st = link_stats(d, t);
	char r[64], l[64], u[IF_NAMESIZE];

	if (t->l2) {
		foud_l2_show(t, false, o);
		if (flags & FOUD_CTL_F_DETAILS)
			link_gso(d, t, false, o);
		if (flags & FOUD_CTL_F_STATS)
			foud_show_stats_text(o, &st);
		return;
	}
	foud_out_printf(o, "%s: %s remote %s local %s", t->name, fou_kind(n->kind)->name,
			fou_addr_str(&n->remote, r, sizeof(r)), fou_addr_str(&n->local, l, sizeof(l)));
	if (n->ttl)
		foud_out_printf(o, " ttl %u", n->ttl);
	else
		foud_out_printf(o, " ttl inherit");
	if (n->tos_inherit)
		foud_out_printf(o, " tos inherit");
	else if (n->tos)
		foud_out_printf(o, " tos 0x%x", n->tos);
	if (!n->pmtudisc)
		foud_out_printf(o, " nopmtudisc");
	link_text_gre(n, o);
	foud_out_printf(o, " mtu %u\n", t->mtu);
	if (n->encap != FOU_ENCAP_NONE) {
		foud_out_printf(o, "    encap %s encap-sport ", fou_encap(n->encap)->name);
		if (n->encap_sport)
			foud_out_printf(o, "%u", n->encap_sport);
		else
			foud_out_printf(o, "auto");
		foud_out_printf(o, " encap-dport %u %sencap-csum %sencap-udp6-csum %sencap-remcsum\n",
				n->encap_dport, n->encap_flags & FOU_ENCAP_F_CSUM ? "" : "no",
				n->encap_flags & FOU_ENCAP_F_CSUM6 ? "" : "no",
				n->encap_flags & FOU_ENCAP_F_REMCSUM ? "" : "no");
	}
	if (flags & FOUD_CTL_F_DETAILS) {
		foud_out_printf(o, "    ifindex %d state %s underlay %s path-mtu %u overhead %zu ",
				t->ifindex, !d->follow ? "unknown" : t->dev_up ? "up" : "down",
				link_underlay(t, u) ? u : "none (no route)", t->path_mtu,
				fou_tnl_overhead(n));
		if (link_bpf_userspace(t))
			foud_out_printf(o, "datapath bpf (transmit by userspace: BPF cannot send "
					"on the underlay)");
		else if (t->bpf_egress)
			foud_out_printf(o, "datapath bpf");
		else
			foud_out_printf(o, "datapath userspace (%s)", t->dp_why);
		foud_out_printf(o, " offload %s\n", t->offload ? "on" : "off");
	}
	if (flags & FOUD_CTL_F_DETAILS)
		link_gso(d, t, false, o);
	if (flags & FOUD_CTL_F_STATS)
		foud_show_stats_text(o, &st);
}

static void link_json_gre(const struct fou_tnl *n, struct foud_out *o)
{
	if (!fou_kind(n->kind)->gre)
		return;
	if (n->gre_iflags & FOU_GRE_KEY)
		foud_out_printf(o, ",\"ikey\":%u", n->ikey);
	if (n->gre_oflags & FOU_GRE_KEY)
		foud_out_printf(o, ",\"okey\":%u", n->okey);
	foud_out_printf(o, ",\"icsum\":%s,\"ocsum\":%s,\"iseq\":%s,\"oseq\":%s",
			n->gre_iflags & FOU_GRE_CSUM ? "true" : "false",
			n->gre_oflags & FOU_GRE_CSUM ? "true" : "false",
			n->gre_iflags & FOU_GRE_SEQ ? "true" : "false",
			n->gre_oflags & FOU_GRE_SEQ ? "true" : "false");
}

static void link_json_encap(const struct fou_tnl *n, struct foud_out *o)
{
	foud_out_printf(o, ",\"encap\":{\"type\":");
	foud_out_jstr(o, fou_encap(n->encap)->name);
	if (n->encap != FOU_ENCAP_NONE) {
		if (n->encap_sport)
			foud_out_printf(o, ",\"sport\":%u", n->encap_sport);
		else
			foud_out_printf(o, ",\"sport\":\"auto\"");
		foud_out_printf(o, ",\"dport\":%u,\"csum\":%s,\"csum6\":%s,\"remcsum\":%s",
				n->encap_dport, n->encap_flags & FOU_ENCAP_F_CSUM ? "true" : "false",
				n->encap_flags & FOU_ENCAP_F_CSUM6 ? "true" : "false",
				n->encap_flags & FOU_ENCAP_F_REMCSUM ? "true" : "false");
	}
	foud_out_printf(o, "}");
}

static void json_reason(struct foud_out *o, const char *why)
{
	foud_out_printf(o, ",\"datapath_reason\":");
	foud_out_jstr(o, why);
}

/* -d: the path, the state and the underlay device, as follow.c last heard. */
static void link_json_details(struct foud *d, const struct foud_tunnel *t, struct foud_out *o)
{
	char u[IF_NAMESIZE];

	foud_out_printf(o, ",\"path_mtu\":%u,\"overhead\":%zu,\"datapath\":", t->path_mtu,
			fou_tnl_overhead(&t->tnl));
	foud_out_jstr(o, t->bpf_egress ? "bpf" : "userspace");
	foud_out_printf(o, ",\"offload\":%s,\"state\":", t->offload ? "true" : "false");
	foud_out_jstr(o, !d->follow ? "unknown" : t->dev_up ? "up" : "down");
	foud_out_printf(o, ",\"underlay\":");
	if (link_underlay(t, u))
		foud_out_jstr(o, u);
	else
		foud_out_printf(o, "null");
	if (link_bpf_userspace(t))
		json_reason(o, "transmit by userspace: BPF cannot send on the underlay");
	else if (!t->bpf_egress)
		json_reason(o, t->dp_why);
	link_gso(d, t, true, o);
}

static void link_json(struct foud *d, const struct foud_tunnel *t, uint32_t flags,
		      struct foud_out *o)
{
	const struct fou_tnl *n = &t->tnl;
	struct foud_stats st = link_stats(d, t);
	char a[64];

	foud_out_printf(o, "{\"ifindex\":%d,\"ifname\":", t->ifindex);
	foud_out_jstr(o, t->name);
	foud_out_printf(o, ",\"mtu\":%u", t->mtu);
	if (t->l2) {
		foud_out_printf(o, ",\"linkinfo\":{");
		foud_l2_show(t, true, o);
		foud_out_printf(o, "}");
		if (flags & FOUD_CTL_F_DETAILS)
			link_gso(d, t, true, o);
		if (flags & FOUD_CTL_F_STATS)
			foud_show_stats_json(o, &st);
		foud_out_printf(o, "}");
		return;
	}
	foud_out_printf(o, ",\"linkinfo\":{\"info_kind\":");
	foud_out_jstr(o, fou_kind(n->kind)->name);
	foud_out_printf(o, ",\"info_data\":{\"remote\":");
	foud_out_jstr(o, fou_addr_str(&n->remote, a, sizeof(a)));
	foud_out_printf(o, ",\"local\":");
	foud_out_jstr(o, fou_addr_str(&n->local, a, sizeof(a)));
	if (n->ttl)
		foud_out_printf(o, ",\"ttl\":%u", n->ttl);
	else
		foud_out_printf(o, ",\"ttl\":\"inherit\"");
	if (n->tos_inherit)
		foud_out_printf(o, ",\"tos\":\"inherit\"");
	else
		foud_out_printf(o, ",\"tos\":\"0x%x\"", n->tos);
	foud_out_printf(o, ",\"pmtudisc\":%s", n->pmtudisc ? "true" : "false");
	link_json_gre(n, o);
	link_json_encap(n, o);
	foud_out_printf(o, "}}");
	if (flags & FOUD_CTL_F_DETAILS)
		link_json_details(d, t, o);
	if ((flags & FOUD_CTL_F_DETAILS) && (flags & FOUD_CTL_F_STATS) && t->bpf_egress) {
		struct foud_stats b;

		foud_bpf_tunnel_stats_only(d, t, &b);
		foud_out_printf(o, ",\"bpf_stats64\":{\"rx\":{\"bytes\":%llu,\"packets\":%llu},"
				"\"tx\":{\"bytes\":%llu,\"packets\":%llu}}",
				(unsigned long long)b.rx_bytes, (unsigned long long)b.rx_packets,
				(unsigned long long)b.tx_bytes, (unsigned long long)b.tx_packets);
		/* What the programs dropped themselves (link_down, no_route, loop...). */
		foud_out_printf(o, ",\"bpf_drops\":{\"rx\":");
		json_drops(o, b.rx_drop);
		foud_out_printf(o, ",\"tx\":");
		json_drops(o, b.tx_drop);
		foud_out_printf(o, "}");
	}
	if (flags & FOUD_CTL_F_STATS)
		foud_show_stats_json(o, &st);
	foud_out_printf(o, "}");
}

int foud_show_links(struct foud *d, const char *name, uint32_t flags, struct foud_out *o,
		    char *err, size_t errlen)
{
	const struct foud_tunnel *t;
	const char *sep = "";
	bool json = flags & FOUD_CTL_F_JSON;

	if (name[0] && !foud_tunnel_find(d, name)) {
		snprintf(err, errlen, "no link \"%s\"", name);
		return -ENODEV;
	}
	if (json)
		foud_out_printf(o, "[");
	TAILQ_FOREACH(t, &d->tunnels, entry) {
		if (name[0] && strcmp(name, t->name))
			continue;
		if (json) {
			foud_out_printf(o, "%s", sep);
			link_json(d, t, flags, o);
			sep = ",";
		} else {
			link_text(d, t, flags, o);
		}
	}
	if (json)
		foud_out_printf(o, "]\n");
	return 0;
}
