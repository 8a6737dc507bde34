/* SPDX-License-Identifier: MIT */
#ifndef FOUD_RX_H
#define FOUD_RX_H

#include "foud.h"

/* What the socket said of one received datagram. */
struct foud_rxmeta {
	struct fou_addr src, dst;
	uint16_t sport;
	uint8_t tos;
	uint16_t gso;		/* UDP GRO: the size of each coalesced datagram, 0 if one */
	bool truncated;
	uint32_t sock_drops;	/* SO_RXQ_OVFL: the socket's drops so far, 0 if none said */
	bool verified;		/* the kernel verified its non-zero UDP checksum (csum.c) */
};

/* The source address and port of m from ss (AF_INET or AF_INET6). */
void foud_rx_from(struct foud_rxmeta *m, const struct sockaddr_storage *ss);
int foud_recv_batch(int fd, struct foud_batch *b, struct foud_rxmeta *meta);

/* A receive point, as foud_rx_drain() serves it. */
struct foud_rxpt {
	const char *name;		/* where its drops are logged */
	struct foud_stats *count;	/* datagrams counted in rx_packets/bytes, or NULL */
	struct foud_stats *drops;	/* the reasons one() returns counted here */
	uint64_t *sock_drops;		/* the socket's SO_RXQ_OVFL count, or NULL */
	/* One datagram (one of a UDP GRO read): 0, or -FOU_DROP_*. */
	int (*one)(struct foud *d, void *ctx, struct fou_buf *b, struct foud_rxmeta *m);
	void *ctx;
	bool verified;			/* its socket takes only verified checksums (csum.c) */
};

/* Reads fd in batches, each datagram to rp->one, until a short batch or a few rounds. */
void foud_rx_drain(struct foud *d, int fd, const struct foud_rxpt *rp);
/*
 * Walks the datagrams of one read (several of m->gso bytes after UDP GRO,
 * the last shorter): each is set in s as a view into b. *off starts at 0.
 */
bool foud_rx_next(const struct fou_buf *b, const struct foud_rxmeta *m, size_t *off,
		  struct fou_buf *s);

#endif
