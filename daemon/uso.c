/* SPDX-License-Identifier: MIT */
/*
 * Transmit of a TCP super-packet as one UDP GSO send: every segment becomes
 * a complete UDP payload (GRE, FOU/GUE, inner IP and TCP, data), laid end to
 * end, and the kernel cuts them apart with UDP_SEGMENT, adding outer IP and
 * UDP headers with checksums. One system call instead of ~45.
 *
 * A raw socket cannot do this, so each flow's source port gets a UDP socket
 * bound to it: the receive port's own socket when it is that port, else one
 * of a few per tunnel, least recently used first out. The kernel refuses GSO
 * with UDP checksums off, so these datagrams always carry one; receivers
 * accept either.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "foud.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define USO_MAX_SEGS	64
#define USO_MAX_V4	(65535 - FOU_IPV4_HLEN - FOU_UDP_HLEN)
#define USO_MAX_V6	(65535 - FOU_UDP_HLEN)

static int uso_sockopt(int s, int lvl, int opt, int v)
{
	return setsockopt(s, lvl, opt, &v, sizeof(v));
}

static int uso_open(const struct foud_tunnel *t, uint16_t sport)
{
	const struct fou_tnl *n = &t->tnl;
	struct sockaddr_storage ss;
	socklen_t sl = foud_sockaddr(&ss, &n->local, n->local.family, sport);
	int s;

	s = socket(n->local.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (n->local.family == AF_INET) {
		uso_sockopt(s, IPPROTO_IP, IP_MTU_DISCOVER,
			    n->pmtudisc ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
	} else {
		uso_sockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, 1);
		uso_sockopt(s, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO);
	}
	/* It only sends: whatever reaches this port is left to overflow. */
	uso_sockopt(s, SOL_SOCKET, SO_RCVBUF, 1);
	uso_sockopt(s, SOL_SOCKET, SO_SNDBUF, 4 << 20);
	if (bind(s, (struct sockaddr *)&ss, sl) < 0) {
		int ret = -errno;

		close(s);
		return ret;
	}
	return s;
}

static void uso_slot_close(struct foud_txsock *x)
{
	if (x->fd >= 0 && x->owned)
		close(x->fd);
	x->fd = -1;
}

/* The socket for one source port, or -1 when none can be had. */
static int uso_socket(struct foud *d, struct foud_tunnel *t, uint16_t sport)
{
	struct foud_txsock *x, *lru = &t->txs[0];
	int fd;

	for (x = t->txs; x < t->txs + FOUD_TXSOCKS; x++) {
		if (x->fd >= 0 && x->sport == sport) {
			x->used = ++t->txs_clock;
			return x->fd;
		}
		if (x->fd < 0 || (lru->fd >= 0 && x->used < lru->used))
			lru = x;
	}
	fd = foud_port_socket(d, t->tnl.local.family, &t->tnl.local, sport);
	uso_slot_close(lru);
	lru->owned = fd < 0;
	if (fd < 0)
		fd = uso_open(t, sport);
	if (fd < 0)
		return -1;
	lru->fd = fd;
	lru->sport = sport;
	lru->used = ++t->txs_clock;
	return fd;
}

void foud_uso_forget(struct foud *d, int fd)
{
	struct foud_tunnel *t;
	struct foud_txsock *x;

	TAILQ_FOREACH(t, &d->tunnels, entry)
		for (x = t->txs; x < t->txs + FOUD_TXSOCKS; x++)
			if (x->fd == fd && !x->owned)
				x->fd = -1;
}

void foud_uso_close(struct foud_tunnel *t)
{
	struct foud_txsock *x;

	for (x = t->txs; x < t->txs + FOUD_TXSOCKS; x++)
		uso_slot_close(x);
}

void foud_uso_init(struct foud_tunnel *t)
{
	struct foud_txsock *x;

	for (x = t->txs; x < t->txs + FOUD_TXSOCKS; x++)
		x->fd = -1;
}

static void *uso_cmsg(struct cmsghdr **c, int lvl, int type, size_t len)
{
	struct cmsghdr *h = *c;

	h->cmsg_level = lvl;
	h->cmsg_type = type;
	h->cmsg_len = CMSG_LEN(len);
	*c = (struct cmsghdr *)((char *)h + CMSG_SPACE(len));
	return CMSG_DATA(h);
}

/* Source address, TOS and TTL per send, segment size when there are several. */
static size_t uso_control(uint8_t *buf, const struct fou_tnl *n, uint16_t seg, unsigned int nseg,
			  int tos, int ttl)
{
	struct cmsghdr *c = (struct cmsghdr *)buf;
	bool v4 = n->local.family == AF_INET;

	if (v4) {
		struct in_pktinfo pi = { 0 };

		memcpy(&pi.ipi_spec_dst, n->local.a, 4);
		memcpy(uso_cmsg(&c, IPPROTO_IP, IP_PKTINFO, sizeof(pi)), &pi, sizeof(pi));
		memcpy(uso_cmsg(&c, IPPROTO_IP, IP_TOS, sizeof(int)), &tos, sizeof(int));
		memcpy(uso_cmsg(&c, IPPROTO_IP, IP_TTL, sizeof(int)), &ttl, sizeof(int));
	} else {
		struct in6_pktinfo pi = { 0 };

		memcpy(&pi.ipi6_addr, n->local.a, 16);
		memcpy(uso_cmsg(&c, IPPROTO_IPV6, IPV6_PKTINFO, sizeof(pi)), &pi, sizeof(pi));
		memcpy(uso_cmsg(&c, IPPROTO_IPV6, IPV6_TCLASS, sizeof(int)), &tos, sizeof(int));
		memcpy(uso_cmsg(&c, IPPROTO_IPV6, IPV6_HOPLIMIT, sizeof(int)), &ttl, sizeof(int));
	}
	if (nseg > 1)
		memcpy(uso_cmsg(&c, IPPROTO_UDP, UDP_SEGMENT, sizeof(uint16_t)), &seg, sizeof(seg));
	return (size_t)((uint8_t *)c - buf);
}

struct uso_batch {
	size_t pos;		/* bytes laid out in the send buffer */
	uint16_t seg;		/* size of every datagram but the last */
	unsigned int nseg;
	uint64_t inner_bytes;
	uint8_t tos, ttl;
};

static void uso_send(struct foud *d, struct foud_tunnel *t, int fd, struct uso_batch *u)
{
	uint8_t ctl[256] __attribute__((aligned(8)));
	struct iovec iov = { .iov_base = d->sendbuf, .iov_len = u->pos };
	struct msghdr mh = {
		.msg_name = &t->udp_dst, .msg_namelen = t->dst_len,
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
	};

	if (!u->nseg)
		return;
	mh.msg_controllen = uso_control(ctl, &t->tnl, u->seg, u->nseg, u->tos, u->ttl);
	if (sendmsg(fd, &mh, MSG_DONTWAIT) >= 0) {
		t->st.tx_packets += u->nseg;
		t->st.tx_bytes += u->inner_bytes;
	} else {
		int reason = errno == EAGAIN || errno == ENOBUFS ? FOU_DROP_QUEUE_FULL
								  : FOU_DROP_TX_ERROR;

		/* EIO: the route's device cannot segment UDP; stop asking it to. */
		if (errno == EIO) {
			d->udp_gso = false;
			foud_log(LOG_WARNING, "UDP GSO refused by the kernel, sending segment by segment");
		}
		t->st.tx_drop[reason] += u->nseg;
	}
	u->pos = 0;
	u->nseg = 0;
	u->inner_bytes = 0;
}

/* Lays out the next segment as a UDP payload; 1 added, 0 done, <0 error. */
static int uso_next(struct foud_tunnel *t, struct fou_gso *g, uint8_t *sendbuf,
		    struct uso_batch *u, size_t ehl)
{
	struct fou_buf b = { .head = sendbuf, .cap = FOUD_PKT_MAX + FOUD_HEADROOM };
	size_t n;
	int ret;

	b.off = u->pos + ehl;
	ret = fou_gso_next(g, sendbuf + b.off, b.cap - b.off, &n);
	if (ret <= 0)
		return ret;
	b.len = n;
	ret = fou_tnl_encap_payload(&b, &t->tnl, &t->tx, &u->tos, &u->ttl);
	if (ret)
		return ret;
	if (!u->nseg)
		u->seg = (uint16_t)b.len;
	u->pos += b.len;
	u->nseg++;
	u->inner_bytes += n;
	return b.len < u->seg ? 2 : 1;
}

/*
 * Sends a TCP super-packet through UDP GSO. Returns 0 when done (drops
 * counted), or 1 when this path does not apply and the caller must send
 * segment by segment.
 */
int foud_uso_xmit(struct foud *d, struct foud_tunnel *t, const struct fou_vnet_hdr *vh,
		  const uint8_t *pkt, size_t len)
{
	size_t ehl = fou_tnl_payload_hlen(&t->tnl);
	size_t ohl = t->tnl.local.family == AF_INET ? FOU_IPV4_HLEN : FOU_IPV6_HLEN;
	size_t max = t->tnl.local.family == AF_INET ? USO_MAX_V4 : USO_MAX_V6;
	struct uso_batch u = { 0 };
	struct fou_gso g;
	uint16_t sport = t->tnl.encap_sport;
	int fd, ret;

	if (!d->udp_gso || t->tnl.encap == FOU_ENCAP_NONE || fou_gso_init(&g, vh, pkt, len))
		return 1;
	/* Segments that would not fit the path go the slow way, which answers with ICMP. */
	if (g.hlen + g.mss + ehl + FOU_UDP_HLEN + ohl > t->path_mtu)
		return 1;
	if (!sport)
		sport = fou_flow_sport(fou_flow_hash(pkt, len, d->hash_seed), t->tnl.port_min,
				       t->tnl.port_max);
	fd = uso_socket(d, t, sport);
	if (fd < 0)
		return 1;
	for (;;) {
		ret = uso_next(t, &g, d->sendbuf, &u, ehl);
		if (ret < 0) {
			t->st.tx_drop[-ret]++;
			break;
		}
		if (ret == 0)
			break;
		/* The last, shorter one closes a send; so do the size and count limits. */
		if (ret == 2 || u.nseg == USO_MAX_SEGS || u.pos + u.seg > max)
			uso_send(d, t, fd, &u);
	}
	uso_send(d, t, fd, &u);
	return 0;
}
