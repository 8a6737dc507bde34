/* SPDX-License-Identifier: MIT */
/*
 * The kinds of link foud makes, one row each: what `type` calls it, whether
 * it is an L3 tunnel (a TUN device) or an L2 overlay (a TAP device), its
 * underlay family, the word of its identifier, its default port, the
 * daemon's class of its devices, a UDP overlay's codec. The grammar
 * (cmd_link*.c) and the daemon (daemon/core/dev.c, l2.c) both read this table, so
 * a kind is described once. The codecs stay in libfou, which must not depend on
 * common/: a row names libfou's kind (enum fou_kind) where there is one.
 */
#ifndef CMD_KINDS_H
#define CMD_KINDS_H

#include <stddef.h>
#include <stdint.h>

#include "fou/fou.h"

/* Ethernet-carrying kinds; their devices are TAP devices. */
enum fk_l2_kind {
	FK_L2_NONE,		/* an L3 kind: see struct cmd_link_cfg.tnl */
	FK_L2_VXLAN,
	FK_L2_NVGRE,
	FK_L2_GRETAP,
	FK_L2_GENEVE,
	FK_L2_STT,
	FK_L2__MAX
};

#define FK_TNL_NONE	FOU_KIND__MAX	/* no libfou tunnel kind carries it */

#define FK_GRE		0x1	/* takes GRE's key, csum and seq words */

/* Which of the daemon's device classes makes a kind's devices (daemon/core/dev.c). */
enum fk_dev {
	FK_DEV_TUN,		/* an L3 tunnel on a TUN device (tunnel.c) */
	FK_DEV_OVERLAY,		/* a UDP or GRE L2 overlay on a TAP device (l2.c) */
	FK_DEV_STT,		/* STT: a TAP device, TCP-like segments (stt.c) */
	FK_DEV__MAX
};

struct cmd_link_syntax;		/* its words: cmd_int.h */
struct cmd_l2_cfg;

/* A UDP L2 overlay's codec (libfou), which the daemon calls for it. */
struct fk_udp_l2 {
	/* Prepends its header, as c says, to the Ethernet frame in b. */
	int (*push)(struct fou_buf *b, const struct cmd_l2_cfg *c);
	/* Strips its header from a received datagram, says its identifier. */
	int (*pull)(struct fou_buf *b, uint32_t *vni);
	size_t hlen;			/* header bytes after UDP, options aside */
	enum fou_drop wrong_id;		/* no device has the identifier */
};

struct fk_kind {
	const char *name;		/* as `type` spells it */
	enum fk_l2_kind l2;		/* FK_L2_NONE: an L3 kind */
	enum fou_kind tnl;		/* libfou's kind, the carrier of gretap/nvgre */
	int family;			/* of the underlay; 0: the remote's */
	uint8_t inner;			/* FOU_INNER_* of an L3 kind; 0: Ethernet */
	const char *id_word;		/* "id", "vsid", "key"; NULL: none */
	uint16_t dstport;		/* default port (fou/wire.h); 0: none */
	unsigned int flags;		/* FK_* */
	enum fk_dev dev;		/* the daemon's class of its devices */
	struct fk_udp_l2 udp;		/* a UDP L2 overlay's codec; pull NULL for the others */
	const struct cmd_link_syntax *syntax;
};

extern const struct fk_kind fk_kinds[];
extern const size_t fk_nkinds;

/* "ipip, sit, ... or stt" into buf, in the order of the rows; returns buf. */
const char *fk_names(char *buf, size_t len);
/* The row `type` word names, or NULL. */
const struct fk_kind *fk_by_name(const char *name);
/* The row of an L2 kind; NULL for FK_L2_NONE and unknown values. */
const struct fk_kind *fk_by_l2(enum fk_l2_kind l2);
/* The L3 row of libfou's kind, or NULL. */
const struct fk_kind *fk_by_tnl(enum fou_kind tnl);
/* A link's row: its L2 kind's, else the L3 row of tnl; NULL when neither is known. */
const struct fk_kind *fk_of(enum fk_l2_kind l2, enum fou_kind tnl);

#endif /* CMD_KINDS_H */
