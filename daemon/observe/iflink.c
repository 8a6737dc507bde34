/* SPDX-License-Identifier: MIT */
/*
 * What `ip -j [-d] link show` says of a device around its linkinfo, for
 * `fouctl -j link show` (JSON only; text keeps foud's own line): flags,
 * qdisc, operstate and the rest as the kernel reports them for foud's
 * TUN/TAP device, one RTM_GETLINK a device. A TUN device has no link
 * layer; an L3 tunnel's link_type, address and broadcast are those of the
 * kernel's device of its kind: the kind's ARPHRD name, local and remote.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foud.h"

/* <linux/if.h>'s, which <net/if.h> leaves out. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	(1 << 16)
#define IFF_DORMANT	(1 << 17)
#define IFF_ECHO	(1 << 18)
#endif

#define IFLINK_BUF 16384	/* a device with its statistics is ~2 KiB */

struct foud_iflink {
	const struct ifinfomsg *ifi;
	const struct rtattr *tb[IFLA_MAX + 1];
	uint8_t buf[IFLINK_BUF] __attribute__((aligned(4)));
};

/* A number of the kernel's (a flag, an attribute) and ip's name for it. */
struct iflink_name {
	unsigned int val;
	const char *name;
};

/* ip's names of the flags (print_link_flags), in its order: IFF_ less its prefix. */
#define IFF(n)	{ IFF_##n, #n }
static const struct iflink_name iflink_flags[] = {
	IFF(LOOPBACK), IFF(BROADCAST), IFF(POINTOPOINT), IFF(MULTICAST), IFF(NOARP),
	IFF(ALLMULTI), IFF(PROMISC), IFF(MASTER), IFF(SLAVE), IFF(DEBUG), IFF(DYNAMIC),
	IFF(AUTOMEDIA), IFF(PORTSEL), IFF(NOTRAILERS), IFF(UP), IFF(LOWER_UP), IFF(DORMANT),
	IFF(ECHO),
};

static const char *const oper_states[] = {
	"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP",
};

/* The kernel's link_type (ARPHRD) of each L3 kind's device. */
static const char *const l3_link_type[FOU_KIND__MAX] = {
	[FOU_KIND_IPIP] = "ipip", [FOU_KIND_SIT] = "sit", [FOU_KIND_GRE] = "gre",
	[FOU_KIND_IP6TNL] = "tunnel6", [FOU_KIND_IP6GRE] = "gre6",
};

/* -d's u32 members, by attribute, in ip's order after linkinfo. */
static const struct iflink_name iflink_tail[] = {
	{ IFLA_NUM_TX_QUEUES, "num_tx_queues" }, { IFLA_NUM_RX_QUEUES, "num_rx_queues" },
	{ IFLA_GSO_MAX_SIZE, "gso_max_size" }, { IFLA_GSO_MAX_SEGS, "gso_max_segs" },
	{ IFLA_TSO_MAX_SIZE, "tso_max_size" }, { IFLA_TSO_MAX_SEGS, "tso_max_segs" },
	{ IFLA_GRO_MAX_SIZE, "gro_max_size" },
};

/* foud_rtnl_links' callback: keeps the device's message and indexes its attributes. */
static void iflink_parse(const struct nlmsghdr *h, void *ctx)
{
	struct foud_iflink *il = ctx;
	const struct rtattr *a;
	int left;

	if (il->ifi || h->nlmsg_len > sizeof(il->buf))
		return;
	memcpy(il->buf, h, h->nlmsg_len);
	h = (const struct nlmsghdr *)il->buf;
	il->ifi = NLMSG_DATA(h);
	left = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*il->ifi));
	for (a = IFLA_RTA(il->ifi); RTA_OK(a, left); a = RTA_NEXT(a, left))
		if (a->rta_type <= IFLA_MAX)
			il->tb[a->rta_type] = a;
}

/* The device as the kernel has it now, or NULL (gone, or no memory). */
struct foud_iflink *foud_iflink_get(const char *name)
{
	struct foud_iflink *il = calloc(1, sizeof(*il));

	if (il && (foud_rtnl_links(name, iflink_parse, il) || !il->ifi)) {
		free(il);
		il = NULL;
	}
	return il;
}

void foud_iflink_free(struct foud_iflink *il)
{
	free(il);
}

/* An attribute's u32, if it is there and that long. */
static bool attr_u32(const struct foud_iflink *il, unsigned short type, uint32_t *v)
{
	const struct rtattr *a = il->tb[type];

	if (!a || RTA_PAYLOAD(a) < sizeof(*v))
		return false;
	memcpy(v, RTA_DATA(a), sizeof(*v));
	return true;
}

static int attr_u8(const struct foud_iflink *il, unsigned short type)
{
	const struct rtattr *a = il->tb[type];

	return a && RTA_PAYLOAD(a) >= 1 ? *(const uint8_t *)RTA_DATA(a) : -1;
}

static void pr_attr_u32(const struct foud_iflink *il, struct foud_pr *p, unsigned short type,
			const char *key)
{
	uint32_t v;

	if (attr_u32(il, type, &v))
		foud_pr_uint(p, key, NULL, v);
}

/* A NUL-terminated string attribute, or NULL. */
static const char *attr_str(const struct foud_iflink *il, unsigned short type)
{
	const struct rtattr *a = il->tb[type];
	size_t n = a ? RTA_PAYLOAD(a) : 0;

	return n && memchr(RTA_DATA(a), '\0', n) ? RTA_DATA(a) : NULL;
}

/* "flags" as ip prints them: NO-CARRIER first when up without carrier. */
static void pr_flags(struct foud_pr *p, unsigned int flags)
{
	char hex[16];
	size_t i;

	foud_pr_open_array(p, "flags");
	if ((flags & IFF_UP) && !(flags & IFF_RUNNING))
		foud_pr_str(p, NULL, NULL, "NO-CARRIER");
	flags &= ~IFF_RUNNING;
	for (i = 0; i < sizeof(iflink_flags) / sizeof(iflink_flags[0]); i++) {
		if (!(flags & iflink_flags[i].val))
			continue;
		flags &= ~iflink_flags[i].val;
		foud_pr_str(p, NULL, NULL, iflink_flags[i].name);
	}
	if (flags) {
		snprintf(hex, sizeof(hex), "%x", flags);
		foud_pr_str(p, NULL, NULL, hex);
	}
	foud_pr_close_array(p);
}

/* A link-layer address as ip prints it: xx:xx:... */
static void pr_lladdr(const struct foud_iflink *il, struct foud_pr *p, unsigned short type,
		      const char *key)
{
	const struct rtattr *a = il->tb[type];
	const uint8_t *b = a ? RTA_DATA(a) : NULL;
	size_t i, off = 0, n = a ? RTA_PAYLOAD(a) : 0;
	char s[3 * 32];

	if (!n || n > 32)
		return;
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, sizeof(s) - off, "%s%02x", i ? ":" : "", b[i]);
	foud_pr_str(p, key, NULL, s);
}

/* link_type, address and broadcast: an L3 tunnel's local and remote (peer). */
static void pr_linklayer(const struct foud_iflink *il, const struct foud_tunnel *t,
			 struct foud_pr *p)
{
	char a[64];

	if (il->ifi->ifi_type != ARPHRD_NONE || t->tnl.kind >= FOU_KIND__MAX) {
		foud_pr_str(p, "link_type", NULL, il->ifi->ifi_type == ARPHRD_ETHER ? "ether"
										: "none");
		pr_lladdr(il, p, IFLA_ADDRESS, "address");
		pr_lladdr(il, p, IFLA_BROADCAST, "broadcast");
		return;
	}
	foud_pr_str(p, "link_type", NULL, l3_link_type[t->tnl.kind]);
	foud_pr_str(p, "address", NULL, fou_addr_str(&t->tnl.local, a, sizeof(a)));
	foud_pr_bool(p, "link_pointtopoint", NULL, NULL, true);
	foud_pr_str(p, "broadcast", NULL, fou_addr_str(&t->tnl.remote, a, sizeof(a)));
}

/*
 * What ip prints between ifname and linkinfo: "link" (an IP or GRE tunnel
 * is bound to no device), flags, mtu, qdisc, operstate, linkmode, group,
 * txqlen, the link layer; with details, promiscuity to max_mtu.
 */
void foud_iflink_head(const struct foud_iflink *il, const struct foud_tunnel *t,
		      struct foud_pr *p, bool details)
{
	uint32_t v;
	int st, mode;
	char g[16];

	if (il->ifi->ifi_type == ARPHRD_NONE || foud_l2_gre(t))
		foud_pr_null(p, "link", NULL);
	pr_flags(p, il->ifi->ifi_flags);
	foud_pr_uint(p, "mtu", NULL, t->mtu);
	if (attr_str(il, IFLA_QDISC))
		foud_pr_str(p, "qdisc", NULL, attr_str(il, IFLA_QDISC));
	st = attr_u8(il, IFLA_OPERSTATE);
	if (st >= 0 && st < (int)(sizeof(oper_states) / sizeof(oper_states[0])))
		foud_pr_str(p, "operstate", NULL, oper_states[st]);
	mode = attr_u8(il, IFLA_LINKMODE);
	if (mode == 0 || mode == 1)
		foud_pr_str(p, "linkmode", NULL, mode ? "DORMANT" : "DEFAULT");
	if (attr_u32(il, IFLA_GROUP, &v)) {
		snprintf(g, sizeof(g), "%u", v);
		foud_pr_str(p, "group", NULL, v ? g : "default");
	}
	if (attr_u32(il, IFLA_TXQLEN, &v) && v)
		foud_pr_uint(p, "txqlen", NULL, v);
	pr_linklayer(il, t, p);
	if (!details)
		return;
	pr_attr_u32(il, p, IFLA_PROMISCUITY, "promiscuity");
	pr_attr_u32(il, p, IFLA_ALLMULTI, "allmulti");
	pr_attr_u32(il, p, IFLA_MIN_MTU, "min_mtu");
	pr_attr_u32(il, p, IFLA_MAX_MTU, "max_mtu");
}

/* IPv6's address generation mode, from IFLA_AF_SPEC's AF_INET6 nest. */
static void pr_addr_gen_mode(const struct foud_iflink *il, struct foud_pr *p)
{
	static const char *const modes[] = { "eui64", "none", "stable_secret", "random" };
	const struct rtattr *spec = il->tb[IFLA_AF_SPEC], *a, *b;
	int left = spec ? (int)RTA_PAYLOAD(spec) : 0, in;

	for (a = spec ? RTA_DATA(spec) : NULL; a && RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		if (a->rta_type != AF_INET6)
			continue;
		in = (int)RTA_PAYLOAD(a);
		for (b = RTA_DATA(a); RTA_OK(b, in); b = RTA_NEXT(b, in)) {
			uint8_t m = RTA_PAYLOAD(b) ? *(const uint8_t *)RTA_DATA(b) : 0xff;

			if (b->rta_type == IFLA_INET6_ADDR_GEN_MODE && m < 4)
				foud_pr_str(p, "inet6_addr_gen_mode", NULL, modes[m]);
		}
	}
}

/* -d: what ip prints after linkinfo. */
void foud_iflink_tail(const struct foud_iflink *il, struct foud_pr *p)
{
	size_t i;

	pr_addr_gen_mode(il, p);
	for (i = 0; i < sizeof(iflink_tail) / sizeof(iflink_tail[0]); i++)
		pr_attr_u32(il, p, (unsigned short)iflink_tail[i].val, iflink_tail[i].name);
}
