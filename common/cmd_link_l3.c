// SPDX-License-Identifier: MIT
/*
 * `link add type ipip|sit|gre|ip6tnl|ip6gre`: the IP tunnel words, which
 * gretap takes too.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd_int.h"
#include "fou/pfx.h"

static const struct name_val encaps[] = {
	{ "none", FOU_ENCAP_NONE },
	{ "fou", FOU_ENCAP_FOU },
	{ "gue", FOU_ENCAP_GUE },
};

/*
 * By the L3 row of libfou's kind, not by the type word: gretap's messages
 * name the gre or ip6gre that carries it.
 */
static int kind_family(enum fou_kind k)
{
	const struct fk_kind *r = fk_by_tnl(k);

	return r ? r->family : AF_INET;
}

static bool kind_gre(enum fou_kind k)
{
	const struct fk_kind *r = fk_by_tnl(k);

	return r && (r->flags & FK_GRE);
}

static const char *kind_name(enum fou_kind k)
{
	const struct fk_kind *r = fk_by_tnl(k);

	return r ? r->name : "?";
}

static int link_remote(struct pctx *p, const char *v)
{
	return cmd_parse_addr(v, &tnl(p)->remote);
}

static int link_local(struct pctx *p, const char *v)
{
	return cmd_parse_addr(v, &tnl(p)->local);
}

static int link_ttl(struct pctx *p, const char *v)
{
	p->ttl_word = v;
	if (!strcmp(v, "inherit")) {
		tnl(p)->ttl = 0;
		return 0;
	}
	if (!isdigit((unsigned char)v[0]))
		return -EINVAL;
	return cmd_parse_u8(v, 10, &tnl(p)->ttl);
}

static int link_tos(struct pctx *p, const char *v)
{
	return cmd_parse_tos(v, &tnl(p)->tos, &tnl(p)->tos_inherit);
}

static int link_ikey(struct pctx *p, const char *v)
{
	tnl(p)->gre_iflags |= FOU_GRE_KEY;
	return cmd_parse_key(v, &tnl(p)->ikey);
}

static int link_okey(struct pctx *p, const char *v)
{
	tnl(p)->gre_oflags |= FOU_GRE_KEY;
	return cmd_parse_key(v, &tnl(p)->okey);
}

static int link_key(struct pctx *p, const char *v)
{
	return link_ikey(p, v) ? -EINVAL : link_okey(p, v);
}

/* The GRE flag words: which flag each sets on receive and on send. */
static const struct {
	const char *word;
	uint16_t in, out;
} gre_flag_words[] = {
	{ "csum", FOU_GRE_CSUM, FOU_GRE_CSUM },
	{ "icsum", FOU_GRE_CSUM, 0 },
	{ "ocsum", 0, FOU_GRE_CSUM },
	{ "seq", FOU_GRE_SEQ, FOU_GRE_SEQ },
	{ "iseq", FOU_GRE_SEQ, 0 },
	{ "oseq", 0, FOU_GRE_SEQ },
};

/* No value, so the word itself is at i - 1. */
static int link_greflag(struct pctx *p, const char *v)
{
	const char *w = p->argv[p->i - 1];

	(void)v;
	for (size_t i = 0; i < ARRAY_SIZE(gre_flag_words); i++) {
		if (!strcmp(gre_flag_words[i].word, w)) {
			tnl(p)->gre_iflags |= gre_flag_words[i].in;
			tnl(p)->gre_oflags |= gre_flag_words[i].out;
			return 0;
		}
	}
	return -EINVAL;
}

static int link_pmtudisc(struct pctx *p, const char *v)
{
	(void)v;
	tnl(p)->pmtudisc = true;
	return 0;
}

static int link_nopmtudisc(struct pctx *p, const char *v)
{
	(void)v;
	tnl(p)->pmtudisc = false;
	return 0;
}

static int link_encap(struct pctx *p, const char *v)
{
	int e = cmd_nv_find(encaps, ARRAY_SIZE(encaps), v);

	if (e < 0)
		return e;
	tnl(p)->encap = (enum fou_encap)e;
	return 0;
}

static int link_noencap(struct pctx *p, const char *v)
{
	(void)v;
	tnl(p)->encap = FOU_ENCAP_NONE;
	return 0;
}

static int link_sport(struct pctx *p, const char *v)
{
	if (!strcmp(v, "auto")) {
		tnl(p)->encap_sport = 0;
		return 0;
	}
	return cmd_parse_u16(v, 1, &tnl(p)->encap_sport);
}

static int link_dport(struct pctx *p, const char *v)
{
	return cmd_parse_u16(v, 1, &tnl(p)->encap_dport);
}

/*
 * The encap flag words only record what was asked; cmd_l3_finish() applies
 * them over the kind's default (CSUM6 on for IPv6 kinds, as iproute2).
 */
static const struct name_val eflag_words[] = {
	{ "encap-csum", FOU_ENCAP_F_CSUM },
	{ "encap-udp6-csum", FOU_ENCAP_F_CSUM6 },
	{ "encap-remcsum", FOU_ENCAP_F_REMCSUM },
};

/* One setter for the flag words; no value, so the word itself is at i - 1. */
static int link_eflag(struct pctx *p, const char *v)
{
	const char *w = p->argv[p->i - 1];
	bool no = !strncmp(w, "no", 2);
	int f = cmd_nv_find(eflag_words, ARRAY_SIZE(eflag_words), no ? w + 2 : w);

	(void)v;
	if (f < 0)
		return f;
	if (no)
		p->eflags_clr |= (uint16_t)f;
	else
		p->eflags_set |= (uint16_t)f;
	return 0;
}

static int link_ekey(struct pctx *p, const char *v)
{
	p->eflags_set |= FOU_ENCAP_F_AUTH;
	return cmd_parse_key_file(v, p->cmd->link.key_file[0]);
}

static int link_ekey_next(struct pctx *p, const char *v)
{
	return cmd_parse_key_file(v, p->cmd->link.key_file[1]);
}

/* `fleet prefix P`: slots the L3 kinds have no other use for. */
#define LS_FLEET	LS_GROUP
#define LS_PREFIX	LS_DEV

static int link_fleet(struct pctx *p, const char *v)
{
	(void)p;
	(void)v;
	return 0;	/* seen is enough: cmd_l3_fleet_check() wants its prefix */
}

static int link_prefix(struct pctx *p, const char *v)
{
	return fou_pfx_parse(v, &p->cmd->link.fleet_pfx, &p->cmd->link.fleet_plen);
}

/* The L3 kinds' alone, not gretap's (whose fleet is the L2 word). */
static const struct kw l3_fleet_kws[] = {
	{ "fleet", LS_FLEET, 0, 0, "", link_fleet },
	{ "prefix", LS_PREFIX, 1, 0, "a prefix ADDR/LEN without host bits", link_prefix },
};

#define EXP_KEY		"a number 0-4294967295 or a dotted quad"
#define EXP_TTL		"a number 0-255 or inherit"

/* GRE's flag words (gre_flag_words), and ip's encap-X/noencap-X pairs (link_eflag): no value. */
#define KW_GREFLAG(w, slots)	{ w, slots, false, KW_GRE, "", link_greflag }
#define KW_EFLAG(x, slot)                                                          \
	{ "encap-" x, slot, false, 0, "", link_eflag },                             \
	{ "noencap-" x, slot, false, 0, "", link_eflag }

static const struct kw link_kws[] = {
	KW_NAME,
	KW_TYPE,
	{ "remote", LS_REMOTE, true, 0, EXP_ADDR, link_remote },
	{ "local", LS_LOCAL, true, 0, EXP_ADDR, link_local },
	{ "ttl", LS_TTL, true, 0, EXP_TTL, link_ttl },
	{ "hoplimit", LS_TTL, true, 0, EXP_TTL, link_ttl },
	{ "tos", LS_TOS, true, 0, EXP_TOS, link_tos },
	{ "key", LS_IKEY | LS_OKEY, true, KW_GRE, EXP_KEY, link_key },
	{ "ikey", LS_IKEY, true, KW_GRE, EXP_KEY, link_ikey },
	{ "okey", LS_OKEY, true, KW_GRE, EXP_KEY, link_okey },
	KW_GREFLAG("csum", LS_ICSUM | LS_OCSUM), KW_GREFLAG("icsum", LS_ICSUM),
	KW_GREFLAG("ocsum", LS_OCSUM),
	KW_GREFLAG("seq", LS_ISEQ | LS_OSEQ), KW_GREFLAG("iseq", LS_ISEQ), KW_GREFLAG("oseq", LS_OSEQ),
	KW_MTU,
	{ "pmtudisc", LS_PMTU, false, 0, "", link_pmtudisc },
	{ "nopmtudisc", LS_PMTU, false, 0, "", link_nopmtudisc },
	{ "encap", LS_ENCAP, true, 0, "fou, gue or none", link_encap },
	{ "noencap", LS_ENCAP, false, 0, "", link_noencap },
	{ "encap-sport", LS_SPORT, true, 0, "auto or a port 1-65535", link_sport },
	{ "encap-dport", LS_DPORT, true, 0, EXP_PORT, link_dport },
	KW_EFLAG("csum", LS_ECSUM),
	KW_EFLAG("udp6-csum", LS_ECSUM6),
	KW_EFLAG("remcsum", LS_REMCSUM),
	{ "encap-key", LS_EKEY, true, 0, EXP_KEYFILE, link_ekey },
	{ "encap-key-next", LS_EKEYNEXT, true, 0, EXP_KEYFILE, link_ekey_next },
	{ "datapath", LS_DATAPATH, true, 0, "auto, bpf or userspace", cmd_link_datapath },
};

static int link_addr_check(struct pctx *p, const char *word, const struct fou_addr *a)
{
	char buf[INET6_ADDRSTRLEN];
	enum fou_kind k = tnl(p)->kind;

	if (a->family == kind_family(k))
		return 0;
	inet_ntop(a->family, a->a, buf, sizeof(buf));
	return cmd_perr(p, "\"%s\" address \"%s\" is %s but type \"%s\" needs %s", word, buf,
			cmd_family_name(a->family), kind_name(k),
			cmd_family_name(kind_family(k)));
}

/* The L3 kinds join no group: a multicast remote would send and never receive. */
static int link_mcast_check(struct pctx *p, const struct fou_tnl *t)
{
	char buf[INET6_ADDRSTRLEN];

	if (!cmd_addr_multicast(&t->remote) || !fk_l3(l2(p)->kind))
		return 0;
	inet_ntop(t->remote.family, t->remote.a, buf, sizeof(buf));
	return cmd_perr(p, "\"remote\" %s: a multicast remote is not supported for type \"%s\" "
			"(gretap and nvgre join one with dev)", buf,
			kind_name(t->kind));
}

void cmd_l3_defaults(struct pctx *p)
{
	struct fou_tnl *t = tnl(p);
	bool v6 = kind_family(t->kind) == AF_INET6;

	if (v6 && !(p->seen & LS_TTL))
		t->ttl = 64;	/* iproute2's DEFAULT_TNL_HOP_LIMIT */
	t->encap_flags = v6 ? FOU_ENCAP_F_CSUM6 : 0;
	t->encap_flags = (t->encap_flags | p->eflags_set) & ~p->eflags_clr;
}

/* Authenticated GUE: its own header, which leaves no room for Linux's RCO. */
static int link_auth_check(struct pctx *p, const char *ename)
{
	const struct fou_tnl *t = tnl(p);

	if ((p->seen & LS_EKEYNEXT) && !(p->seen & LS_EKEY))
		return cmd_perr(p, "\"encap-key-next\" needs \"encap-key\"");
	if (!(p->seen & LS_EKEY))
		return 0;
	if (t->encap != FOU_ENCAP_GUE)
		return cmd_perr(p, "\"encap-key\" needs \"encap gue\", not \"encap %s\"", ename);
	if (t->encap_flags & FOU_ENCAP_F_REMCSUM)
		return cmd_perr(p, "\"encap-remcsum\" does not combine with \"encap-key\"");
	return 0;
}

static int link_encap_check(struct pctx *p)
{
	const struct fou_tnl *t = tnl(p);
	const char *ename = cmd_nv_name(encaps, ARRAY_SIZE(encaps), t->encap);

	if (t->encap != FOU_ENCAP_NONE && !(p->seen & LS_DPORT))
		return cmd_perr(p, "\"encap-dport\" is missing (\"encap %s\" needs it)", ename);
	if ((t->encap_flags & FOU_ENCAP_F_REMCSUM) && t->encap != FOU_ENCAP_GUE)
		return cmd_perr(p, "\"encap-remcsum\" needs \"encap gue\", not \"encap %s\"",
				ename);
	return link_auth_check(p, ename);
}

/* `fleet prefix P`: a multipoint device; the prefix is of what the kind carries. */
static int l3_fleet_check(struct pctx *p)
{
	const struct fk_kind *k = fk_by_tnl(tnl(p)->kind);
	const struct fou_addr *a = &p->cmd->link.fleet_pfx;
	char buf[64];

	if (!(p->seen & (LS_FLEET | LS_PREFIX)))
		return 0;
	if (!(p->seen & LS_PREFIX))
		return cmd_perr(p, "\"fleet\" on type \"%s\" needs \"prefix ADDR/LEN\"", k->name);
	if (!(p->seen & LS_FLEET))
		return cmd_perr(p, "\"prefix\" needs \"fleet\" before it");
	if (p->seen & LS_REMOTE)
		return cmd_perr(p, "\"fleet\" conflicts with \"remote\": the fleet gives the destinations");
	if (p->seen & LS_EKEY)
		return cmd_perr(p, "\"fleet\" does not combine with \"encap-key\" (one remote's keys)");
	if (!(k->inner & (a->family == AF_INET ? FOU_INNER_V4 : FOU_INNER_V6)))
		return cmd_perr(p, "\"prefix\" %s is %s but type \"%s\" does not carry it",
				fou_pfx_str(a, p->cmd->link.fleet_plen, buf, sizeof(buf)),
				cmd_family_name(a->family), k->name);
	return 0;
}

int cmd_l3_finish(struct pctx *p)
{
	/* A fleet (gretap's: cmd_link_l2.c; the L3 kinds' fleet prefix) gives the destinations. */
	bool fleet = l2(p)->fleet || (p->seen & (LS_FLEET | LS_PREFIX));
	const char *miss = cmd_kw_missing(p, link_kws, ARRAY_SIZE(link_kws),
					  LS_NAME | LS_TYPE | LS_LOCAL | (fleet ? 0 : LS_REMOTE));
	const struct fou_tnl *t = tnl(p);
	int ret;

	if (miss)
		return cmd_perr(p, "\"%s\" is missing", miss);
	if (p->gre_word && !kind_gre(t->kind))
		return cmd_perr(p, "\"%s\" is only for type gre and ip6gre, not \"%s\"",
				p->gre_word, kind_name(t->kind));
	ret = fleet ? 0 : link_addr_check(p, "remote", &t->remote);
	if (!ret)
		ret = link_addr_check(p, "local", &t->local);
	if (!ret)
		ret = link_mcast_check(p, t);
	if (!ret && fk_l3(l2(p)->kind))
		ret = l3_fleet_check(p);
	if (ret)
		return ret;
	/* Linux refuses this pair for IPv4 tunnels: a fixed TTL implies DF. */
	if (kind_family(t->kind) == AF_INET && t->ttl && !t->pmtudisc)
		return cmd_perr(p, "\"nopmtudisc\" conflicts with \"ttl %s\": use ttl inherit",
				p->ttl_word);
	cmd_l3_defaults(p);
	return link_encap_check(p);
}

const struct cmd_link_syntax cmd_syn_l3 = { KWS(link_kws), 0, cmd_l3_finish, KWS(l3_fleet_kws) };
/* GRE with a TAP: gre's words and the forwarding table's (cmd_link_l2.c). */
const struct cmd_link_syntax cmd_syn_gretap = {
	KWS(link_kws), 0, cmd_gretap_finish, KWS(cmd_gretap_kws)
};
