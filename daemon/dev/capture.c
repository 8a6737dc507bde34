/* SPDX-License-Identifier: MIT */
/*
 * fouctl capture on the userspace path: each packet foud writes to or reads
 * from a captured device (outer: each datagram it sends or receives for it,
 * with the outer headers the kernel adds or strips rebuilt) is appended, as a
 * pcap record, to the pipe fouctl sent with its request. The pipe is non-blocking and every record fits in
 * PIPE_BUF, so a write is whole or not at all: a reader that falls behind
 * loses records, never stalls the data path. The capture ends after its
 * count, when the reader closes the pipe (EPOLLERR) or when its device goes.
 * Without a capture the hook costs one test of a NULL pointer.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "../bpf/foud_bpf.h"
#include "capture.h"
#include "rx.h"

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
	bool outer;			/* with the encapsulation */
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

static void cap_write(struct foud_cap *c, const uint8_t *h, size_t hlen, const uint8_t *p,
		      size_t len, size_t caplen, const struct timespec *ts);
static void held_expire(bool all);

static const struct foud_io_cap cap_io = {
	.packet = foud_cap_packet, .train = foud_cap_train, .rx_dgram = foud_cap_rx_dgram,
};

/* The io layer calls capture only while one runs. */
static void cap_io_sync(void)
{
	foud_io_cap = caps ? &cap_io : NULL;
}

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
		if (c->ifindex == (int)r->ifindex && !c->done &&
		    c->outer == (r->how == FOUD_BPF_CAP_OUTER))
			cap_write(c, NULL, 0, r->data, r->len, r->caplen, &real);
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

/* How the programs are to copy ifindex's packets for the captures in the list. */
static uint8_t cap_bpf_how(int ifindex)
{
	const struct foud_cap *c;
	uint8_t how = 0;

	for (c = caps; c; c = c->next)
		if (c->ifindex == ifindex)
			how |= c->outer ? FOUD_BPF_CAP_OUTER : FOUD_BPF_CAP_INNER;
	return how;
}

/* c has left the list: the programs copy what the others still want. */
static void cap_bpf_off(struct foud *d, struct foud_cap *c)
{
	foud_bpf_cap_set(d, c->ifindex, cap_bpf_how(c->ifindex));
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
	cap_io_sync();
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
	held_expire(!caps);
	if (!caps)
		foud_timer_del(d, cap_reap, NULL);
}

static void cap_ev(struct foud *d, struct foud_ev *ev)
{
	struct foud_cap *c = (struct foud_cap *)((char *)ev - offsetof(struct foud_cap, ev));

	c->done = true;
	cap_reap(d, NULL);
}

/* A record of hlen header bytes (outer headers foud built) and the packet p. */
static void cap_write(struct foud_cap *c, const uint8_t *h, size_t hlen, const uint8_t *p,
		      size_t len, size_t caplen, const struct timespec *ts)
{
	size_t room = CAP_SNAPLEN - hlen;
	uint32_t r[4], incl = (uint32_t)(hlen + (caplen > room ? room : caplen));
	struct iovec iov[3] = { { r, sizeof(r) }, { (void *)h, hlen },
				{ (void *)p, incl - hlen } };

	r[0] = (uint32_t)ts->tv_sec;
	r[1] = (uint32_t)(ts->tv_nsec / 1000);
	r[2] = incl;
	r[3] = (uint32_t)(hlen + len);
	if (writev(c->ev.fd, iov, 3) < 0) {
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
	for (c = caps; c; c = c->next)
		if (c->tun_fd == tun_fd && !c->done && !c->outer)
			cap_write(c, NULL, 0, p, len, len, &ts);
}

/* ---- outer on the userspace path ------------------------------------------ */

/*
 * Whether an outer capture of this device runs (tun_fd -1: of any device).
 * On the BPF path too: what the programs pass to foud (ARP, flooding, a
 * first frame to learn from) foud sends and receives itself, never both.
 */
static bool cap_outer_on(int tun_fd)
{
	const struct foud_cap *c;

	for (c = caps; c; c = c->next)
		if ((c->tun_fd == tun_fd || tun_fd < 0) && !c->done && c->outer)
			return true;
	return false;
}

static void cap_outer(int tun_fd, const uint8_t *h, size_t hlen, const uint8_t *p, size_t len)
{
	struct timespec ts;
	struct foud_cap *c;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (c = caps; c; c = c->next)
		if (c->tun_fd == tun_fd && !c->done && c->outer)
			cap_write(c, h, hlen, p, len, len, &ts);
}

static void cap_put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * The outer IP header (and UDP header, for proto 17) of len payload bytes,
 * into h; returns its length. The kernel adds these on send and strips them
 * on receive, so they are rebuilt: checksums and the IPv4 ID are 0.
 */
static size_t cap_hdr(uint8_t *h, const struct fou_addr *src, const struct fou_addr *dst,
		      uint8_t proto, const uint16_t port[2], uint8_t tos, uint8_t ttl, size_t len)
{
	size_t n = 40, udp = proto == IPPROTO_UDP ? 8 : 0;

	memset(h, 0, 48);
	if (src->family == AF_INET) {
		n = 20;
		h[0] = 0x45;
		h[1] = tos;
		cap_put16(h + 2, n + udp + len);
		h[8] = ttl;
		h[9] = proto;
		memcpy(h + 12, src->a, 4);
		memcpy(h + 16, dst->a, 4);
	} else {
		h[0] = (uint8_t)(0x60 | tos >> 4);
		h[1] = (uint8_t)(tos << 4);
		cap_put16(h + 4, udp + len);
		h[6] = proto;
		h[7] = ttl;
		memcpy(h + 8, src->a, 16);
		memcpy(h + 24, dst->a, 16);
	}
	if (udp) {
		cap_put16(h + n, port[0]);
		cap_put16(h + n + 2, port[1]);
		cap_put16(h + n + 4, udp + len);
	}
	return n + udp;
}

static void cap_sa(const struct sockaddr_storage *ss, struct fou_addr *a, uint16_t *port)
{
	struct foud_rxmeta m;

	foud_rx_from(&m, ss);
	*a = m.src;
	*port = m.sport;
}

/* The local port of a socket: asked only while an outer capture runs. */
static uint16_t cap_local_port(int fd)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(ss);
	struct fou_addr a;
	uint16_t port = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
		cap_sa(&ss, &a, &port);
	return port;
}

bool foud_cap_outer(int tun_fd)
{
	return caps && cap_outer_on(tun_fd);
}

void foud_cap_txq(int tun_fd, const struct foud_txq *q)
{
	int i;

	/* Raw sends carry their outer IP header already. */
	if (!caps || !cap_outer_on(tun_fd))
		return;
	for (i = 0; i < q->n; i++)
		cap_outer(tun_fd, NULL, 0, q->iov[i].iov_base, q->iov[i].iov_len);
}

void foud_cap_train(int tun_fd, int fd, const struct foud_uso_to *to, const uint8_t *p,
		    size_t len, size_t seg)
{
	uint8_t h[48];
	struct fou_addr dst;
	uint16_t port[2];
	size_t off, n;

	if (!caps || !cap_outer_on(tun_fd) || !seg)
		return;
	cap_sa(to->addr, &dst, &port[1]);
	port[0] = cap_local_port(fd);
	/* One record per segment, as UDP GSO puts them on the wire. */
	for (off = 0; off < len; off += n) {
		n = len - off < seg ? len - off : seg;
		cap_outer(tun_fd, h, cap_hdr(h, to->local, &dst, IPPROTO_UDP, port, to->tos,
					     to->ttl ? to->ttl : 64, n), p + off, n);
	}
}

/* The datagram being received, kept while a capture runs until its device is known. */
static struct {
	int fd;
	const uint8_t *p;
	size_t len;
	struct foud_rxmeta m;
} rxcur = { .fd = -1 };

void foud_cap_rx_dgram(int fd, const struct fou_buf *s, const struct foud_rxmeta *m)
{
	if (!caps)
		return;
	/* fd -1: the read is done, its buffers go to the next one. */
	rxcur.fd = s && m ? fd : -1;
	if (rxcur.fd < 0)
		return;
	rxcur.p = fou_buf_data(s);
	rxcur.len = s->len;
	rxcur.m = *m;
}

/*
 * The outer headers of the datagram being received, rebuilt into h (48
 * bytes): their length, 0 when the buffer has them (IPv4 raw sockets read
 * the IP header too; IPv6 ones and UDP do not), or -1.
 */
static int cap_rx_hdr(uint8_t *h)
{
	int type = 0, proto = 0;
	socklen_t sl = sizeof(int);
	uint16_t port[2];

	if (getsockopt(rxcur.fd, SOL_SOCKET, SO_TYPE, &type, &sl) ||
	    getsockopt(rxcur.fd, SOL_SOCKET, SO_PROTOCOL, &proto, &sl))
		return -1;
	if (type == SOCK_RAW && rxcur.m.src.family == AF_INET)
		return 0;
	port[0] = rxcur.m.sport;
	port[1] = cap_local_port(rxcur.fd);
	return (int)cap_hdr(h, &rxcur.m.src, &rxcur.m.dst, (uint8_t)proto, port, rxcur.m.tos, 0,
			    rxcur.len);
}

void foud_cap_rx(int tun_fd)
{
	uint8_t h[48];
	int hlen;

	if (!caps || rxcur.fd < 0 || !cap_outer_on(tun_fd))
		return;
	hlen = cap_rx_hdr(h);
	if (hlen >= 0)
		cap_outer(tun_fd, h, (size_t)hlen, rxcur.p, rxcur.len);
}

/* ---- outer received before its device is known ------------------------------ */

#define CAP_HELD_MAX	128	/* records held: two frames of 64 KiB in 1500-byte segments */
#define CAP_HELD_KEY	64
#define CAP_HELD_NS	2000000000LL	/* STT's reassembly timeout */

struct cap_held {
	struct cap_held *next;
	uint8_t key[CAP_HELD_KEY];
	struct timespec ts;		/* when it came */
	size_t len, caplen;
	uint8_t rec[CAP_SNAPLEN];
};

static struct {
	struct cap_held *head, **tail;
	unsigned int n;
} held = { .tail = &held.head };

static void held_free(struct cap_held *h)
{
	if (!(held.head = h->next))
		held.tail = &held.head;
	held.n--;
	free(h);
}

/* Held records older than STT's reassembly timeout, or all: their frame will not come. */
static void held_expire(bool all)
{
	struct timespec now;
	int64_t ns;

	clock_gettime(CLOCK_REALTIME, &now);
	while (held.head) {
		ns = (int64_t)(now.tv_sec - held.head->ts.tv_sec) * 1000000000 +
		     (now.tv_nsec - held.head->ts.tv_nsec);
		if (!all && ns < CAP_HELD_NS)
			break;
		held_free(held.head);
	}
}

void foud_cap_rx_hold(const void *key, size_t klen)
{
	struct cap_held *h;
	uint8_t hdr[48];
	int hlen;

	if (!caps || rxcur.fd < 0 || klen > CAP_HELD_KEY || !cap_outer_on(-1))
		return;
	held_expire(false);
	hlen = cap_rx_hdr(hdr);
	if (hlen < 0 || held.n >= CAP_HELD_MAX || !(h = calloc(1, sizeof(*h))))
		return;
	memcpy(h->key, key, klen);
	clock_gettime(CLOCK_REALTIME, &h->ts);
	memcpy(h->rec, hdr, (size_t)hlen);
	h->len = (size_t)hlen + rxcur.len;
	h->caplen = h->len < CAP_SNAPLEN ? h->len : CAP_SNAPLEN;
	memcpy(h->rec + hlen, rxcur.p, h->caplen - (size_t)hlen);
	*held.tail = h;
	held.tail = &h->next;
	held.n++;
}

void foud_cap_rx_claim(int tun_fd, const void *key, size_t klen)
{
	struct cap_held **pp = &held.head, *h;
	struct foud_cap *c;

	if (!held.head || klen > CAP_HELD_KEY)
		return;
	while ((h = *pp)) {
		if (memcmp(h->key, key, klen)) {
			pp = &h->next;
			continue;
		}
		for (c = caps; c && tun_fd >= 0; c = c->next)
			if (c->tun_fd == tun_fd && !c->done && c->outer)
				cap_write(c, NULL, 0, h->rec, h->len, h->caplen, &h->ts);
		*pp = h->next;
		if (held.tail == &h->next)
			held.tail = pp;
		held.n--;
		free(h);
	}
}

/* The pcap file header: microsecond timestamps, host order (readers take either). */
static int cap_header(int fd, bool ether)
{
	uint32_t h[6] = { 0xa1b2c3d4, 2 | (4u << 16), 0, 0, CAP_SNAPLEN,
			  ether ? LINKTYPE_ETHERNET : LINKTYPE_RAW };

	return write(fd, h, sizeof(h)) == (ssize_t)sizeof(h) ? 0 : -EPIPE;
}

/* Why this capture cannot be, or NULL. */
static const char *cap_refuse(const struct cmd_capture_cfg *c)
{
	if (c->fd < 0)
		return "capture needs fouctl: it sends the pipe the packets go to";
	return NULL;
}

static int cap_bpf_on(struct foud *d, const struct foud_tunnel *t, struct foud_cap *c)
{
	int ret = ring_get(d);

	if (ret)
		return ret;
	/* c joins the list after this: the device's other captures keep theirs. */
	ret = foud_bpf_cap_set(d, t->ifindex, cap_bpf_how(t->ifindex) |
			       (c->outer ? FOUD_BPF_CAP_OUTER : FOUD_BPF_CAP_INNER));
	if (ret) {
		ring_put(d);
		return ret;
	}
	c->ifindex = t->ifindex;
	return 0;
}

static int cap_add(struct foud *d, const struct foud_tunnel *t, const struct cmd_capture_cfg *cfg)
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
	      cap_header(c->ev.fd, t->tap && !cfg->outer);
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
	cap_io_sync();
	foud_log(LOG_INFO, "capture of %s started", c->dev);
	return 0;
}

int foud_cap_start(struct foud *d, const char *dev, const struct cmd_capture_cfg *c,
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
	why = cap_refuse(c);
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
	held_expire(true);
	foud_timer_del(d, cap_reap, NULL);
}
