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
};

int foud_recv_batch(int fd, struct foud_batch *b, struct foud_rxmeta *meta);
/*
 * Walks the datagrams of one read (several of m->gso bytes after UDP GRO,
 * the last shorter): each is set in s as a view into b. *off starts at 0.
 */
bool foud_rx_next(const struct fou_buf *b, const struct foud_rxmeta *m, size_t *off,
		  struct fou_buf *s);

#endif
