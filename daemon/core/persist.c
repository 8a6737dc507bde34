/* SPDX-License-Identifier: MIT */
/*
 * Devices that outlive foud. Its TUN/TAP devices are persistent from the
 * start: when foud stops, or crashes, addresses, routes and ifindex stay;
 * link del and the error paths drop persistence before they close
 * (foud_tun_close). The next foud attaches to a device of the same name
 * instead of creating it, but only to one foud made: a TUN/TAP of the right
 * mode, single queue, owned by foud's user (TUNSETOWNER: no one else
 * re-attaches without CAP_NET_ADMIN), with the alias FOUD_ALIAS, and held by
 * no process. Anything else of that name is refused, never taken. Marked
 * devices no one holds after the configuration is applied are the old
 * configuration's: removed.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <syslog.h>
#include <unistd.h>

#include "foud.h"

#define FOUD_ALIAS "foud"

static const char *refused;	/* why the last claim was refused, for the client */

struct plink {
	int ifindex;
	char name[IF_NAMESIZE];
	char alias[64];
	bool tun;		/* IFLA_INFO_KIND "tun": a TUN or TAP */
	uint8_t type;		/* IFF_TUN or IFF_TAP */
	bool persist, mq;
	bool held;		/* carrier: a process has it open (TUN has no other sign) */
	uint32_t owner, group;
};

static void attr_str(char *dst, size_t len, const struct rtattr *a)
{
	size_t n = RTA_PAYLOAD(a) < len ? RTA_PAYLOAD(a) : len - 1;

	memcpy(dst, RTA_DATA(a), n);
	dst[n] = 0;
}

static uint32_t attr_uint(const struct rtattr *a)
{
	uint32_t v = 0;

	if (RTA_PAYLOAD(a) >= 4)
		memcpy(&v, RTA_DATA(a), 4);
	else if (RTA_PAYLOAD(a) >= 1)
		v = *(const uint8_t *)RTA_DATA(a);
	return v;
}

static void tun_info(struct plink *l, const struct rtattr *data)
{
	const struct rtattr *a;
	int len = (int)RTA_PAYLOAD(data);

	for (a = RTA_DATA(data); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case IFLA_TUN_OWNER: l->owner = attr_uint(a); break;
		case IFLA_TUN_TYPE: l->type = (uint8_t)attr_uint(a); break;
		case IFLA_TUN_PERSIST: l->persist = attr_uint(a); break;
		case IFLA_TUN_MULTI_QUEUE: l->mq = attr_uint(a); break;
		}
	}
}

static void link_info(struct plink *l, const struct rtattr *info)
{
	const struct rtattr *a;
	char kind[16] = "";
	int len = (int)RTA_PAYLOAD(info);

	for (a = RTA_DATA(info); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_INFO_KIND)
			attr_str(kind, sizeof(kind), a);
	l->tun = !strcmp(kind, "tun");
	len = (int)RTA_PAYLOAD(info);
	for (a = RTA_DATA(info); l->tun && RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_INFO_DATA)
			tun_info(l, a);
}

static void plink_parse(const struct nlmsghdr *h, struct plink *l)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *a;
	int len = (int)IFLA_PAYLOAD(h);

	memset(l, 0, sizeof(*l));
	l->owner = (uint32_t)-1;
	l->ifindex = ifi->ifi_index;
	for (a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case IFLA_IFNAME: attr_str(l->name, sizeof(l->name), a); break;
		case IFLA_IFALIAS: attr_str(l->alias, sizeof(l->alias), a); break;
		case IFLA_LINKINFO: link_info(l, a); break;
		case IFLA_CARRIER: l->held = attr_uint(a); break;
		case IFLA_GROUP: l->group = attr_uint(a); break;
		}
	}
}

static void plink_one(const struct nlmsghdr *h, void *ctx)
{
	plink_parse(h, ctx);
}

static bool plink_marked(const struct plink *l)
{
	return l->tun && !strcmp(l->alias, FOUD_ALIAS);
}

/* Why foud must not take l over, or NULL when it may (tap: the mode wanted). */
static const char *plink_foreign(const struct plink *l, bool tap)
{
	if (!l->tun)
		return "it is not a TUN/TAP device";
	if (strcmp(l->alias, FOUD_ALIAS))
		return "it has not foud's alias \"" FOUD_ALIAS "\"";
	if (l->owner != (uint32_t)geteuid())
		return "another user owns it";
	if (l->mq)
		return "it is multi-queue";
	if (l->type != (tap ? IFF_TAP : IFF_TUN))
		return tap ? "it is a TUN, not a TAP" : "it is a TAP, not a TUN";
	if (l->held)
		return "another process holds it";
	return NULL;
}

/*
 * Before a TUN/TAP of this name is opened: 0 when it does not exist or is
 * foud's to take over, -EEXIST (logged, with why) when it is someone else's.
 * foud's device of the other mode is the old configuration's: removed.
 */
int foud_persist_claim(const char *name, bool tap)
{
	struct plink l;
	const char *why;
	int ret = foud_rtnl_links(name, plink_one, &l);

	refused = NULL;
	if (ret == -ENODEV)
		return 0;
	if (ret)
		return ret;
	why = plink_foreign(&l, tap);
	if (!why) {
		foud_log(LOG_INFO, "%s: taking over the existing device (ifindex %d)", name,
			 l.ifindex);
		return 0;
	}
	if (plink_marked(&l) && !l.held && l.type != (tap ? IFF_TAP : IFF_TUN)) {
		foud_log(LOG_INFO, "%s: replacing foud's %s device by a %s", name,
			 tap ? "TUN" : "TAP", tap ? "TAP" : "TUN");
		return foud_rtnl_link_del(l.ifindex, 0);
	}
	foud_log(LOG_ERR, "%s: a device of that name exists and foud will not take it over: %s",
		 name, why);
	refused = why;
	return -EEXIST;
}

/* Why the last foud_tun_open refused an existing device, or NULL. */
const char *foud_persist_refused(void)
{
	return refused;
}

/* After TUNSETIFF: the device outlives foud, with foud's marks for the next start. */
void foud_persist_mark(int fd, const char *name, int ifindex)
{
	/* Persistent last: an unmarked device must not outlive foud. */
	if (ioctl(fd, TUNSETOWNER, (unsigned long)geteuid()) < 0 ||
	    foud_rtnl_link_alias(ifindex, FOUD_ALIAS) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0) {
		ioctl(fd, TUNSETPERSIST, 0);
		foud_log(LOG_WARNING, "%s: cannot mark it as foud's: it goes with foud", name);
	}
}

/* Before the last close of a device that must go (link del, a failed add). */
void foud_persist_drop(int fd)
{
	ioctl(fd, TUNSETPERSIST, 0);
}

/* The devices a sweep removes, gathered first (deleting during the dump would disturb it). */
struct sweep {
	struct plink *v;
	size_t n, cap;
	bool group_used;	/* a device that stays is in FOUD_GROUP_GOING */
};

static void sweep_collect(const struct nlmsghdr *h, void *ctx)
{
	struct sweep *s = ctx;
	struct plink l, *v;

	plink_parse(h, &l);
	if (!plink_marked(&l) || !l.persist || l.held) {
		s->group_used |= l.group == FOUD_GROUP_GOING;
		return;
	}
	if (s->n == s->cap) {
		v = realloc(s->v, (s->cap ? 2 * s->cap : 16) * sizeof(*v));
		if (!v)
			return;		/* stays, until the next sweep */
		s->v = v;
		s->cap = s->cap ? 2 * s->cap : 16;
	}
	s->v[s->n++] = l;
}

/*
 * All in one RTM_DELLINK, by a group of their own: the kernel waits for RCU
 * once rather than once per device (300 devices: seconds otherwise).
 */
static int sweep_group(const struct sweep *s)
{
	size_t i;
	int ret = s->group_used ? -EBUSY : 0;

	for (i = 0; !ret && i < s->n; i++)
		ret = foud_rtnl_link_group(s->v[i].ifindex, FOUD_GROUP_GOING);
	return ret ? ret : foud_rtnl_link_del(0, FOUD_GROUP_GOING);
}

/* One by one, when the group cannot be used; failures stay (ifindex 0). */
static void sweep_each(struct sweep *s)
{
	size_t i;
	int ret;

	for (i = 0; i < s->n; i++) {
		ret = foud_rtnl_link_del(s->v[i].ifindex, 0);
		if (!ret)
			continue;
		foud_log(LOG_WARNING, "%s: cannot remove foud's unused device: %s", s->v[i].name,
			 strerror(-ret));
		s->v[i].ifindex = 0;
	}
}

/* Removes foud's persistent devices that no process holds; how many, or -errno. */
int foud_persist_sweep(void)
{
	struct sweep s = { 0 };
	size_t i;
	int n = 0, ret = foud_rtnl_links(NULL, sweep_collect, &s);

	if (!ret && s.n && sweep_group(&s))
		sweep_each(&s);
	for (i = 0; !ret && i < s.n; i++) {
		if (!s.v[i].ifindex)
			continue;
		foud_log(LOG_INFO, "%s: removed foud's unused device", s.v[i].name);
		n++;
	}
	free(s.v);
	return ret ? ret : n;
}
