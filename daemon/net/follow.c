/* SPDX-License-Identifier: MIT */
/*
 * Tunnels follow the network after link add. foud listens to rtnetlink
 * (links, IPv4 and IPv6 routes) and, a moment after a change, looks again at
 * each L3 tunnel's route to its remote: its device (where the BPF programs
 * send and receive), the path MTU (above which packets are answered with
 * ICMP "fragmentation needed") and, unless `mtu N` or `ip link set ... mtu`
 * chose it, the device MTU, set the way link add sets it. The kernel's own
 * tunnels look the route up per packet; foud looks per change.
 *
 * A burst of messages (a routing daemon's table, a flapping link) is one
 * look FOLLOW_DELAY_MS after its first message, not one per message. A
 * tunnel device going up or down is applied at once: the BPF receive
 * program counts what it drops while the device is down.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <unistd.h>

#include "event.h"
#include "foud.h"

#define FOLLOW_DELAY_MS	100
#define FOLLOW_RCVBUF	(4 << 20)	/* a routing table's worth; overflow means a full look */

struct foud_follow {
	struct foud_ev nl, timer;
	bool armed;
	unsigned int msgs;		/* messages since the last look, for the debug log */
};

static const char *ifname(int ifindex, char buf[IF_NAMESIZE])
{
	if (!if_indextoname((unsigned int)ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%u", (unsigned int)ifindex & 0xffffff);
	return buf;
}

static void follow_log_route(const struct foud_tunnel *t, int oif)
{
	char a[64], o[IF_NAMESIZE], n[IF_NAMESIZE];

	if (oif == t->ul_ifindex)
		return;
	fou_addr_str(&t->tnl.remote, a, sizeof(a));
	if (!oif)
		foud_log(LOG_WARNING, "%s: no route to %s: its packets are dropped (no_route) "
			 "until one returns", t->name, a);
	else if (!t->ul_ifindex)
		foud_log(LOG_INFO, "%s: route to %s is back, via %s", t->name, a, ifname(oif, n));
	else
		foud_log(LOG_INFO, "%s: route to %s moved from %s to %s", t->name, a,
			 ifname(t->ul_ifindex, o), ifname(oif, n));
}

/* The device MTU as link add sets it, unless someone chose another; true if it changed. */
static bool follow_mtu(struct foud_tunnel *t)
{
	size_t overhead = fou_tnl_overhead(&t->tnl);
	int cur = foud_dev_mtu(t->name), ret;
	uint32_t want, was = t->mtu;

	if (cur > 0 && (uint32_t)cur != t->mtu) {
		if (t->mtu_auto)
			foud_log(LOG_INFO, "%s: mtu %d set by hand: it no longer follows the path",
				 t->name, cur);
		t->mtu_auto = false;
		t->mtu = (uint32_t)cur;
	}
	if (!t->mtu_auto || t->path_mtu <= overhead)
		return t->mtu != was;
	want = t->path_mtu - (uint32_t)overhead;
	if (want == t->mtu)
		return t->mtu != was;
	ret = foud_tun_set_mtu(t->name, want);
	if (ret) {
		foud_log(LOG_WARNING, "%s: cannot set mtu %u (path mtu %u): %s", t->name, want,
			 t->path_mtu, strerror(-ret));
		return t->mtu != was;
	}
	foud_log(LOG_INFO, "%s: mtu %u -> %u (path mtu %u)", t->name, t->mtu, want, t->path_mtu);
	t->mtu = want;
	return true;
}

/* The device went up or down: applied at once, and told as ip monitor tells it. */
static void follow_dev_up(struct foud *d, struct foud_tunnel *t, bool up)
{
	bool was = t->dev_up;

	t->dev_up = up;
	foud_bpf_tunnel_link(d, t, up);
	if (was != up)
		foud_event(d, &(struct foud_event){ .type = FOUD_EVT_LINK_NEW, .t = t,
						    .kind = foud_dev_kind_name(t) });
}

/* After a look: the monitors hear of a route that moved and of a datapath that changed. */
static void follow_events(struct foud *d, struct foud_tunnel *t, int oif, uint32_t pmtu,
			  bool userspace)
{
	if (oif != t->ul_ifindex || pmtu != t->path_mtu)
		foud_event(d, &(struct foud_event){ .type = FOUD_EVT_ROUTE, .t = t });
	if (userspace != !!foud_tunnel_why(t))
		foud_event(d, &(struct foud_event){ .type = FOUD_EVT_DATAPATH, .t = t,
						    .why = foud_tunnel_why(t) });
}

/* t's route device, path MTU and (when it follows) device MTU, from the kernel's view now. */
static void follow_tunnel(struct foud *d, struct foud_tunnel *t)
{
	int oif, up, old_oif = t->ul_ifindex;
	uint32_t old_pmtu = t->path_mtu;
	bool old_user;

	if (!(t->ops->flags & FOUD_DEV_F_ROUTE))
		return;
	old_user = foud_tunnel_why(t) != NULL;
	oif = foud_rtnl_route_oif(&t->tnl.remote);
	if (oif < 0)
		oif = 0;
	follow_log_route(t, oif);
	t->ul_ifindex = oif;
	/* Without a route the last path MTU stays, for when one returns. */
	if (oif) {
		t->path_mtu = foud_path_mtu(&t->tnl.remote);
		/* gso_max_size is sized to the MTU: one super-packet, one UDP GSO train. */
		if (follow_mtu(t))
			foud_uso_fit_device(d, t);
	}
	foud_bpf_tunnel_follow(d, t);
	follow_events(d, t, old_oif, old_pmtu, old_user);
	/* In case a message about the device was lost (ENOBUFS). */
	up = foud_dev_up(t->name);
	if (up >= 0)
		follow_dev_up(d, t, up);
}

static void follow_schedule(struct foud *d)
{
	struct itimerspec its = { .it_value.tv_nsec = FOLLOW_DELAY_MS * 1000000L };
	struct foud_follow *f = d->follow;

	if (f->armed)
		return;
	if (timerfd_settime(f->timer.fd, 0, &its, NULL) == 0)
		f->armed = true;
}

/* A tunnel's remote changed without a route event (a fleet's first node): look again soon. */
void foud_follow_poke(struct foud *d)
{
	if (d->follow)
		follow_schedule(d);
}

static bool underlay_used(struct foud *d, int ifindex)
{
	struct foud_tunnel *t;

	FOUD_DEV_FOREACH(t, d)
		if ((t->ops->flags & FOUD_DEV_F_ROUTE) && t->ul_ifindex == ifindex)
			return true;
	return false;
}

/* A route through a device foud deleted (its routes go as it goes down): nothing to look at. */
static bool follow_route_going(const struct nlmsghdr *h)
{
	const struct rtmsg *rt = NLMSG_DATA(h);
	const struct rtattr *a;
	int len = (int)RTM_PAYLOAD(h);
	uint32_t oif;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*rt)))
		return false;
	for (a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != RTA_OIF || RTA_PAYLOAD(a) < sizeof(oif))
			continue;
		memcpy(&oif, RTA_DATA(a), sizeof(oif));
		return foud_reap_going((int)oif);
	}
	return false;
}

/* Applies what can be at once; true when the routes need a look. */
static bool follow_msg(struct foud *d, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct foud_tunnel *t;

	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
			return false;
		t = foud_dev_by_ifindex(d, ifi->ifi_index);
		/* One foud deleted: renamed, down, then gone in a batch (reap.c); looked at once. */
		if (!t && foud_reap_going(ifi->ifi_index))
			return h->nlmsg_type == RTM_DELLINK && underlay_used(d, ifi->ifi_index);
		/*
		 * Another device: an underlay's MTU or state may have changed
		 * (IPv4 says nothing of routes that a carrier change revives).
		 * Deleting a device no route of ours goes through moves none
		 * of them; it is mostly a tunnel foud itself just deleted.
		 */
		if (!t)
			return h->nlmsg_type == RTM_NEWLINK || underlay_used(d, ifi->ifi_index);
		if (h->nlmsg_type == RTM_NEWLINK)
			follow_dev_up(d, t, ifi->ifi_flags & IFF_UP);
		return false;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return !follow_route_going(h);
	default:
		return false;
	}
}

static void follow_readable(struct foud *d, struct foud_ev *ev)
{
	uint8_t buf[16384] __attribute__((aligned(4)));
	struct nlmsghdr *h;
	bool look = false;
	ssize_t n;

	for (;;) {
		n = recv(ev->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			/* Messages were lost: look at everything. */
			look = true;
			continue;
		}
		if (n <= 0)
			break;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			d->follow->msgs++;
			look |= follow_msg(d, h);
		}
	}
	if (look)
		follow_schedule(d);
}

static void follow_timer(struct foud *d, struct foud_ev *ev)
{
	struct foud_tunnel *t;
	uint64_t exp;
	unsigned int n = 0;

	if (read(ev->fd, &exp, sizeof(exp)) != sizeof(exp))
		return;
	d->follow->armed = false;
	FOUD_DEV_FOREACH(t, d) {
		if (!(t->ops->flags & FOUD_DEV_F_ROUTE))
			continue;
		follow_tunnel(d, t);
		n++;
	}
	foud_log(LOG_DEBUG, "routes or links changed (%u netlink messages): looked again at %u "
		 "tunnels", d->follow->msgs, n);
	d->follow->msgs = 0;
}

static int follow_open(struct foud_follow *f)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE,
	};
	int sz = FOLLOW_RCVBUF;

	f->nl.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (f->nl.fd < 0)
		return -errno;
	/* SO_RCVBUFFORCE needs CAP_NET_ADMIN, which foud has; SO_RCVBUF is capped. */
	if (setsockopt(f->nl.fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(f->nl.fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(f->nl.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	f->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (f->timer.fd < 0)
		return -errno;
	return 0;
}

int foud_follow_init(struct foud *d)
{
	struct foud_follow *f = calloc(1, sizeof(*f));
	int ret;

	if (!f)
		return -ENOMEM;
	f->nl = (struct foud_ev){ .fd = -1, .fn = follow_readable };
	f->timer = (struct foud_ev){ .fd = -1, .fn = follow_timer };
	d->follow = f;
	ret = follow_open(f);
	if (!ret)
		ret = foud_loop_add(d, &f->nl);
	if (!ret)
		ret = foud_loop_add(d, &f->timer);
	if (ret) {
		foud_log(LOG_WARNING, "cannot watch routes and links (%s): tunnels keep the route "
			 "and MTU of link add", strerror(-ret));
		foud_follow_fini(d);
	}
	return ret;
}

void foud_follow_fini(struct foud *d)
{
	struct foud_follow *f = d->follow;

	if (!f)
		return;
	foud_loop_del(d, &f->nl);
	foud_loop_del(d, &f->timer);
	if (f->nl.fd >= 0)
		close(f->nl.fd);
	if (f->timer.fd >= 0)
		close(f->timer.fd);
	free(f);
	d->follow = NULL;
}
