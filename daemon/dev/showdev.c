/* SPDX-License-Identifier: MIT */
/*
 * The words a device class's show shares with the others (counters and drop
 * reasons, family, tos, GRE flags, FOU/GUE encap, UDP GSO, BPF counters),
 * each written once through print.c. The classes call these; show.c, the
 * `fou show` and `link show` commands, calls the classes.
 */
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
void foud_show_drops(struct foud_pr *p, const char *key, const char *label, const uint64_t *v)
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
void foud_show_stats64(struct foud_pr *p, const char *key, const struct foud_stats *s, bool all)
{
	foud_pr_open_object(p, key);
	pr_dir(p, "rx", all ? "RX" : NULL, s->rx_bytes, s->rx_packets, all ? s->rx_drop : NULL);
	pr_dir(p, "tx", all ? "TX" : NULL, s->tx_bytes, s->tx_packets, all ? s->tx_drop : NULL);
	foud_pr_close_object(p);
}

/* Drops by reason, both ways; all: the text lines too. */
void foud_show_drop_dirs(struct foud_pr *p, const char *key, const struct foud_stats *s, bool all)
{
	foud_pr_open_object(p, key);
	foud_show_drops(p, "rx", all ? "RX" : NULL, s->rx_drop);
	foud_show_drops(p, "tx", all ? "TX" : NULL, s->tx_drop);
	foud_pr_close_object(p);
}

static void pr_counters(struct foud_pr *p, const char *skey, const char *dkey,
			const struct foud_stats *s, bool all)
{
	foud_show_stats64(p, skey, s, all);
	foud_show_drop_dirs(p, dkey, s, all);
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
