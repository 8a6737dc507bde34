/* SPDX-License-Identifier: MIT */
/*
 * The kernel data path: foud loads bpf/foud.bpf.c (compiled in), attaches
 * foud_egress to each BPF-path tunnel's TUN device and foud_ingress to the
 * underlay devices those tunnels route through, and configures both through
 * maps. Attachments are TCX links where the kernel has them (6.6+), else
 * clsact filters. Where a bpffs allows (bpf_pin.c), maps and links are
 * pinned and stay when foud stops: the kernel keeps forwarding, and the
 * next foud takes them over. Without, TCX links go away with the last
 * descriptor (even kill -9 leaves nothing behind) and clsact filters are
 * removed on delete and on exit, and after a kill by the next start.
 *
 * Choices, and why:
 * - The programs pass what they do not fully handle with TC_ACT_UNSPEC, so
 *   other TC programs after ours still run, then the stack, then foud's
 *   userspace path, which drops, answers (ICMP) or counts it exactly as
 *   without BPF. Oversized packets go that way too.
 * - foud finds the underlay device with RTM_GETROUTE at link add, and again
 *   whenever routes or links change (follow.c): the receive program is
 *   attached there (moved with the route, reference counted per device) and
 *   the transmit program hands packets to it with bpf_redirect_neigh, which
 *   routes to the next hop and resolves its neighbour: no addresses compiled
 *   in or copied into maps. The transmit program is attached with the first
 *   route (egress_attach()); when a route goes later, it drops and counts
 *   (no_route); a route through a device that is not Ethernet leaves
 *   transmit to the userspace path while it lasts.
 * - The receive program counts link_down itself (a flag foud keeps current
 *   from RTM_NEWLINK): a redirect into a device that is down is dropped by
 *   the kernel without a trace.
 * - Receive trusts a non-zero UDP checksum only when the device verified
 *   it (CHECKSUM_UNNECESSARY); anything else is verified by foud's socket.
 * - Ports that BPF tunnels use receive without UDP GRO (see ports_gro()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if_arp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <syslog.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "foud.h"
#include "../bpf/foud_bpf.h"
#include "bpf_mp.h"

#define TCX_INGRESS	46	/* enum bpf_attach_type, newer than libbpf 1.1's headers */
#define TCX_EGRESS	47
#define TC_HANDLE	0xf0d
#define TC_PRIO		0xf0d
#define MAX_UNDERLAYS	16
#ifndef UDP_GRO
#define UDP_GRO		104
#endif

/* A refused program's verifier log is read whole: 6.1 truncates a full log's end, its reason. */
#define VLOG_SIZE	(16u << 20)

struct foud_bpf_attach {
	int ifindex;
	int link;		/* TCX link descriptor, or -1 for a clsact filter */
	bool ingress;
	int refused;		/* a tunnel's egress: the route's device BPF could not take */
};

struct underlay {
	struct foud_bpf_attach at;
	unsigned int users;
};

struct foud_bpf {
	struct bpf_object *obj;
	int eg, in;				/* program descriptors */
	int tnl, rx, port, ours, ours_proto, stats, pstats, mp;	/* map descriptors */
	int capn, capon, cap;			/* fouctl capture's (capture.c) */
	uint32_t ncap;				/* devices in capon */
	uint8_t has_proto[256];			/* FOUD_BPF_OURS_*, as foud_ours_proto holds it */
	int ncpu;
	bool pinned;				/* maps and links outlive foud (bpf_pin.c) */
	unsigned int users;			/* BPF-path tunnels */
	struct underlay ul[MAX_UNDERLAYS];
};

/* ---- attach and detach -------------------------------------------------- */

static int attach_tc(int prog, struct foud_bpf_attach *a)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
		    .attach_point = a->ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIO,
		    .prog_fd = prog, .flags = BPF_TC_F_REPLACE);
	int ret = bpf_tc_hook_create(&hook);

	if (ret && ret != -EEXIST)
		return ret;
	return bpf_tc_attach(&hook, &opts);
}

static int attach(int prog, struct foud_bpf_attach *a)
{
	/* FOUD_BPF_TC=1 forces clsact filters, to test the older kernels' way. */
	const char *tc = getenv("FOUD_BPF_TC");

	a->link = -1;
	if (tc && !strcmp(tc, "1"))
		return attach_tc(prog, a);
	/* The link a stopped foud left runs prog from now on, without a gap. */
	a->link = foud_pin_link_take(a->ifindex, a->ingress, prog);
	if (a->link >= 0)
		return 0;
	a->link = bpf_link_create(prog, a->ifindex,
				  (enum bpf_attach_type)(a->ingress ? TCX_INGRESS : TCX_EGRESS), NULL);
	if (a->link >= 0) {
		foud_pin_link(a->link, a->ifindex, a->ingress);
		return 0;
	}
	a->link = -1;
	return attach_tc(prog, a);
}

/* keep: foud stops, the pinned data path stays (closing our descriptor only). */
static void detach(struct foud_bpf_attach *a, bool keep)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
		    .attach_point = a->ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIO);

	if (a->link >= 0 && !keep)
		foud_pin_unlink(a->ifindex, a->ingress);
	if (a->link >= 0)
		close(a->link);
	else if (a->ifindex && !keep)
		bpf_tc_detach(&hook, &opts);
	a->ifindex = 0;
	a->link = -1;
}

/* ---- load --------------------------------------------------------------- */

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	return p ? bpf_program__fd(p) : -ENOENT;
}

/* The maps foud uses, by their names in foud.bpf.c. */
static int maps_fds(struct foud_bpf *b)
{
	const struct {
		const char *name;
		int *fd;
	} maps[] = {
		{ "foud_tnl", &b->tnl }, { "foud_rx", &b->rx }, { "foud_port", &b->port },
		{ "foud_ours", &b->ours }, { "foud_ours_proto", &b->ours_proto },
		{ "foud_stats", &b->stats }, { "foud_pstats", &b->pstats },
		{ "foud_capn", &b->capn }, { "foud_capon", &b->capon }, { "foud_cap", &b->cap },
		{ "foud_mp", &b->mp },
	};

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		*maps[i].fd = map_fd(b->obj, maps[i].name);
		if (*maps[i].fd < 0)
			return *maps[i].fd;
	}
	return 0;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level; (void)fmt; (void)ap;
	return 0;
}

/* The verifier's reason of the last refused load, for the tunnels' why. */
static char refused[96];

/* A refusal's reason, in one line, for the log and the tunnels' why. */
static void refused_set(const char *log)
{
	foud_bpf_obj_reason(log, refused, sizeof(refused));
	if (strlen(log) >= VLOG_SIZE - 1)
		snprintf(refused, sizeof(refused), "verifier log longer than %u MiB", VLOG_SIZE >> 20);
	if (refused[0])
		foud_log(LOG_WARNING, "the kernel's verifier refuses the BPF programs: %s", refused);
}

/* Loads the object; pinned: onto the maps a stopped foud pinned, or pins its own. */
static int obj_load(struct foud_bpf *b, bool pinned)
{
	char *log = malloc(VLOG_SIZE);
	int ret;

	refused[0] = 0;
	b->obj = foud_bpf_obj_open(log, VLOG_SIZE);
	ret = b->obj ? 0 : -errno;
	if (!ret && pinned)
		ret = foud_pin_maps(b->obj);
	if (!ret)
		ret = bpf_object__load(b->obj);
	if (ret && log)
		refused_set(log);
	if (ret && b->obj) {
		bpf_object__close(b->obj);
		b->obj = NULL;
	}
	free(log);
	foud_bpf_object = b->obj;
	return ret;
}

/*
 * Pinned maps of another layout make the load fail: then fresh ones (the old
 * programs keep theirs until their links get the new ones); where nothing
 * can be pinned, the programs go with foud.
 */
static int obj_load_pinned(struct foud_bpf *b, const char *sock)
{
	b->pinned = foud_pin_init(sock, true);
	if (!b->pinned)
		return obj_load(b, false);
	if (obj_load(b, true) == 0)
		return 0;
	foud_pin_drop_maps();
	if (obj_load(b, true) == 0)
		return 0;
	foud_log(LOG_WARNING, "cannot pin the BPF maps: the BPF data path stops with foud");
	foud_pin_off();
	b->pinned = false;
	return obj_load(b, false);
}

/* Pinned maps come with what a stopped foud left in foud_ours_proto. */
static void ours_proto_read(struct foud_bpf *b)
{
	__u32 proto;

	for (proto = 0; proto < 256; proto++)
		if (bpf_map_lookup_elem(b->ours_proto, &proto, &b->has_proto[proto]))
			b->has_proto[proto] = 0;
}

/* Pinned maps may hold the captures of a foud that was killed: none runs now. */
static void cap_reset(struct foud_bpf *b)
{
	__u32 key, next, zero = 0;

	bpf_map_update_elem(b->capn, &zero, &zero, BPF_ANY);
	while (bpf_map_get_next_key(b->capon, NULL, &next) == 0) {
		key = next;
		if (bpf_map_delete_elem(b->capon, &key))
			break;
	}
}

static int bpf_open(struct foud_bpf *b, bool verbose, const char *sock)
{
	int ret;

	/* libbpf's own messages (verifier log...) only with foud -v. */
	if (!verbose)
		libbpf_set_print(libbpf_quiet);
	ret = obj_load_pinned(b, sock);
	if (ret)
		return ret;
	b->eg = prog_fd(b->obj, "foud_egress");
	b->in = prog_fd(b->obj, "foud_ingress");
	b->ncpu = libbpf_num_possible_cpus();
	if (b->eg < 0 || b->in < 0 || b->ncpu <= 0 || maps_fds(b))
		return -ENOENT;
	if (b->pinned)
		ours_proto_read(b);
	cap_reset(b);
	return 0;
}

/* Whether a BPF-path tunnel sends to this port number (so its peer likely does too). */
static bool port_bpf_used(const struct foud *d, const struct foud_port *p)
{
	const struct foud_tunnel *t;

	FOUD_DEV_FOREACH(t, d)
		if (t->bpf_egress && t->tnl.encap != FOU_ENCAP_NONE &&
		    t->tnl.encap_dport == p->cfg.port && t->tnl.remote.family == p->cfg.family)
			return true;
	return false;
}

/*
 * UDP GRO on a port makes a NIC's GRO merge its datagrams before TC sees
 * them, and a merged skb is no packet the receive program can take: the
 * ports BPF-path tunnels use receive datagram by datagram. The others keep
 * GRO, which the userspace path needs for speed.
 */
static void ports_gro(struct foud *d)
{
	const struct foud_port *p;
	int v;

	TAILQ_FOREACH(p, &d->ports, entry) {
		v = d->offload && !(d->bpf && port_bpf_used(d, p));
		setsockopt(p->ev.fd, IPPROTO_UDP, UDP_GRO, &v, sizeof(v));
		/* GRO looks the port up as delivery does: checksummed datagrams meet the verified socket. */
		if (p->vev.fd >= 0)
			setsockopt(p->vev.fd, IPPROTO_UDP, UDP_GRO, &v, sizeof(v));
	}
}

/* Whether what is attached stays: foud stops, and it is pinned. */
static bool bpf_keep(const struct foud *d)
{
	return d->keep && d->bpf && d->bpf->pinned;
}

static void bpf_close(struct foud *d)
{
	struct foud_bpf *b = d->bpf;
	bool keep = bpf_keep(d);
	int i;

	if (!b)
		return;
	for (i = 0; i < MAX_UNDERLAYS; i++)
		if (b->ul[i].users)
			detach(&b->ul[i].at, keep);
	if (b->obj)
		bpf_object__close(b->obj);
	foud_bpf_object = NULL;
	if (b->pinned && !keep)
		foud_pin_sweep(-1, -1);
	free(b);
	d->bpf = NULL;
	foud_ours_watch(d, NULL);
	ports_gro(d);
}

static void ports_sync(struct foud *d);

/* Loads the object on the first BPF-path tunnel. */
static int bpf_get(struct foud *d)
{
	int ret;

	if (d->bpf)
		return 0;
	d->bpf = calloc(1, sizeof(*d->bpf));
	if (!d->bpf)
		return -ENOMEM;
	ret = bpf_open(d->bpf, d->verbose, d->sock_path);
	if (ret) {
		bpf_close(d);
		return ret;
	}
	foud_ours_watch(d, ports_sync);
	ports_sync(d);
	return 0;
}

/* ---- underlay ----------------------------------------------------------- */

static bool is_ether(int ifindex)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (s < 0 || !if_indextoname((unsigned int)ifindex, ifr.ifr_name)) {
		if (s >= 0)
			close(s);
		return false;
	}
	ok = ioctl(s, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER;
	close(s);
	return ok;
}

static int underlay_get(struct foud_bpf *b, int ifindex)
{
	struct underlay *free_ul = NULL;
	int i, ret;

	for (i = 0; i < MAX_UNDERLAYS; i++) {
		if (b->ul[i].users && b->ul[i].at.ifindex == ifindex) {
			b->ul[i].users++;
			return 0;
		}
		if (!b->ul[i].users && !free_ul)
			free_ul = &b->ul[i];
	}
	if (!free_ul)
		return -ENOSPC;
	free_ul->at = (struct foud_bpf_attach){ .ifindex = ifindex, .link = -1, .ingress = true };
	ret = attach(b->in, &free_ul->at);
	if (ret)
		return ret;
	free_ul->users = 1;
	return 0;
}

static void underlay_put(struct foud_bpf *b, int ifindex)
{
	int i;

	for (i = 0; i < MAX_UNDERLAYS; i++)
		if (b->ul[i].users && b->ul[i].at.ifindex == ifindex && !--b->ul[i].users)
			detach(&b->ul[i].at, false);
}

/* ---- what the programs can carry ---------------------------------------- */

/* An L2 overlay: its maps and checks are bpf_l2.c's. */
static bool dev_l2(const struct foud_tunnel *t)
{
	return t->ops->flags & FOUD_DEV_F_L2BPF;
}

/* Why `datapath auto` prefers userspace for a tunnel BPF can carry, or NULL. */
static const char *slower(const struct foud_tunnel *t)
{
	return dev_l2(t) ? foud_bpf_l2_slower(t) : NULL;
}

/*
 * What of a GRE or FOU/GUE tunnel's options the programs cannot carry (an
 * L3 tunnel's, or GRE-TAP's and NVGRE's GRE tunnel), or NULL.
 */
static const char *encap_inexpressible(const struct fou_tnl *n, bool v6)
{
	if (n->encap_flags & FOU_ENCAP_F_AUTH)
		return "encap-key: the BPF programs cannot compute or verify a GUE HMAC";
	if (n->encap == FOU_ENCAP_GUE && (n->encap_flags & FOU_ENCAP_F_REMCSUM))
		return "encap-remcsum: BPF cannot mark GSO packets for remote checksum offload";
	if ((n->gre_oflags | n->gre_iflags) & (FOU_GRE_CSUM | FOU_GRE_SEQ))
		return "GRE checksum or sequence numbers do not mix with GSO in BPF";
	if (n->encap != FOU_ENCAP_NONE && !v6 && (n->encap_flags & FOU_ENCAP_F_CSUM))
		return "encap-csum: BPF cannot checksum the outer UDP of GSO packets";
	if (n->encap != FOU_ENCAP_NONE && v6 && (n->encap_flags & FOU_ENCAP_F_CSUM6))
		return "encap-udp6-csum: BPF cannot checksum the outer UDP of GSO packets "
		       "(noencap-udp6-csum allows BPF)";
	return NULL;
}

/* Why a tunnel needs the userspace path, or NULL when BPF can carry it. */
static const char *inexpressible(const struct foud_tunnel *t)
{
	const struct fou_tnl *n = &t->tnl;
	const char *no;

	/* An overlay that is no GRE kind has a zeroed GRE tunnel: nothing to refuse here. */
	if (dev_l2(t)) {
		no = encap_inexpressible(n, n->local.family == AF_INET6);
		return no ? no : foud_bpf_l2_inexpressible(t);
	}
	if (!(t->ops->flags & FOUD_DEV_F_ROUTE))
		return "this kind has no BPF path";
	return encap_inexpressible(n, fou_kind(n->kind)->family == AF_INET6);
}

static void addr16(uint8_t out[16], const struct fou_addr *a)
{
	memset(out, 0, 16);
	memcpy(out, a->a, a->family == AF_INET6 ? 16 : 4);
}

static void tnl_cfg(const struct foud_tunnel *t, struct foud_bpf_tnl *c)
{
	const struct fou_tnl *n = &t->tnl;
	const struct fou_kind_ops *k = fou_kind(n->kind);
	size_t overhead = fou_tnl_overhead(n);

	memset(c, 0, sizeof(*c));
	if (dev_l2(t)) {
		foud_bpf_l2_cfg(t, c);
		c->oif = (uint32_t)t->bpf_oif;
		return;
	}
	c->flags = (k->family == AF_INET6 ? FOUD_BPF_F_V6 : 0) |
		   (k->gre ? FOUD_BPF_F_GRE : 0) |
		   (k->gre && (n->gre_oflags & FOU_GRE_KEY) ? FOUD_BPF_F_GRE_KEY : 0) |
		   (n->tos_inherit ? FOUD_BPF_F_TOS_INHERIT : 0) |
		   (n->pmtudisc ? FOUD_BPF_F_PMTUDISC : 0) |
		   /* A route, but through a device the programs cannot send on. */
		   (t->ul_ifindex && !t->bpf_oif ? FOUD_BPF_F_USERSPACE : 0);
	c->encap = n->encap == FOU_ENCAP_FOU ? FOUD_BPF_ENCAP_FOU :
		   n->encap == FOU_ENCAP_GUE ? FOUD_BPF_ENCAP_GUE : FOUD_BPF_ENCAP_NONE;
	c->inner = (uint8_t)k->inner;
	c->ttl = n->ttl;
	c->tos = n->tos;
	c->okey = n->okey;
	c->sport = n->encap_sport;
	c->dport = n->encap_dport;
	c->port_min = n->port_min;
	c->port_max = n->port_max;
	c->mtu_limit = t->path_mtu > overhead ? t->path_mtu - (uint32_t)overhead : 0;
	c->oif = (uint32_t)t->bpf_oif;
	c->mp = t->cfg.fleet_pfx.family != 0;
	addr16(c->local, &n->local);
	addr16(c->remote, &n->remote);
}

/* The receive keys of a tunnel: one per outer protocol it takes. */
static int rx_keys(const struct foud_tunnel *t, struct foud_bpf_rxkey keys[2])
{
	const struct fou_tnl *n = &t->tnl;
	const struct fou_kind_ops *k = fou_kind(n->kind);
	int i, cnt = 0;

	memset(keys, 0, 2 * sizeof(*keys));
	if (dev_l2(t))
		return 0;	/* foud_l2rx (bpf_l2.c) */
	if (k->gre) {
		keys[cnt++].proto = FOU_PROTO_GRE;
	} else {
		if (k->inner & FOU_INNER_V4)
			keys[cnt++].proto = FOU_PROTO_IPIP;
		if (k->inner & FOU_INNER_V6)
			keys[cnt++].proto = FOU_PROTO_IPV6;
	}
	for (i = 0; i < cnt; i++) {
		keys[i].v6 = k->family == AF_INET6;
		keys[i].udp = n->encap != FOU_ENCAP_NONE;
		keys[i].has_key = k->gre && (n->gre_iflags & FOU_GRE_KEY);
		keys[i].key = keys[i].has_key ? n->ikey : 0;
		addr16(keys[i].remote, &n->remote);
		addr16(keys[i].local, &n->local);
	}
	return cnt;
}

/* A fleet's device: what mp_sync needs to write its prefixes and nodes. */
static void mp_of(const struct foud_bpf *b, const struct foud_tunnel *t, struct foud_bpf_mp *m)
{
	memset(m, 0, sizeof(*m));
	m->mpfd = b->mp;
	m->rxfd = b->rx;
	m->ifindex = (__u32)t->ifindex;
	m->nkeys = rx_keys(t, m->keys);
	m->rv.ifindex = (__u32)t->ifindex;
	m->rv.inner = fou_kind(t->tnl.kind)->inner;
	m->oif = (__u32)t->bpf_oif;
	/* Into a device that is down the redirect would drop uncounted: the program counts it. */
	m->rv.flags = t->dev_up ? 0 : FOUD_BPF_RX_DOWN;
}

void foud_bpf_mp_sync(struct foud *d, struct foud_tunnel *t, const struct fou_pfx *old,
		      const struct fou_pfx *nw)
{
	struct foud_bpf_mp m;

	if (!t->bpf_egress || !d->bpf)
		return;
	mp_of(d->bpf, t, &m);
	foud_bpf_mp_maps(&m, old, nw);
}

unsigned int foud_bpf_mp_userspace(const struct foud *d, const struct foud_tunnel *t)
{
	struct foud_bpf_mp m;

	if (!t->bpf_egress || !d->bpf || !t->mp)
		return 0;
	mp_of(d->bpf, t, &m);
	return foud_bpf_mp_slow(&m, t->mp);
}

/* A receive key goes only if this tunnel holds it: a refused twin must not take the first's. */
static void rx_del(struct foud_bpf *b, const struct foud_tunnel *t, const struct foud_bpf_rxkey *k)
{
	struct foud_bpf_rxval rv;

	if (bpf_map_lookup_elem(b->rx, k, &rv) == 0 && rv.ifindex == (uint32_t)t->ifindex)
		bpf_map_delete_elem(b->rx, k);
}

static void maps_del(struct foud_bpf *b, const struct foud_tunnel *t)
{
	struct foud_bpf_rxkey keys[2];
	uint32_t key = (uint32_t)t->ifindex;
	int i, n = rx_keys(t, keys);
	struct foud_bpf_mp m;

	if (t->mp) {
		mp_of(b, t, &m);
		foud_bpf_mp_maps(&m, t->mp, NULL);
	}

	for (i = 0; i < n; i++)
		rx_del(b, t, &keys[i]);
	if (dev_l2(t))
		foud_bpf_l2_del(b, t);
	bpf_map_delete_elem(b->tnl, &key);
	bpf_map_delete_elem(b->stats, &key);
}

/* Whether a BPF-path tunnel of this foud has that device. */
static bool ifindex_live(const struct foud *d, uint32_t ifindex)
{
	const struct foud_tunnel *t;

	TAILQ_FOREACH(t, &d->tunnels, entry)
		if (t->bpf_egress && (uint32_t)t->ifindex == ifindex)
			return true;
	return false;
}

/*
 * A receive key already in the map: a stopped foud's (pinned maps), taken
 * over; or another tunnel's of ours, which keeps it (-EEXIST).
 */
static int rx_take(const struct foud *d, struct foud_bpf *b, const struct foud_bpf_rxkey *k,
		   const struct foud_bpf_rxval *rv)
{
	struct foud_bpf_rxval old;

	if (bpf_map_lookup_elem(b->rx, k, &old) || ifindex_live(d, old.ifindex))
		return -EEXIST;
	return bpf_map_update_elem(b->rx, k, rv, BPF_EXIST);
}

static int maps_add(const struct foud *d, struct foud_bpf *b, const struct foud_tunnel *t,
		    bool watched)
{
	struct foud_bpf_stats *zero = calloc((size_t)b->ncpu, sizeof(*zero));
	struct foud_bpf_rxkey keys[2];
	struct foud_bpf_rxval rv = { .ifindex = (uint32_t)t->ifindex };
	struct foud_bpf_tnl c;
	uint32_t key = (uint32_t)t->ifindex;
	int i, n, ret;

	if (!zero)
		return -ENOMEM;
	tnl_cfg(t, &c);
	rv.inner = c.inner;
	/*
	 * A new device is down until `ip link set up`, which follow.c hears of.
	 * Unwatched (no rtnetlink), the flag would never clear: the kernel drops.
	 */
	rv.flags = watched && foud_dev_up(t->name) != 1 ? FOUD_BPF_RX_DOWN : 0;
	ret = bpf_map_update_elem(b->stats, &key, zero, BPF_ANY);
	free(zero);
	if (!ret)
		ret = bpf_map_update_elem(b->tnl, &key, &c, BPF_ANY);
	n = rx_keys(t, keys);
	/* BPF_NOEXIST: a second tunnel with the same match stays foud's, as the first wins. */
	for (i = 0; !ret && i < n; i++) {
		ret = bpf_map_update_elem(b->rx, &keys[i], &rv, BPF_NOEXIST);
		if (ret == -EEXIST)
			ret = rx_take(d, b, &keys[i], &rv);
	}
	if (!ret && dev_l2(t))
		ret = foud_bpf_l2_add(d, b, t, rv.flags);
	if (ret)
		maps_del(b, t);
	return ret;
}

/* ---- tunnels ------------------------------------------------------------ */

/*
 * The transmit program goes on a tunnel's device with its first route, not
 * before: each TCX attach and detach waits for an RCU grace period (10-20
 * ms), which made adding 1000 route-less tunnels take 12 s. Until then the
 * userspace path sends, and without a route drops and counts (no_route).
 * Once attached it stays until delete; the program counts no_route itself.
 */
static int egress_attach(struct foud_bpf *b, struct foud_tunnel *t)
{
	int ret;

	if (t->bpf_egress->ifindex)
		return 0;
	t->bpf_egress->ifindex = t->ifindex;
	ret = attach(b->eg, t->bpf_egress);
	if (ret)
		*t->bpf_egress = (struct foud_bpf_attach){ .link = -1 };
	return ret;
}

/* Why the object did not load: the verifier's reason, when it refused it. */
static void load_why(int ret, char *why, size_t whylen)
{
	if (refused[0])
		snprintf(why, whylen, "BPF programs refused by the verifier: %.88s", refused);
	else
		snprintf(why, whylen, "cannot load the BPF programs: %s", strerror(-ret));
}

static int tunnel_bpf_try(struct foud *d, struct foud_tunnel *t, char *why, size_t whylen)
{
	const char *no = inexpressible(t);
	char ifname[IF_NAMESIZE] = "?";
	int oif, ret;

	if (no) {
		snprintf(why, whylen, "%s", no);
		return -EOPNOTSUPP;
	}
	/* No route yet is no reason for userspace: the programs drop until one appears. */
	oif = dev_l2(t) ? foud_bpf_l2_oif(t) : t->ul_ifindex;
	if (oif)
		if_indextoname((unsigned int)oif, ifname);
	if (oif && !is_ether(oif)) {
		snprintf(why, whylen, "underlay device %s is not Ethernet", ifname);
		return -EOPNOTSUPP;
	}
	ret = bpf_get(d);
	if (ret) {
		load_why(ret, why, whylen);
		return ret;
	}
	t->bpf_oif = oif;
	ret = maps_add(d, d->bpf, t, d->follow != NULL);
	if (ret) {
		snprintf(why, whylen, "cannot configure the BPF maps: %s", strerror(-ret));
		t->bpf_oif = 0;
		return ret;
	}
	ret = oif ? underlay_get(d->bpf, oif) : 0;
	if (ret) {
		snprintf(why, whylen, "cannot attach to %s: %s", ifname, strerror(-ret));
		maps_del(d->bpf, t);
		t->bpf_oif = 0;
		return ret;
	}
	t->bpf_egress = (struct foud_bpf_attach *)calloc(1, sizeof(struct foud_bpf_attach));
	if (t->bpf_egress) {
		t->bpf_egress->link = -1;
		ret = oif ? egress_attach(d->bpf, t) : 0;
	} else {
		ret = -ENOMEM;
	}
	if (ret) {
		snprintf(why, whylen, "cannot attach to %s: %s", t->name, strerror(-ret));
		free(t->bpf_egress);
		t->bpf_egress = NULL;
		if (oif)
			underlay_put(d->bpf, oif);
		maps_del(d->bpf, t);
		t->bpf_oif = 0;
		return ret;
	}
	d->bpf->users++;
	return 0;
}

int foud_bpf_tunnel_add(struct foud *d, struct foud_tunnel *t, enum cmd_datapath dp,
			char *err, size_t errlen)
{
	int ret;

	if (dp == CMD_DP_DEFAULT)
		dp = d->datapath;
	if (dp == CMD_DP_USERSPACE) {
		snprintf(t->dp_why, sizeof(t->dp_why), "requested");
		return 0;
	}
	if (dp == CMD_DP_AUTO && slower(t)) {
		snprintf(t->dp_why, sizeof(t->dp_why), "%s", slower(t));
		foud_log(LOG_INFO, "%s: datapath userspace (%s)", t->name, t->dp_why);
		return 0;
	}
	ret = tunnel_bpf_try(d, t, t->dp_why, sizeof(t->dp_why));
	if (d->bpf && !d->bpf->users)
		bpf_close(d);
	if (!ret) {
		char ifname[IF_NAMESIZE] = "none";

		if (t->bpf_oif)
			if_indextoname((unsigned int)t->bpf_oif, ifname);
		foud_log(LOG_INFO, "%s: datapath bpf (underlay %s)", t->name, ifname);
		if (dev_l2(t))
			foud_bpf_l2_port_gro(d, t);
		return 0;
	}
	if (dp == CMD_DP_BPF) {
		snprintf(err, errlen, "\"datapath bpf\" is not possible for \"%s\": %s", t->name,
			 t->dp_why);
		return ret;
	}
	foud_log(LOG_INFO, "%s: datapath userspace (%s)", t->name, t->dp_why);
	return 0;
}

void foud_bpf_tunnel_del(struct foud *d, struct foud_tunnel *t)
{
	bool keep = bpf_keep(d);

	if (!t->bpf_egress || !d->bpf)
		return;
	detach(t->bpf_egress, keep);
	free(t->bpf_egress);
	t->bpf_egress = NULL;
	if (!keep)
		maps_del(d->bpf, t);
	if (t->bpf_oif && !keep)
		underlay_put(d->bpf, t->bpf_oif);
	t->bpf_oif = 0;
	if (!--d->bpf->users)
		bpf_close(d);
	else
		ports_gro(d);
	if (dev_l2(t))
		foud_bpf_l2_port_gro(d, t);
}

/*
 * After t->ul_ifindex or t->path_mtu changed: the receive program moves to
 * the new device (the old one keeps it while other tunnels use it), the
 * transmit program gets the new device and MTU limit, in one map update.
 */
void foud_bpf_tunnel_follow(struct foud *d, struct foud_tunnel *t)
{
	struct foud_bpf *b = d->bpf;
	struct foud_bpf_tnl c, old;
	uint32_t key = (uint32_t)t->ifindex;
	char ifname[IF_NAMESIZE] = "?";
	int oif = t->ul_ifindex, ret;

	if (!t->bpf_egress || !b)
		return;
	if (oif != t->bpf_egress->refused)
		t->bpf_egress->refused = 0;
	if (oif)
		if_indextoname((unsigned int)oif, ifname);
	if (oif && oif == t->bpf_egress->refused) {
		oif = 0;	/* said so already */
	} else if (oif && oif != t->bpf_oif) {
		ret = is_ether(oif) ? underlay_get(b, oif) : -EPROTOTYPE;
		if (ret) {
			foud_log(LOG_WARNING, "%s: underlay %s: %s: the userspace path sends while "
				 "the route goes there", t->name, ifname,
				 ret == -EPROTOTYPE ? "not Ethernet" : strerror(-ret));
			t->bpf_egress->refused = oif;
			oif = 0;
		}
	}
	/* Not attached yet means no underlay taken before: underlay_get ran above. */
	ret = oif ? egress_attach(b, t) : 0;
	if (ret) {
		foud_log(LOG_WARNING, "%s: cannot attach to %s: %s: the userspace path sends "
			 "while the route goes there", t->name, t->name, strerror(-ret));
		underlay_put(b, oif);
		t->bpf_egress->refused = oif;
		oif = 0;
	}
	if (oif != t->bpf_oif) {
		if (t->bpf_oif)
			underlay_put(b, t->bpf_oif);
		t->bpf_oif = oif;
	}
	tnl_cfg(t, &c);
	if (bpf_map_lookup_elem(b->tnl, &key, &old) == 0 && !memcmp(&old, &c, sizeof(c)))
		return;
	ret = bpf_map_update_elem(b->tnl, &key, &c, BPF_EXIST);
	if (ret)
		foud_log(LOG_WARNING, "%s: cannot update the BPF maps: %s", t->name, strerror(-ret));
}

void foud_bpf_tunnel_link(struct foud *d, struct foud_tunnel *t, bool up)
{
	struct foud_bpf_rxkey keys[2];
	struct foud_bpf_rxval rv;
	struct foud_bpf_mp m;
	int i, n;

	if (!t->bpf_egress || !d->bpf)
		return;
	if (dev_l2(t)) {
		foud_bpf_l2_link(d->bpf, t, up);
		return;
	}
	if (t->mp) {
		mp_of(d->bpf, t, &m);
		m.rv.flags = up ? 0 : FOUD_BPF_RX_DOWN;
		foud_bpf_mp_peers(&m, t->mp);
	}
	n = rx_keys(t, keys);
	for (i = 0; i < n; i++) {
		/* Not there: another tunnel with the same match owns it (maps_add). */
		if (bpf_map_lookup_elem(d->bpf->rx, &keys[i], &rv) || rv.ifindex != (uint32_t)t->ifindex)
			continue;
		if (!!(rv.flags & FOUD_BPF_RX_DOWN) == !up)
			continue;
		rv.flags = up ? rv.flags & ~FOUD_BPF_RX_DOWN : rv.flags | FOUD_BPF_RX_DOWN;
		bpf_map_update_elem(d->bpf->rx, &keys[i], &rv, BPF_EXIST);
	}
}

/* The programs' own counters alone, for fouctl -j -s -d (what bypassed foud). */
void foud_bpf_tunnel_stats_only(struct foud *d, const struct foud_tunnel *t,
				struct foud_stats *s)
{
	memset(s, 0, sizeof(*s));
	foud_bpf_tunnel_stats(d, t, s);
}

void foud_bpf_tunnel_stats(struct foud *d, const struct foud_tunnel *t, struct foud_stats *s)
{
	struct foud_bpf_stats *v;
	uint32_t key = (uint32_t)t->ifindex;
	int i;

	if (!t->bpf_egress || !d->bpf)
		return;
	v = calloc((size_t)d->bpf->ncpu, sizeof(*v));
	if (!v)
		return;
	if (bpf_map_lookup_elem(d->bpf->stats, &key, v) == 0) {
		for (i = 0; i < d->bpf->ncpu; i++) {
			s->rx_packets += v[i].rx_packets;
			s->rx_bytes += v[i].rx_bytes;
			s->tx_packets += v[i].tx_packets;
			s->tx_bytes += v[i].tx_bytes;
			s->tx_drop[FOU_DROP_LOOP] += v[i].tx_drop_loop;
			s->tx_drop[FOU_DROP_INNER_PROTO] += v[i].tx_drop_inner;
			s->tx_drop[FOU_DROP_TX_ERROR] += v[i].tx_drop_error;
			s->tx_drop[FOU_DROP_NO_ROUTE] += v[i].tx_drop_no_route;
			s->rx_drop[FOU_DROP_LINK_DOWN] += v[i].rx_drop_link_down;
		}
	}
	free(v);
}

/* ---- ports -------------------------------------------------------------- */

static void port_key(const struct cmd_port_cfg *c, struct foud_bpf_portkey *k)
{
	memset(k, 0, sizeof(*k));
	k->port = c->port;
	k->v6 = c->family == AF_INET6;
}

/* foud_ours_proto[proto] from has where the change goes the way of up (stricter) or down. */
static void ours_proto_sync(struct foud_bpf *b, const uint8_t has[256], bool up)
{
	__u32 proto;

	for (proto = 0; proto < 256; proto++)
		if ((up ? has[proto] > b->has_proto[proto] : has[proto] < b->has_proto[proto]) &&
		    !bpf_map_update_elem(b->ours_proto, &proto, &has[proto], BPF_ANY))
			b->has_proto[proto] = has[proto];
}

/*
 * The programs' "never nest" set from ours.c: every receive point, and per
 * protocol whether there is one (FOUD_BPF_OURS_ALL when the map could not
 * take them all: every packet of it goes to foud). New entries go in before
 * stale ones go, so no packet slips through in between.
 */
static void ours_sync(struct foud *d)
{
	struct foud_bpf *b = d->bpf;
	struct foud_bpf_ourskey k, next;
	uint8_t has[256] = { 0 }, one = 1;
	const struct foud_rp *rp;
	size_t i, n = foud_ours_list(d, &rp);
	int more;

	for (i = 0; i < n; i++) {
		k = (struct foud_bpf_ourskey){ .proto = rp[i].proto, .port = rp[i].port };
		if (bpf_map_update_elem(b->ours, &k, &one, BPF_ANY))
			has[k.proto] = FOUD_BPF_OURS_ALL;
		else if (!has[k.proto])
			has[k.proto] = FOUD_BPF_OURS_SOME;
	}
	ours_proto_sync(b, has, true);
	for (more = !bpf_map_get_next_key(b->ours, NULL, &k); more; k = next) {
		more = !bpf_map_get_next_key(b->ours, &k, &next);
		if (!foud_ours_has(d, k.proto, k.port))
			bpf_map_delete_elem(b->ours, &k);
	}
	ours_proto_sync(b, has, false);
}

/*
 * Rewrites the port maps from foud's list: the first port of a number and
 * family is the one the kernel delivers to when the addresses agree; the
 * program checks them and leaves anything else to foud.
 */
static void ports_sync(struct foud *d)
{
	struct foud_bpf *b = d->bpf;
	struct foud_bpf_portkey k, next;
	int i;
	struct foud_bpf_pstats *zero;
	const struct foud_port *p;

	if (!b)
		return;
	ports_gro(d);
	while (bpf_map_get_next_key(b->port, NULL, &k) == 0)
		bpf_map_delete_elem(b->port, &k);
	zero = calloc((size_t)b->ncpu, sizeof(*zero));
	TAILQ_FOREACH(p, &d->ports, entry) {
		struct foud_bpf_port v = {
			.gue = p->cfg.type == FOU_ENCAP_GUE,
			.ipproto = p->cfg.ipproto,
			.has_local = p->cfg.local.family != 0,
			.has_peer = p->cfg.peer.family != 0,
			.peer_port = p->cfg.peer_port,
		};

		addr16(v.local, &p->cfg.local);
		addr16(v.peer, &p->cfg.peer);
		port_key(&p->cfg, &k);
		if (bpf_map_update_elem(b->port, &k, &v, BPF_NOEXIST))
			continue;
		if (zero && bpf_map_lookup_elem(b->pstats, &k, zero) != 0) {
			memset(zero, 0, (size_t)b->ncpu * sizeof(*zero));
			bpf_map_update_elem(b->pstats, &k, zero, BPF_ANY);
		}
	}
	free(zero);
	/* Counters of ports that are gone, lest a new port of that number inherit them. */
	if (bpf_map_get_next_key(b->pstats, NULL, &k) == 0) {
		do {
			i = bpf_map_get_next_key(b->pstats, &k, &next);
			if (bpf_map_lookup_elem(b->port, &k, &(struct foud_bpf_port){ 0 }))
				bpf_map_delete_elem(b->pstats, &k);
			k = next;
		} while (i == 0);
	}
	ours_sync(d);
}

void foud_bpf_ports_changed(struct foud *d)
{
	ports_sync(d);
}

static bool port_first(const struct foud *d, const struct foud_port *p)
{
	const struct foud_port *q;

	TAILQ_FOREACH(q, &d->ports, entry)
		if (q->cfg.port == p->cfg.port && q->cfg.family == p->cfg.family)
			return q == p;
	return false;
}

void foud_bpf_port_stats(struct foud *d, const struct foud_port *p, struct foud_stats *s)
{
	struct foud_bpf_pstats *v;
	struct foud_bpf_portkey k;
	int i;

	if (!d->bpf)
		return;
	v = calloc((size_t)d->bpf->ncpu, sizeof(*v));
	if (!v)
		return;
	port_key(&p->cfg, &k);
	/* Only the port that owns the map entry: the first of its number. */
	if (port_first(d, p) && bpf_map_lookup_elem(d->bpf->pstats, &k, v) == 0) {
		for (i = 0; i < d->bpf->ncpu; i++) {
			s->rx_packets += v[i].rx_packets;
			s->rx_bytes += v[i].rx_bytes;
		}
	}
	free(v);
}

/* ---- fouctl capture -------------------------------------------------------- */

int foud_bpf_cap_ring(const struct foud *d)
{
	return d->bpf ? d->bpf->cap : -1;
}

/*
 * The programs copy the packets of device ifindex into the ring the ways
 * how says (FOUD_BPF_CAP_INNER, _OUTER, both); 0 stops, also after the
 * device went.
 */
int foud_bpf_cap_set(struct foud *d, int ifindex, uint8_t how)
{
	struct foud_bpf *b = d->bpf;
	uint32_t key = (uint32_t)ifindex, zero = 0;
	uint8_t old;
	bool had;
	int ret;

	if (!b)
		return -ENODEV;
	had = bpf_map_lookup_elem(b->capon, &key, &old) == 0;
	if (!how && !had)
		return 0;
	ret = how ? bpf_map_update_elem(b->capon, &key, &how, BPF_ANY) :
		    bpf_map_delete_elem(b->capon, &key);
	if (ret || had == !!how)
		return ret;
	b->ncap += how ? 1 : -1;
	return bpf_map_update_elem(b->capn, &zero, &b->ncap, BPF_ANY);
}

void foud_bpf_fini(struct foud *d)
{
	bpf_close(d);
}

/* Whether the filter at hook is one of ours (by its program's name), not running now. */
static bool tc_is_stale(const struct foud *d, struct bpf_tc_hook *hook)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIO);
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd;
	bool ours;

	if (bpf_tc_query(hook, &opts) || !opts.prog_id)
		return false;
	if (d->bpf && (opts.prog_id == foud_bpf_prog_id(d->bpf->eg) ||
			       opts.prog_id == foud_bpf_prog_id(d->bpf->in)))
		return false;
	fd = bpf_prog_get_fd_by_id(opts.prog_id);
	if (fd < 0)
		return false;
	ours = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
	       (!strcmp(info.name, "foud_ingress") || !strcmp(info.name, "foud_egress"));
	close(fd);
	return ours;
}

/*
 * clsact filters outlive foud (kept by a stop, or left by a kill): once
 * the configuration is applied, remove those of ours that run no current
 * program from every device of the namespace.
 */
static void tc_sweep(struct foud *d)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIO);
	int dir;

	if (!ifs)
		return;
	for (i = ifs; i->if_index; i++) {
		for (dir = 0; dir < 2; dir++) {
			LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)i->if_index,
				    .attach_point = dir ? BPF_TC_EGRESS : BPF_TC_INGRESS);

			if (!tc_is_stale(d, &hook))
				continue;
			if (bpf_tc_detach(&hook, &opts) == 0)
				foud_log(LOG_INFO, "removed a stale foud filter from %s %s",
					 i->if_name, dir ? "egress" : "ingress");
		}
	}
	if_freenameindex(ifs);
}

/* Entries for the tunnels of a stopped foud that this one has not. */
static void maps_sweep(struct foud *d, struct foud_bpf *b)
{
	struct foud_bpf_rxkey rk, rnext;
	struct foud_bpf_rxval rv;
	uint32_t k, next;
	int more;

	for (more = !bpf_map_get_next_key(b->tnl, NULL, &k); more; k = next) {
		more = !bpf_map_get_next_key(b->tnl, &k, &next);
		if (!ifindex_live(d, k)) {
			bpf_map_delete_elem(b->tnl, &k);
			bpf_map_delete_elem(b->stats, &k);
		}
	}
	for (more = !bpf_map_get_next_key(b->rx, NULL, &rk); more; rk = rnext) {
		more = !bpf_map_get_next_key(b->rx, &rk, &rnext);
		if (!bpf_map_lookup_elem(b->rx, &rk, &rv) && !ifindex_live(d, rv.ifindex))
			bpf_map_delete_elem(b->rx, &rk);
	}
}

/*
 * Once the configuration is applied: what a stopped (or killed) foud left
 * and this one did not take over goes, pins, map entries and filters.
 */
void foud_bpf_settle(struct foud *d)
{
	if (!d->verbose)
		libbpf_set_print(libbpf_quiet);
	if (d->bpf && d->bpf->pinned) {
		maps_sweep(d, d->bpf);
		foud_pin_sweep(d->bpf->eg, d->bpf->in);
	} else if (!d->bpf && foud_pin_init(d->sock_path, false)) {
		foud_pin_sweep(-1, -1);
	}
	tc_sweep(d);
}
