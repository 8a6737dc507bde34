/* SPDX-License-Identifier: MIT */
/* What fleet.c (etcd, membership) and fleet_node.c (nodes, forwarding entries) share. */
#ifndef FOUD_FLEET_H
#define FOUD_FLEET_H

#include <jansson.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "cmd.h"
#include "etcd.h"
#include "fleet_value.h"

/* After foud.h. */

#define FLEET_TICK_MS		100
#define FLEET_BACKOFF_MIN	200
#define FLEET_BACKOFF_MAX	1000	/* etcd back: found within a second */
#define FLEET_PUBLISH_MS	1000	/* how often our own devices are looked at again */

struct fleet_node {
	TAILQ_ENTRY(fleet_node) entry;
	char name[CMD_FLEET_NAME_MAX];
	struct fleet_value v;		/* as last published (ndevs 0 while refused) */
	char why[160];			/* "": valid; else why it was refused */
	bool seen;			/* in the full read being applied */
	uint64_t updated_ms;
	char l3why[160];		/* "": its prefixes are routed; else why one is not */
};

/* A route the fleet put on an L3 fleet device (fleet_l3.c). */
struct fleet_route {
	int ifindex;
	struct fou_addr pfx;
	uint8_t plen;
	struct fou_addr nh;
};

/* A forwarding entry the fleet put on a device. */
struct fleet_fdb {
	char dev[IFNAMSIZ];
	int ifindex;
	uint8_t mac[6];			/* zero: a flood entry */
	struct fou_addr dst;
	bool keep;
	bool refused;			/* the device said no (table full): not in it */
};

enum fleet_state { FL_OFF, FL_WAIT, FL_AUTH, FL_GRANT, FL_PUT, FL_RANGE, FL_LIVE };

TAILQ_HEAD(fleet_nodes, fleet_node);

struct foud_fleet {
	struct foud *d;
	struct cmd_fleet_cfg cfg;	/* etcd's words and node's, merged */
	bool have_etcd, have_node;
	struct foud_etcd *e;
	struct foud_ev timer;
	enum fleet_state st;
	struct foud_etcd_req *req, *watch, *ka, *pub;
	long long lease, ttl, revision;
	uint64_t retry_ms, ka_ms, publish_ms, backoff_ms;
	uint64_t resyncs, failures;
	long long term;			/* etcd's raft term, as last seen */
	uint64_t leader_changes;	/* seen since foud started */
	bool connected, dirty;
	bool retry;			/* entries went: refused ones are tried again */
	bool reclaim;			/* our key was deleted or overwritten: put it again */
	unsigned int nrefused;		/* by the devices, in this sync */
	char refused_why[160];		/* the first of them */
	char why[256];			/* the last failure */
	char *published;		/* our value as last put (or being put) */
	struct fleet_nodes nodes;
	struct fleet_fdb *fdb;
	size_t nfdb, capfdb;
	struct fleet_route *routes;	/* sorted by device, prefix */
	size_t nroutes;
	int *l3up;			/* the L3 fleet devices up at the last sync, by ifindex */
	size_t nl3up;
};

/* fleet_node.c */
/* A node's key and value from a full read or a watch's PUT; returns whether it changed. */
bool fleet_node_put(struct foud_fleet *f, const char *name, const char *val, size_t len);
void fleet_node_del(struct foud_fleet *f, const char *name);
/* Before a full read: every node unseen; after it: the unseen ones go. */
void fleet_nodes_unsee(struct foud_fleet *f);
void fleet_nodes_sweep(struct foud_fleet *f);
void fleet_nodes_free(struct foud_fleet *f);
/* Makes the devices' fleet entries what the nodes say (when dirty, or devices changed). */
void fleet_fdb_sync(struct foud_fleet *f);
void fleet_fdb_free(struct foud_fleet *f);
/* fleet_l3.c */
/* Whether t is an L3 fleet device (fleet prefix): the one place that asks (fleet_dev.c). */
bool fleet_l3_dev(const struct foud_tunnel *t);
/* What t publishes: {"name","kind","encap","port","prefix"}. */
json_t *fleet_l3_publish(const struct foud_tunnel *t);
/* Each L3 fleet device's prefix table, routes and BPF maps, as the nodes say. */
void fleet_l3_sync(struct foud_fleet *f);
/* An L3 fleet device has no table yet (new, or made again): a sync is due. */
bool fleet_l3_stale(const struct foud_fleet *f);
/* After a full read: our routes (FOUD_RTPROT) on its devices that no node wants go. */
void fleet_l3_sweep(struct foud_fleet *f);
void fleet_l3_free(struct foud_fleet *f);
void fleet_l3_show_dev(const struct fleet_dev *v, struct foud_pr *p);
/* fleet_dev.c: a device's fleet L2 words (NULL: not a fleet's L2 device), its segment id */
const struct cmd_l2_cfg *fleet_dev_cfg(const struct foud_tunnel *t);
uint32_t fleet_dev_id(const struct foud_tunnel *t);

#endif /* FOUD_FLEET_H */
