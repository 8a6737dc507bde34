/* SPDX-License-Identifier: MIT */
/*
 * The kinds of link foud makes, one row each (kinds.def): what `type` calls
 * it, whether it is an L3 tunnel (a TUN device) or an L2 overlay (a TAP
 * device), its underlay family, the word of its identifier, its default
 * port, the daemon's class of its devices, a UDP overlay's codec, its usage
 * lines. The grammar (cmd_link*.c, cmd.c's usage, save.c) and the daemon
 * (daemon/dev/dev.c, daemon/kinds/overlay.c) read this table and nothing else
 * about a kind, so a kind is described once. The codecs stay in libfou,
 * which must not depend on common/: a row names libfou's kind (enum
 * fou_kind) and codec (struct fou_l2_codec) where there are.
 */
#ifndef CMD_KINDS_H
#define CMD_KINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fou/fou.h"
#include "fou/l2.h"

/* Ethernet-carrying kinds, FK_L2_ID of each FK_L2 and FK_UDP row; their devices are TAP devices. */
enum fk_l2_kind {
	FK_L2_NONE,		/* an L3 kind: see struct cmd_link_cfg.tnl */
#define FK_L2(ID, ...)	FK_L2_##ID,
#define FK_UDP(ID, ...)	FK_L2_##ID,
#include "kinds.def"
	FK_L2__MAX
};

#define FK_TNL_NONE	FOU_KIND__MAX	/* no libfou tunnel kind carries it */

#define FK_GRE		0x1	/* takes GRE's key, csum and seq words */
#define FK_TNL		0x2	/* takes the IP tunnel's words (struct fou_tnl): L3 kinds, gretap */
#define FK_ID64		0x4	/* its identifier is a 64-bit key (cmd_l2_cfg.key), not a 24-bit vni */
#define FK_ZCSUM6	0x8	/* shows udp_zero_csum6_tx (the udp6zerocsumtx words) */
#define FK_ID32		0x10	/* its identifier is the 32-bit GRE key (cfg.tnl.ikey), not a 24-bit vni */

/* Which of the daemon's device classes makes a kind's devices (daemon/dev/dev.c). */
enum fk_dev {
	FK_DEV_TUN,		/* an L3 tunnel on a TUN device (tunnel.c) */
	FK_DEV_OVERLAY,		/* a UDP or GRE L2 overlay on a TAP device (overlay.c) */
	FK_DEV_STT,		/* STT: a TAP device, TCP-like segments (stt.c) */
	FK_DEV__MAX
};

struct cmd_link_syntax;		/* its words: cmd_int.h */

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
	const struct fou_l2_codec *udp;	/* a UDP L2 overlay's codec (libfou); NULL: none */
	const struct cmd_link_syntax *syntax;
	const char *usage;		/* an L2 kind's lines of cmd_usage; "" or NULL: the IP tunnels' */
};

extern const struct fk_kind fk_kinds[];
extern const size_t fk_nkinds;

/* "ipip, sit, ... or stt" into buf, in the order of the rows; returns buf. */
const char *fk_names(char *buf, size_t len);
/* The row `type` word names, or NULL. */
const struct fk_kind *fk_by_name(const char *name);
/* Whether a link of this L2 kind word is an IP tunnel (an L3 kind, a TUN
 * device), not an L2 one: the one test of FK_L2_NONE outside the rows. */
bool fk_l3(enum fk_l2_kind l2);
/* The row of an L2 kind; NULL for FK_L2_NONE and unknown values. */
const struct fk_kind *fk_by_l2(enum fk_l2_kind l2);
/* The L3 row of libfou's kind, or NULL. */
const struct fk_kind *fk_by_tnl(enum fou_kind tnl);
/* A link's row: its L2 kind's, else the L3 row of tnl; NULL when neither is known. */
const struct fk_kind *fk_of(enum fk_l2_kind l2, enum fou_kind tnl);
/* Whether the kind takes word (one of its syntax's, or its id word). */
bool fk_takes(const struct fk_kind *k, const char *word);

#endif /* CMD_KINDS_H */
