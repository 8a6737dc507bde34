// SPDX-License-Identifier: MIT
/*
 * fouctl import, its second half: each networkd kind's fouctl words,
 * written from the slots netdev.c filled. What networkd would ignore for
 * the kind is said and skipped; what foud needs and the file lacks refuses it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "netdev_int.h"

/* ---- writing the command ------------------------------------------------------ */

/* Appends a word (or words); an overflow is kept in c->full and refuses the file. */
static void __attribute__((format(printf, 2, 3)))
put(struct nd_ctx *c, const char *fmt, ...)
{
	size_t room = sizeof(c->nf->cmd) - c->len;
	va_list ap;
	int n;

	if (c->full || room < 2) {
		c->full = true;
		return;
	}
	if (c->len) {
		c->nf->cmd[c->len++] = ' ';
		room--;
	}
	va_start(ap, fmt);
	n = vsnprintf(c->nf->cmd + c->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		c->full = true;
	else
		c->len += (size_t)n;
}

static bool yes(const struct nd_ctx *c, enum nd_slot s)
{
	return nd_set(c, s) && c->v[s].num;
}

/* A key this kind does not use (networkd ignores it too). */
static void unused(struct nd_ctx *c, enum nd_slot s, const char *key, const char *why)
{
	if (nd_set(c, s))
		nd_say(c, c->v[s].line, "[Tunnel] %s= %s, ignored", key, why);
}

static const char *family_name(unsigned long family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* ---- the kinds ------------------------------------------------------------------ */


static int emit_fou(struct nd_ctx *c)
{
	bool gue = yes(c, S_ENCAP), v6;

	if (!nd_set(c, S_PORT))
		return nd_missing(c, SEC_FOU, "Port", "networkd and foud need it");
	if (gue && nd_set(c, S_PROTO)) {
		nd_say(c, c->v[S_PROTO].line, "[FooOverUDP] Protocol= must be unset with "
		       "Encapsulation=GenericUDPEncapsulation, file not applied");
		return -EINVAL;
	}
	if (!gue && !nd_set(c, S_PROTO))
		return nd_missing(c, SEC_FOU, "Protocol", "Encapsulation=FooOverUDP needs it");
	if (nd_set(c, S_PEER) != nd_set(c, S_PEER_PORT))
		return nd_missing(c, SEC_FOU, nd_set(c, S_PEER) ? "PeerPort" : "Peer",
			       "Peer= and PeerPort= go together");
	v6 = c->v[S_LOCAL].num == AF_INET6 || c->v[S_PEER].num == AF_INET6;
	put(c, "fou add port %lu", c->v[S_PORT].num);
	if (gue)
		put(c, "gue");
	else
		put(c, "ipproto %lu", c->v[S_PROTO].num);
	if (nd_set(c, S_LOCAL))
		put(c, "local %s", c->v[S_LOCAL].text);
	if (nd_set(c, S_PEER))
		put(c, "peer %s peer_port %lu", c->v[S_PEER].text, c->v[S_PEER_PORT].num);
	/* networkd always asks for an IPv4 port; an IPv6 address needs an IPv6 one */
	if (v6)
		put(c, "-6");
	return 0;
}

/* [Tunnel] Local= and Remote=: foud needs both, of the kind's family. */
static int addrs(struct nd_ctx *c)
{
	static const enum nd_slot slots[] = { S_REMOTE, S_LOCAL };
	static const char *const names[] = { "Remote", "Local" };
	unsigned long family = (unsigned long)c->kind->family;

	for (size_t i = 0; i < ARRAY_SIZE(slots); i++) {
		const struct nd_val *v = &c->v[slots[i]];

		if (!nd_set(c, slots[i]))
			return nd_missing(c, SEC_TUNNEL, names[i], "foud needs the address");
		if (v->num != family) {
			nd_say(c, v->line, "[Tunnel] %s=%s is %s but Kind=%s needs %s, file not "
			       "applied", names[i], v->text, family_name(v->num), c->kind->kind,
			       family_name(family));
			return -EINVAL;
		}
	}
	return 0;
}

/* [Tunnel] TTL=0 is inherit; the L2 kinds' 0 is the route's default (auto). */
static void put_tos_ttl(struct nd_ctx *c)
{
	unsigned long ttl = c->v[S_TTL].num;

	if (nd_set(c, S_TTL) && (ttl == ND_INHERIT || (!ttl && c->kind->sect == SEC_TUNNEL)))
		put(c, "ttl inherit");
	else if (nd_set(c, S_TTL) && !ttl)
		put(c, "ttl auto");
	else if (nd_set(c, S_TTL))
		put(c, "ttl %lu", ttl);
	/* foud reads TOS in hexadecimal, as iproute2 */
	if (nd_set(c, S_TOS))
		put(c, "tos %lx", c->v[S_TOS].num);
}

/* Key= sets both directions, InputKey=/OutputKey= override one; 0 is no key. */
static void put_keys(struct nd_ctx *c)
{
	unsigned long k = c->v[S_KEY].num;
	unsigned long ik = nd_set(c, S_IKEY) ? c->v[S_IKEY].num : nd_set(c, S_KEY) ? k : 0;
	unsigned long ok = nd_set(c, S_OKEY) ? c->v[S_OKEY].num : nd_set(c, S_KEY) ? k : 0;

	if (ik && ik == ok) {
		put(c, "key %lu", ik);
		return;
	}
	if (ik)
		put(c, "ikey %lu", ik);
	if (ok)
		put(c, "okey %lu", ok);
}

static int put_fou(struct nd_ctx *c)
{
	if (!nd_set(c, S_FOU_DPORT))
		return nd_missing(c, SEC_TUNNEL, "FOUDestinationPort", "FooOverUDP=yes needs it");
	put(c, "encap %s", yes(c, S_ENCAP) ? "gue" : "fou");
	if (c->v[S_FOU_SPORT].num)
		put(c, "encap-sport %lu", c->v[S_FOU_SPORT].num);
	else
		put(c, "encap-sport auto");
	put(c, "encap-dport %lu", c->v[S_FOU_DPORT].num);
	return 0;
}

/* What [Tunnel] says that this kind does not use, as networkd: said and ignored. */
static void tunnel_unused(struct nd_ctx *c)
{
	unsigned int f = c->kind->flags;

	if (!(f & ND_GRE)) {
		unused(c, S_KEY, "Key", "is for the GRE kinds only");
		unused(c, S_IKEY, "InputKey", "is for the GRE kinds only");
		unused(c, S_OKEY, "OutputKey", "is for the GRE kinds only");
		unused(c, S_SEQ, "SerializeTunneledPackets", "is for the GRE kinds only");
	}
	if (!(f & ND_FOU) && yes(c, S_FOU))
		unused(c, S_FOU, "FooOverUDP", "is for ipip, sit, gre and gretap only");
	if (!(f & ND_MODE))
		unused(c, S_MODE, "Mode", "is for ip6tnl only");
}

static int emit_tunnel(struct nd_ctx *c)
{
	const struct nd_kind *k = c->kind;
	int ret = addrs(c);

	if (!ret && (k->flags & ND_MODE) && !nd_set(c, S_MODE))
		ret = nd_missing(c, SEC_TUNNEL, "Mode", "networkd refuses an ip6tnl without it");
	if (ret)
		return ret;
	tunnel_unused(c);
	put(c, "link add name %s type %s remote %s local %s", c->v[S_NAME].text, k->type,
	    c->v[S_REMOTE].text, c->v[S_LOCAL].text);
	put_tos_ttl(c);
	if (nd_set(c, S_PMTU) && !c->v[S_PMTU].num)
		put(c, "nopmtudisc");
	if (k->flags & ND_GRE) {
		put_keys(c);
		if (yes(c, S_SEQ))
			put(c, "seq");
	}
	if ((k->flags & ND_FOU) && yes(c, S_FOU) && put_fou(c))
		return -EINVAL;
	if (nd_set(c, S_MTU))
		put(c, "mtu %lu", c->v[S_MTU].num);
	return 0;
}

static void put_l2_tail(struct nd_ctx *c)
{
	put_tos_ttl(c);
	if (nd_set(c, S_MTU))
		put(c, "mtu %lu", c->v[S_MTU].num);
}

static int emit_vxlan(struct nd_ctx *c)
{
	unsigned long range = c->v[S_SRCPORT].num;

	if (!nd_set(c, S_VNI))
		return nd_missing(c, SEC_VXLAN, "VNI", "networkd and foud need it");
	if (nd_set(c, S_GROUP)) {
		nd_say(c, c->v[S_GROUP].line, "[VXLAN] Group=%s: foud needs the group's device, "
		       "which networkd takes from a .network file; use fouctl link add ... "
		       "group %s dev IF, file not applied", c->v[S_GROUP].text, c->v[S_GROUP].text);
		return -EINVAL;
	}
	if (!nd_set(c, S_LOCAL))
		return nd_missing(c, SEC_VXLAN, "Local", "foud needs the address");
	put(c, "link add name %s type vxlan id %lu", c->v[S_NAME].text, c->v[S_VNI].num);
	if (nd_set(c, S_REMOTE))
		put(c, "remote %s", c->v[S_REMOTE].text);
	put(c, "local %s dstport %lu", c->v[S_LOCAL].text,
	    nd_set(c, S_DSTPORT) ? c->v[S_DSTPORT].num : VXLAN_PORT_LINUX);
	if (nd_set(c, S_SRCPORT))
		put(c, "srcport %lu %lu", range >> 16, range & 0xffff);
	if (nd_set(c, S_LEARN) && !c->v[S_LEARN].num)
		put(c, "nolearning");
	if (nd_set(c, S_AGEING))
		put(c, "ageing %lu", c->v[S_AGEING].num);
	if (nd_set(c, S_MAXADDR))
		put(c, "maxaddress %lu", c->v[S_MAXADDR].num);
	put(c, yes(c, S_UDPCSUM) ? "udpcsum" : "noudpcsum");	/* networkd's default: off */
	if (yes(c, S_ZCSUMTX))
		put(c, "udp6zerocsumtx");
	if (yes(c, S_ZCSUMRX))
		put(c, "udp6zerocsumrx");
	put_l2_tail(c);
	return 0;
}

static int emit_geneve(struct nd_ctx *c)
{
	if (!nd_set(c, S_VNI))
		return nd_missing(c, SEC_GENEVE, "Id", "networkd and foud need it");
	if (!nd_set(c, S_REMOTE))
		return nd_missing(c, SEC_GENEVE, "Remote", "foud needs the address");
	put(c, "link add name %s type geneve id %lu remote %s", c->v[S_NAME].text,
	    c->v[S_VNI].num, c->v[S_REMOTE].text);
	if (nd_set(c, S_DSTPORT))
		put(c, "dstport %lu", c->v[S_DSTPORT].num);
	put_l2_tail(c);
	return 0;
}

static const struct nd_kind kinds[] = {
	{ "fou", NULL, SEC_FOU, 0, 0, emit_fou },
	{ "ipip", "ipip", SEC_TUNNEL, AF_INET, ND_FOU, emit_tunnel },
	{ "sit", "sit", SEC_TUNNEL, AF_INET, ND_FOU, emit_tunnel },
	{ "gre", "gre", SEC_TUNNEL, AF_INET, ND_FOU | ND_GRE, emit_tunnel },
	{ "gretap", "gretap", SEC_TUNNEL, AF_INET, ND_FOU | ND_GRE, emit_tunnel },
	{ "ip6tnl", "ip6tnl", SEC_TUNNEL, AF_INET6, ND_MODE, emit_tunnel },
	{ "ip6gre", "ip6gre", SEC_TUNNEL, AF_INET6, ND_GRE, emit_tunnel },
	/* foud's gretap is ip6gretap when its addresses are IPv6 */
	{ "ip6gretap", "gretap", SEC_TUNNEL, AF_INET6, ND_GRE, emit_tunnel },
	{ "vxlan", "vxlan", SEC_VXLAN, 0, 0, emit_vxlan },
	{ "geneve", "geneve", SEC_GENEVE, 0, 0, emit_geneve },
};

const char nd_kinds_list[] = "fou, ipip, sit, gre, gretap, ip6tnl, ip6gre, ip6gretap, vxlan, geneve";

const struct nd_kind *nd_kind_find(const char *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i].kind, kind))
			return &kinds[i];
	return NULL;
}
