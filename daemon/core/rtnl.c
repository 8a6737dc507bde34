/* SPDX-License-Identifier: MIT */
/*
 * Just enough rtnetlink for TOU's policy routing: `ip rule add fwmark M
 * table T`, `ip route add PEER dev tou0 src LOCAL table T mtu N` and `ip addr add
 * LOCAL/32 dev tou0`, without running ip(8); a tunnel device's gso_max_size;
 * and `ip route get REMOTE`, for the device a tunnel sends on. One request at
 * a time, answered by an ACK.
 */
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "foud.h"

#define RTNL_BUF 512

struct rtnl_req {
	struct nlmsghdr nh;
	union {
		struct rtmsg rt;
		struct fib_rule_hdr fr;
		struct ifaddrmsg ifa;
		struct ifinfomsg ifi;
		struct ndmsg nd;
	};
	uint8_t attrs[256];
};

static int rtnl_attr(struct rtnl_req *r, uint16_t type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(r->nh.nlmsg_len);
	struct rtattr *a = (struct rtattr *)((uint8_t *)r + off);

	if (off + RTA_SPACE(len) > sizeof(*r))
		return -E2BIG;
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
	return 0;
}

/* The header of a request whose fixed part is len bytes. */
static void rtnl_head(struct rtnl_req *r, size_t len, uint16_t type, uint16_t flags)
{
	r->nh.nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = flags;
}

static int rtnl_dump(struct rtnl_req *r, bool dump, uint16_t type, size_t min,
		     void (*fn)(const struct nlmsghdr *h, void *ctx), void *ctx);

static int rtnl_attr32(struct rtnl_req *r, uint16_t type, uint32_t v)
{
	return rtnl_attr(r, type, &v, sizeof(v));
}

/* Sends the request and waits for the kernel's answer: 0 or -errno. */
static int rtnl_talk(struct rtnl_req *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 2 };
	uint8_t buf[RTNL_BUF] __attribute__((aligned(4)));
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	ssize_t n;
	int s, ret;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r->nh.nlmsg_seq = 1;
	if (sendto(s, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	n = recv(s, buf, sizeof(buf), 0);
	if (n < 0)
		ret = -errno;
	else if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type != NLMSG_ERROR ||
		 h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
		ret = -EPROTO;
	else
		ret = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
out:
	close(s);
	return ret;
}

int foud_rtnl_rule(bool add, int family, uint32_t mark, uint32_t table, uint32_t prio)
{
	struct rtnl_req r = { 0 };

	rtnl_head(&r, sizeof(r.fr), add ? RTM_NEWRULE : RTM_DELRULE,
		  add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	r.fr.family = (uint8_t)family;
	r.fr.action = FR_ACT_TO_TBL;
	r.fr.table = RT_TABLE_UNSPEC;
	if (rtnl_attr32(&r, FRA_FWMARK, mark) || rtnl_attr32(&r, FRA_TABLE, table) ||
	    rtnl_attr32(&r, FRA_PRIORITY, prio))
		return -E2BIG;
	return rtnl_talk(&r);
}

/* A unicast route's add (replacing) or delete: the header every route request shares. */
static void route_head(struct rtnl_req *r, bool add, int family, uint8_t dst_len, uint8_t proto,
		       uint8_t scope)
{
	rtnl_head(r, sizeof(r->rt), add ? RTM_NEWROUTE : RTM_DELROUTE,
		  add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	r->rt.rtm_family = (uint8_t)family;
	r->rt.rtm_dst_len = dst_len;
	r->rt.rtm_protocol = proto;
	r->rt.rtm_scope = scope;
	r->rt.rtm_type = RTN_UNICAST;
}

/*
 * RTA_METRICS with the route's MTU (`ip route ... mtu N`), where TCP takes
 * its MSS from. Locked for IPv6: the kernel raises an IPv6 route's unlocked
 * MTU that equals its device's when the device's grows. IPv4 leaves it, and
 * a lock there would clear DF.
 */
static int rtnl_attr_mtu(struct rtnl_req *r, int family, uint32_t mtu)
{
	size_t off = NLMSG_ALIGN(r->nh.nlmsg_len);
	struct rtattr *nest = (struct rtattr *)((uint8_t *)r + off);

	if (rtnl_attr(r, RTA_METRICS, &mtu, 0) || rtnl_attr32(r, RTAX_MTU, mtu) ||
	    (family == AF_INET6 && rtnl_attr32(r, RTAX_LOCK, 1u << RTAX_MTU)))
		return -E2BIG;
	nest->rta_len = (unsigned short)(r->nh.nlmsg_len - off);
	return 0;
}

/* mtu 0: the device's. */
int foud_rtnl_route(bool add, const struct fou_addr *dst, const struct fou_addr *src,
		    int ifindex, uint32_t table, uint32_t mtu)
{
	size_t alen = dst->family == AF_INET6 ? 16 : 4;
	struct rtnl_req r = { 0 };

	route_head(&r, add, dst->family, (uint8_t)(alen * 8), RTPROT_STATIC, RT_SCOPE_LINK);
	r.rt.rtm_table = RT_TABLE_UNSPEC;
	if (rtnl_attr(&r, RTA_DST, dst->a, alen) || rtnl_attr32(&r, RTA_OIF, (uint32_t)ifindex) ||
	    rtnl_attr32(&r, RTA_TABLE, table) ||
	    (src && src->family && rtnl_attr(&r, RTA_PREFSRC, src->a, alen)) ||
	    (add && mtu && rtnl_attr_mtu(&r, dst->family, mtu)))
		return -E2BIG;
	return rtnl_talk(&r);
}

int foud_rtnl_addr(bool add, int ifindex, const struct fou_addr *a)
{
	size_t alen = a->family == AF_INET6 ? 16 : 4;
	struct rtnl_req r = { 0 };

	rtnl_head(&r, sizeof(r.ifa), add ? RTM_NEWADDR : RTM_DELADDR,
		  add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	r.ifa.ifa_family = (uint8_t)a->family;
	r.ifa.ifa_prefixlen = (uint8_t)(alen * 8);
	r.ifa.ifa_flags = IFA_F_NODAD;
	r.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	r.ifa.ifa_index = (uint32_t)ifindex;
	if (rtnl_attr(&r, IFA_LOCAL, a->a, alen) || rtnl_attr(&r, IFA_ADDRESS, a->a, alen))
		return -E2BIG;
	return rtnl_talk(&r);
}

/* A request about one device (RTM_NEWLINK: set, RTM_DELLINK: delete). */
static void link_req(struct rtnl_req *r, uint16_t type, int ifindex)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(r->ifi));
	r->nh.nlmsg_type = type;
	r->ifi.ifi_family = AF_UNSPEC;
	r->ifi.ifi_index = ifindex;
}

/* `ip link set DEV ATTR VALUE`: one attribute. */
static int link_set(int ifindex, uint16_t attr, const void *data, size_t len)
{
	struct rtnl_req r;

	link_req(&r, RTM_NEWLINK, ifindex);
	if (rtnl_attr(&r, attr, data, len))
		return -E2BIG;
	return rtnl_talk(&r);
}

/* `ip link set DEV gso_max_size SIZE` (kernels before 5.19 refuse it: -EOPNOTSUPP or so). */
int foud_rtnl_gso_max_size(int ifindex, uint32_t size)
{
	return link_set(ifindex, IFLA_GSO_MAX_SIZE, &size, sizeof(size));
}

/* `ip route get DST`: the device and, if any, the gateway. */
struct route_ans {
	int oif;
	struct fou_addr via;
};

static void route_one(const struct nlmsghdr *h, void *arg)
{
	struct route_ans *ans = arg;
	int left = (int)RTM_PAYLOAD(h);
	size_t alen = ans->via.family == AF_INET6 ? 16 : 4;
	struct rtattr *a;

	for (a = RTM_RTA(NLMSG_DATA(h)); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) >= sizeof(int))
			memcpy(&ans->oif, RTA_DATA(a), sizeof(int));
		if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) == alen)
			memcpy(ans->via.a, RTA_DATA(a), alen);
	}
}

/* The device the kernel routes dst through now and its next hop (dst itself when direct). */
static int route_get(const struct fou_addr *dst, struct route_ans *ans)
{
	size_t alen = dst->family == AF_INET6 ? 16 : 4;
	struct rtnl_req r = { 0 };
	int ret;

	rtnl_head(&r, sizeof(r.rt), RTM_GETROUTE, NLM_F_REQUEST);
	r.rt.rtm_family = (uint8_t)dst->family;
	r.rt.rtm_dst_len = (uint8_t)(alen * 8);
	if (rtnl_attr(&r, RTA_DST, dst->a, alen))
		return -E2BIG;
	ans->oif = -ENETUNREACH;
	ans->via = *dst;
	ret = rtnl_dump(&r, false, RTM_NEWROUTE, sizeof(struct rtmsg), route_one, ans);
	return ret ? ret : ans->oif < 0 ? ans->oif : 0;
}

/* The device the kernel routes dst through now (`ip route get`), or -errno. */
int foud_rtnl_route_oif(const struct fou_addr *dst)
{
	struct route_ans ans;
	int ret = route_get(dst, &ans);

	return ret ? ret : ans.oif;
}

struct neigh_ans {
	uint8_t *mac;
	int ret;
};

static void neigh_one(const struct nlmsghdr *h, void *arg)
{
	const struct ndmsg *nd = NLMSG_DATA(h);
	struct neigh_ans *ans = arg;
	int left = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
	struct rtattr *a;

	if (!(nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)))
		return;
	for (a = (struct rtattr *)((uint8_t *)nd + NLMSG_ALIGN(sizeof(*nd))); RTA_OK(a, left);
	     a = RTA_NEXT(a, left)) {
		if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) {
			memcpy(ans->mac, RTA_DATA(a), 6);
			ans->ret = 0;
		}
	}
}

/*
 * The next hop toward dst as `ip route get` then `ip neigh get` see it: the
 * device in *ifindex, the neighbour's Ethernet address in mac. -EAGAIN when
 * the neighbour is not (yet) resolved.
 */
int foud_rtnl_nexthop(const struct fou_addr *dst, int *ifindex, uint8_t mac[6])
{
	size_t alen = dst->family == AF_INET6 ? 16 : 4;
	struct neigh_ans ans = { .mac = mac, .ret = -EAGAIN };
	struct route_ans rt;
	struct rtnl_req r = { 0 };
	int ret = route_get(dst, &rt);

	if (ret)
		return ret;
	*ifindex = rt.oif;
	rtnl_head(&r, sizeof(r.nd), RTM_GETNEIGH, NLM_F_REQUEST);
	r.nd.ndm_family = (uint8_t)dst->family;
	r.nd.ndm_ifindex = rt.oif;
	if (rtnl_attr(&r, NDA_DST, rt.via.a, alen))
		return -E2BIG;
	ret = rtnl_dump(&r, false, RTM_NEWNEIGH, sizeof(struct ndmsg), neigh_one, &ans);
	return ret == -ENOENT ? -EAGAIN : ret ? ret : ans.ret;
}

/* `ip link set dev IFINDEX alias ALIAS`. */
int foud_rtnl_link_alias(int ifindex, const char *alias)
{
	return link_set(ifindex, IFLA_IFALIAS, alias, strlen(alias) + 1);
}

/* `ip link set dev IFINDEX group GROUP`. */
int foud_rtnl_link_group(int ifindex, uint32_t group)
{
	return link_set(ifindex, IFLA_GROUP, &group, sizeof(group));
}

/* `ip link del dev IFINDEX`, or with ifindex 0 `ip link del group GROUP`. */
int foud_rtnl_link_del(int ifindex, uint32_t group)
{
	struct rtnl_req r;

	link_req(&r, RTM_DELLINK, ifindex);
	if (!ifindex && rtnl_attr32(&r, IFLA_GROUP, group))
		return -E2BIG;
	return rtnl_talk(&r);
}

/* Calls fn on each message of type (at least min bytes) of an answer; 1 once it is complete. */
static int msgs_each(const uint8_t *buf, size_t n, bool dump, uint16_t type, size_t min,
		     void (*fn)(const struct nlmsghdr *h, void *ctx), void *ctx)
{
	const struct nlmsghdr *h;

	for (h = (const struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				return -EPROTO;
			return ((const struct nlmsgerr *)NLMSG_DATA(h))->error ?: 1;
		}
		if (h->nlmsg_type == type && h->nlmsg_len >= NLMSG_LENGTH(min))
			fn(h, ctx);
		if (!dump)
			return 1;
	}
	return 0;
}

/* Sends r (a dump when dump) and calls fn on each answer of type; 0 or -errno. */
static int rtnl_dump(struct rtnl_req *r, bool dump, uint16_t type, size_t min,
		     void (*fn)(const struct nlmsghdr *h, void *ctx), void *ctx)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 2 };
	static uint8_t buf[32768] __attribute__((aligned(4)));
	ssize_t n;
	int s, ret = 0;

	r->nh.nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0);
	r->nh.nlmsg_seq = 1;
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(s, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		ret = -errno;
	while (!ret) {
		n = recv(s, buf, sizeof(buf), 0);
		ret = n < 0 ? -errno : msgs_each(buf, (size_t)n, dump, type, min, fn, ctx);
	}
	close(s);
	return ret < 0 ? ret : 0;
}

/*
 * `ip -d link show [dev NAME]`: fn sees each RTM_NEWLINK, with its
 * IFLA_LINKINFO. 0, or -ENODEV when there is no NAME, or -errno.
 */
int foud_rtnl_links(const char *name, void (*fn)(const struct nlmsghdr *h, void *ctx), void *ctx)
{
	struct rtnl_req r;

	link_req(&r, RTM_GETLINK, 0);
	if (name && rtnl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1))
		return -E2BIG;
	return rtnl_dump(&r, !name, RTM_NEWLINK, sizeof(struct ifinfomsg), fn, ctx);
}

struct addr_ctx {
	const struct fou_addr *a;
	int ifindex;
};

/* One address: its device when it is ctx's (IFA_LOCAL; IPv6 has IFA_ADDRESS alone). */
static void addr_one(const struct nlmsghdr *h, void *arg)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct addr_ctx *c = arg;
	size_t alen = c->a->family == AF_INET6 ? 16 : 4;
	int left = (int)IFA_PAYLOAD(h);
	const struct rtattr *at;

	if (c->ifindex || ifa->ifa_family != c->a->family)
		return;
	for (at = IFA_RTA(ifa); RTA_OK(at, left); at = RTA_NEXT(at, left))
		if ((at->rta_type == IFA_LOCAL || (at->rta_type == IFA_ADDRESS && alen == 16)) &&
		    RTA_PAYLOAD(at) >= alen && !memcmp(RTA_DATA(at), c->a->a, alen))
			c->ifindex = (int)ifa->ifa_index;
}

/*
 * The device holding address a, or 0: `ip addr show`, addresses alone.
 * getifaddrs() dumped every device's link too, which made adding N L2
 * devices on the BPF path O(N^2) in link messages.
 */
int foud_rtnl_addr_dev(const struct fou_addr *a)
{
	struct addr_ctx c = { a, 0 };
	struct rtnl_req r = { 0 };

	rtnl_head(&r, sizeof(r.ifa), RTM_GETADDR, 0);
	r.ifa.ifa_family = (uint8_t)a->family;
	if (rtnl_dump(&r, true, RTM_NEWADDR, sizeof(struct ifaddrmsg), addr_one, &c))
		return 0;
	return c.ifindex;
}

struct prefixes_ctx {
	void (*fn)(int ifindex, const struct fou_addr *pfx, uint8_t plen, const struct fou_addr *nh,
		   void *ctx);
	void *ctx;
};

/* One route of the main table: foud's fleet routes (FOUD_RTPROT) go to fn. */
static void prefix_one(const struct nlmsghdr *h, void *arg)
{
	const struct rtmsg *rt = NLMSG_DATA(h);
	const struct prefixes_ctx *c = arg;
	struct fou_addr pfx = { .family = rt->rtm_family }, nh = { 0 };
	int left = (int)RTM_PAYLOAD(h), oif = 0;
	size_t alen = rt->rtm_family == AF_INET6 ? 16 : 4;
	const struct rtattr *a;

	if (rt->rtm_protocol != FOUD_RTPROT || rt->rtm_table != RT_TABLE_MAIN ||
	    rt->rtm_dst_len > alen * 8)
		return;
	for (a = RTM_RTA(rt); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) >= sizeof(int))
			memcpy(&oif, RTA_DATA(a), sizeof(int));
		else if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) >= alen)
			memcpy(pfx.a, RTA_DATA(a), alen);
		else if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) >= alen) {
			nh.family = rt->rtm_family;
			memcpy(nh.a, RTA_DATA(a), alen);
		}
	}
	if (oif > 0)
		c->fn(oif, &pfx, rt->rtm_dst_len, &nh, c->ctx);
}

/* `ip route show proto FOUD_RTPROT` of one family: fn sees each; 0 or -errno. */
int foud_rtnl_prefixes(int family, void (*fn)(int ifindex, const struct fou_addr *pfx,
					      uint8_t plen, const struct fou_addr *nh, void *ctx),
		       void *ctx)
{
	struct prefixes_ctx c = { fn, ctx };
	struct rtnl_req r = { 0 };

	rtnl_head(&r, sizeof(r.rt), RTM_GETROUTE, 0);
	r.rt.rtm_family = (uint8_t)family;
	return rtnl_dump(&r, true, RTM_NEWROUTE, sizeof(struct rtmsg), prefix_one, &c);
}

/*
 * `ip route replace PFX/LEN via NH dev DEV onlink` (a fleet's node behind
 * an L3 fleet device), or without via when NH is of another family than the
 * prefix (sit, ip6tnl carrying IPv4), or both are IPv6 (the kernel refuses an
 * IPv6 onlink gateway that another device's route covers, as the underlay's
 * does): `ip route replace PFX/LEN dev DEV`. foud finds the node by prefix.
 * del: `ip route del` of the same; 0 or -errno.
 */
int foud_rtnl_prefix(bool add, int ifindex, const struct fou_addr *pfx, uint8_t plen,
		     const struct fou_addr *nh)
{
	size_t alen = pfx->family == AF_INET6 ? 16 : 4;
	bool via = nh && nh->family == pfx->family && pfx->family == AF_INET;
	struct rtnl_req r = { 0 };

	route_head(&r, add, pfx->family, plen, FOUD_RTPROT, via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	r.rt.rtm_table = RT_TABLE_MAIN;
	r.rt.rtm_flags = via ? RTNH_F_ONLINK : 0;
	if (rtnl_attr(&r, RTA_DST, pfx->a, alen) || rtnl_attr32(&r, RTA_OIF, (uint32_t)ifindex) ||
	    (via && rtnl_attr(&r, RTA_GATEWAY, nh->a, alen)))
		return -E2BIG;
	return rtnl_talk(&r);
}

/*
 * A device on its way out (reap.c): `ip link set DEV down`, then `ip link
 * set DEV name NAME group GROUP` (a device must be down to be renamed).
 */
int foud_rtnl_link_retire(int ifindex, const char *name, uint32_t group)
{
	struct rtnl_req r;
	int ret;

	link_req(&r, RTM_NEWLINK, ifindex);
	r.ifi.ifi_change = IFF_UP;
	ret = rtnl_talk(&r);
	if (ret)
		return ret;
	link_req(&r, RTM_NEWLINK, ifindex);
	if (rtnl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1) ||
	    rtnl_attr32(&r, IFLA_GROUP, group))
		return -E2BIG;
	return rtnl_talk(&r);
}
