/* SPDX-License-Identifier: MIT */
/*
 * Deleting devices in batches. The kernel unregisters a device in about
 * 18 ms, most of it waiting for RCU grace periods; `ip link delete group N`
 * (one RTM_DELLINK) shares most of those waits among all of them (1000
 * tunnels: 18 s one by one, 0.6 s so). So a device foud deletes is
 * not closed as non-persistent (which would unregister it there and then):
 * it is taken down, renamed (its name is free at once for a new device)
 * and put in FOUD_GROUP_GOING, and within REAP_MS every device gathered so
 * goes in one RTM_DELLINK. Their descriptors are closed after that: closing
 * an attached TUN/TAP descriptor waits for an RCU grace period of its own
 * (__tun_detach), one of a device already unregistered does not. If foud
 * dies before, the next start's sweep removes them (persist.c): they are
 * foud's, marked, persistent and then unheld.
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <syslog.h>
#include <unistd.h>

#include "foud.h"

#define REAP_MS	200	/* how long a deleted device may linger, renamed and down */

/* A device in FOUD_GROUP_GOING, not yet deleted: what follow.c need not look at. */
struct going {
	struct fou_hnode node;
	int ifindex;
	int fd;			/* its descriptor until the batch is deleted, then -1 */
};

/*
 * Two generations: the batch being gathered, and the one deleted last, whose
 * RTM_DELLINKs (and routes) follow.c reads after the deletion.
 */
static struct fou_htab going, gone;

static uint32_t going_hash(int ifindex)
{
	uint32_t k = (uint32_t)ifindex;

	return fou_hash_words(&k, 1, 0);
}

static bool going_in(const struct fou_htab *h, int ifindex)
{
	struct fou_hnode *n;

	for (n = fou_htab_first(h, going_hash(ifindex)); n; n = fou_htab_next(n))
		if (((struct going *)n)->ifindex == ifindex)
			return true;
	return false;
}

bool foud_reap_going(int ifindex)
{
	return going_in(&going, ifindex) || going_in(&gone, ifindex);
}

static void going_clear(struct fou_htab *h)
{
	struct fou_hnode *n;
	size_t i;

	for (i = 0; h->b && i <= h->mask; i++)
		while ((n = h->b[i])) {
			fou_htab_del(h, n);
			free(n);
		}
	fou_htab_free(h);
}

static void reap_tick(struct foud *d, void *arg);

/* After the deletion; if it failed, each goes alone as its last descriptor closes. */
static void going_close(const struct fou_htab *h, bool deleted)
{
	struct fou_hnode *n;
	struct going *g;
	size_t i;

	for (i = 0; h->b && i <= h->mask; i++)
		for (n = h->b[i]; n; n = n->next) {
			g = (struct going *)n;
			if (g->fd < 0)
				continue;
			if (!deleted)
				foud_persist_drop(g->fd);
			close(g->fd);
			g->fd = -1;
		}
}

void foud_reap_flush(struct foud *d)
{
	int ret;

	foud_timer_del(d, reap_tick, NULL);
	if (!going.n)
		return;
	ret = foud_rtnl_link_del(0, FOUD_GROUP_GOING);
	if (ret)
		foud_log(LOG_WARNING, "deleting %zu devices in one: %s (one by one instead)",
			 going.n, strerror(-ret));
	going_close(&going, !ret);
	going_clear(&gone);
	gone = going;
	memset(&going, 0, sizeof(going));
}

/* At exit, after the last flush. */
void foud_reap_fini(struct foud *d)
{
	foud_reap_flush(d);
	going_clear(&going);
	going_clear(&gone);
}

static void reap_tick(struct foud *d, void *arg)
{
	(void)arg;
	foud_reap_flush(d);
}

/* The device of a TUN/TAP descriptor: its ifindex, or -errno. */
static int reap_ifindex(int fd)
{
	struct ifreq ifr = { 0 };
	unsigned int i;

	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return -errno;
	i = if_nametoindex(ifr.ifr_name);
	return i ? (int)i : -ENODEV;
}

/*
 * Marks fd's device for the next batch deletion, which closes fd: 0, or
 * -errno when it cannot be (fd stays the caller's, to close as before).
 */
int foud_reap_later(struct foud *d, int fd)
{
	int ifindex = reap_ifindex(fd), ret;
	char name[IFNAMSIZ];
	struct going *g;

	if (ifindex < 0)
		return ifindex;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->ifindex = ifindex;
	g->fd = fd;
	snprintf(name, sizeof(name), "fouddel%x", (unsigned int)ifindex);
	ret = foud_rtnl_link_retire(ifindex, name, FOUD_GROUP_GOING);
	if (!ret && !going.n && foud_timer_add(d, REAP_MS, reap_tick, NULL))
		ret = -ENOSPC;		/* no timer free: alone, at once */
	if (!ret)
		ret = fou_htab_add(&going, &g->node, going_hash(ifindex));
	if (ret)
		free(g);
	return ret;
}
