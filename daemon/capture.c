/* SPDX-License-Identifier: MIT */
/*
 * fouctl capture on the userspace path: each packet foud writes to or reads
 * from a captured device is appended, as a pcap record, to the pipe fouctl
 * sent with its request. The pipe is non-blocking and every record fits in
 * PIPE_BUF, so a write is whole or not at all: a reader that falls behind
 * loses records, never stalls the data path. The capture ends after its
 * count, when the reader closes the pipe (EPOLLERR) or when its device goes.
 * Without a capture the hook costs one test of a NULL pointer.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"

#define CAP_MAX		8			/* captures at once */
#define CAP_REC_HDR	16
#define CAP_SNAPLEN	(PIPE_BUF - CAP_REC_HDR)	/* one record, one atomic write */
#define CAP_CHECK_MS	500			/* is the device still there */
#define LINKTYPE_ETHERNET	1
#define LINKTYPE_RAW		101		/* IPv4 or IPv6, no link header */

struct foud_cap {
	struct foud_cap *next;
	struct foud_ev ev;		/* the pipe: EPOLLERR once the reader is gone */
	char dev[IFNAMSIZ];
	int tun_fd;
	uint64_t left;			/* records still to write; 0: no limit */
	uint64_t written, lost;
	bool done;
};

/* One list for the hook, which has only the device's descriptor. */
static struct foud_cap *caps;

static void cap_free(struct foud *d, struct foud_cap *c)
{
	struct foud_cap **pp;

	for (pp = &caps; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	foud_loop_del(d, &c->ev);
	close(c->ev.fd);
	foud_log(LOG_INFO, "capture of %s ended: %llu packets, %llu lost (reader behind)", c->dev,
		 (unsigned long long)c->written, (unsigned long long)c->lost);
	free(c);
}

/* Ends captures that are done, whose reader left, or whose device went. */
static void cap_reap(struct foud *d, void *arg)
{
	const struct foud_tunnel *t;
	struct foud_cap *c, *next;

	(void)arg;
	for (c = caps; c; c = next) {
		next = c->next;
		t = foud_tunnel_find(d, c->dev);
		if (c->done || !t || t->ev.fd != c->tun_fd)
			cap_free(d, c);
	}
	if (!caps)
		foud_timer_del(d, cap_reap, NULL);
}

static void cap_ev(struct foud *d, struct foud_ev *ev)
{
	struct foud_cap *c = (struct foud_cap *)((char *)ev - offsetof(struct foud_cap, ev));

	c->done = true;
	cap_reap(d, NULL);
}

static void cap_write(struct foud_cap *c, const uint8_t *p, size_t len)
{
	uint32_t h[4], incl = len > CAP_SNAPLEN ? CAP_SNAPLEN : (uint32_t)len;
	struct iovec iov[2] = { { h, sizeof(h) }, { (void *)p, incl } };
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	h[0] = (uint32_t)ts.tv_sec;
	h[1] = (uint32_t)(ts.tv_nsec / 1000);
	h[2] = incl;
	h[3] = (uint32_t)len;
	if (writev(c->ev.fd, iov, 2) < 0) {
		c->lost++;
		if (errno != EAGAIN)
			c->done = true;	/* the reader is gone: ended by cap_reap */
		return;
	}
	c->written++;
	if (c->left && --c->left == 0)
		c->done = true;
}

void foud_cap_packet(int tun_fd, const uint8_t *p, size_t len)
{
	struct foud_cap *c;

	for (c = caps; c; c = c->next)
		if (c->tun_fd == tun_fd && !c->done)
			cap_write(c, p, len);
}

/* The pcap file header: microsecond timestamps, host order (readers take either). */
static int cap_header(int fd, bool tap)
{
	uint32_t h[6] = { 0xa1b2c3d4, 2 | (4u << 16), 0, 0, CAP_SNAPLEN,
			  tap ? LINKTYPE_ETHERNET : LINKTYPE_RAW };

	return write(fd, h, sizeof(h)) == (ssize_t)sizeof(h) ? 0 : -EPIPE;
}

/* Why t cannot be captured yet, or NULL. */
static const char *cap_refuse(const struct foud_tunnel *t, const struct foud_capture_cfg *c)
{
	if (c->outer)
		return "capture outer is not implemented yet (inner only)";
	if (t->bpf_egress)
		return "capture on the BPF data path is not implemented yet: "
		       "the device needs datapath userspace";
	if (c->fd < 0)
		return "capture needs fouctl: it sends the pipe the packets go to";
	return NULL;
}

static int cap_add(struct foud *d, const struct foud_tunnel *t, const struct foud_capture_cfg *cfg)
{
	struct foud_cap *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	c->ev = (struct foud_ev){ .fd = fcntl(cfg->fd, F_DUPFD_CLOEXEC, 3), .fn = cap_ev };
	if (c->ev.fd < 0) {
		free(c);
		return -errno;
	}
	ret = fcntl(c->ev.fd, F_SETFL, O_NONBLOCK) < 0 ? -errno : cap_header(c->ev.fd, t->l2);
	/* The loop reports EPOLLERR on the pipe whatever it waits for: the reader left. */
	if (!ret)
		ret = foud_loop_add(d, &c->ev);
	if (!ret && !caps)
		ret = foud_timer_add(d, CAP_CHECK_MS, cap_reap, NULL);
	if (ret) {
		foud_loop_del(d, &c->ev);
		close(c->ev.fd);
		free(c);
		return ret;
	}
	snprintf(c->dev, sizeof(c->dev), "%s", t->name);
	c->tun_fd = t->ev.fd;
	c->left = cfg->count;
	c->next = caps;
	caps = c;
	foud_log(LOG_INFO, "capture of %s started", c->dev);
	return 0;
}

int foud_cap_start(struct foud *d, const char *dev, const struct foud_capture_cfg *c,
		   char *err, size_t errlen)
{
	const struct foud_tunnel *t = foud_tunnel_find(d, dev);
	const char *why;
	size_t n = 0;
	int ret;

	if (!t) {
		snprintf(err, errlen, "no link \"%s\"", dev);
		return -ENODEV;
	}
	why = cap_refuse(t, c);
	if (why) {
		snprintf(err, errlen, "%s", why);
		return -EOPNOTSUPP;
	}
	for (const struct foud_cap *x = caps; x; x = x->next)
		n++;
	if (n >= CAP_MAX) {
		snprintf(err, errlen, "%d captures run already", CAP_MAX);
		return -EBUSY;
	}
	ret = cap_add(d, t, c);
	if (ret)
		snprintf(err, errlen, "capture %s: %s", dev, strerror(-ret));
	return ret;
}

void foud_cap_fini(struct foud *d)
{
	while (caps)
		cap_free(d, caps);
	foud_timer_del(d, cap_reap, NULL);
}
