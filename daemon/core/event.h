/* SPDX-License-Identifier: MIT */
/*
 * Events for `fouctl monitor` (event.c): what changed, told as it happens to
 * the control clients that asked, one line each (text as `ip monitor` and
 * `bridge monitor fdb` print it, or one JSON object with -j).
 */
#ifndef FOUD_EVENT_H
#define FOUD_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "foud.h"

/* What a monitor asks for: `monitor link|fdb|tou`, or all of them. */
#define FOUD_EVG_LINK	0x1
#define FOUD_EVG_FDB	0x2
#define FOUD_EVG_TOU	0x4
#define FOUD_EVG_ALL	(FOUD_EVG_LINK | FOUD_EVG_FDB | FOUD_EVG_TOU)

enum foud_event_type {
	FOUD_EVT_LINK_NEW,	/* added, or its state (up/down) changed */
	FOUD_EVT_LINK_DEL,
	FOUD_EVT_DATAPATH,	/* bpf <-> userspace */
	FOUD_EVT_ROUTE,		/* the route to remote moved: underlay, path MTU */
	FOUD_EVT_FDB_NEW,	/* learned, moved (new dst) or added */
	FOUD_EVT_FDB_DEL,	/* aged or deleted */
	FOUD_EVT_TOU_REBIND,	/* a TOU peer's port changed (a NAT's rebinding) */
	FOUD_EVT_TOU_MOVE,	/* a TOU session's peer moved (address or port) */
};

struct foud_event {
	enum foud_event_type type;
	const struct foud_tunnel *t;	/* LINK_*, DATAPATH, ROUTE, FDB_* */
	const char *kind;		/* LINK_*: its kind as `type` names it (foud_dev_kind_name) */
	const char *why;		/* DATAPATH: why userspace (foud_tunnel_why); NULL: bpf */
	const uint8_t *mac;		/* FDB_* */
	const struct fou_addr *dst;	/* FDB_*: the remote behind mac */
	bool permanent;			/* FDB_*: a static entry */
	const struct foud_tou_peer *peer;	/* TOU_REBIND, TOU_MOVE */
	uint64_t sid;			/* TOU_MOVE: the session's id (ours) */
	const struct fou_addr *at;	/* TOU_MOVE: where the peer is now */
	uint16_t at_port;
	uint64_t moves;
};

/* The one hook the kinds call: tells e to each monitor that wants it. Never blocks. */
void foud_event(struct foud *d, const struct foud_event *e);
/* Whether some monitor wants events of group (so that finding one is worth its cost). */
bool foud_event_wanted(const struct foud *d, unsigned int group);
/*
 * Makes the control connection fd (its request read, out of the loop) a
 * monitor of groups, JSON if flags say so, and sends it the reply that
 * says yes. 0: fd is event.c's now; -EBUSY (too many monitors, err says
 * so) or -ENOMEM: fd stays the caller's.
 */
int foud_event_subscribe(struct foud *d, int fd, unsigned int groups, uint32_t flags, pid_t pid,
			 char *err, size_t errlen);
void foud_event_fini(struct foud *d);

#endif /* FOUD_EVENT_H */
