/* SPDX-License-Identifier: MIT */
/*
 * fouctl import's insides, shared by its two halves: netdev.c reads a
 * .netdev file into slots, netdev_emit.c writes each kind's fouctl words
 * from them.
 */
#ifndef CMD_NETDEV_INT_H
#define CMD_NETDEV_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "netdev.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define ND_VAL_MAX	64
#define ND_INHERIT	256	/* a TTL of "inherit" */
#define VXLAN_PORT_LINUX 8472	/* the kernel's default, which networkd leaves in place */

enum nd_sect { SEC_NETDEV, SEC_TUNNEL, SEC_FOU, SEC_VXLAN, SEC_GENEVE, SEC__MAX };

/* Where a key's value goes; a section has each slot at most once. */
enum nd_slot {
	S_NAME, S_KIND, S_MTU,
	S_LOCAL, S_REMOTE, S_TOS, S_TTL, S_PMTU, S_KEY, S_IKEY, S_OKEY, S_SEQ,
	S_FOU, S_FOU_DPORT, S_FOU_SPORT, S_ENCAP, S_MODE,
	S_PORT, S_PROTO, S_PEER, S_PEER_PORT,
	S_VNI, S_GROUP, S_DSTPORT, S_SRCPORT, S_LEARN, S_AGEING, S_MAXADDR,
	S_UDPCSUM, S_ZCSUMTX, S_ZCSUMRX,
	S__MAX,
	S_NOP,		/* accepted, nothing to do (foud's tunnels are independent) */
	S_IGNORE,	/* networkd's, not foud's: said, and ignored */
	S_REFUSE,	/* a wire format foud does not speak: the file is refused if yes */
};

struct nd_val {
	unsigned long line;		/* 0: unset, or reset by an empty value */
	unsigned long num;		/* numbers, booleans, an address's family */
	char text[ND_VAL_MAX];		/* addresses and names as given */
};

/* One Key=Value line, kept until the kind is known. */
struct nd_asg {
	unsigned long line;
	char *sect, *key, *val;		/* in buf */
	char buf[];
};

struct nd_kind;

struct nd_ctx {
	const char *path;
	FILE *err;
	struct netdev_file *nf;
	const struct nd_kind *kind;
	struct nd_asg **asg;
	size_t nasg;
	bool bad;			/* a value was refused: the file is */
	bool full;			/* the command did not fit */
	size_t len;			/* of nf->cmd */
	struct nd_val v[S__MAX];
};

#define ND_FOU	0x1	/* FooOverUDP= applies (networkd: ipip, sit, gre, gretap) */
#define ND_GRE	0x2	/* keys and sequence numbers apply */
#define ND_MODE	0x4	/* ip6tnl: Mode= is required */

struct nd_kind {
	const char *kind;		/* Kind= */
	const char *type;		/* fouctl's type word */
	enum nd_sect sect;
	int family;
	unsigned int flags;
	int (*emit)(struct nd_ctx *c);
};

/* "PATH:LINE: message", or "PATH: message" for line 0, on c->err. */
void nd_say(struct nd_ctx *c, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "[Section] Key= is missing (why), file not applied"; returns -EINVAL. */
int nd_missing(struct nd_ctx *c, enum nd_sect s, const char *key, const char *why);
extern const char *const nd_sect_names[SEC__MAX];	/* netdev_say.c */
/* The kind of Kind=, or NULL. */
const struct nd_kind *nd_kind_find(const char *kind);
/* The Kind= values foud takes, for the message that refuses another. */
extern const char nd_kinds_list[];

static inline bool nd_set(const struct nd_ctx *c, enum nd_slot s)
{
	return c->v[s].line != 0;
}

#endif /* CMD_NETDEV_INT_H */
