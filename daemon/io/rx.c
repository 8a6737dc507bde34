/* SPDX-License-Identifier: MIT */
/* Batched receive from underlay sockets, with the outer addresses and TOS of each packet. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>

#include "foud.h"
#include "rx.h"

#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define RX_ROUNDS 8		/* batches per wake-up before yielding */

#define CMSG_SPACE_RX (CMSG_SPACE(sizeof(struct in6_pktinfo)) + 3 * CMSG_SPACE(sizeof(int)) + 64)

void foud_rx_from(struct foud_rxmeta *m, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		m->src.family = AF_INET;
		memcpy(m->src.a, &sin->sin_addr, 4);
		m->sport = ntohs(sin->sin_port);
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		m->src.family = AF_INET6;
		memcpy(m->src.a, &sin6->sin6_addr, 16);
		m->sport = ntohs(sin6->sin6_port);
	}
}

static void rx_cmsg(struct foud_rxmeta *m, struct msghdr *mh)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			m->dst.family = AF_INET;
			memcpy(m->dst.a, &pi.ipi_addr, 4);
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
			m->tos = *CMSG_DATA(c);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			m->dst.family = AF_INET6;
			memcpy(m->dst.a, &pi.ipi6_addr, 16);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			m->tos = (uint8_t)v;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
			memcpy(&m->sock_drops, CMSG_DATA(c), sizeof(m->sock_drops));
		} else if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			m->gso = v > 0 && v <= 65535 ? (uint16_t)v : 0;
		}
	}
}

/*
 * Reads up to FOUD_BATCH datagrams into b (each at the batch headroom) and
 * fills meta for each. Returns the count, 0 when nothing is waiting.
 */
int foud_recv_batch(int fd, struct foud_batch *b, struct foud_rxmeta *meta)
{
	static uint8_t ctl[FOUD_BATCH][CMSG_SPACE_RX];
	struct sockaddr_storage from[FOUD_BATCH];
	struct mmsghdr mm[FOUD_BATCH];
	struct iovec iov[FOUD_BATCH];
	int i, n;

	foud_batch_reset(b, FOUD_HEADROOM);
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < FOUD_BATCH; i++) {
		iov[i].iov_base = fou_buf_data(&b->buf[i]);
		iov[i].iov_len = b->buf[i].cap - b->buf[i].off;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &from[i];
		mm[i].msg_hdr.msg_namelen = sizeof(from[i]);
		mm[i].msg_hdr.msg_control = ctl[i];
		mm[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
	}
	n = recvmmsg(fd, mm, FOUD_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		memset(&meta[i], 0, sizeof(meta[i]));
		b->buf[i].len = mm[i].msg_len;
		meta[i].truncated = mm[i].msg_hdr.msg_flags & MSG_TRUNC;
		foud_rx_from(&meta[i], &from[i]);
		rx_cmsg(&meta[i], &mm[i].msg_hdr);
	}
	return n;
}

bool foud_rx_next(const struct fou_buf *b, const struct foud_rxmeta *m, size_t *off,
		  struct fou_buf *s)
{
	size_t seg = m->gso ? m->gso : b->len;

	/* An empty datagram is one too. */
	if (*off >= b->len && (*off || b->len))
		return false;
	*s = *b;
	s->off = b->off + *off;
	s->len = b->len - *off < seg ? b->len - *off : seg;
	*off += seg ? seg : 1;
	return true;
}

/* Every datagram of one read (several after UDP GRO), each handled in place. */
static void rx_split(struct foud *d, int fd, const struct foud_rxpt *rp,
		     const struct fou_buf *b, struct foud_rxmeta *m)
{
	struct fou_buf s;
	size_t off = 0;
	int ret;

	if (rp->sock_drops && m->sock_drops > *rp->sock_drops)
		*rp->sock_drops = m->sock_drops;
	/* Writing a virtio header in front of one clobbers the tail of the one before, done with. */
	m->verified = rp->verified;
	while (foud_rx_next(b, m, &off, &s)) {
		if (rp->count) {
			rp->count->rx_packets++;
			rp->count->rx_bytes += s.len;
		}
		if (foud_io_cap)
			foud_io_cap->rx_dgram(fd, &s, m);
		ret = rp->one(d, rp->ctx, &s, m);
		if (ret < 0) {
			rp->drops->rx_drop[-ret]++;
			foud_log_drop(rp->name, -ret, &m->src);
		}
	}
}

void foud_rx_drain(struct foud *d, int fd, const struct foud_rxpt *rp)
{
	struct foud_rxmeta meta[FOUD_BATCH];
	int i, n = FOUD_BATCH, rounds = 0;

	/*
	 * A few batches, then let the other descriptors have their turn. A
	 * short batch found the queue empty: no read just to hear EAGAIN
	 * (epoll is level-triggered, what came since wakes us again).
	 */
	while (rounds++ < RX_ROUNDS && n == FOUD_BATCH &&
	       (n = foud_recv_batch(fd, &d->rxb, meta)) > 0) {
		for (i = 0; i < n; i++)
			rx_split(d, fd, rp, &d->rxb.buf[i], &meta[i]);
		foud_gro_flush(d);
	}
	if (foud_io_cap)
		foud_io_cap->rx_dgram(-1, NULL, NULL);
}
