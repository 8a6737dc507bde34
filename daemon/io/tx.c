/* SPDX-License-Identifier: MIT */
/*
 * Transmit, shared by every kind: counted sends, the raw sockets that send
 * outer packets, ancillary data for UDP sends, and the receive sockets that
 * UDP GSO may send from (registered here by their owners, so that the send
 * path never asks a receive module).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>

#include "foud.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

int foud_raw_tx(struct foud *d, int family)
{
	int *fd = family == AF_INET6 ? &d->raw_tx6 : &d->raw_tx4;

	if (*fd < 0)
		*fd = foud_raw_tx_open(family);
	return *fd;
}

/* The drop reason of a send the kernel refused with err. */
int foud_send_reason(int err)
{
	switch (err) {
	case EAGAIN:
	case ENOBUFS:
		return FOU_DROP_QUEUE_FULL;
	case ENETUNREACH:	/* no route to the remote (or an unreachable one) */
	case EHOSTUNREACH:
		return FOU_DROP_NO_ROUTE;
	default:
		return FOU_DROP_TX_ERROR;
	}
}

/*
 * Sends n prepared messages on fd, counting each one sent (with its inner
 * length) or refused. Returns true when the kernel said EMSGSIZE.
 */
bool foud_send_counted(int fd, struct mmsghdr *mm, const uint32_t *inner_len, int n,
		       struct foud_stats *st)
{
	bool too_big = false;
	int i = 0, sent;

	while (i < n) {
		sent = fd < 0 ? -1 : sendmmsg(fd, mm + i, (unsigned int)(n - i), MSG_DONTWAIT);
		if (sent <= 0) {
			/* The message at i failed: count it and go on with the rest. */
			st->tx_drop[foud_send_reason(errno)]++;
			too_big |= errno == EMSGSIZE;
			i++;
			continue;
		}
		for (; sent > 0; sent--, i++) {
			st->tx_packets++;
			st->tx_bytes += inner_len[i];
		}
	}
	return too_big;
}

int foud_txq_add(struct foud_txq *q, const struct fou_buf *b, uint32_t inner_len)
{
	int i = q->n++;

	memset(&q->mm[i], 0, sizeof(q->mm[i]));
	q->iov[i].iov_base = fou_buf_data(b);
	q->iov[i].iov_len = b->len;
	q->mm[i].msg_hdr.msg_iov = &q->iov[i];
	q->mm[i].msg_hdr.msg_iovlen = 1;
	q->inner_len[i] = inner_len;
	return i;
}

bool foud_txq_send(struct foud_txq *q, int fd, struct foud_stats *st)
{
	bool too_big = foud_send_counted(fd, q->mm, q->inner_len, q->n, st);

	q->n = 0;
	return too_big;
}

void *foud_cmsg_put(struct cmsghdr **c, int lvl, int type, size_t len)
{
	struct cmsghdr *h = *c;

	h->cmsg_level = lvl;
	h->cmsg_type = type;
	h->cmsg_len = CMSG_LEN(len);
	*c = (struct cmsghdr *)((char *)h + CMSG_SPACE(len));
	return CMSG_DATA(h);
}

size_t foud_tx_control(uint8_t *buf, const struct foud_uso_to *to, uint16_t seg)
{
	struct cmsghdr *c = (struct cmsghdr *)buf;
	int tos = to->tos, ttl = to->ttl;

	if (to->local->family == AF_INET) {
		struct in_pktinfo pi = { .ipi_ifindex = to->ifindex };

		memcpy(&pi.ipi_spec_dst, to->local->a, 4);
		memcpy(foud_cmsg_put(&c, IPPROTO_IP, IP_PKTINFO, sizeof(pi)), &pi, sizeof(pi));
		memcpy(foud_cmsg_put(&c, IPPROTO_IP, IP_TOS, sizeof(int)), &tos, sizeof(int));
		if (ttl)
			memcpy(foud_cmsg_put(&c, IPPROTO_IP, IP_TTL, sizeof(int)), &ttl, sizeof(int));
	} else {
		struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned int)to->ifindex };

		memcpy(&pi.ipi6_addr, to->local->a, 16);
		memcpy(foud_cmsg_put(&c, IPPROTO_IPV6, IPV6_PKTINFO, sizeof(pi)), &pi, sizeof(pi));
		memcpy(foud_cmsg_put(&c, IPPROTO_IPV6, IPV6_TCLASS, sizeof(int)), &tos, sizeof(int));
		if (ttl)
			memcpy(foud_cmsg_put(&c, IPPROTO_IPV6, IPV6_HOPLIMIT, sizeof(int)), &ttl,
			       sizeof(int));
	}
	/* cmsg_len must be exactly CMSG_LEN(2): the kernel reads a u16. */
	if (seg)
		memcpy(foud_cmsg_put(&c, IPPROTO_UDP, UDP_SEGMENT, sizeof(uint16_t)), &seg,
		       sizeof(seg));
	return (size_t)((uint8_t *)c - buf);
}

void foud_tx_share(struct foud *d, struct foud_txshare *s)
{
	struct foud_txshare **p = &d->txshared;

	/* At the end: the first registered of several that match is the one used. */
	while (*p)
		p = &(*p)->next;
	s->next = NULL;
	*p = s;
}

void foud_tx_unshare(struct foud *d, struct foud_txshare *s)
{
	struct foud_txshare **p;

	for (p = &d->txshared; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
}

int foud_tx_shared(const struct foud *d, int family, const struct fou_addr *local, uint16_t port)
{
	const struct foud_txshare *s;

	for (s = d->txshared; s; s = s->next)
		if (s->port == port && s->family == family &&
		    (!s->local.family || fou_addr_eq(&s->local, local)))
			return s->fd;
	return -1;
}
