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

#include <bpf/libbpf.h>

#include "../bpf/foud_bpf.h"
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
	int ifindex;			/* BPF path: the programs copy its packets; else 0 */
	bool outer;			/* with the encapsulation (BPF path only) */
	uint64_t left;			/* records still to write; 0: no limit */
	uint64_t written, lost;
	bool done;
};

/* One list for the hook, which has only the device's descriptor. */
static struct foud_cap *caps;

/* The BPF programs' ring, read while a BPF-path device is captured. */
static struct {
	struct ring_buffer *rb;
	struct foud_ev ev;		/* its epoll descriptor */
	unsigned int users;
} ring = { .ev = { .fd = -1 } };

static void cap_write(struct foud_cap *c, const uint8_t *p, size_t len, size_t caplen,
		      const struct timespec *ts);

/* A record of the programs: to the capture of its device, stamped in real time. */
static int ring_record(void *ctx, void *data, size_t size)
{
	const struct foud_bpf_cap *r = data;
	struct timespec mono, real;
	struct foud_cap *c;
	int64_t ns;

	(void)ctx;
	if (size < offsetof(struct foud_bpf_cap, data) || r->caplen > FOUD_BPF_CAP_SNAP)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	ns = (int64_t)real.tv_sec * 1000000000 + real.tv_nsec -
	     ((int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec) + (int64_t)r->ns;
	real.tv_sec = (time_t)(ns / 1000000000);
	real.tv_nsec = (long)(ns % 1000000000);
	for (c = caps; c; c = c->next)
		if (c->ifindex == (int)r->ifindex && !c->done)
			cap_write(c, r->data, r->len, r->caplen, &real);
	return 0;
}

static void ring_ev(struct foud *d, struct foud_ev *ev)
{
	(void)d;
	(void)ev;
	ring_buffer__consume(ring.rb);
}

static int ring_get(struct foud *d)
{
	int fd = foud_bpf_cap_ring(d), ret;

	if (ring.users) {
		ring.users++;
		return 0;
	}
	if (fd < 0)
		return -ENODEV;
	ring.rb = ring_buffer__new(fd, ring_record, NULL, NULL);
	if (!ring.rb)
		return -errno;
	ring.ev = (struct foud_ev){ .fd = ring_buffer__epoll_fd(ring.rb), .fn = ring_ev };
	ret = foud_loop_add(d, &ring.ev);
	if (ret) {
		ring_buffer__free(ring.rb);
		ring.rb = NULL;
		return ret;
	}
	ring.users = 1;
	return 0;
}

static void ring_put(struct foud *d)
{
	if (!ring.users || --ring.users)
		return;
	ring_buffer__consume(ring.rb);	/* what is left goes nowhere */
	foud_loop_del(d, &ring.ev);
	ring_buffer__free(ring.rb);
	ring.rb = NULL;
	ring.ev.fd = -1;
}

static void cap_bpf_off(struct foud *d, struct foud_cap *c)
{
	foud_bpf_cap_set(d, c->ifindex, false, c->outer);
	ring_put(d);
	c->ifindex = 0;
}

static void cap_free(struct foud *d, struct foud_cap *c)
{
	struct foud_cap **pp;

	for (pp = &caps; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->ifindex)
		cap_bpf_off(d, c);
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
		t = foud_dev_find(d, c->dev);
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

static void cap_write(struct foud_cap *c, const uint8_t *p, size_t len, size_t caplen,
		      const struct timespec *ts)
{
	uint32_t h[4], incl = caplen > CAP_SNAPLEN ? CAP_SNAPLEN : (uint32_t)caplen;
	struct iovec iov[2] = { { h, sizeof(h) }, { (void *)p, incl } };

	h[0] = (uint32_t)ts->tv_sec;
	h[1] = (uint32_t)(ts->tv_nsec / 1000);
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
	struct timespec ts;
	struct foud_cap *c;

	if (!caps)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* What foud itself reads and writes is inner: outer is the programs' alone. */
	for (c = caps; c; c = c->next)
		if (c->tun_fd == tun_fd && !c->done && !c->outer)
			cap_write(c, p, len, len, &ts);
}

/* The pcap file header: microsecond timestamps, host order (readers take either). */
static int cap_header(int fd, bool ether)
{
	uint32_t h[6] = { 0xa1b2c3d4, 2 | (4u << 16), 0, 0, CAP_SNAPLEN,
			  ether ? LINKTYPE_ETHERNET : LINKTYPE_RAW };

	return write(fd, h, sizeof(h)) == (ssize_t)sizeof(h) ? 0 : -EPIPE;
}

/* Why this capture cannot be, or NULL. */
static const char *cap_refuse(const struct foud_tunnel *t, const struct foud_capture_cfg *c)
{
	if (c->outer && !t->bpf_egress)
		return "capture outer is not implemented yet on the userspace path "
		       "(on the BPF path only)";
	if (c->fd < 0)
		return "capture needs fouctl: it sends the pipe the packets go to";
	return NULL;
}

static int cap_bpf_on(struct foud *d, const struct foud_tunnel *t, struct foud_cap *c)
{
	int ret = ring_get(d);

	if (ret)
		return ret;
	ret = foud_bpf_cap_set(d, t->ifindex, true, c->outer);
	if (ret) {
		ring_put(d);
		return ret;
	}
	c->ifindex = t->ifindex;
	return 0;
}

static int cap_add(struct foud *d, const struct foud_tunnel *t, const struct foud_capture_cfg *cfg)
{
	struct foud_cap *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	c->outer = cfg->outer;
	c->ev = (struct foud_ev){ .fd = fcntl(cfg->fd, F_DUPFD_CLOEXEC, 3), .fn = cap_ev };
	if (c->ev.fd < 0) {
		free(c);
		return -errno;
	}
	ret = fcntl(c->ev.fd, F_SETFL, O_NONBLOCK) < 0 ? -errno :
	      cap_header(c->ev.fd, t->l2 && !cfg->outer);
	/* The loop reports EPOLLERR on the pipe whatever it waits for: the reader left. */
	if (!ret)
		ret = foud_loop_add(d, &c->ev);
	if (!ret && !caps)
		ret = foud_timer_add(d, CAP_CHECK_MS, cap_reap, NULL);
	/* On the BPF path the programs copy the packets; some still pass through foud. */
	if (!ret && t->bpf_egress)
		ret = cap_bpf_on(d, t, c);
	if (ret) {
		if (!caps)
			foud_timer_del(d, cap_reap, NULL);
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
	const struct foud_tunnel *t = foud_dev_find(d, dev);
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
