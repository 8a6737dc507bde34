/* SPDX-License-Identifier: MIT */
/* Who may send STT segments to which local address (stt_peers.c). */
#ifndef FOUD_STT_PEERS_H
#define FOUD_STT_PEERS_H

#include <stdbool.h>
#include <stdint.h>

#include "fou/htab.h"

struct fou_addr;
struct foud_tunnel;

struct foud_stt_peers {
	struct fou_htab h;		/* (peer, local) pairs, each once, counted */
	uint32_t seed;
	/* A device's peers would not fit (out of memory): the check walks the devices. */
	bool partial;
};

/* Indexes the peers of t on its local address: 0, or -ENOMEM (none indexed). */
int foud_stt_peers_add(struct foud_stt_peers *p, const struct foud_tunnel *t);
/* Takes them out again; t's peers must be those it was indexed with. */
void foud_stt_peers_del(struct foud_stt_peers *p, const struct foud_tunnel *t);
/* Whether src is a peer of an STT device on local address dst: one hash lookup. */
bool foud_stt_peers_has(const struct foud_stt_peers *p, const struct fou_addr *src,
			const struct fou_addr *dst);
void foud_stt_peers_free(struct foud_stt_peers *p);

#endif
