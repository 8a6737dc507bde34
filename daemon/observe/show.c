/* SPDX-License-Identifier: MIT */
/*
 * `fou show`, `link show` and the parts other shows share (counters, tos, GRE
 * flags), each written once through print.c: text like ip(8), JSON like `ip -j`.
 */
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

/* Every reason in JSON; in text (with a label) a line of those that counted, if any. */
static void pr_drops(struct foud_pr *p, const char *key, const char *label, const uint64_t *v)
{
	bool text = label && drops_total(v);
	int i;

	foud_pr_open_object(p, key);
	if (text)
		foud_pr_text(p, "    %s drops:", label);
	for (i = 1; i < FOU_DROP__MAX; i++) {
		if (text && v[i])
			foud_pr_text(p, " %s", fou_drop_name(i));
		foud_pr_u64(p, fou_drop_name(i), text && v[i] ? " %llu" : NULL, v[i]);
	}
	if (text)
		foud_pr_nl(p);
	foud_pr_close_object(p);
}

/*
 * One direction's figures; drops NULL: bytes and packets only. With drops,
 * every key `ip -s -j` has: errors and the rest foud never counts are 0.
 */
static void pr_dir(struct foud_pr *p, const char *key, const char *label, uint64_t bytes,
		   uint64_t pkts, const uint64_t *drops)
{
	bool rx = !strcmp(key, "rx");

	foud_pr_open_object(p, key);
	if (label)
		foud_pr_text(p, "    %s: bytes packets dropped\n       ", label);
	foud_pr_u64(p, "bytes", label ? " %llu" : NULL, bytes);
	foud_pr_u64(p, "packets", label ? " %llu" : NULL, pkts);
	if (drops) {
		foud_pr_u64(p, "errors", NULL, 0);
		foud_pr_u64(p, "dropped", label ? " %llu\n" : NULL, drops_total(drops));
		foud_pr_u64(p, rx ? "over_errors" : "carrier_errors", NULL, 0);
		foud_pr_u64(p, rx ? "multicast" : "collisions", NULL, 0);
	}
	foud_pr_close_object(p);
}

/* Counters as `ip -s -j` keys them; all: the text lines and dropped totals too. */
static void pr_stats64(struct foud_pr *p, const char *key, const struct foud_stats *s, bool all)
{
	foud_pr_open_object(p, key);
	pr_dir(p, "rx", all ? "RX" : NULL, s->rx_bytes, s->rx_packets, all ? s->rx_drop : NULL);
	pr_dir(p, "tx", all ? "TX" : NULL, s->tx_bytes, s->tx_packets, all ? s->tx_drop : NULL);
	foud_pr_close_object(p);
}

/* Drops by reason, both ways; all: the text lines too. */
static void pr_drop_dirs(struct foud_pr *p, const char *key, const struct foud_stats *s, bool all)
{
	foud_pr_open_object(p, key);
	pr_drops(p, "rx", all ? "RX" : NULL, s->rx_drop);
	pr_drops(p, "tx", all ? "TX" : NULL, s->tx_drop);
	foud_pr_close_object(p);
}

static void pr_counters(struct foud_pr *p, const char *skey, const char *dkey,
			const struct foud_stats *s, bool all)
{
	pr_stats64(p, skey, s, all);
	pr_drop_dirs(p, dkey, s, all);
}

void foud_show_stats(struct foud_pr *p, const struct foud_stats *s)
{
	pr_counters(p, "stats64", "drops", s, true);
}

/* ---- fou show ----------------------------------------------------------- */

/*
 * -s on a port: its counters, and the datagrams the kernel dropped at its
 * sockets; in JSON under "foud", as `ip -j fou show` has no counters. A
 * receive port (fp) adds its verify-once count (csum.c).
 */
void foud_show_port_stats(struct foud_pr *p, const struct foud_stats *s, uint64_t sock_drops,
			  const struct foud_port *fp)
{
	if (!(p->flags & CTL_F_STATS))
		return;
	foud_pr_open_object(p, "foud");
	foud_show_stats(p, s);
	foud_pr_u64(p, "sock_drops", "    socket drops (receive queue full) %llu\n", sock_drops);
	if (fp)
		foud_csum_show(p, fp);
	foud_pr_close_object(p);
}

/* JSON names the family; text marks only IPv6. */
void foud_show_family(struct foud_pr *p, int family)
{
	foud_pr_str(p, "family", NULL, family == AF_INET6 ? "inet6" : "inet");
	if (family == AF_INET6)
		foud_pr_text(p, " -6");
}

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
		pr_drops(p, NULL, "raw sockets: RX", d->unmatched.rx_drop);
}

/* ---- link show ---------------------------------------------------------- */

/* tos as ip(8) words it: text leaves out 0; JSON too, and has inherit as 0x1, as ip -j. */
void foud_show_tos(struct foud_pr *p, bool inherit, uint8_t tos)
{
	char h[8];

	snprintf(h, sizeof(h), "0x%x", inherit ? 1 : tos);
	if (inherit || tos)
		foud_pr_str(p, "tos", NULL, h);
	if (inherit)
		foud_pr_text(p, " tos inherit");
	else if (tos)
		foud_pr_text(p, " tos %s", h);
}

/* A GRE key: JSON has it as a dotted quad, as ip does; text as a number. */
static void pr_gre_key(struct foud_pr *p, const char *key, const char *fmt, uint32_t k)
{
	char q[16];

	snprintf(q, sizeof(q), "%u.%u.%u.%u", k >> 24, k >> 16 & 0xff, k >> 8 & 0xff, k & 0xff);
	foud_pr_str(p, key, NULL, q);
	foud_pr_text(p, fmt, k);
}

/* A GRE flag: ip's JSON has it only when set. */
static void pr_gre_flag(struct foud_pr *p, const char *key, const char *text, bool v)
{
	if (v)
		foud_pr_bool(p, key, text, NULL, true);
}

void foud_show_gre(struct foud_pr *p, const struct fou_tnl *n)
{
	if (n->gre_iflags & FOU_GRE_KEY)
		pr_gre_key(p, "ikey", " ikey %u", n->ikey);
	if (n->gre_oflags & FOU_GRE_KEY)
		pr_gre_key(p, "okey", " okey %u", n->okey);
	pr_gre_flag(p, "icsum", " icsum", n->gre_iflags & FOU_GRE_CSUM);
	pr_gre_flag(p, "ocsum", " ocsum", n->gre_oflags & FOU_GRE_CSUM);
	pr_gre_flag(p, "iseq", " iseq", n->gre_iflags & FOU_GRE_SEQ);
	pr_gre_flag(p, "oseq", " oseq", n->gre_oflags & FOU_GRE_SEQ);
}

/* A word of the text output, or none (NULL) where the caller's line has no room for it. */
static const char *pr_word(bool on, const char *word)
{
	return on ? word : NULL;
}

/*
 * FOU or GUE, as ip -j has it (sport 0: auto); nothing with encap none. An
 * IP tunnel's text gives it a line of its own with the checksum words;
 * GRE-TAP's continues its line, checksums in JSON only.
 */
void foud_show_encap(struct foud_pr *p, const struct fou_tnl *n, bool own_line)
{
	if (n->encap == FOU_ENCAP_NONE)
		return;
	foud_pr_open_object(p, "encap");
	foud_pr_str(p, "type", own_line ? "    encap %s" : " encap %s", fou_encap(n->encap)->name);
	foud_pr_uint(p, "sport", n->encap_sport ? " encap-sport %u" : NULL, n->encap_sport);
	if (!n->encap_sport)
		foud_pr_text(p, " encap-sport auto");
	foud_pr_uint(p, "dport", " encap-dport %u", n->encap_dport);
	foud_pr_bool(p, "csum", pr_word(own_line, " encap-csum"), pr_word(own_line, " noencap-csum"),
		     n->encap_flags & FOU_ENCAP_F_CSUM);
	foud_pr_bool(p, "csum6", pr_word(own_line, " encap-udp6-csum"),
		     pr_word(own_line, " noencap-udp6-csum"), n->encap_flags & FOU_ENCAP_F_CSUM6);
	foud_pr_bool(p, "remcsum", pr_word(own_line, " encap-remcsum"),
		     pr_word(own_line, " noencap-remcsum"), n->encap_flags & FOU_ENCAP_F_REMCSUM);
	if (own_line)
		foud_pr_nl(p);
	foud_pr_close_object(p);
}

/*
 * UDP GSO of a tunnel's super-packets (uso.c), with -d: on; off (foud -O, or
 * a kernel without it); refused (the kernel said no on this path); and how
 * many super-packets went segment by segment because of a refusal.
 */
void foud_show_gso(const struct foud *d, const struct foud_tunnel *t, struct foud_pr *p)
{
	const char *st = !d->udp_gso ? "off" : t->gso_off ? "refused" : "on";

	/* The BPF path never sends with UDP_SEGMENT. */
	if (t->bpf_egress)
		return;
	foud_pr_str(p, "udp_gso", "    udp-gso %s", st);
	foud_pr_u64(p, "gso_fallback", " gso_fallback %llu\n", t->gso_fallback);
}

/* -d -s on a BPF tunnel: what the programs counted, and dropped themselves (JSON only). */
void foud_show_bpf_stats(struct foud *d, const struct foud_tunnel *t, struct foud_pr *p)
{
	struct foud_stats b;

	foud_bpf_tunnel_stats_only(d, t, &b);
	pr_counters(p, "bpf_stats64", "bpf_drops", &b, false);
}

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
	if (stats && foud_pr_json(p))
		pr_drop_dirs(p, "drops", st, false);
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
		pr_stats64(p, "stats64", &st, true);
	if (stats && !foud_pr_json(p))
		pr_drop_dirs(p, NULL, &st, true);
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
