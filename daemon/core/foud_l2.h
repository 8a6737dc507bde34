/* SPDX-License-Identifier: MIT */
/*
 * The state of an L2 device (kinds/l2dev.c), read by its classes (overlay.c,
 * stt.c through accessors) and by the BPF loader (bpf_l2.c), which stands
 * below the kinds: so the type is core's.
 */
#ifndef FOUD_L2DEV_H
#define FOUD_L2DEV_H

#include "foud.h"

/* A 1000-node fleet's VXLAN device floods to, and takes packets from, all of them. */
#define L2_FLOOD_MAX	1024		/* flood destinations per device */
#define L2_PEERS_MAX	(L2_FLOOD_MAX + 1024)

struct l2_kind;

/* The L2 half of a device; the fields from port to ip_id are the overlays' (overlay.c). */
struct foud_l2 {
	struct cmd_l2_cfg cfg;
	const struct l2_kind *k;
	const struct fk_kind *fk;	/* name, id word (common/kinds.c) */
	struct foud_l2port *port;	/* UDP kinds */
	int port_fd;			/* its socket, while port is set (bpf_l2.c) */
	int port_vfd;			/* its verified socket there; -1: none */
	int bpf_encap;			/* FOUD_BPF_L2_* header of the BPF path; -1: none */
	bool raw;			/* holds the raw GRE receive socket */
	bool udp;			/* a UDP header goes out: VXLAN, Geneve, GRE-TAP over FOU/GUE */
	bool csum;			/* with a UDP checksum */
	uint16_t dport;			/* its destination port */
	bool df;			/* DF on the outer header: GRE kinds' pmtudisc */
	uint32_t overhead;		/* outer bytes in front of the Ethernet frame */
	struct fou_l2_hop hop;		/* outer TOS and TTL */
	struct fou_fdb fdb;
	/*
	 * Both on the heap, sized by what is configured (a device with one
	 * remote holds one of each, not L2_FLOOD_MAX and L2_PEERS_MAX): the
	 * flood list grows by doubling on `fdb append`, the peers are rebuilt.
	 */
	struct fou_addr *flood;
	/* Who may send to us: remote, flood destinations, static entries. */
	struct fou_addr *peers;
	size_t npeers;
	uint8_t mac[FOU_ETH_ALEN];	/* the TAP's own address */
	int group_ifindex;
	uint8_t group_smac[FOU_ETH_ALEN];	/* group_ifindex's MAC: the BPF path floods from it */
	int mc_fd;			/* GRE kinds: holds the group's membership, or -1 */
	uint16_t sport_min, sport_max;
	uint16_t ip_id;
	bool gre;			/* a GRE kind: its group is a multicast remote */
	const void *rx_ns;		/* its receive key (l2_hash.c) */
	uint32_t rx_id;
};

/* l2dev.c: the MAC address of the device called name. */
int foud_l2_hwaddr(const char *name, uint8_t mac[FOU_ETH_ALEN]);

/* l2_hash.c: the L2 devices by receive key (port and VNI, GRE kind and key, STT context) */
int foud_l2_key_index(struct foud *d, struct foud_tunnel *t, const void *ns, uint32_t id);
int foud_l2_id_index(struct foud *d, struct foud_tunnel *t);
void foud_l2_id_unindex(struct foud *d, struct foud_tunnel *t);
struct foud_tunnel *foud_l2_key_next(struct foud *d, const void *ns, uint32_t id,
				     const struct foud_tunnel *prev);
struct foud_tunnel *foud_l2_id_find(struct foud *d, const struct foud_l2port *p, uint32_t vni);
/* ... and the GRE kinds by remote */
int foud_l2_remote_index(struct foud *d, struct foud_tunnel *t);
void foud_l2_remote_unindex(struct foud *d, struct foud_tunnel *t);
struct foud_tunnel *foud_l2_remote_next(struct foud *d, const struct fou_addr *a,
					const struct foud_tunnel *prev);

#endif /* FOUD_L2DEV_H */
