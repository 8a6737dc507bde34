// SPDX-License-Identifier: MIT
/*
 * `link add type vxlan|nvgre|gretap|geneve|stt`: the L2 overlays' words.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd_int.h"

static int l2_id(struct pctx *p, const char *v)
{
	return cmd_parse_vni(v, &l2(p)->vni);
}

static int l2_key(struct pctx *p, const char *v)
{
	return cmd_parse_u64(v, &l2(p)->key);
}

static int l2_remote(struct pctx *p, const char *v)
{
	return cmd_parse_unicast(v, &l2(p)->remote);
}

/* GRE kinds: a multicast remote is a group (gre_group()). */
static int l2_remote_any(struct pctx *p, const char *v)
{
	return cmd_parse_addr(v, &l2(p)->remote);
}

static int l2_local(struct pctx *p, const char *v)
{
	return cmd_parse_unicast(v, &l2(p)->local);
}

static int l2_group(struct pctx *p, const char *v)
{
	struct fou_addr *g = &l2(p)->group;

	return cmd_parse_addr(v, g) || !cmd_addr_multicast(g) ? -EINVAL : 0;
}

static int l2_dev(struct pctx *p, const char *v)
{
	return cmd_parse_name(v, l2(p)->dev);
}

static int l2_dstport(struct pctx *p, const char *v)
{
	return cmd_parse_u16(v, 1, &l2(p)->dstport);
}

/* Two words: MIN is v, MAX the word after it. */
static int l2_srcport(struct pctx *p, const char *v)
{
	const char *max = p->argv[p->i - 1];

	if (cmd_parse_u16(v, 1, &l2(p)->srcport_min))
		return -EINVAL;
	p->bad = max;
	return cmd_parse_u16(max, 1, &l2(p)->srcport_max);
}

/* As iproute2's vxlan and geneve: 1-255, inherit (the inner packet's), or auto (64). */
static int l2_ttl(struct pctx *p, const char *v)
{
	unsigned long ttl;

	l2(p)->ttl = 0;
	l2(p)->ttl_inherit = !strcmp(v, "inherit");
	if (l2(p)->ttl_inherit || !strcmp(v, "auto"))
		return 0;
	if (!isdigit((unsigned char)v[0]) || cmd_parse_ulong(v, 10, 1, 255, &ttl))
		return -EINVAL;
	l2(p)->ttl = (uint8_t)ttl;
	return 0;
}

static int l2_tos(struct pctx *p, const char *v)
{
	return cmd_parse_tos(v, &l2(p)->tos, &l2(p)->tos_inherit);
}

static int l2_learning(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->learning = true;
	return 0;
}

static int l2_nolearning(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->learning = false;
	return 0;
}

static int l2_ageing(struct pctx *p, const char *v)
{
	return cmd_parse_u32(v, &l2(p)->ageing);
}

static int l2_maxaddress(struct pctx *p, const char *v)
{
	return cmd_parse_u32(v, &l2(p)->maxaddress);
}

/* A device's own address is unicast and not zero, as the kernel wants (eth_validate_addr). */
static int l2_address(struct pctx *p, const char *v)
{
	static const uint8_t zero[6];
	uint8_t *m = l2(p)->mac;

	if (cmd_parse_mac(v, m) || (m[0] & 1) || !memcmp(m, zero, sizeof(zero)))
		return -EINVAL;
	return 0;
}

static int l2_udpcsum(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->udpcsum = true;
	return 0;
}

static int l2_noudpcsum(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->udpcsum = false;
	return 0;
}

static int l2_zcsumtx(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->udp6zerocsumtx = true;
	return 0;
}

static int l2_zcsumrx(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->udp6zerocsumrx = true;
	return 0;
}

static int l2_nozcsumtx(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->udp6zerocsumtx = false;
	return 0;
}

static int l2_flowid(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->noflowid = false;
	return 0;
}

static int l2_noflowid(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->noflowid = true;
	return 0;
}

static int l2_gso(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->gso = true;
	return 0;
}

static int l2_nogso(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->gso = false;
	return 0;
}

static int l2_nozcsumrx(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->udp6zerocsumrx = false;
	return 0;
}

/* n characters of hexadecimal, after an optional 0x (as iproute2's get_u16(s, 16)). */
static int parse_hex_n(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	if (n == 0 || n > 8)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 16 + cmd_hex_val(s[i]);
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * One CLASS:TYPE:DATA of n characters, appended to the options as a TLV:
 * class 16 bits, type 8 bits (0x80: critical), data 4-124 bytes in whole
 * 4-byte words (an option's Length is 5 bits of words; tc's tunnel_key asks
 * for at least 4 bytes), all options within Opt Len's 252 bytes.
 */
static int geneve_opt(struct cmd_l2_cfg *c, const char *s, size_t n)
{
	const char *c1 = memchr(s, ':', n), *c2, *d;
	unsigned long cls, type;
	size_t dn, i;
	uint8_t *o;

	c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s)) : NULL;
	if (!c2 || parse_hex_n(s, (size_t)(c1 - s), 0xffff, &cls) ||
	    parse_hex_n(c1 + 1, (size_t)(c2 - c1 - 1), 0xff, &type))
		return -EINVAL;
	d = c2 + 1;
	dn = n - (size_t)(d - s);
	if (dn < 8 || dn > 248 || dn % 8 || c->geneve_opts_len + 4 + dn / 2 > CMD_GENEVE_OPTS_MAX)
		return -EINVAL;
	o = c->geneve_opts + c->geneve_opts_len;
	for (i = 0; i < dn; i += 2) {
		if (!isxdigit((unsigned char)d[i]) || !isxdigit((unsigned char)d[i + 1]))
			return -EINVAL;
		o[4 + i / 2] = (uint8_t)(cmd_hex_val(d[i]) << 4 | cmd_hex_val(d[i + 1]));
	}
	o[0] = (uint8_t)(cls >> 8);
	o[1] = (uint8_t)cls;
	o[2] = (uint8_t)type;
	o[3] = (uint8_t)(dn / 8);
	c->geneve_opts_len = (uint8_t)(c->geneve_opts_len + 4 + dn / 2);
	return 0;
}

/* CLASS:TYPE:DATA[,CLASS:TYPE:DATA...], as tc's tunnel_key; the bad option is named. */
static int l2_geneve_opts(struct pctx *p, const char *v)
{
	const char *s = v, *e;
	size_t n;

	l2(p)->geneve_opts_len = 0;
	for (;;) {
		e = strchr(s, ',');
		n = e ? (size_t)(e - s) : strlen(s);
		if (geneve_opt(l2(p), s, n)) {
			if (n && n != strlen(v)) {
				snprintf(p->bad_buf, sizeof(p->bad_buf), "%.*s", (int)n, s);
				p->bad = p->bad_buf;
			}
			return -EINVAL;
		}
		if (!e)
			return 0;
		s = e + 1;
	}
}

#define EXP_L2TTL	"a number 1-255, inherit or auto"
#define EXP_VNI		"a number 0-16777215"

/* The words every L2 kind but gretap takes; how remote is parsed. */
#define KW_L2_COMMON(remote_exp, remote_fn) \
	KW_NAME, \
	KW_TYPE, \
	{ "remote", LS_REMOTE, 1, 0, remote_exp, remote_fn }, \
	{ "local", LS_LOCAL, 1, 0, EXP_UADDR, l2_local }, \
	{ "ttl", LS_TTL, 1, 0, EXP_L2TTL, l2_ttl }, \
	{ "hoplimit", LS_TTL, 1, 0, EXP_L2TTL, l2_ttl }, \
	{ "tos", LS_TOS, 1, 0, EXP_TOS, l2_tos }, \
	KW_MTU

#define KW_DSTPORT	{ "dstport", LS_DSTPORT, 1, 0, EXP_PORT, l2_dstport }
/* vxlan and geneve, the L2 kinds the BPF path can carry (daemon/bpf/bpf_l2.c). */
#define KW_DATAPATH	{ "datapath", LS_DATAPATH, 1, 0, "auto, bpf or userspace", cmd_link_datapath }
/* The forwarding table's words. */
#define KW_FDB \
	{ "learning", LS_LEARN, 0, 0, "", l2_learning }, \
	{ "nolearning", LS_LEARN, 0, 0, "", l2_nolearning }, \
	{ "ageing", LS_AGEING, 1, 0, "a number of seconds 0-4294967295", l2_ageing }, \
	{ "maxaddress", LS_MAXADDR, 1, 0, "a number 0-4294967295", l2_maxaddress }, \
	{ "address", 0, 1, 0, "a unicast MAC address like 02:00:5e:00:53:01", l2_address }
/* The device a group (a multicast remote of the GRE kinds) is joined on. */
#define KW_DEV		{ "dev", LS_DEV, 1, 0, EXP_NAME, l2_dev }
/* The identifier: its word is the row's id_word (kinds.def). */
#define KW_ID(exp, fn)	{ NULL, LS_ID, 1, 0, exp, fn }
#define KW_VNI		KW_ID(EXP_VNI, l2_id)

/* cmd_kw_missing() names the first missing word in table order: name, id, ... */
static const struct kw vxlan_kws[] = {
	KW_L2_COMMON(EXP_UADDR, l2_remote),
	KW_VNI,
	{ "group", LS_GROUP, 1, 0, "a multicast IPv4 or IPv6 address", l2_group },
	{ "fleet", 0, 0, 0, "", cmd_link_fleet },
	KW_DEV,
	KW_DSTPORT,
	{ "srcport", LS_SRCPORT, 2, 0, "two ports 1-65535, MIN MAX", l2_srcport },
	KW_FDB,
	{ "udpcsum", LS_UDPCSUM, 0, 0, "", l2_udpcsum },
	{ "noudpcsum", LS_UDPCSUM, 0, 0, "", l2_noudpcsum },
	{ "udp6zerocsumtx", LS_ZCSUMTX, 0, 0, "", l2_zcsumtx },
	{ "noudp6zerocsumtx", LS_ZCSUMTX, 0, 0, "", l2_nozcsumtx },
	{ "udp6zerocsumrx", LS_ZCSUMRX, 0, 0, "", l2_zcsumrx },
	{ "noudp6zerocsumrx", LS_ZCSUMRX, 0, 0, "", l2_nozcsumrx },
	KW_DATAPATH,
};

/* A UDP overlay's words: geneve's, and those of the next one without words of its own. */
static const struct kw udp_l2_kws[] = {
	KW_L2_COMMON(EXP_UADDR, l2_remote),
	KW_VNI,
	KW_DSTPORT,
	{ "fleet", 0, 0, 0, "", cmd_link_fleet },
	KW_FDB,
	/* As vxlan's: noudpcsum lets the BPF path carry it (daemon/bpf/bpf_l2.c). */
	{ "udpcsum", LS_UDPCSUM, 0, 0, "", l2_udpcsum },
	{ "noudpcsum", LS_UDPCSUM, 0, 0, "", l2_noudpcsum },
	KW_DATAPATH,
};

static const struct kw geneve_opts_kws[] = {
	{ "geneve_opts", LS_OPTS, 1, 0, "CLASS:TYPE:DATA[,CLASS:TYPE:DATA...] in hexadecimal: "
	  "CLASS 0-ffff, TYPE 0-ff, DATA 4-124 bytes in multiples of 4, at most 252 bytes in all",
	  l2_geneve_opts },
};

/* gretap takes the words of gre (cmd_link_l3.c) and these. */
const struct kw cmd_gretap_kws[] = {
	KW_FDB,
	KW_DEV,
	{ "fleet", 0, 0, 0, "", cmd_link_fleet },
};

static const struct kw nvgre_kws[] = {
	KW_L2_COMMON(EXP_ADDR, l2_remote_any),
	{ "fleet", 0, 0, 0, "", cmd_link_fleet },
	KW_DEV,
	KW_VNI,
	KW_FDB,
	{ "flowid", LS_FLOWID, 0, 0, "", l2_flowid },
	{ "noflowid", LS_FLOWID, 0, 0, "", l2_noflowid },
};

static const struct kw stt_kws[] = {
	KW_L2_COMMON(EXP_UADDR, l2_remote),
	KW_ID("a number 0-18446744073709551615 (or 0x hexadecimal)", l2_key),
	KW_FDB,
	{ "gso", LS_GSO, 0, 0, "", l2_gso },
	{ "nogso", LS_GSO, 0, 0, "", l2_nogso },
};

static int l2_required_of(struct pctx *p, uint32_t required, const char *why)
{
	const struct cmd_link_syntax *s = p->lk->syntax;
	const char *miss = cmd_kw_missing(p, s->kws, s->nkws, required);

	if (miss)
		return cmd_perr(p, "\"%s\" is missing (type \"%s\"%s needs it)", miss, p->lk->name, why);
	return 0;
}

static int l2_required(struct pctx *p)
{
	return l2_required_of(p, p->lk->syntax->required, "");
}

static int l2_common(struct pctx *p)
{
	const struct cmd_l2_cfg *c = l2(p);

	if (cmd_same_family(p, "local", &c->local, "remote", &c->remote) ||
	    cmd_same_family(p, "local", &c->local, "group", &c->group))
		return -EINVAL;
	if (c->srcport_min > c->srcport_max)
		return cmd_perr(p, "\"srcport\" %u %u: MIN is greater than MAX",
				c->srcport_min, c->srcport_max);
	return 0;
}

/* geneve, stt: nothing in link.tnl */
static int l2_finish(struct pctx *p)
{
	int ret = l2_required(p);

	if (!ret)
		ret = l2_common(p);
	memset(tnl(p), 0, sizeof(*tnl(p)));
	return ret;
}

/* geneve, nvgre: a remote, or fleet and local (the fleet gives the destinations). */
static int l2_fleet_finish(struct pctx *p)
{
	uint32_t req = (p->lk->syntax->required & ~LS_REMOTE) | LS_LOCAL;
	int ret;

	if (!l2(p)->fleet)
		return l2_finish(p);
	if (p->seen & LS_REMOTE)
		return cmd_perr(p, "\"fleet\" conflicts with \"remote\": the fleet gives the destinations");
	ret = l2_required_of(p, req, " with \"fleet\"");
	if (!ret)
		ret = l2_common(p);
	memset(tnl(p), 0, sizeof(*tnl(p)));
	return ret;
}

/*
 * At most one of remote and group; a group is joined on dev. With neither,
 * as in Linux, the flood list comes from `fdb append 00:00:00:00:00:00`.
 */
static int vxlan_dest(struct pctx *p)
{
	uint32_t s = p->seen;

	if ((s & LS_REMOTE) && (s & LS_GROUP))
		return cmd_perr(p, "\"group\" conflicts with \"remote\": give one of them");
	if (l2(p)->fleet && (s & (LS_REMOTE | LS_GROUP)))
		return cmd_perr(p, "\"fleet\" conflicts with \"%s\": the fleet gives the destinations",
				s & LS_REMOTE ? "remote" : "group");
	if ((s & LS_GROUP) && !(s & LS_DEV))
		return cmd_perr(p, "\"dev\" is missing (\"group\" needs it)");
	if ((s & LS_DEV) && !(s & LS_GROUP))
		return cmd_perr(p, "\"dev\" is only for \"group\", not \"remote\"");
	return 0;
}

static int vxlan_finish(struct pctx *p)
{
	int ret = l2_required(p);

	if (!ret)
		ret = vxlan_dest(p);
	return ret ? ret : l2_finish(p);
}

/*
 * GRE kinds, as Linux's GRE: a multicast remote is a group joined on dev;
 * frames without an entry go to it, unicast sources are learned from it.
 */
static int gre_group(struct pctx *p, struct cmd_l2_cfg *c)
{
	bool mc = cmd_addr_multicast(&c->remote);

	if (mc && !(p->seen & LS_DEV))
		return cmd_perr(p, "\"dev\" is missing (a multicast \"remote\" needs it)");
	if (!mc && (p->seen & LS_DEV))
		return cmd_perr(p, "\"dev\" is only for a multicast \"remote\"");
	if (mc) {
		c->group = c->remote;
		memset(&c->remote, 0, sizeof(c->remote));
	}
	return 0;
}

/* NVGRE rides on GRE: key = VSID << 8 | FlowID (FlowID 0), as RFC 7637. */
static int nvgre_finish(struct pctx *p)
{
	const struct cmd_l2_cfg *c = l2(p);
	struct fou_tnl *t = tnl(p);
	int ret = l2_fleet_finish(p);	/* zeroes tnl */

	if (ret)
		return ret;
	/* A fleet's device has no remote: its family is local's. */
	t->kind = (c->remote.family ? c->remote.family : c->local.family) == AF_INET6 ?
		  FOU_KIND_IP6GRE : FOU_KIND_GRE;
	t->local = c->local;
	t->remote = c->remote;
	ret = gre_group(p, l2(p));
	if (ret)
		return ret;
	t->gre_iflags = t->gre_oflags = FOU_GRE_KEY;
	t->ikey = t->okey = c->vni << 8;
	t->ttl = c->ttl;
	t->tos = c->tos;
	t->tos_inherit = c->tos_inherit;
	t->pmtudisc = true;
	cmd_l3_defaults(p);
	return 0;
}

/* gretap takes the words of gre; the kind follows the family of remote. */
int cmd_gretap_finish(struct pctx *p)
{
	struct cmd_l2_cfg *c = l2(p);
	struct fou_tnl *t = tnl(p);
	int ret = cmd_same_family(p, "local", &t->local, "remote", &t->remote);

	/* A fleet's device has no remote: its family is local's. */
	if ((t->remote.family ? t->remote.family : t->local.family) == AF_INET6)
		t->kind = FOU_KIND_IP6GRE;
	if (!ret && c->fleet && (p->seen & LS_REMOTE))
		ret = cmd_perr(p, "\"fleet\" conflicts with \"remote\": the fleet gives the destinations");
	if (!ret)
		ret = cmd_l3_finish(p);
	/* Frames from the TAP have their checksums complete: nothing to offload. */
	if (!ret && (t->encap_flags & FOU_ENCAP_F_REMCSUM))
		ret = cmd_perr(p, "\"encap-remcsum\" is not for type \"gretap\"");
	if (!ret && (t->encap_flags & FOU_ENCAP_F_AUTH))
		ret = cmd_perr(p, "\"encap-key\" is not for type \"gretap\" (yet): the IP tunnel kinds take it");
	if (ret)
		return ret;
	c->local = t->local;
	c->remote = t->remote;
	ret = gre_group(p, c);
	if (ret)
		return ret;
	c->ttl = t->ttl;
	c->ttl_inherit = !t->ttl;	/* as Linux: ttl 0 (gretap's default) is inherit */
	c->tos = t->tos;
	c->tos_inherit = t->tos_inherit;
	return 0;
}

/* ---- the kinds' words: kinds.def's rows point here (gretap's: cmd_link_l3.c) - */

#define NAME_ID		(LS_NAME | LS_ID)

const struct cmd_link_syntax cmd_syn_vxlan = {
	KWS(vxlan_kws), NAME_ID | LS_LOCAL, vxlan_finish, NULL, 0
};
const struct cmd_link_syntax cmd_syn_nvgre = {
	KWS(nvgre_kws), NAME_ID | LS_REMOTE | LS_LOCAL, nvgre_finish, NULL, 0
};
const struct cmd_link_syntax cmd_syn_geneve = {
	KWS(udp_l2_kws), NAME_ID | LS_REMOTE, l2_fleet_finish, KWS(geneve_opts_kws)
};
/* For a UDP overlay that has no words of its own. */
const struct cmd_link_syntax cmd_syn_udp_l2 = {
	KWS(udp_l2_kws), NAME_ID | LS_REMOTE, l2_fleet_finish, NULL, 0
};
const struct cmd_link_syntax cmd_syn_stt = {
	KWS(stt_kws), NAME_ID | LS_REMOTE | LS_LOCAL, l2_finish, NULL, 0
};
