// SPDX-License-Identifier: MIT
/*
 * The fouctl grammar: `OBJECT COMMAND [ keyword [ value ] ]...`, with the
 * words of iproute2's `ip fou` and `ip link` for the tunnel kinds foud has.
 *
 * Keywords match exactly (strcmp, never prefixes), so a word can not change
 * meaning when a keyword is added later. Every object, command and keyword
 * lives in a table; one loop (kw_run) walks the words, so duplicates, missing
 * values and bad values are reported the same way everywhere. Checks that
 * depend on more than one word (families, kinds, encap-dport) run once all
 * words are in, so the order of the words never matters.
 *
 * This file must not call libfou: the CLI links it on its own.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char foud_cmd_usage[] =
"fouctl [ -S SOCKET ] [ -j ] [ -p ] [ -s ] [ -d ] [ -b FILE ] OBJECT COMMAND [ ARGS ]\n"
"\n"
"fouctl fou add port PORT { ipproto PROTO | gue } [ local ADDR ]\n"
"        [ peer ADDR peer_port PORT ] [ -6 ]\n"
"fouctl fou del port PORT [ ipproto PROTO | gue ] [ local ADDR ]\n"
"        [ peer ADDR peer_port PORT ] [ -6 ]\n"
"fouctl fou show\n"
"\n"
"fouctl link add name NAME type { ipip | sit | gre | ip6tnl | ip6gre }\n"
"        remote ADDR local ADDR [ { ttl | hoplimit } { N | inherit } ]\n"
"        [ tos { T | inherit } ] [ key K | ikey K | okey K ]\n"
"        [ csum | icsum | ocsum ] [ seq | iseq | oseq ] [ mtu N ]\n"
"        [ pmtudisc | nopmtudisc ] [ noencap | encap { fou | gue | none } ]\n"
"        [ encap-sport { auto | PORT } ] [ encap-dport PORT ]\n"
"        [ encap-csum | noencap-csum ] [ encap-udp6-csum | noencap-udp6-csum ]\n"
"        [ encap-remcsum | noencap-remcsum ]\n"
"fouctl link del [ dev | name ] NAME\n"
"fouctl link show [ [ dev ] NAME ]\n";

/* ---- parse state and errors ---------------------------------------------- */

struct pctx {
	char *const *argv;
	int argc;
	int i;			/* next word */
	const char *where;	/* "link add", for "not a keyword of" */
	uint32_t seen;		/* slots given so far */
	const char *gre_word;	/* first GRE-only word, checked against the kind */
	const char *ttl_word;	/* value of ttl/hoplimit as typed */
	uint16_t eflags_set, eflags_clr;
	struct foud_cmd *cmd;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 2, 3)))
perr(struct pctx *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---- value parsers: 0 or -EINVAL, never a message ------------------------ */

/* Digits only: strtoul would take blanks, signs and "0x" silently. */
static int parse_ulong(const char *s, int base, unsigned long min,
		       unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!isxdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_u16(const char *s, unsigned long min, uint16_t *out)
{
	unsigned long v;

	if (!isdigit((unsigned char)s[0]) || parse_ulong(s, 10, min, 65535, &v))
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static int parse_u8(const char *s, int base, uint8_t *out)
{
	unsigned long v;

	if (parse_ulong(s, base, 0, 255, &v))
		return -EINVAL;
	*out = (uint8_t)v;
	return 0;
}

static int parse_addr(const char *s, struct fou_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->a) == 1)
		a->family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

/* As iproute2's tnl_parse_key: a dotted quad, or a number in any base. */
static int parse_key(const char *s, uint32_t *key)
{
	struct in_addr in;
	unsigned long v;

	if (strchr(s, '.')) {
		if (inet_pton(AF_INET, s, &in) != 1)
			return -EINVAL;
		*key = ntohl(in.s_addr);
		return 0;
	}
	if (!isdigit((unsigned char)s[0]) || parse_ulong(s, 0, 0, UINT32_MAX, &v))
		return -EINVAL;
	*key = (uint32_t)v;
	return 0;
}

/* Interface names as the kernel's dev_valid_name() accepts them. */
static bool name_valid(const char *s)
{
	size_t n = strnlen(s, IFNAMSIZ);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

static int parse_name(const char *s, char name[IFNAMSIZ])
{
	if (!name_valid(s))
		return -EINVAL;
	strcpy(name, s);	/* length checked by name_valid() */
	return 0;
}

/* ---- name tables ---------------------------------------------------------- */

struct name_val {
	const char *name;
	int val;
};

static const struct name_val kinds[] = {
	{ "ipip", FOU_KIND_IPIP },
	{ "sit", FOU_KIND_SIT },
	{ "gre", FOU_KIND_GRE },
	{ "ip6tnl", FOU_KIND_IP6TNL },
	{ "ip6gre", FOU_KIND_IP6GRE },
};

static const struct name_val encaps[] = {
	{ "none", FOU_ENCAP_NONE },
	{ "fou", FOU_ENCAP_FOU },
	{ "gue", FOU_ENCAP_GUE },
};

/* Names that work without /etc/protocols, which minimal images lack. */
static const struct name_val protos[] = {
	{ "ipip", 4 },
	{ "ipencap", 4 },
	{ "ipv6", 41 },
	{ "gre", 47 },
};

static int nv_find(const struct name_val *t, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, s))
			return t[i].val;
	return -EINVAL;
}

static const char *nv_name(const struct name_val *t, size_t n, int val)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].val == val)
			return t[i].name;
	return "?";
}

static int kind_family(enum fou_kind k)
{
	return k == FOU_KIND_IP6TNL || k == FOU_KIND_IP6GRE ? AF_INET6 : AF_INET;
}

static bool kind_gre(enum fou_kind k)
{
	return k == FOU_KIND_GRE || k == FOU_KIND_IP6GRE;
}

static const char *family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* ---- the keyword loop ------------------------------------------------------ */

#define KW_GRE	0x1	/* only for kinds with a GRE header */

struct kw {
	const char *word;
	uint32_t slots;		/* what it sets; a second word on a slot is a duplicate */
	bool value;		/* takes the next word as its value */
	unsigned int flags;	/* KW_* */
	const char *expect;	/* what a value must look like, for the message */
	int (*set)(struct pctx *p, const char *val);
};

static const struct kw *kw_find(const struct kw *t, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].word, w))
			return &t[i];
	return NULL;
}

static int kw_one(struct pctx *p, const struct kw *k, const char *w)
{
	const char *val = NULL;

	if (p->seen & k->slots)
		return perr(p, "duplicate \"%s\"", w);
	p->seen |= k->slots;
	if (k->value) {
		if (p->i >= p->argc)
			return perr(p, "\"%s\" needs a value", w);
		val = p->argv[p->i++];
	}
	if ((k->flags & KW_GRE) && !p->gre_word)
		p->gre_word = k->word;
	if (k->set(p, val) < 0)
		return perr(p, "invalid value \"%s\" for \"%s\": expected %s",
			    val ? val : "", w, k->expect);
	return 0;
}

static int kw_run(struct pctx *p, const struct kw *t, size_t n)
{
	int ret = 0;

	while (!ret && p->i < p->argc) {
		const char *w = p->argv[p->i++];
		const struct kw *k = kw_find(t, n, w);

		if (!k)
			ret = perr(p, "\"%s\" is not a keyword of \"%s\"", w, p->where);
		else
			ret = kw_one(p, k, w);
	}
	return ret;
}

/* The first required slot not given, by its keyword, or NULL. */
static const char *kw_missing(const struct pctx *p, const struct kw *t, size_t n,
			      uint32_t required)
{
	for (size_t i = 0; i < n; i++)
		if ((t[i].slots & required) && !(p->seen & t[i].slots))
			return t[i].word;
	return NULL;
}

/* ---- fou add/del ----------------------------------------------------------- */

enum {
	FS_PORT = 1u << 0,
	FS_IPPROTO = 1u << 1,
	FS_GUE = 1u << 2,
	FS_LOCAL = 1u << 3,
	FS_PEER = 1u << 4,
	FS_PEER_PORT = 1u << 5,
	FS_V6 = 1u << 6,
};

static int fou_port(struct pctx *p, const char *v)
{
	return parse_u16(v, 1, &p->cmd->port.port);
}

static int fou_ipproto(struct pctx *p, const char *v)
{
	struct protoent *pe;
	int proto = nv_find(protos, ARRAY_SIZE(protos), v);

	if (proto < 0 && isdigit((unsigned char)v[0])) {
		uint8_t u;

		proto = parse_u8(v, 10, &u) ? -EINVAL : u;
	} else if (proto < 0) {
		pe = getprotobyname(v);
		proto = pe ? pe->p_proto : -EINVAL;
	}
	if (proto < 1 || proto > 255)
		return -EINVAL;
	p->cmd->port.type = FOU_ENCAP_FOU;
	p->cmd->port.ipproto = (uint8_t)proto;
	return 0;
}

static int fou_gue(struct pctx *p, const char *v)
{
	(void)v;
	p->cmd->port.type = FOU_ENCAP_GUE;
	return 0;
}

static int fou_local(struct pctx *p, const char *v)
{
	return parse_addr(v, &p->cmd->port.local);
}

static int fou_peer(struct pctx *p, const char *v)
{
	return parse_addr(v, &p->cmd->port.peer);
}

static int fou_peer_port(struct pctx *p, const char *v)
{
	return parse_u16(v, 1, &p->cmd->port.peer_port);
}

static int fou_v6(struct pctx *p, const char *v)
{
	(void)v;
	p->cmd->port.family = AF_INET6;
	return 0;
}

#define EXP_PORT	"a port 1-65535"
#define EXP_ADDR	"an IPv4 or IPv6 address"

static const struct kw fou_kws[] = {
	{ "port", FS_PORT, true, 0, EXP_PORT, fou_port },
	{ "ipproto", FS_IPPROTO, true, 0,
	  "a protocol number 1-255 or a name (ipip, ipv6, gre)", fou_ipproto },
	{ "gue", FS_GUE, false, 0, "", fou_gue },
	{ "local", FS_LOCAL, true, 0, EXP_ADDR, fou_local },
	{ "peer", FS_PEER, true, 0, EXP_ADDR, fou_peer },
	{ "peer_port", FS_PEER_PORT, true, 0, EXP_PORT, fou_peer_port },
	{ "-6", FS_V6, false, 0, "", fou_v6 },
};

static int fou_addr_check(struct pctx *p, const char *word, const struct fou_addr *a)
{
	char buf[INET6_ADDRSTRLEN];
	int family = p->cmd->port.family;

	if (!a->family || a->family == family)
		return 0;
	inet_ntop(a->family, a->a, buf, sizeof(buf));
	return perr(p, "\"%s\" address \"%s\" is %s but the port is %s%s", word, buf,
		    family_name(a->family), family_name(family),
		    family == AF_INET ? " (add -6)" : " (-6)");
}

static int fou_finish(struct pctx *p)
{
	const char *miss = kw_missing(p, fou_kws, ARRAY_SIZE(fou_kws), FS_PORT);
	bool adding = p->cmd->op == FOUD_OP_ADD;

	if (miss)
		return perr(p, "\"%s\" is missing", miss);
	if ((p->seen & FS_IPPROTO) && (p->seen & FS_GUE))
		return perr(p, "\"gue\" conflicts with \"ipproto\": give one of them");
	if (adding && !(p->seen & (FS_IPPROTO | FS_GUE)))
		return perr(p, "\"ipproto\" or \"gue\" is missing");
	if ((p->seen & FS_PEER) && !(p->seen & FS_PEER_PORT))
		return perr(p, "\"peer_port\" is missing (\"peer\" needs it)");
	if (!(p->seen & FS_PEER) && (p->seen & FS_PEER_PORT))
		return perr(p, "\"peer\" is missing (\"peer_port\" needs it)");
	if (fou_addr_check(p, "local", &p->cmd->port.local))
		return -EINVAL;
	return fou_addr_check(p, "peer", &p->cmd->port.peer);
}

static int fou_addel(struct pctx *p)
{
	int ret;

	p->cmd->port.family = AF_INET;
	/* del without ipproto/gue matches either; NONE says "not given" */
	p->cmd->port.type = FOU_ENCAP_NONE;
	ret = kw_run(p, fou_kws, ARRAY_SIZE(fou_kws));
	return ret ? ret : fou_finish(p);
}

/* ---- link add ------------------------------------------------------------- */

enum {
	LS_NAME = 1u << 0,
	LS_TYPE = 1u << 1,
	LS_REMOTE = 1u << 2,
	LS_LOCAL = 1u << 3,
	LS_TTL = 1u << 4,
	LS_TOS = 1u << 5,
	LS_IKEY = 1u << 6,
	LS_OKEY = 1u << 7,
	LS_ICSUM = 1u << 8,
	LS_OCSUM = 1u << 9,
	LS_ISEQ = 1u << 10,
	LS_OSEQ = 1u << 11,
	LS_MTU = 1u << 12,
	LS_PMTU = 1u << 13,
	LS_ENCAP = 1u << 14,
	LS_SPORT = 1u << 15,
	LS_DPORT = 1u << 16,
	LS_ECSUM = 1u << 17,
	LS_ECSUM6 = 1u << 18,
	LS_REMCSUM = 1u << 19,
};

static struct fou_tnl *tnl(struct pctx *p)
{
	return &p->cmd->link.tnl;
}

static int link_name(struct pctx *p, const char *v)
{
	return parse_name(v, p->cmd->link.name);
}

static int link_type(struct pctx *p, const char *v)
{
	int k = nv_find(kinds, ARRAY_SIZE(kinds), v);

	if (k < 0)
		return k;
	tnl(p)->kind = (enum fou_kind)k;
	return 0;
}

static int link_remote(struct pctx *p, const char *v)
{
	return parse_addr(v, &tnl(p)->remote);
}

static int link_local(struct pctx *p, const char *v)
{
	return parse_addr(v, &tnl(p)->local);
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
	return parse_u8(v, 10, &tnl(p)->ttl);
}

/* TOS is hexadecimal, as iproute2's rtnl_dsfield_a2n() reads it. */
static int link_tos(struct pctx *p, const char *v)
{
	if (!strcmp(v, "inherit")) {
		tnl(p)->tos = 0;
		tnl(p)->tos_inherit = true;
		return 0;
	}
	return parse_u8(v, 16, &tnl(p)->tos);
}

static int link_ikey(struct pctx *p, const char *v)
{
	tnl(p)->gre_iflags |= FOU_GRE_KEY;
	return parse_key(v, &tnl(p)->ikey);
}

static int link_okey(struct pctx *p, const char *v)
{
	tnl(p)->gre_oflags |= FOU_GRE_KEY;
	return parse_key(v, &tnl(p)->okey);
}

static int link_key(struct pctx *p, const char *v)
{
	return link_ikey(p, v) ? -EINVAL : link_okey(p, v);
}

static int link_icsum(struct pctx *p, const char *v)
{
	(void)v;
	tnl(p)->gre_iflags |= FOU_GRE_CSUM;
	return 0;
}

static int link_ocsum(struct pctx *p, const char *v)
{
	(void)v;
	tnl(p)->gre_oflags |= FOU_GRE_CSUM;
	return 0;
}

static int link_csum(struct pctx *p, const char *v)
{
	link_icsum(p, v);
	return link_ocsum(p, v);
}

static int link_iseq(struct pctx *p, const char *v)
{
	(void)v;
	tnl(p)->gre_iflags |= FOU_GRE_SEQ;
	return 0;
}

static int link_oseq(struct pctx *p, const char *v)
{
	(void)v;
	tnl(p)->gre_oflags |= FOU_GRE_SEQ;
	return 0;
}

static int link_seq(struct pctx *p, const char *v)
{
	link_iseq(p, v);
	return link_oseq(p, v);
}

static int link_mtu(struct pctx *p, const char *v)
{
	uint16_t mtu;

	if (parse_u16(v, 68, &mtu))
		return -EINVAL;
	p->cmd->link.mtu = mtu;
	return 0;
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
	int e = nv_find(encaps, ARRAY_SIZE(encaps), v);

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
	return parse_u16(v, 1, &tnl(p)->encap_sport);
}

static int link_dport(struct pctx *p, const char *v)
{
	return parse_u16(v, 1, &tnl(p)->encap_dport);
}

/*
 * The encap flag words only record what was asked; link_finish() applies
 * them over the kind's default (CSUM6 on for IPv6 kinds, as iproute2).
 */
static int link_ecsum(struct pctx *p, const char *v)
{
	(void)v;
	p->eflags_set |= FOU_ENCAP_F_CSUM;
	return 0;
}

static int link_noecsum(struct pctx *p, const char *v)
{
	(void)v;
	p->eflags_clr |= FOU_ENCAP_F_CSUM;
	return 0;
}

static int link_ecsum6(struct pctx *p, const char *v)
{
	(void)v;
	p->eflags_set |= FOU_ENCAP_F_CSUM6;
	return 0;
}

static int link_noecsum6(struct pctx *p, const char *v)
{
	(void)v;
	p->eflags_clr |= FOU_ENCAP_F_CSUM6;
	return 0;
}

static int link_remcsum(struct pctx *p, const char *v)
{
	(void)v;
	p->eflags_set |= FOU_ENCAP_F_REMCSUM;
	return 0;
}

static int link_noremcsum(struct pctx *p, const char *v)
{
	(void)v;
	p->eflags_clr |= FOU_ENCAP_F_REMCSUM;
	return 0;
}

#define EXP_KEY		"a number 0-4294967295 or a dotted quad"
#define EXP_TTL		"a number 0-255 or inherit"

static const struct kw link_kws[] = {
	{ "name", LS_NAME, true, 0,
	  "1-15 characters without \"/\", \":\" or blanks", link_name },
	{ "type", LS_TYPE, true, 0, "ipip, sit, gre, ip6tnl or ip6gre", link_type },
	{ "remote", LS_REMOTE, true, 0, EXP_ADDR, link_remote },
	{ "local", LS_LOCAL, true, 0, EXP_ADDR, link_local },
	{ "ttl", LS_TTL, true, 0, EXP_TTL, link_ttl },
	{ "hoplimit", LS_TTL, true, 0, EXP_TTL, link_ttl },
	{ "tos", LS_TOS, true, 0, "a hexadecimal number 0-ff or inherit", link_tos },
	{ "key", LS_IKEY | LS_OKEY, true, KW_GRE, EXP_KEY, link_key },
	{ "ikey", LS_IKEY, true, KW_GRE, EXP_KEY, link_ikey },
	{ "okey", LS_OKEY, true, KW_GRE, EXP_KEY, link_okey },
	{ "csum", LS_ICSUM | LS_OCSUM, false, KW_GRE, "", link_csum },
	{ "icsum", LS_ICSUM, false, KW_GRE, "", link_icsum },
	{ "ocsum", LS_OCSUM, false, KW_GRE, "", link_ocsum },
	{ "seq", LS_ISEQ | LS_OSEQ, false, KW_GRE, "", link_seq },
	{ "iseq", LS_ISEQ, false, KW_GRE, "", link_iseq },
	{ "oseq", LS_OSEQ, false, KW_GRE, "", link_oseq },
	{ "mtu", LS_MTU, true, 0, "a number 68-65535", link_mtu },
	{ "pmtudisc", LS_PMTU, false, 0, "", link_pmtudisc },
	{ "nopmtudisc", LS_PMTU, false, 0, "", link_nopmtudisc },
	{ "encap", LS_ENCAP, true, 0, "fou, gue or none", link_encap },
	{ "noencap", LS_ENCAP, false, 0, "", link_noencap },
	{ "encap-sport", LS_SPORT, true, 0, "auto or a port 1-65535", link_sport },
	{ "encap-dport", LS_DPORT, true, 0, EXP_PORT, link_dport },
	{ "encap-csum", LS_ECSUM, false, 0, "", link_ecsum },
	{ "noencap-csum", LS_ECSUM, false, 0, "", link_noecsum },
	{ "encap-udp6-csum", LS_ECSUM6, false, 0, "", link_ecsum6 },
	{ "noencap-udp6-csum", LS_ECSUM6, false, 0, "", link_noecsum6 },
	{ "encap-remcsum", LS_REMCSUM, false, 0, "", link_remcsum },
	{ "noencap-remcsum", LS_REMCSUM, false, 0, "", link_noremcsum },
};

static int link_addr_check(struct pctx *p, const char *word, const struct fou_addr *a)
{
	char buf[INET6_ADDRSTRLEN];
	enum fou_kind k = tnl(p)->kind;

	if (a->family == kind_family(k))
		return 0;
	inet_ntop(a->family, a->a, buf, sizeof(buf));
	return perr(p, "\"%s\" address \"%s\" is %s but type \"%s\" needs %s", word, buf,
		    family_name(a->family), nv_name(kinds, ARRAY_SIZE(kinds), k),
		    family_name(kind_family(k)));
}

static void link_defaults(struct pctx *p)
{
	struct fou_tnl *t = tnl(p);
	bool v6 = kind_family(t->kind) == AF_INET6;

	if (v6 && !(p->seen & LS_TTL))
		t->ttl = 64;	/* iproute2's DEFAULT_TNL_HOP_LIMIT */
	t->encap_flags = v6 ? FOU_ENCAP_F_CSUM6 : 0;
	t->encap_flags = (t->encap_flags | p->eflags_set) & ~p->eflags_clr;
}

static int link_encap_check(struct pctx *p)
{
	const struct fou_tnl *t = tnl(p);
	const char *ename = nv_name(encaps, ARRAY_SIZE(encaps), t->encap);

	if (t->encap != FOU_ENCAP_NONE && !(p->seen & LS_DPORT))
		return perr(p, "\"encap-dport\" is missing (\"encap %s\" needs it)", ename);
	if ((t->encap_flags & FOU_ENCAP_F_REMCSUM) && t->encap != FOU_ENCAP_GUE)
		return perr(p, "\"encap-remcsum\" needs \"encap gue\", not \"encap %s\"",
			    ename);
	return 0;
}

static int link_finish(struct pctx *p)
{
	const char *miss = kw_missing(p, link_kws, ARRAY_SIZE(link_kws),
				      LS_NAME | LS_TYPE | LS_REMOTE | LS_LOCAL);
	const struct fou_tnl *t = tnl(p);
	int ret;

	if (miss)
		return perr(p, "\"%s\" is missing", miss);
	if (p->gre_word && !kind_gre(t->kind))
		return perr(p, "\"%s\" is only for type gre and ip6gre, not \"%s\"",
			    p->gre_word, nv_name(kinds, ARRAY_SIZE(kinds), t->kind));
	ret = link_addr_check(p, "remote", &t->remote);
	if (!ret)
		ret = link_addr_check(p, "local", &t->local);
	if (ret)
		return ret;
	/* Linux refuses this pair for IPv4 tunnels: a fixed TTL implies DF. */
	if (kind_family(t->kind) == AF_INET && t->ttl && !t->pmtudisc)
		return perr(p, "\"nopmtudisc\" conflicts with \"ttl %s\": use ttl inherit",
			    p->ttl_word);
	link_defaults(p);
	return link_encap_check(p);
}

static int link_add(struct pctx *p)
{
	int ret;

	tnl(p)->pmtudisc = true;
	ret = kw_run(p, link_kws, ARRAY_SIZE(link_kws));
	if (!ret)
		ret = link_finish(p);
	/* also in cmd->name, where every link command keeps its target */
	if (!ret)
		memcpy(p->cmd->name, p->cmd->link.name, IFNAMSIZ);
	return ret;
}

/* ---- link del / show, fou show ------------------------------------------- */

/* `NAME`, `dev NAME` or `name NAME`; optional only for show. */
static int link_target(struct pctx *p, bool required)
{
	const char *kw, *w;

	if (p->i >= p->argc)
		return required ? perr(p, "\"NAME\" is missing: expected a link name") : 0;
	kw = w = p->argv[p->i++];
	if (!strcmp(w, "dev") || !strcmp(w, "name")) {
		if (p->i >= p->argc)
			return perr(p, "\"%s\" needs a value", w);
		w = p->argv[p->i++];
	}
	if (parse_name(w, p->cmd->name))
		return perr(p, "invalid value \"%s\" for \"%s\": expected %s", w,
			    w == kw ? "NAME" : kw, link_kws[0].expect);
	if (p->i < p->argc)
		return perr(p, "\"%s\" is not a keyword of \"%s\"", p->argv[p->i], p->where);
	return 0;
}

static int link_del(struct pctx *p)
{
	return link_target(p, true);
}

static int link_show(struct pctx *p)
{
	return link_target(p, false);
}

static int no_args(struct pctx *p)
{
	if (p->i < p->argc)
		return perr(p, "\"%s\" is not a keyword of \"%s\"", p->argv[p->i], p->where);
	return 0;
}

/* ---- objects and commands -------------------------------------------------- */

struct op_ent {
	const char *word;
	enum foud_op op;
	const char *where;
	int (*parse)(struct pctx *p);
};

struct obj_ent {
	const char *word;
	enum foud_obj obj;
	const struct op_ent *ops;
	size_t nops;
	const char *expect;
};

/* "delete" and "list" as iproute2 users type them; still whole words. */
static const struct op_ent fou_ops[] = {
	{ "add", FOUD_OP_ADD, "fou add", fou_addel },
	{ "del", FOUD_OP_DEL, "fou del", fou_addel },
	{ "delete", FOUD_OP_DEL, "fou del", fou_addel },
	{ "show", FOUD_OP_SHOW, "fou show", no_args },
	{ "list", FOUD_OP_SHOW, "fou show", no_args },
};

static const struct op_ent link_ops[] = {
	{ "add", FOUD_OP_ADD, "link add", link_add },
	{ "del", FOUD_OP_DEL, "link del", link_del },
	{ "delete", FOUD_OP_DEL, "link del", link_del },
	{ "show", FOUD_OP_SHOW, "link show", link_show },
	{ "list", FOUD_OP_SHOW, "link show", link_show },
};

static const struct obj_ent objs[] = {
	{ "fou", FOUD_OBJ_FOU, fou_ops, ARRAY_SIZE(fou_ops), "add, del or show" },
	{ "link", FOUD_OBJ_LINK, link_ops, ARRAY_SIZE(link_ops), "add, del or show" },
};

#define OBJ_EXPECT "fou or link"

static const struct obj_ent *obj_find(const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(objs); i++)
		if (!strcmp(objs[i].word, w))
			return &objs[i];
	return NULL;
}

static const struct op_ent *op_find(const struct obj_ent *o, const char *w)
{
	for (size_t i = 0; i < o->nops; i++)
		if (!strcmp(o->ops[i].word, w))
			return &o->ops[i];
	return NULL;
}

static int parse_obj_op(struct pctx *p, const struct op_ent **opp)
{
	const struct obj_ent *o;
	const char *w;

	if (p->argc < 1)
		return perr(p, "\"OBJECT\" is missing: expected " OBJ_EXPECT);
	w = p->argv[0];
	o = obj_find(w);
	if (!o)
		return perr(p, "\"%s\" is not an object: expected " OBJ_EXPECT, w);
	if (p->argc < 2)
		return perr(p, "\"COMMAND\" is missing after \"%s\": expected %s", w,
			    o->expect);
	*opp = op_find(o, p->argv[1]);
	if (!*opp)
		return perr(p, "\"%s\" is not a command of \"%s\": expected %s",
			    p->argv[1], w, o->expect);
	p->cmd->obj = o->obj;
	p->cmd->op = (*opp)->op;
	p->where = (*opp)->where;
	p->i = 2;
	return 0;
}

int foud_cmd_parse(int argc, char *const argv[], struct foud_cmd *cmd,
		   char *err, size_t errlen)
{
	struct pctx p = {
		.argv = argv, .argc = argc, .cmd = cmd, .err = err, .errlen = errlen,
	};
	const struct op_ent *op = NULL;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	memset(cmd, 0, sizeof(*cmd));
	if (argc < 0 || (argc > 0 && !argv))
		return perr(&p, "no words to parse");
	ret = parse_obj_op(&p, &op);
	if (!ret)
		ret = op->parse(&p);
	return ret;
}

/* ---- splitting config and batch lines -------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Ends the word at s; returns where scanning goes on, or NULL at the end. */
static char *word_end(char *s)
{
	while (*s && *s != '#' && !is_blank(*s))
		s++;
	if (!*s || *s == '#') {
		*s = '\0';	/* a comment glued to a word ends the line */
		return NULL;
	}
	*s = '\0';
	return s + 1;
}

int foud_cmd_split(char *line, char *argv[], int max)
{
	bool first = true;
	char *s = line;
	int n = 0;

	while (s && *s && *s != '#') {
		char *w = s;

		if (is_blank(*s)) {
			s++;
			continue;
		}
		s = word_end(s);
		if (first && !strcmp(w, "fouctl")) {
			first = false;
			continue;
		}
		first = false;
		if (n >= max)
			return -E2BIG;
		argv[n++] = w;
	}
	if (n < max)
		argv[n] = NULL;
	return n;
}
