/* SPDX-License-Identifier: MIT */
/*
 * L2 devices (VXLAN, Geneve, GRE-TAP, NVGRE) on the kernel data path (bpf/foud_l2.bpf.h): their entries
 * in the programs' maps. bpf.c attaches the programs and keeps foud_tnl,
 * foud_stats and the link state as for an L3 tunnel; this file adds the
 * receive key (port and VNI, or GRE key or VSID; local address), the peers, and the forwarding
 * table.
 *
 * The table stays foud's (lib/fdb.c): learning, maxaddress, static entries,
 * moves and their counters are decided in one place, on the first frame of
 * a source, which the receive program passes up because its MAC is not yet
 * in foud_fdb behind that sender. Every change to the table is mirrored
 * here (foud_bpf_fdb_set, foud_bpf_fdb_seen, foud_bpf_l2_peers, called by l2dev.c), so the programs
 * carry the following frames. They write when they last received from a
 * learned entry (seen_ns); foud reads it for entries about to age out
 * (which leave the map with the table) and for `fdb show`.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <bpf/bpf.h>

#include "foud.h"
#include "foud_l2.h"
#include "../bpf/foud_bpf.h"

/*
 * Why a GRE-TAP or NVGRE device needs the userspace path, or NULL. Its GRE
 * tunnel's options (checksum, sequence, GUE's, encap-csum) bpf.c judges as
 * for an L3 tunnel.
 */
static const char *gre_inexpressible(const struct foud_tunnel *t)
{
	if (t->l2->cfg.group.family)
		return "a multicast remote: every frame is flooded, by the userspace path";
	return NULL;
}

/* Why a device needs the userspace path, or NULL when BPF can carry it. */
const char *foud_bpf_l2_inexpressible(const struct foud_tunnel *t)
{
	const struct foud_l2 *l = t->l2;
	const char *no = NULL;

	if (l->bpf_encap < 0)
		no = "this L2 kind has no BPF path";
	else if (l->bpf_encap & (FOUD_BPF_L2_GRETAP | FOUD_BPF_L2_NVGRE))
		no = gre_inexpressible(t);
	if (no)
		return no;
	if (l->cfg.geneve_opts_len)
		return "geneve_opts: the BPF path sends none";
	if (!foud_bpf_l2_oif(t))
		return "no device holds the local address";
	return NULL;
}

/*
 * Why `datapath auto` keeps a device that BPF can carry on the userspace
 * path, or NULL. udpcsum: the program sums single frames (lco_csum's way),
 * but the kernel marks a BPF-made GSO frame SKB_GSO_UDP_TUNNEL, never
 * _CSUM, so segmentation would copy one sum into every segment; super-frames
 * go to foud, and a TCP flow split between the two paths is reordered
 * (measured at 0.56 of the userspace path's throughput).
 */
const char *foud_bpf_l2_slower(const struct foud_tunnel *t)
{
	if (!t->l2->csum || t->l2->gre)
		return NULL;
	return "udpcsum: BPF cannot sum the outer UDP of GSO frames; sent apart, "
	       "TCP would reorder (noudpcsum or datapath bpf: BPF)";
}

/*
 * The underlay: the device holding the local address. Frames arrive there,
 * and transmit hands each to it (bpf_redirect_neigh routes to the next hop
 * through it). 0 when no device holds it.
 */
int foud_bpf_l2_oif(const struct foud_tunnel *t)
{
	return foud_rtnl_addr_dev(&t->l2->cfg.local);
}

/* GRE-TAP's key and DF, NVGRE's VSID and FlowID. */
static void gre_cfg(const struct foud_tunnel *t, struct foud_bpf_tnl *c)
{
	const struct cmd_l2_cfg *cf = &t->l2->cfg;

	c->flags |= t->tnl.pmtudisc ? FOUD_BPF_F_PMTUDISC : 0;
	if (t->l2->bpf_encap == FOUD_BPF_L2_NVGRE) {
		c->okey = cf->vni << 8;
		c->l2flags = cf->noflowid ? 0 : FOUD_BPF_L2_TX_FLOWID;
		return;
	}
	c->okey = t->tnl.okey;
	c->l2flags = t->tnl.gre_oflags & FOU_GRE_KEY ? FOUD_BPF_L2_TX_KEY : 0;
	/* Over FOU or GUE (variant 0, no flags): UDP without checksum (bpf.c refuses encap-csum). */
	if (t->tnl.encap == FOU_ENCAP_FOU)
		c->l2flags |= FOUD_BPF_L2_TX_FOU;
	else if (t->tnl.encap == FOU_ENCAP_GUE)
		c->l2flags |= FOUD_BPF_L2_TX_GUE;
}

/* What transmit needs: foud_tnl's entry for the TAP. */
void foud_bpf_l2_cfg(const struct foud_tunnel *t, struct foud_bpf_tnl *c)
{
	const struct foud_l2 *l = t->l2;
	const struct cmd_l2_cfg *cf = &l->cfg;
	uint32_t over = l->overhead + FOU_ETH_HLEN;

	c->flags |= FOUD_BPF_F_L2 | (cf->local.family == AF_INET6 ? FOUD_BPF_F_V6 : 0) |
		    (l->hop.tos_inherit ? FOUD_BPF_F_TOS_INHERIT : 0) |
		    (l->hop.ttl_inherit ? FOUD_BPF_F_TTL_INHERIT : 0);
	c->tos = l->hop.tos;
	/* Unicast; a group's TTL (1 unless set) is in its flood entry (flood_group). */
	c->ttl = l->hop.ttl_inherit ? 0 : l->hop.ttl ? l->hop.ttl : l->hop.ttl_default;
	c->okey = cf->vni;
	c->encap = (uint8_t)l->bpf_encap;
	/* GSO super-frames of a udpcsum device go to foud (foud_l2.bpf.h, l2_egress). */
	c->l2flags = l->csum ? FOUD_BPF_L2_TX_CSUM : 0;
	if (l->gre)
		gre_cfg(t, c);
	c->dport = l->dport;
	c->sport = l->sport_min == l->sport_max ? l->sport_min : 0;
	c->port_min = l->sport_min;
	c->port_max = l->sport_max;
	c->mtu_limit = t->path_mtu > over ? t->path_mtu - over : 0;
	memset(c->local, 0, sizeof(c->local));
	memcpy(c->local, cf->local.a, cf->local.family == AF_INET6 ? 16 : 4);
}

static void addr16(uint8_t out[16], const struct fou_addr *a)
{
	memset(out, 0, 16);
	memcpy(out, a->a, a->family == AF_INET6 ? 16 : 4);
}

/* The receive key: port and VNI; GRE-TAP's key (or none), NVGRE's VSID. */
static void rx_key(const struct foud_tunnel *t, struct foud_bpf_l2rxkey *k)
{
	const struct cmd_l2_cfg *c = &t->l2->cfg;

	memset(k, 0, sizeof(*k));
	k->v6 = c->local.family == AF_INET6;
	addr16(k->local, &c->local);
	if (t->l2->bpf_encap == FOUD_BPF_L2_NVGRE) {
		k->gre = FOUD_BPF_L2RX_NVGRE;
		k->vni = c->vni;
	} else if (t->l2->bpf_encap == FOUD_BPF_L2_GRETAP) {
		k->gre = t->tnl.gre_iflags & FOU_GRE_KEY ? FOUD_BPF_L2RX_GRE_KEY : FOUD_BPF_L2RX_GRE;
		k->vni = k->gre == FOUD_BPF_L2RX_GRE_KEY ? t->tnl.ikey : 0;
		/* Over FOU or GUE: through a `fou add port`, never raw (nor the other way round). */
		if (t->tnl.encap != FOU_ENCAP_NONE)
			k->gre |= FOUD_BPF_L2RX_UDP;
	} else {
		k->port = t->l2->dport;
		k->vni = c->vni;
	}
}

static bool on_bpf(const struct foud *d, const struct foud_tunnel *t)
{
	return (t->ops->flags & FOUD_DEV_F_L2BPF) && t->bpf_egress && d->bpf;
}

/* The receive socket of an overlay's shared UDP port, or -1. */
static int l2_port_fd(const struct foud_tunnel *t)
{
	return (t->ops->flags & FOUD_DEV_F_L2BPF) && t->l2 && t->l2->port ? t->l2->port_fd : -1;
}

/* ---- forwarding table --------------------------------------------------- */

static void fdb_key(const struct foud_tunnel *t, const uint8_t *mac, struct foud_bpf_fdbkey *k)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = (uint32_t)t->ifindex;
	memcpy(k->mac, mac, FOU_ETH_ALEN);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void fdb_put(int fd, const struct foud_tunnel *t, const uint8_t *mac)
{
	const struct fou_fdb_entry *e = fou_fdb_lookup(&t->l2->fdb, mac);
	struct foud_bpf_fdbkey k;
	struct foud_bpf_fdb v = { 0 };

	fdb_key(t, mac, &k);
	if (!e) {
		bpf_map_delete_elem(fd, &k);
		return;
	}
	addr16(v.remote, &e->remote);
	v.flags = e->flags & FOU_FDB_F_STATIC ? FOUD_BPF_FDB_STATIC : 0;
	v.seen_ns = mono_ns();
	/* Full: the programs pass this MAC's frames to foud, which carries them. */
	bpf_map_update_elem(fd, &k, &v, BPF_ANY);
}

/* mac's entry as foud's table has it now (or gone). */
void foud_bpf_fdb_set(struct foud *d, const struct foud_tunnel *t, const uint8_t *mac)
{
	if (on_bpf(d, t))
		fdb_put(foud_bpf_map_fd(d->bpf, "foud_fdb"), t, mac);
}

/* A learned entry's last receive in the programs, in foud's milliseconds; 0: none later. */
static uint64_t fdb_map_seen(int fd, const struct foud_tunnel *t, const struct fou_fdb_entry *e,
			     uint64_t now_ms, uint64_t now_ns)
{
	struct foud_bpf_fdbkey k;
	struct foud_bpf_fdb v;
	uint64_t seen;

	fdb_key(t, e->mac, &k);
	if (bpf_map_lookup_elem(fd, &k, &v))
		return 0;
	seen = now_ms - (now_ns > v.seen_ns ? (now_ns - v.seen_ns) / 1000000 : 0);
	return seen > e->updated ? seen : 0;
}

/*
 * Brings the programs' receive times into foud's table: for every learned
 * entry (`fdb show`), or with due only for those that would expire now,
 * which also leave the map when the programs did not refresh them either
 * (fou_fdb_age then drops them from the table). One lookup per entry
 * looked at: ageing costs nothing for entries far from their time.
 */
void foud_bpf_fdb_seen(struct foud *d, struct foud_tunnel *t, bool due)
{
	struct fou_fdb *f = &t->l2->fdb;
	const struct fou_fdb_entry *e;
	struct foud_bpf_fdbkey k;
	uint64_t now_ns = mono_ns(), now_ms, seen;
	struct timespec ts;
	size_t pos = 0;
	int fd;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (!on_bpf(d, t) || (due && (!f->ageing_ms || f->oldest == UINT64_MAX ||
				      f->oldest + f->ageing_ms > now_ms)))
		return;
	fd = foud_bpf_map_fd(d->bpf, "foud_fdb");
	while ((e = fou_fdb_next(f, &pos))) {
		if (!(e->flags & FOU_FDB_F_LEARNED) || (due && e->updated + f->ageing_ms > now_ms))
			continue;
		seen = fdb_map_seen(fd, t, e, now_ms, now_ns);
		if (seen)
			fou_fdb_learn(f, e->mac, &e->remote, seen);
		if (due && e->updated + f->ageing_ms <= now_ms) {
			fdb_key(t, e->mac, &k);
			bpf_map_delete_elem(fd, &k);
		}
	}
}

static void fdb_load(int fd, const struct foud_tunnel *t)
{
	const struct fou_fdb_entry *e;
	size_t pos = 0;

	while ((e = fou_fdb_next(&t->l2->fdb, &pos)))
		fdb_put(fd, t, e->mac);
}

/* ---- peers -------------------------------------------------------------- */

/* A map key's address among l's peers (sorted by fou_addr_cmp: a binary search). */
static bool l2_peer_listed(const struct foud_l2 *l, const uint8_t addr[16])
{
	static const uint8_t zero[12];
	struct fou_addr a = { .family = AF_INET6 };

	memcpy(a.a, addr, 16);
	if (bsearch(&a, l->peers, l->npeers, sizeof(a), fou_addr_cmp))
		return true;
	a.family = AF_INET;
	return !memcmp(addr + 4, zero, 12) &&
	       bsearch(&a, l->peers, l->npeers, sizeof(a), fou_addr_cmp);
}

static void peers_put(int fd, const struct foud_tunnel *t)
{
	struct foud_bpf_l2peer k, next;
	uint8_t one = 1;
	size_t i;
	int more;

	for (i = 0; i < t->l2->npeers; i++) {
		k = (struct foud_bpf_l2peer){ .ifindex = (uint32_t)t->ifindex };
		addr16(k.addr, &t->l2->peers[i]);
		bpf_map_update_elem(fd, &k, &one, BPF_ANY);
	}
	for (more = !bpf_map_get_next_key(fd, NULL, &k); more; k = next) {
		more = !bpf_map_get_next_key(fd, &k, &next);
		if (k.ifindex == (uint32_t)t->ifindex && !l2_peer_listed(t->l2, k.addr))
			bpf_map_delete_elem(fd, &k);
	}
}

static bool zero_mac(const uint8_t *m)
{
	static const uint8_t zero[FOU_ETH_ALEN];

	return !memcmp(m, zero, FOU_ETH_ALEN);
}

/*
 * A group's part of t's flood entry: the multicast frame leaves the
 * underlay from its MAC, TTL 1 unless set or inherited (as overlay.c's
 * l2_outer). False where the programs cannot send to it: the group's
 * `dev` is another than the underlay they redirect to, or has no MAC.
 */
static bool flood_group(const struct foud_tunnel *t, struct foud_bpf_flood *v)
{
	const struct foud_l2 *l = t->l2;

	if (!l->cfg.group.family)
		return true;
	if (l->group_ifindex != t->bpf_oif || zero_mac(l->group_smac))
		return false;
	memcpy(v->smac, l->group_smac, sizeof(v->smac));
	v->mttl = l->hop.ttl_inherit ? 0 : l->hop.ttl ? l->hop.ttl : 1;
	return true;
}

/*
 * Where the programs flood for t: its flood destinations (remote, group,
 * all-zero entries); none when there are more than the map holds or the
 * group is out of reach (flood_group): then foud floods.
 */
static void flood_put(int fd, const struct foud_tunnel *t)
{
	const struct fou_fdb *f = &t->l2->fdb;
	uint32_t key = (uint32_t)t->ifindex;
	struct foud_bpf_flood v = { 0 };
	size_t i;

	if (!f->nflood || f->nflood > FOUD_BPF_FLOOD_MAX || !flood_group(t, &v)) {
		bpf_map_delete_elem(fd, &key);
		return;
	}
	for (i = 0; i < f->nflood; i++)
		addr16(v.remote[i], &f->flood[i]);
	v.n = (uint8_t)f->nflood;
	bpf_map_update_elem(fd, &key, &v, BPF_ANY);
}

/* The map's peers and flood destinations of t: its lists now (l2dev.c rebuilds them on every change). */
void foud_bpf_l2_peers(struct foud *d, const struct foud_tunnel *t)
{
	if (!on_bpf(d, t))
		return;
	peers_put(foud_bpf_map_fd(d->bpf, "foud_l2peer"), t);
	flood_put(foud_bpf_map_fd(d->bpf, "foud_flood"), t);
}

/* ---- what foud still carries for a BPF-path device ---------------------- */

#define STR_(x)		#x
#define STR(x)		STR_(x)

static bool is_group(const struct fou_addr *a)
{
	return a->family == AF_INET6 ? a->a[0] == 0xff : (a->a[0] & 0xf0) == 0xe0;
}

/* The programs' FIB lookup, which finds a unicast flood destination's next hop, answers only where the underlay forwards. */
static bool oif_forwards(const struct foud_tunnel *t)
{
	const struct foud_l2 *l = t->l2;
	char name[IF_NAMESIZE], path[96];
	int c = EOF;
	FILE *f;

	if (!t->bpf_oif || !if_indextoname((unsigned int)t->bpf_oif, name))
		return true;	/* nothing leaves without an underlay */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv%c/conf/%s/forwarding",
		 l->cfg.local.family == AF_INET6 ? '6' : '4', name);
	f = fopen(path, "re");
	if (f) {
		c = fgetc(f);
		fclose(f);
	}
	return c == '1';
}

static bool flood_unicast(const struct foud_l2 *l)
{
	size_t i;

	for (i = 0; i < l->fdb.nflood; i++)
		if (!is_group(&l->fdb.flood[i]))
			return true;
	return false;
}

/* Why foud floods for t, or NULL: flood_put() left it no list, or the programs find no next hop. */
static const char *flood_punt(const struct foud_tunnel *t)
{
	const struct foud_l2 *l = t->l2;

	if (l->fdb.nflood > FOUD_BPF_FLOOD_MAX)
		return "flooding: more than " STR(FOUD_BPF_FLOOD_MAX) " flood destinations";
	if (l->cfg.group.family && l->group_ifindex != t->bpf_oif)
		return "flooding: the group's dev is not the device holding local";
	if (l->cfg.group.family && zero_mac(l->group_smac))
		return "flooding: the group's dev has no MAC address";
	if (flood_unicast(l) && !oif_forwards(t))
		return "flooding: the underlay does not forward, so the program's FIB lookup "
		       "finds no next hop";
	return NULL;
}

/*
 * -d on a BPF-path device: what of its traffic foud carries beyond what it
 * carries for every device (ARP, first frames of a source, flooded
 * super-frames, frames too big for the path: man fouctl), and why.
 */
void foud_bpf_l2_show_punts(const struct foud_tunnel *t, struct foud_pr *p)
{
	const char *v[2];
	size_t i, n = 0;

	if ((v[n] = flood_punt(t)))
		n++;
	if (foud_bpf_l2_slower(t))
		v[n++] = "udpcsum: GSO frames, whose outer UDP BPF cannot sum";
	foud_pr_open_array(p, "bpf_to_foud");
	for (i = 0; i < n; i++)
		foud_pr_str(p, NULL, i ? "; %s" : "    bpf leaves to foud: %s", v[i]);
	foud_pr_close_array(p);
	if (n)
		foud_pr_text(p, "\n");
}

/* ---- a device ----------------------------------------------------------- */

#ifndef UDP_GRO
#define UDP_GRO		104
#endif

/*
 * As bpf.c's ports_gro() for L3: UDP GRO on a port makes a NIC's GRO merge
 * its datagrams before TC sees them, and the receive program takes no
 * merged skb. The port of t, after t joined or left the BPF path, receives
 * datagram by datagram while a BPF-path device uses it.
 */
void foud_bpf_l2_port_gro(struct foud *d, const struct foud_tunnel *t)
{
	const struct foud_tunnel *u;
	int fd = l2_port_fd(t), v = d->offload && !t->bpf_egress;	/* t: not listed yet when added */

	if (fd < 0)
		return;
	FOUD_DEV_FOREACH(u, d)
		if (u->bpf_egress && l2_port_fd(u) == fd)
			v = 0;
	setsockopt(fd, IPPROTO_UDP, UDP_GRO, &v, sizeof(v));
	/* GRO looks the port up as delivery does: checksummed datagrams meet the verified socket. */
	if (t->l2->port_vfd >= 0)
		setsockopt(t->l2->port_vfd, IPPROTO_UDP, UDP_GRO, &v, sizeof(v));
}

/* Whether a BPF-path device of this foud holds the receive key k (not a stopped foud's). */
static bool rx_live(const struct foud *d, int fd, const struct foud_bpf_l2rxkey *k)
{
	const struct foud_tunnel *u;
	struct foud_bpf_l2rxval old;

	if (bpf_map_lookup_elem(fd, k, &old))
		return false;
	FOUD_DEV_FOREACH(u, d)
		if (u->bpf_egress && (uint32_t)u->ifindex == old.ifindex)
			return true;
	return false;
}

/* Pinned maps taken over: a stopped foud's entries of t's device go, foud's table refills them. */
static void fdb_forget(int fd, const struct foud_tunnel *t)
{
	struct foud_bpf_fdbkey k, next;
	int more;

	if (!foud_pin_on())
		return;
	for (more = !bpf_map_get_next_key(fd, NULL, &k); more; k = next) {
		more = !bpf_map_get_next_key(fd, &k, &next);
		if (k.ifindex == (uint32_t)t->ifindex)
			bpf_map_delete_elem(fd, &k);
	}
}

/* Its receive key, peers and table, once foud_tnl and foud_stats have its entries. */
int foud_bpf_l2_add(const struct foud *d, struct foud_bpf *b, const struct foud_tunnel *t,
		    uint32_t rxflags)
{
	const struct foud_l2 *l = t->l2;
	struct foud_bpf_l2rxkey k;
	int fd, ret;
	struct foud_bpf_l2rxval v = {
		.ifindex = (uint32_t)t->ifindex,
		.flags = rxflags | (l->cfg.learning ? FOUD_BPF_L2_LEARNING : 0) |
			 (l->cfg.udp6zerocsumrx ? FOUD_BPF_L2_ZCSUM6RX : 0) |
			 (uint32_t)l->bpf_encap |
			 (l->cfg.group.family ? FOUD_BPF_L2_ANYPEER : 0),
	};

	memcpy(v.mac, l->mac, sizeof(v.mac));
	rx_key(t, &k);
	/* BPF_NOEXIST: a second device with the same match stays foud's, as the first wins. */
	fd = foud_bpf_map_fd(b, "foud_l2rx");
	ret = bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST);
	if (ret == -EEXIST && !rx_live(d, fd, &k))
		ret = bpf_map_update_elem(fd, &k, &v, BPF_EXIST);
	if (ret)
		return ret;
	peers_put(foud_bpf_map_fd(b, "foud_l2peer"), t);
	flood_put(foud_bpf_map_fd(b, "foud_flood"), t);
	fd = foud_bpf_map_fd(b, "foud_fdb");
	fdb_forget(fd, t);
	fdb_load(fd, t);
	return 0;
}

void foud_bpf_l2_del(struct foud_bpf *b, const struct foud_tunnel *t)
{
	struct foud_bpf_l2rxkey k;
	struct foud_bpf_l2rxval v;
	struct foud_bpf_l2peer pk, pnext;
	const struct fou_fdb_entry *e;
	struct foud_bpf_fdbkey fk;
	uint32_t ifindex;
	size_t pos = 0;
	int fd, more;

	rx_key(t, &k);
	fd = foud_bpf_map_fd(b, "foud_l2rx");
	if (!bpf_map_lookup_elem(fd, &k, &v) && v.ifindex == (uint32_t)t->ifindex)
		bpf_map_delete_elem(fd, &k);
	ifindex = (uint32_t)t->ifindex;
	bpf_map_delete_elem(foud_bpf_map_fd(b, "foud_flood"), &ifindex);
	fd = foud_bpf_map_fd(b, "foud_l2peer");
	for (more = !bpf_map_get_next_key(fd, NULL, &pk); more; pk = pnext) {
		more = !bpf_map_get_next_key(fd, &pk, &pnext);
		if (pk.ifindex == (uint32_t)t->ifindex)
			bpf_map_delete_elem(fd, &pk);
	}
	/* What the map holds of t is what its table holds (foud_bpf_fdb_set). */
	fd = foud_bpf_map_fd(b, "foud_fdb");
	while ((e = fou_fdb_next(&t->l2->fdb, &pos))) {
		fdb_key(t, e->mac, &fk);
		bpf_map_delete_elem(fd, &fk);
	}
}

/* The TAP went up or down: the receive program drops (link_down) while it is down. */
void foud_bpf_l2_link(struct foud_bpf *b, const struct foud_tunnel *t, bool up)
{
	struct foud_bpf_l2rxkey k;
	struct foud_bpf_l2rxval v;
	int fd = foud_bpf_map_fd(b, "foud_l2rx");

	rx_key(t, &k);
	if (bpf_map_lookup_elem(fd, &k, &v) || v.ifindex != (uint32_t)t->ifindex)
		return;
	if (!!(v.flags & FOUD_BPF_RX_DOWN) == !up)
		return;
	v.flags = up ? v.flags & ~FOUD_BPF_RX_DOWN : v.flags | FOUD_BPF_RX_DOWN;
	bpf_map_update_elem(fd, &k, &v, BPF_EXIST);
}
