// SPDX-License-Identifier: MIT
/*
 * relay: the ceiling of a TUN-based UDP tunnel with foud's structure, doing
 * a tunnel's system calls and nothing else. One TUN device (IFF_VNET_HDR,
 * the offloads foud asks for) and one connected UDP socket (UDP_GRO) in each
 * of two network namespaces; per side one thread, one epoll, as foud:
 *
 *   TUN read -> segments, headers copied -> one UDP GSO send
 *   UDP GRO receive -> segments of one flow joined -> one TUN write
 *
 * Each datagram is the virtio header of its segment, then the segment (the
 * virtio header stands in for a tunnel header of about FOU's or GUE's size,
 * and carries the partial checksum of a packet that was not cut). No
 * checksum is computed or verified but the 20-byte IPv4 header's, which
 * the kernel checks on every write; the only check is where a joined
 * packet ends (another flow, or a sequence gap), which GRO must know.
 *
 *   relay NETNS_A DEV_A ADDR_A NETNS_B DEV_B ADDR_B PORT
 *
 * NETNS_x is a path (/run/netns/NAME) or a name under /run/netns, ADDR_x an
 * IPv4 underlay address there. "ready" goes to stdout once both devices
 * exist; SIGINT or SIGTERM ends it, the counters go to stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define VH	10			/* virtio_net_hdr */
#define PKT_MAX	(VH + 65535)
#define RX_MAX	(1 << 16)		/* one UDP GRO read */
#define UDP_MAX	65507			/* payload of one UDP GSO send */
#define GSO_SEGS 64
#define SOCK_BUF (16 << 20)

struct side {
	const char *name;
	int tun, udp;
	uint8_t *in, *out, *rx, *join;	/* TUN read, UDP send, UDP read, TUN write */
	size_t join_len, join_hlen, join_mss, join_segs;
	uint32_t join_next;		/* the sequence number that may join next */
	/* Updated by one thread, read once at exit: no locking needed for a report. */
	volatile uint64_t tun_reads, sends, recvs, writes, errors;
};

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static int enter(const char *ns)
{
	int fd = bench_open_ns(ns), ret;

	if (fd < 0)
		return -1;
	ret = setns(fd, CLONE_NEWNET);
	close(fd);
	return ret;
}

static int tun_open(const char *dev)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int udp_open(const char *local, const char *remote, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in r = { .sin_family = AF_INET, .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), v = 1, b = SOCK_BUF;

	if (s < 0)
		return -1;
	if (inet_pton(AF_INET, local, &a.sin_addr) != 1 || inet_pton(AF_INET, remote, &r.sin_addr) != 1 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || connect(s, (struct sockaddr *)&r, sizeof(r)) < 0 ||
	    setsockopt(s, IPPROTO_UDP, UDP_GRO, &v, sizeof(v)) < 0) {
		close(s);
		return -1;
	}
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &b, sizeof(b)) < 0)
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &b, sizeof(b));
	if (setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &b, sizeof(b)) < 0)
		setsockopt(s, SOL_SOCKET, SO_SNDBUF, &b, sizeof(b));
	return s;
}

/* Both ends of one side, made inside its namespace (they stay there). */
static int side_open(struct side *s, const char *ns, const char *dev, const char *local,
		     const char *remote, uint16_t port, int home)
{
	if (enter(ns) < 0) {
		fprintf(stderr, "relay: %s: %s\n", ns, strerror(errno));
		return -1;
	}
	s->tun = tun_open(dev);
	s->udp = udp_open(local, remote, port);
	if (setns(home, CLONE_NEWNET) < 0 || s->tun < 0 || s->udp < 0) {
		fprintf(stderr, "relay: %s: cannot open %s or UDP %s:%u\n", ns, dev, local, port);
		return -1;
	}
	s->in = malloc(PKT_MAX);
	s->out = malloc(UDP_MAX + PKT_MAX);
	s->rx = malloc(RX_MAX);
	s->join = malloc(PKT_MAX);
	return s->in && s->out && s->rx && s->join ? 0 : -1;
}

static void udp_send(struct side *s, size_t len, size_t seg)
{
	char ctl[CMSG_SPACE(sizeof(uint16_t))] = { 0 };
	struct iovec iov = { .iov_base = s->out, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	uint16_t gso = (uint16_t)seg;

	if (len > seg) {
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(gso));
		memcpy(CMSG_DATA(c), &gso, sizeof(gso));
	}
	if (sendmsg(s->udp, &mh, 0) < 0)
		s->errors++;
	else
		s->sends++;
}

/*
 * A TSO super-packet of n bytes (virtio header first) becomes segments of
 * virtio header + IP/TCP header (its sequence number advanced) + mss bytes,
 * as many per send as fit.
 */
static void tun_to_udp(struct side *s, size_t n)
{
	const uint8_t *p = s->in + VH;
	size_t len = n - VH, cs = le16(s->in + 6), hlen, mss = le16(s->in + 4), off, chunk, seg, used = 0;
	uint32_t seq;

	if (s->in[1] == VIRTIO_NET_HDR_GSO_NONE || cs + 13 >= len) {
		memcpy(s->out, s->in, n);
		udp_send(s, n, n);
		return;
	}
	hlen = cs + (size_t)(p[cs + 12] >> 4) * 4;
	if (hlen >= len || !mss) {
		s->errors++;
		return;
	}
	seq = get32(p + cs + 4);
	seg = VH + hlen + mss;
	for (off = hlen; off < len; off += chunk) {
		chunk = len - off < mss ? len - off : mss;
		memcpy(s->out + used, s->in, VH);
		memcpy(s->out + used + VH, p, hlen);
		put32(s->out + used + VH + cs + 4, seq + (uint32_t)(off - hlen));
		memcpy(s->out + used + VH + hlen, p + off, chunk);
		used += VH + hlen + chunk;
		if (used + seg > UDP_MAX || used / seg >= GSO_SEGS) {
			udp_send(s, used, seg);
			used = 0;
		}
	}
	if (used)
		udp_send(s, used, seg);
}

static void ip4_csum(uint8_t *ip)
{
	uint32_t sum = 0;
	int i;

	put16(ip + 10, 0);
	for (i = 0; i < 20; i += 2)
		sum += get16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, (uint16_t)~sum);
}

static void tun_write(struct side *s, const uint8_t *p, size_t len)
{
	if (write(s->tun, p, len) < 0)
		s->errors++;
	else
		s->writes++;
}

/* The joined packet goes out with the IP length of what it holds. */
static void join_flush(struct side *s)
{
	uint8_t *ip = s->join + VH;
	size_t iplen = s->join_len - VH;

	if (!s->join_len)
		return;
	if ((ip[0] >> 4) == 4) {
		put16(ip + 2, (uint16_t)iplen);
		ip4_csum(ip);
	} else {
		put16(ip + 4, (uint16_t)(iplen - 40));
	}
	put_le16(s->join + 2, (uint16_t)s->join_hlen);
	put_le16(s->join + 4, (uint16_t)s->join_mss);
	tun_write(s, s->join, s->join_len);
	s->join_len = 0;
}

/* Whether segment d (len bytes, virtio header first) continues the joined packet. */
static bool join_fits(const struct side *s, const uint8_t *d, size_t len)
{
	size_t cs = le16(s->join + 6), hlen = s->join_hlen;

	return s->join_len && d[1] != VIRTIO_NET_HDR_GSO_NONE && len > VH + hlen &&
	       len - VH - hlen <= s->join_mss && s->join_len + len - VH - hlen <= PKT_MAX &&
	       !memcmp(d + VH, s->join + VH, cs + 4) &&
	       get32(d + VH + cs + 4) == s->join_next &&
	       !memcmp(d + VH + cs + 8, s->join + VH + cs + 8, hlen - cs - 8);
}

static void join_add(struct side *s, const uint8_t *d, size_t len)
{
	size_t cs = le16(d + 6), hlen, pay;

	if (join_fits(s, d, len)) {
		pay = len - VH - s->join_hlen;
		memcpy(s->join + s->join_len, d + VH + s->join_hlen, pay);
		s->join_len += pay;
		s->join_segs++;
		s->join_next += (uint32_t)pay;
		return;
	}
	join_flush(s);
	hlen = cs + 13 < len - VH ? cs + (size_t)(d[VH + cs + 12] >> 4) * 4 : len;
	if (d[1] == VIRTIO_NET_HDR_GSO_NONE || hlen >= len - VH) {
		tun_write(s, d, len);
		return;
	}
	memcpy(s->join, d, len);
	s->join_len = len;
	s->join_segs = 1;
	s->join_hlen = hlen;
	s->join_mss = len - VH - hlen;
	s->join_next = get32(d + VH + cs + 4) + (uint32_t)s->join_mss;
}

static void udp_to_tun(struct side *s, const uint8_t *rx, size_t n, size_t seg)
{
	size_t off, len;

	for (off = 0; off < n; off += len) {
		len = n - off < seg ? n - off : seg;
		if (len > VH)
			join_add(s, rx + off, len);
	}
	join_flush(s);
}

static void udp_drain(struct side *s)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = s->rx, .iov_len = RX_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t n;
	int seg;

	for (;;) {
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		n = recvmsg(s->udp, &mh, 0);
		if (n <= 0)
			return;
		s->recvs++;
		seg = (int)n;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO)
				memcpy(&seg, CMSG_DATA(c), sizeof(seg));
		udp_to_tun(s, s->rx, (size_t)n, seg > 0 ? (size_t)seg : (size_t)n);
	}
}

static void tun_drain(struct side *s)
{
	ssize_t n;

	while ((n = read(s->tun, s->in, PKT_MAX)) > 0) {
		s->tun_reads++;
		if ((size_t)n > VH)
			tun_to_udp(s, (size_t)n);
	}
}

static void *side_loop(void *arg)
{
	struct side *s = arg;
	struct epoll_event ev = { .events = EPOLLIN }, got[2];
	int ep = epoll_create1(EPOLL_CLOEXEC), i, n;

	ev.data.fd = s->tun;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, s->tun, &ev) < 0)
		return NULL;
	ev.data.fd = s->udp;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, s->udp, &ev) < 0)
		return NULL;
	for (;;) {
		n = epoll_wait(ep, got, 2, -1);
		for (i = 0; i < n; i++) {
			if (got[i].data.fd == s->tun)
				tun_drain(s);
			else
				udp_drain(s);
		}
	}
	return NULL;
}

static void report(const struct side *s)
{
	fprintf(stderr, "relay: %s: %llu TUN reads, %llu sends, %llu receives, %llu TUN writes, %llu errors\n",
		s->name, (unsigned long long)s->tun_reads, (unsigned long long)s->sends,
		(unsigned long long)s->recvs, (unsigned long long)s->writes, (unsigned long long)s->errors);
}

int main(int argc, char **argv)
{
	struct side a = { .name = "a" }, b = { .name = "b" };
	uint16_t port;
	int home;

	if (argc != 8) {
		fprintf(stderr, "usage: relay NETNS_A DEV_A ADDR_A NETNS_B DEV_B ADDR_B PORT\n");
		return 2;
	}
	port = (uint16_t)atoi(argv[7]);
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0 || side_open(&a, argv[1], argv[2], argv[3], argv[6], port, home) < 0 ||
	    side_open(&b, argv[4], argv[5], argv[6], argv[3], port, home) < 0)
		return 1;
	close(home);
	if (bench_run2("relay", side_loop, &a, &b))
		return 1;
	report(&a);
	report(&b);
	return 0;
}
