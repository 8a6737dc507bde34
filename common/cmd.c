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
"fouctl link add name NAME type { ipip | sit | gre | ip6tnl | ip6gre | gretap }\n"
"        remote ADDR local ADDR [ { ttl | hoplimit } { N | inherit } ]\n"
"        [ tos { T | inherit } ] [ key K | ikey K | okey K ]\n"
"        [ csum | icsum | ocsum ] [ seq | iseq | oseq ] [ mtu N ]\n"
"        [ pmtudisc | nopmtudisc ] [ noencap | encap { fou | gue | none } ]\n"
"        [ encap-sport { auto | PORT } ] [ encap-dport PORT ]\n"
"        [ encap-csum | noencap-csum ] [ encap-udp6-csum | noencap-udp6-csum ]\n"
"        [ encap-remcsum | noencap-remcsum ]\n"
"        [ datapath { auto | bpf | userspace } ]\n"
"        gretap also: [ learning | nolearning ] [ ageing SECONDS ] [ maxaddress N ]\n"
"        [ dev IF ] (with a multicast remote)\n"
"fouctl link add name NAME type vxlan id VNI\n"
"        { remote ADDR | group MCADDR dev IF } local ADDR [ dstport PORT ]\n"
"        [ srcport MIN MAX ] [ { ttl | hoplimit } { N | inherit | auto } ]\n"
"        [ tos { T | inherit } ] [ learning | nolearning ] [ ageing SECONDS ]\n"
"        [ maxaddress N ] [ udpcsum | noudpcsum ]\n"
"        [ udp6zerocsumtx | noudp6zerocsumtx ]\n"
"        [ udp6zerocsumrx | noudp6zerocsumrx ] [ mtu N ]\n"
"fouctl link add name NAME type geneve id VNI remote ADDR [ local ADDR ]\n"
"        [ dstport PORT ] [ { ttl | hoplimit } { N | inherit | auto } ]\n"
"        [ tos { T | inherit } ] [ learning | nolearning ] [ ageing SECONDS ]\n"
"        [ maxaddress N ] [ geneve_opts CLASS:TYPE:DATA[,CLASS:TYPE:DATA...] ]\n"
"        [ mtu N ]\n"
"fouctl link add name NAME type nvgre vsid VSID remote ADDR local ADDR [ dev IF ]\n"
"        [ { ttl | hoplimit } { N | inherit | auto } ] [ tos { T | inherit } ]\n"
"        [ learning | nolearning ] [ ageing SECONDS ] [ maxaddress N ]\n"
"        [ flowid | noflowid ] [ mtu N ]\n"
"fouctl link add name NAME type stt key CONTEXT remote ADDR local ADDR\n"
"        [ { ttl | hoplimit } { N | inherit | auto } ] [ tos { T | inherit } ]\n"
"        [ [no]learning ] [ ageing SECONDS ] [ maxaddress N ] [ mtu N ]\n"
"fouctl link del [ dev | name ] NAME\n"
"fouctl link show [ [ dev ] NAME ]\n"
"\n"
"fouctl fdb { add | append } LLADDR dev NAME dst ADDR\n"
"fouctl fdb del LLADDR dev NAME [ dst ADDR ]\n"
"fouctl fdb show [ dev NAME ]\n"
"\n"
"fouctl tou add peer ADDR [ port PORT ] [ local ADDR ]\n"
"fouctl tou del peer ADDR\n"
"fouctl tou show\n";

/* ---- parse state and errors ---------------------------------------------- */

struct link_kind;

struct pctx {
	char *const *argv;
	int argc;
	int i;			/* next word */
	const char *where;	/* "link add", for "not a keyword of" */
	uint32_t seen;		/* slots given so far */
	const char *gre_word;	/* first GRE-only word, checked against the kind */
	const char *ttl_word;	/* value of ttl/hoplimit as typed */
	const char *bad;	/* the bad one of several values, if not the first */
	char bad_buf[320];	/* the bad part of a value, when bad points here */
	const struct link_kind *lk;	/* link add: the kind "type" names */
	const struct kw *extra;		/* words a kind adds to a shared table (gretap's fdb) */
	size_t nextra;
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

static int parse_u32(const char *s, uint32_t *out)
{
	unsigned long v;

	if (!isdigit((unsigned char)s[0]) || parse_ulong(s, 10, 0, UINT32_MAX, &v))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* A VXLAN/Geneve VNI or NVGRE VSID: 24 bits, any base as iproute2's get_u32. */
static int parse_vni(const char *s, uint32_t *out)
{
	unsigned long v;

	if (!isdigit((unsigned char)s[0]) || parse_ulong(s, 0, 0, 0xffffff, &v))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* 64 bits, decimal or 0x hexadecimal (no octal: a leading 0 is decimal). */
static int parse_u64(const char *s, uint64_t *out)
{
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	/* digits only: strtoull would take blanks, a sign or a second "0x" */
	if (!s[0] || s[strspn(s, base == 16 ? "0123456789abcdefABCDEF" : "0123456789")])
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, base);
	return errno || *end ? -EINVAL : 0;
}

static int parse_hex_byte(const char **s, uint8_t *out)
{
	unsigned int v = 0;
	int n;

	for (n = 0; n < 2 && isxdigit((unsigned char)**s); n++, (*s)++)
		v = v * 16 + (unsigned int)(isdigit((unsigned char)**s) ? **s - '0' :
					    tolower((unsigned char)**s) - 'a' + 10);
	*out = (uint8_t)v;
	return n ? 0 : -EINVAL;
}

/* aa:bb:cc:dd:ee:ff, either case, one or two digits a byte as bridge(8). */
static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		if (parse_hex_byte(&s, &mac[i]))
			return -EINVAL;
		if (*s != (i < 5 ? ':' : '\0'))
			return -EINVAL;
		s++;
	}
	return 0;
}

/* TOS is hexadecimal, as iproute2's rtnl_dsfield_a2n() reads it. */
static int parse_tos(const char *s, uint8_t *tos, bool *inherit)
{
	if (!strcmp(s, "inherit")) {
		*tos = 0;
		*inherit = true;
		return 0;
	}
	return parse_u8(s, 16, tos);
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

static bool addr_multicast(const struct fou_addr *a)
{
	return a->family == AF_INET ? (a->a[0] & 0xf0) == 0xe0 : a->a[0] == 0xff;
}

static int parse_unicast(const char *s, struct fou_addr *a)
{
	return parse_addr(s, a) || addr_multicast(a) ? -EINVAL : 0;
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

static const struct name_val datapaths[] = {
	{ "auto", FOUD_DP_AUTO },
	{ "bpf", FOUD_DP_BPF },
	{ "userspace", FOUD_DP_USERSPACE },
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
	uint8_t nval;		/* takes the next nval words as its value(s) */
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
	if (p->argc - p->i < k->nval)
		return perr(p, "\"%s\" needs %s", w, k->nval > 1 ? "two values" : "a value");
	if (k->nval) {
		val = p->argv[p->i];
		p->i += k->nval;	/* a setter of two values finds the second at i - 1 */
	}
	if ((k->flags & KW_GRE) && !p->gre_word)
		p->gre_word = k->word;
	p->bad = NULL;
	if (k->set(p, val) < 0)
		return perr(p, "invalid value \"%s\" for \"%s\": expected %s",
			    p->bad ? p->bad : val ? val : "", w, k->expect);
	return 0;
}

static int kw_run(struct pctx *p, const struct kw *t, size_t n)
{
	int ret = 0;

	while (!ret && p->i < p->argc) {
		const char *w = p->argv[p->i++];
		const struct kw *k = kw_find(t, n, w);

		if (!k && p->extra)
			k = kw_find(p->extra, p->nextra, w);
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
	/* What the receive side can demultiplex; any other number would be dropped. */
	if (proto != FOU_PROTO_IPIP && proto != FOU_PROTO_IPV6 && proto != FOU_PROTO_GRE)
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
	  "4 (ipip), 41 (ipv6) or 47 (gre); use \"gue\" for TOU", fou_ipproto },
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
	LS_DATAPATH = 1u << 31,	/* the L2 slots take 20..30 */
};

static struct fou_tnl *tnl(struct pctx *p)
{
	return &p->cmd->link.tnl;
}

static int link_name(struct pctx *p, const char *v)
{
	return parse_name(v, p->cmd->link.name);
}

static struct foud_l2_cfg *l2(struct pctx *p)
{
	return &p->cmd->link.l2;
}

static const struct link_kind *kind_find(const char *w);
static enum fou_kind kind_tnl(const struct link_kind *k);

/* The kind was found before the loop (link_prescan); this checks and keeps it. */
static int link_type(struct pctx *p, const char *v)
{
	const struct link_kind *k = kind_find(v);

	if (!k || (p->lk && k != p->lk))
		return -EINVAL;
	p->lk = k;
	tnl(p)->kind = kind_tnl(k);	/* gretap and nvgre settle theirs at the end */
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

static int link_tos(struct pctx *p, const char *v)
{
	return parse_tos(v, &tnl(p)->tos, &tnl(p)->tos_inherit);
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

int foud_datapath_lookup(const char *name)
{
	return nv_find(datapaths, ARRAY_SIZE(datapaths), name);
}

static int link_datapath(struct pctx *p, const char *v)
{
	int dp = foud_datapath_lookup(v);

	if (dp < 0)
		return dp;
	p->cmd->link.datapath = (enum foud_datapath)dp;
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
#define EXP_TOS		"a hexadecimal number 0-ff or inherit"
#define EXP_MTU		"a number 68-65535"
#define EXP_NAME	"1-15 characters without \"/\", \":\" or blanks"
#define EXP_KIND	"ipip, sit, gre, ip6tnl, ip6gre, gretap, vxlan, nvgre, geneve or stt"

#define KW_NAME		{ "name", LS_NAME, 1, 0, EXP_NAME, link_name }
#define KW_TYPE		{ "type", LS_TYPE, 1, 0, EXP_KIND, link_type }
#define KW_MTU		{ "mtu", LS_MTU, 1, 0, EXP_MTU, link_mtu }

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
	{ "csum", LS_ICSUM | LS_OCSUM, false, KW_GRE, "", link_csum },
	{ "icsum", LS_ICSUM, false, KW_GRE, "", link_icsum },
	{ "ocsum", LS_OCSUM, false, KW_GRE, "", link_ocsum },
	{ "seq", LS_ISEQ | LS_OSEQ, false, KW_GRE, "", link_seq },
	{ "iseq", LS_ISEQ, false, KW_GRE, "", link_iseq },
	{ "oseq", LS_OSEQ, false, KW_GRE, "", link_oseq },
	KW_MTU,
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
	{ "datapath", LS_DATAPATH, true, 0, "auto, bpf or userspace", link_datapath },
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

/* The L3 kinds join no group: a multicast remote would send and never receive. */
static int link_mcast_check(struct pctx *p, const struct fou_tnl *t)
{
	char buf[INET6_ADDRSTRLEN];

	if (!addr_multicast(&t->remote) || l2(p)->kind != FOUD_L2_NONE)
		return 0;
	inet_ntop(t->remote.family, t->remote.a, buf, sizeof(buf));
	return perr(p, "\"remote\" %s: a multicast remote is not supported for type \"%s\" "
		    "(gretap and nvgre join one with dev)", buf,
		    nv_name(kinds, ARRAY_SIZE(kinds), t->kind));
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
	if (!ret)
		ret = link_mcast_check(p, t);
	if (ret)
		return ret;
	/* Linux refuses this pair for IPv4 tunnels: a fixed TTL implies DF. */
	if (kind_family(t->kind) == AF_INET && t->ttl && !t->pmtudisc)
		return perr(p, "\"nopmtudisc\" conflicts with \"ttl %s\": use ttl inherit",
			    p->ttl_word);
	link_defaults(p);
	return link_encap_check(p);
}

/* ---- link add: the L2 kinds ------------------------------------------------ */

/* Slots of the L2 words, after the LS_* of link_kws (shared where alike). */
enum {
	LS_ID = 1u << 20,	/* id, vsid, stt's key */
	LS_GROUP = 1u << 21,
	LS_DEV = 1u << 22,
	LS_DSTPORT = 1u << 23,
	LS_SRCPORT = 1u << 24,
	LS_LEARN = 1u << 25,
	LS_AGEING = 1u << 26,
	LS_MAXADDR = 1u << 27,
	LS_UDPCSUM = 1u << 28,
	LS_ZCSUMTX = 1u << 29,
	LS_ZCSUMRX = 1u << 30,
	LS_FLOWID = LS_UDPCSUM,	/* nvgre's, which has no UDP */
	LS_OPTS = LS_GROUP,	/* geneve's, which has no group */
};

struct link_kind {
	const char *word;
	enum fou_kind tnl_kind;		/* L3 kinds, and the GRE carrier of gretap/nvgre */
	enum foud_l2_kind l2;
	uint16_t dstport;		/* default */
	const char *where;		/* for "is not a keyword of" */
	const struct kw *kws;
	size_t nkws;
	uint32_t required;		/* slots; L3 kinds check their own */
	int (*finish)(struct pctx *p);
	const struct kw *extra;		/* after kws: gretap's forwarding-table words */
	size_t nextra;
};

static int l2_id(struct pctx *p, const char *v)
{
	return parse_vni(v, &l2(p)->vni);
}

static int l2_key(struct pctx *p, const char *v)
{
	return parse_u64(v, &l2(p)->key);
}

static int l2_remote(struct pctx *p, const char *v)
{
	return parse_unicast(v, &l2(p)->remote);
}

/* GRE kinds: a multicast remote is a group (gre_group()). */
static int l2_remote_any(struct pctx *p, const char *v)
{
	return parse_addr(v, &l2(p)->remote);
}

static int l2_local(struct pctx *p, const char *v)
{
	return parse_unicast(v, &l2(p)->local);
}

static int l2_group(struct pctx *p, const char *v)
{
	struct fou_addr *g = &l2(p)->group;

	return parse_addr(v, g) || !addr_multicast(g) ? -EINVAL : 0;
}

static int l2_dev(struct pctx *p, const char *v)
{
	return parse_name(v, l2(p)->dev);
}

static int l2_dstport(struct pctx *p, const char *v)
{
	return parse_u16(v, 1, &l2(p)->dstport);
}

/* Two words: MIN is v, MAX the word after it. */
static int l2_srcport(struct pctx *p, const char *v)
{
	const char *max = p->argv[p->i - 1];

	if (parse_u16(v, 1, &l2(p)->srcport_min))
		return -EINVAL;
	p->bad = max;
	return parse_u16(max, 1, &l2(p)->srcport_max);
}

/* As iproute2's vxlan and geneve: 1-255, inherit (the inner packet's), or auto (64). */
static int l2_ttl(struct pctx *p, const char *v)
{
	unsigned long ttl;

	l2(p)->ttl = 0;
	l2(p)->ttl_inherit = !strcmp(v, "inherit");
	if (l2(p)->ttl_inherit || !strcmp(v, "auto"))
		return 0;
	if (!isdigit((unsigned char)v[0]) || parse_ulong(v, 10, 1, 255, &ttl))
		return -EINVAL;
	l2(p)->ttl = (uint8_t)ttl;
	return 0;
}

static int l2_tos(struct pctx *p, const char *v)
{
	return parse_tos(v, &l2(p)->tos, &l2(p)->tos_inherit);
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
	return parse_u32(v, &l2(p)->ageing);
}

static int l2_maxaddress(struct pctx *p, const char *v)
{
	return parse_u32(v, &l2(p)->maxaddress);
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

static int l2_nozcsumrx(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->udp6zerocsumrx = false;
	return 0;
}

static unsigned int hex_val(char c)
{
	return (unsigned int)(isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10);
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
		v = v * 16 + hex_val(s[i]);
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
static int geneve_opt(struct foud_l2_cfg *c, const char *s, size_t n)
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
	if (dn < 8 || dn > 248 || dn % 8 || c->geneve_opts_len + 4 + dn / 2 > FOUD_GENEVE_OPTS_MAX)
		return -EINVAL;
	o = c->geneve_opts + c->geneve_opts_len;
	for (i = 0; i < dn; i += 2) {
		if (!isxdigit((unsigned char)d[i]) || !isxdigit((unsigned char)d[i + 1]))
			return -EINVAL;
		o[4 + i / 2] = (uint8_t)(hex_val(d[i]) << 4 | hex_val(d[i + 1]));
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

#define EXP_UADDR	"a unicast IPv4 or IPv6 address"
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
/* The forwarding table's words. */
#define KW_FDB \
	{ "learning", LS_LEARN, 0, 0, "", l2_learning }, \
	{ "nolearning", LS_LEARN, 0, 0, "", l2_nolearning }, \
	{ "ageing", LS_AGEING, 1, 0, "a number of seconds 0-4294967295", l2_ageing }, \
	{ "maxaddress", LS_MAXADDR, 1, 0, "a number 0-4294967295", l2_maxaddress }
/* GRE kinds: the device a multicast remote is joined on. */
#define KW_GRE_DEV	{ "dev", LS_DEV, 1, 0, EXP_NAME, l2_dev }

/* kw_missing() names the first missing word in table order: name, id, ... */
static const struct kw vxlan_kws[] = {
	KW_L2_COMMON(EXP_UADDR, l2_remote),
	{ "id", LS_ID, 1, 0, EXP_VNI, l2_id },
	{ "group", LS_GROUP, 1, 0, "a multicast IPv4 or IPv6 address", l2_group },
	{ "dev", LS_DEV, 1, 0, EXP_NAME, l2_dev },
	KW_DSTPORT,
	{ "srcport", LS_SRCPORT, 2, 0, "two ports 1-65535, MIN MAX", l2_srcport },
	KW_FDB,
	{ "udpcsum", LS_UDPCSUM, 0, 0, "", l2_udpcsum },
	{ "noudpcsum", LS_UDPCSUM, 0, 0, "", l2_noudpcsum },
	{ "udp6zerocsumtx", LS_ZCSUMTX, 0, 0, "", l2_zcsumtx },
	{ "noudp6zerocsumtx", LS_ZCSUMTX, 0, 0, "", l2_nozcsumtx },
	{ "udp6zerocsumrx", LS_ZCSUMRX, 0, 0, "", l2_zcsumrx },
	{ "noudp6zerocsumrx", LS_ZCSUMRX, 0, 0, "", l2_nozcsumrx },
};

static const struct kw geneve_kws[] = {
	KW_L2_COMMON(EXP_UADDR, l2_remote),
	{ "id", LS_ID, 1, 0, EXP_VNI, l2_id },
	KW_DSTPORT,
	KW_FDB,
	{ "geneve_opts", LS_OPTS, 1, 0, "CLASS:TYPE:DATA[,CLASS:TYPE:DATA...] in hexadecimal: "
	  "CLASS 0-ffff, TYPE 0-ff, DATA 4-124 bytes in multiples of 4, at most 252 bytes in all",
	  l2_geneve_opts },
};

/* gretap takes the words of gre (link_kws) and these. */
static const struct kw gretap_fdb_kws[] = {
	KW_FDB,
	KW_GRE_DEV,
};

static const struct kw nvgre_kws[] = {
	KW_L2_COMMON(EXP_ADDR, l2_remote_any),
	KW_GRE_DEV,
	{ "vsid", LS_ID, 1, 0, EXP_VNI, l2_id },
	KW_FDB,
	{ "flowid", LS_FLOWID, 0, 0, "", l2_flowid },
	{ "noflowid", LS_FLOWID, 0, 0, "", l2_noflowid },
};

static const struct kw stt_kws[] = {
	KW_L2_COMMON(EXP_UADDR, l2_remote),
	{ "key", LS_ID, 1, 0, "a number 0-18446744073709551615 (or 0x hexadecimal)",
	  l2_key },
	{ "learning", LS_LEARN, 0, 0, "", l2_learning },
	{ "nolearning", LS_LEARN, 0, 0, "", l2_nolearning },
	{ "ageing", LS_AGEING, 1, 0, "a number of seconds 0-4294967295", l2_ageing },
	{ "maxaddress", LS_MAXADDR, 1, 0, "a number 0-4294967295", l2_maxaddress },
};

/* "local" against "remote" or "group"; either may be absent. */
static int same_family(struct pctx *p, const char *word, const struct fou_addr *a,
		       const char *ref_word, const struct fou_addr *ref)
{
	char buf[INET6_ADDRSTRLEN];

	if (!a->family || !ref->family || a->family == ref->family)
		return 0;
	inet_ntop(a->family, a->a, buf, sizeof(buf));
	return perr(p, "\"%s\" address \"%s\" is %s but \"%s\" is %s", word, buf,
		    family_name(a->family), ref_word, family_name(ref->family));
}

static int l2_required(struct pctx *p)
{
	const struct link_kind *k = p->lk;
	const char *miss = kw_missing(p, k->kws, k->nkws, k->required);

	if (miss)
		return perr(p, "\"%s\" is missing (type \"%s\" needs it)", miss, k->word);
	return 0;
}

static int l2_common(struct pctx *p)
{
	const struct foud_l2_cfg *c = l2(p);

	if (same_family(p, "local", &c->local, "remote", &c->remote) ||
	    same_family(p, "local", &c->local, "group", &c->group))
		return -EINVAL;
	if (c->srcport_min > c->srcport_max)
		return perr(p, "\"srcport\" %u %u: MIN is greater than MAX",
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

/*
 * At most one of remote and group; a group is joined on dev. With neither,
 * as in Linux, the flood list comes from `fdb append 00:00:00:00:00:00`.
 */
static int vxlan_dest(struct pctx *p)
{
	uint32_t s = p->seen;

	if ((s & LS_REMOTE) && (s & LS_GROUP))
		return perr(p, "\"group\" conflicts with \"remote\": give one of them");
	if ((s & LS_GROUP) && !(s & LS_DEV))
		return perr(p, "\"dev\" is missing (\"group\" needs it)");
	if ((s & LS_DEV) && !(s & LS_GROUP))
		return perr(p, "\"dev\" is only for \"group\", not \"remote\"");
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
static int gre_group(struct pctx *p, struct foud_l2_cfg *c)
{
	bool mc = addr_multicast(&c->remote);

	if (mc && !(p->seen & LS_DEV))
		return perr(p, "\"dev\" is missing (a multicast \"remote\" needs it)");
	if (!mc && (p->seen & LS_DEV))
		return perr(p, "\"dev\" is only for a multicast \"remote\"");
	if (mc) {
		c->group = c->remote;
		memset(&c->remote, 0, sizeof(c->remote));
	}
	return 0;
}

/* NVGRE rides on GRE: key = VSID << 8 | FlowID (FlowID 0), as RFC 7637. */
static int nvgre_finish(struct pctx *p)
{
	const struct foud_l2_cfg *c = l2(p);
	struct fou_tnl *t = tnl(p);
	int ret = l2_finish(p);	/* zeroes tnl */

	if (ret)
		return ret;
	t->kind = c->remote.family == AF_INET6 ? FOU_KIND_IP6GRE : FOU_KIND_GRE;
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
	link_defaults(p);
	return 0;
}

/* gretap takes the words of gre; the kind follows the family of remote. */
static int gretap_finish(struct pctx *p)
{
	struct foud_l2_cfg *c = l2(p);
	struct fou_tnl *t = tnl(p);
	int ret = same_family(p, "local", &t->local, "remote", &t->remote);

	if (t->remote.family == AF_INET6)
		t->kind = FOU_KIND_IP6GRE;
	if (!ret)
		ret = link_finish(p);
	/* Frames from the TAP have their checksums complete: nothing to offload. */
	if (!ret && (t->encap_flags & FOU_ENCAP_F_REMCSUM))
		ret = perr(p, "\"encap-remcsum\" is not for type \"gretap\"");
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

/* ---- link add: kinds --------------------------------------------------------- */

#define KWS(t)	t, ARRAY_SIZE(t)
#define L3(w, k) { w, k, FOUD_L2_NONE, 0, "link add", KWS(link_kws), 0, link_finish }

static const struct link_kind link_kinds[] = {
	L3("ipip", FOU_KIND_IPIP),
	L3("sit", FOU_KIND_SIT),
	L3("gre", FOU_KIND_GRE),
	L3("ip6tnl", FOU_KIND_IP6TNL),
	L3("ip6gre", FOU_KIND_IP6GRE),
	{ "gretap", FOU_KIND_GRE, FOUD_L2_GRETAP, 0, "link add type gretap",
	  KWS(link_kws), 0, gretap_finish, KWS(gretap_fdb_kws) },
	{ "vxlan", 0, FOUD_L2_VXLAN, 4789, "link add type vxlan", KWS(vxlan_kws),
	  LS_NAME | LS_ID | LS_LOCAL, vxlan_finish },
	{ "nvgre", 0, FOUD_L2_NVGRE, 0, "link add type nvgre", KWS(nvgre_kws),
	  LS_NAME | LS_ID | LS_REMOTE | LS_LOCAL, nvgre_finish },
	{ "geneve", 0, FOUD_L2_GENEVE, 6081, "link add type geneve", KWS(geneve_kws),
	  LS_NAME | LS_ID | LS_REMOTE, l2_finish },
	{ "stt", 0, FOUD_L2_STT, 7471, "link add type stt", KWS(stt_kws),
	  LS_NAME | LS_ID | LS_REMOTE | LS_LOCAL, l2_finish },
};

static const struct link_kind *kind_find(const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(link_kinds); i++)
		if (!strcmp(link_kinds[i].word, w))
			return &link_kinds[i];
	return NULL;
}

/* A word of any kind's table, for walking past values before the kind is known. */
static enum fou_kind kind_tnl(const struct link_kind *k)
{
	return k->tnl_kind;
}

static const struct kw *link_kw_any(const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(link_kinds); i++) {
		const struct kw *k = kw_find(link_kinds[i].kws, link_kinds[i].nkws, w);

		if (k)
			return k;
	}
	return NULL;
}

/*
 * The kind decides which words exist, and "type" may come last: find it
 * first, skipping values (so "name type type vxlan" is a link named type).
 * NULL when there is none or it is unknown: the L3 table then says so.
 */
static const struct link_kind *link_prescan(const struct pctx *p)
{
	for (int i = p->i; i < p->argc; i++) {
		const struct kw *k;

		if (!strcmp(p->argv[i], "type"))
			return i + 1 < p->argc ? kind_find(p->argv[i + 1]) : NULL;
		k = link_kw_any(p->argv[i]);
		if (k)
			i += k->nval;
	}
	return NULL;
}

static void l2_defaults(struct pctx *p, const struct link_kind *k)
{
	struct foud_l2_cfg *c = l2(p);

	c->kind = k->l2;
	c->dstport = k->dstport;
	c->learning = true;
	c->ageing = 300;
	c->udpcsum = true;
}

static int link_add(struct pctx *p)
{
	const struct link_kind *k = link_prescan(p);
	int ret;

	p->lk = k;
	if (!k)
		k = &link_kinds[0];	/* the L3 words; "type" reports itself */
	p->where = k->where;
	if (k->l2 != FOUD_L2_NONE)
		l2_defaults(p, k);
	p->extra = k->extra;
	p->nextra = k->nextra;
	tnl(p)->pmtudisc = true;
	ret = kw_run(p, k->kws, k->nkws);
	if (!ret)
		ret = k->finish(p);
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
			    w == kw ? "NAME" : kw, EXP_NAME);
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

/* ---- fdb ------------------------------------------------------------------- */

enum {
	DS_DEV = 1u << 0,
	DS_DST = 1u << 1,
};

static int fdb_dev(struct pctx *p, const char *v)
{
	return parse_name(v, p->cmd->fdb.dev);
}

static int fdb_dst(struct pctx *p, const char *v)
{
	return parse_addr(v, &p->cmd->fdb.dst);
}

static const struct kw fdb_kws[] = {
	{ "dev", DS_DEV, 1, 0, EXP_NAME, fdb_dev },
	{ "dst", DS_DST, 1, 0, EXP_ADDR, fdb_dst },
};

#define EXP_MAC "a MAC address like 02:00:5e:00:53:01"

static bool mac_zero(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !memcmp(mac, zero, sizeof(zero));
}

static int fdb_finish(struct pctx *p, const char *mac)
{
	enum foud_op op = p->cmd->op;
	const char *miss = kw_missing(p, fdb_kws, ARRAY_SIZE(fdb_kws),
				      op == FOUD_OP_DEL ? DS_DEV : DS_DEV | DS_DST);

	if (miss)
		return perr(p, "\"%s\" is missing", miss);
	/* Linux appends to any entry; foud keeps lists only for flooding. */
	if (op == FOUD_OP_APPEND && !mac_zero(p->cmd->fdb.mac))
		return perr(p, "\"%s\": append is only for the flood list 00:00:00:00:00:00",
			    mac);
	return 0;
}

/* `LLADDR dev NAME dst ADDR`: the address first, as bridge(8) writes it. */
static int fdb_entry(struct pctx *p)
{
	const char *mac;
	int ret;

	if (p->i >= p->argc)
		return perr(p, "\"LLADDR\" is missing: expected " EXP_MAC);
	mac = p->argv[p->i++];
	if (parse_mac(mac, p->cmd->fdb.mac))
		return perr(p, "invalid value \"%s\" for \"LLADDR\": expected " EXP_MAC, mac);
	ret = kw_run(p, fdb_kws, ARRAY_SIZE(fdb_kws));
	return ret ? ret : fdb_finish(p, mac);
}

/* `[ dev NAME ]`; fdb.dev stays "" for every device. */
static int fdb_show(struct pctx *p)
{
	return kw_run(p, fdb_kws, 1);
}

/* ---- tou ------------------------------------------------------------------- */

enum {
	TS_PEER = 1u << 0,
	TS_PORT = 1u << 1,
	TS_LOCAL = 1u << 2,
};

static int tou_peer(struct pctx *p, const char *v)
{
	return parse_unicast(v, &p->cmd->tou.peer);
}

static int tou_port(struct pctx *p, const char *v)
{
	return parse_u16(v, 1, &p->cmd->tou.port);
}

static int tou_local(struct pctx *p, const char *v)
{
	return parse_unicast(v, &p->cmd->tou.local);
}

static const struct kw tou_kws[] = {
	{ "peer", TS_PEER, 1, 0, "a unicast IPv4 or IPv6 address", tou_peer },
	{ "port", TS_PORT, 1, 0, EXP_PORT, tou_port },
	{ "local", TS_LOCAL, 1, 0, "a unicast IPv4 or IPv6 address", tou_local },
};

/* add takes every word; del names the peer only. */
static int tou_addel(struct pctx *p)
{
	const struct foud_tou_cfg *c = &p->cmd->tou;
	size_t n = p->cmd->op == FOUD_OP_ADD ? ARRAY_SIZE(tou_kws) : 1;
	int ret;

	p->cmd->tou.port = FOUD_TOU_PORT;
	ret = kw_run(p, tou_kws, n);
	if (ret)
		return ret;
	if (!(p->seen & TS_PEER))
		return perr(p, "\"peer\" is missing");
	return same_family(p, "local", &c->local, "peer", &c->peer);
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

static const struct op_ent fdb_ops[] = {
	{ "add", FOUD_OP_ADD, "fdb add", fdb_entry },
	{ "append", FOUD_OP_APPEND, "fdb append", fdb_entry },
	{ "del", FOUD_OP_DEL, "fdb del", fdb_entry },
	{ "delete", FOUD_OP_DEL, "fdb del", fdb_entry },
	{ "show", FOUD_OP_SHOW, "fdb show", fdb_show },
	{ "list", FOUD_OP_SHOW, "fdb show", fdb_show },
};

static const struct op_ent tou_ops[] = {
	{ "add", FOUD_OP_ADD, "tou add", tou_addel },
	{ "del", FOUD_OP_DEL, "tou del", tou_addel },
	{ "delete", FOUD_OP_DEL, "tou del", tou_addel },
	{ "show", FOUD_OP_SHOW, "tou show", no_args },
	{ "list", FOUD_OP_SHOW, "tou show", no_args },
};

static const struct obj_ent objs[] = {
	{ "fou", FOUD_OBJ_FOU, fou_ops, ARRAY_SIZE(fou_ops), "add, del or show" },
	{ "link", FOUD_OBJ_LINK, link_ops, ARRAY_SIZE(link_ops), "add, del or show" },
	{ "fdb", FOUD_OBJ_FDB, fdb_ops, ARRAY_SIZE(fdb_ops), "add, append, del or show" },
	{ "tou", FOUD_OBJ_TOU, tou_ops, ARRAY_SIZE(tou_ops), "add, del or show" },
};

#define OBJ_EXPECT "fou, link, fdb or tou"

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
