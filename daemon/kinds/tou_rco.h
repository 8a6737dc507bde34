/* SPDX-License-Identifier: MIT */
/* TOU's receive of remote checksum offload (tou_rco.c), for tou.c and tou_session.c. */
#ifndef FOUD_TOU_RCO_H
#define FOUD_TOU_RCO_H

#include "foud.h"
#include "rx.h"

/*
 * fou_tou_decap() of a datagram from peer p as m describes it. Under a
 * verified outer checksum an RCO is left partial (d->rx_partial set: the
 * caller clears it once the datagram is done); under none, where p's
 * socket pair tells them apart, it is refused (remcsum_nocsum).
 */
int foud_tou_rx_decap(struct foud *d, const struct foud_tou_peer *p, struct fou_buf *b,
		      const struct fou_tou_info *info, const struct foud_rxmeta *m);
/* fou_tou_csum_ok(), or a partial checksum under a verified outer one. */
bool foud_tou_rx_csum_ok(const struct foud *d, const struct fou_buf *b,
			 const struct fou_tou_info *info);

#endif
