/* SPDX-License-Identifier: MIT */
/*
 * L2 overlays: a TAP device per tunnel, Ethernet frames in VXLAN. A
 * forwarding table per device learns inner source MACs behind outer source
 * addresses; unknown unicast, broadcast and multicast go to every flood
 * destination (the all-zero MAC entries: head-end replication, the
 * `remote`, the `group`). VXLAN ports are shared by every device with the
 * same port, family and local address, and demultiplexed by VNI.
 *
 * The TAP has TSO: a TCP super-frame is cut into segments behind its
 * Ethernet header, each encapsulated once per destination; received TCP
 * frames of a flow are coalesced into one TAP write (gro.c).
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "fou/l2.h"
#include "foud.h"
#include "rx.h"

#define L2_FLOOD_MAX	64		/* flood destinations per device */
#define L2_PEERS_MAX	(L2_FLOOD_MAX + 64)
#define L2_FDB_DEFAULT	4096		/* table entries when maxaddress is 0 */
#define L2_OVERHEAD_V4	(FOU_IPV4_HLEN + FOU_UDP_HLEN + FOU_VXLAN_HLEN + FOU_ETH_HLEN)
#define L2_OVERHEAD_V6	(FOU_IPV6_HLEN + FOU_UDP_HLEN + FOU_VXLAN_HLEN + FOU_ETH_HLEN)

/* A shared VXLAN receive socket. */
struct foud_l2port {
	TAILQ_ENTRY(foud_l2port) entry;
	struct foud_ev ev;
	int family;
	uint16_t port;
	struct fou_addr local;
	unsigned int users;
	struct foud_stats st;		/* datagrams that reach no device */
};

/* The L2 half of a tunnel. */
struct foud_l2 {
	struct foud_l2_cfg cfg;
	struct foud_l2port *port;
	struct fou_fdb fdb;
	struct fou_fdb_entry *tab;
	struct fou_addr flood[L2_FLOOD_MAX];
	/* Who may send to us: remote, flood destinations, static entries. */
	struct fou_addr peers[L2_PEERS_MAX];
	size_t npeers;
	uint8_t mac[FOU_ETH_ALEN];	/* the TAP's own address */
	int group_ifindex;
	uint16_t sport_min, sport_max;
	uint16_t ip_id;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct foud_tunnel *l2_ev_tunnel(struct foud_ev *ev)
{
	return (struct foud_tunnel *)((char *)ev - offsetof(struct foud_tunnel, ev));
}

/* ---- who may send to us ------------------------------------------------- */

static void l2_peers_add(struct foud_l2 *l, const struct fou_addr *a)
{
	size_t i;

	if (!a->family || l->npeers == L2_PEERS_MAX)
		return;
	for (i = 0; i < l->npeers; i++)
		if (fou_addr_eq(&l->peers[i], a))
			return;
	l->peers[l->npeers++] = *a;
}

/* Rebuilt whenever the configuration changes; learning never adds peers. */
static void l2_peers_rebuild(struct foud_l2 *l)
{
	const struct fou_fdb_entry *e;
	size_t i, pos = 0;

	l->npeers = 0;
	l2_peers_add(l, &l->cfg.remote);
	for (i = 0; i < l->fdb.nflood; i++)
		l2_peers_add(l, &l->fdb.flood[i]);
	while ((e = fou_fdb_next(&l->fdb, &pos)))
		if (e->flags & FOU_FDB_F_STATIC)
			l2_peers_add(l, &e->remote);
}

static bool l2_peer_ok(const struct foud_l2 *l, const struct fou_addr *src)
{
	size_t i;

	/* Members of a group are not known in advance. */
	if (l->cfg.group.family)
		return true;
	for (i = 0; i < l->npeers; i++)
		if (fou_addr_eq(&l->peers[i], src))
			return true;
	return false;
}

/* ---- receive ------------------------------------------------------------ */

static struct foud_tunnel *l2_find_vni(struct foud *d, const struct foud_l2port *p, uint32_t vni)
{
	struct foud_tunnel *t;

	TAILQ_FOREACH(t, &d->tunnels, entry)
		if (t->l2 && t->l2->port == p && t->l2->cfg.vni == vni)
			return t;
	return NULL;
}

static int l2_deliver(struct foud *d, struct foud_tunnel *t, struct fou_buf *b,
		      const struct fou_addr *src)
{
	struct foud_l2 *l = t->l2;
	const uint8_t *eth = fou_buf_data(b);
	int ret;

	if (b->len < FOU_ETH_HLEN)
		return -FOU_DROP_TOO_SHORT;
	/* Our own frame come back (a group loops to its sender). */
	if (!memcmp(eth + FOU_ETH_ALEN, l->mac, FOU_ETH_ALEN))
		return -FOU_DROP_LOOP;
	if (l->cfg.learning) {
		ret = fou_fdb_learn(&l->fdb, eth + FOU_ETH_ALEN, src, now_ms());
		/* Table full: counted in fdb.refused; as Linux, the frame still goes up. */
		if (ret && ret != -FOU_DROP_QUEUE_FULL)
			return ret;
	}
	foud_gro_input(d, t, b, FOU_ETH_HLEN);	/* writes or holds it, and counts */
	return 0;
}

static int l2_rx_one(struct foud *d, struct foud_l2port *p, struct fou_buf *b,
		     const struct foud_rxmeta *m)
{
	struct foud_tunnel *t;
	uint32_t vni;
	int ret;

	if (m->truncated)
		return -FOU_DROP_TOO_SHORT;
	ret = fou_vxlan_pull(b, &vni);
	if (ret)
		return ret;
	t = l2_find_vni(d, p, vni);
	if (!t)
		return -FOU_DROP_NO_TUNNEL;
	if (fou_addr_eq(&m->src, &t->l2->cfg.local))
		ret = -FOU_DROP_LOOP;		/* our own group traffic, looped back */
	else if (!l2_peer_ok(t->l2, &m->src))
		ret = -FOU_DROP_UNKNOWN_PEER;
	if (!ret)
		ret = l2_deliver(d, t, b, &m->src);
	if (ret) {
		t->st.rx_drop[-ret]++;
		foud_log_drop(t->name, -ret, &m->src);
	}
	return 0;
}

static void l2port_readable(struct foud *d, struct foud_ev *ev)
{
	struct foud_l2port *p = (struct foud_l2port *)((char *)ev - offsetof(struct foud_l2port, ev));
	struct foud_rxmeta meta[FOUD_BATCH];
	int i, n, ret, rounds = 0;

	while (rounds++ < 8 && (n = foud_recv_batch(ev->fd, &d->rxb, meta)) > 0) {
		for (i = 0; i < n; i++) {
			p->st.rx_packets++;
			p->st.rx_bytes += d->rxb.buf[i].len;
			ret = l2_rx_one(d, p, &d->rxb.buf[i], &meta[i]);
			if (ret < 0) {
				p->st.rx_drop[-ret]++;
				foud_log_drop("vxlan", -ret, &meta[i].src);
			}
		}
		foud_gro_flush(d);
	}
}

/* ---- transmit ----------------------------------------------------------- */

struct foud_l2_txq {
	struct mmsghdr mm[FOUD_BATCH];
	struct iovec iov[FOUD_BATCH];
	struct sockaddr_storage to[FOUD_BATCH];
	uint8_t ctl[FOUD_BATCH][CMSG_SPACE(sizeof(struct in6_pktinfo))];
	uint32_t inner_len[FOUD_BATCH];
	int n;
};

static void l2_flush(struct foud *d, struct foud_tunnel *t, struct foud_l2_txq *q)
{
	foud_send_counted(foud_raw_tx(d, t->l2->cfg.local.family), q->mm, q->inner_len, q->n,
			  &t->st);
	q->n = 0;
}

/* A multicast destination leaves by the group's device. */
static socklen_t l2_pktinfo(uint8_t *ctl, const struct foud_l2 *l, bool v6)
{
	struct cmsghdr *c = (struct cmsghdr *)ctl;

	if (!v6) {
		struct in_pktinfo pi = { .ipi_ifindex = l->group_ifindex };

		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		return CMSG_SPACE(sizeof(pi));
	} else {
		struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned int)l->group_ifindex };

		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		return CMSG_SPACE(sizeof(pi));
	}
}

static int l2_encap(struct foud *d, struct foud_tunnel *t, struct fou_buf *b,
		    const struct fou_addr *dst)
{
	struct foud_l2 *l = t->l2;
	const struct foud_l2_cfg *c = &l->cfg;
	bool mcast = c->group.family && fou_addr_eq(dst, &c->group);
	bool v6 = c->local.family == AF_INET6;
	uint8_t inner_tos = 0;
	struct fou_ip_params ip = {
		.src = c->local, .dst = *dst, .proto = FOU_PROTO_UDP,
		.ttl = c->ttl ? c->ttl : (mcast ? 1 : 64),
	};
	uint16_t sport;
	bool csum = v6 ? !c->udp6zerocsumtx : c->udpcsum;
	int ret;

	/* The inner IP TOS, for `tos inherit` and ECN. */
	if (b->len > FOU_ETH_HLEN + 2 && fou_get16(fou_buf_data(b) + 12) == FOU_ETH_P_IP)
		inner_tos = fou_buf_data(b)[FOU_ETH_HLEN + 1];
	ip.tos = fou_ecn_encap(c->tos_inherit ? inner_tos : c->tos, inner_tos);
	sport = fou_l2_sport(fou_buf_data(b), b->len, d->hash_seed, l->sport_min, l->sport_max);
	ret = fou_vxlan_push(b, c->vni);
	if (!ret)
		ret = fou_udp_push(b, sport, c->dstport, &c->local, dst, csum);
	if (!ret) {
		ip.id = l->ip_id++;
		ip.flowlabel = sport;
		ret = fou_ip_push(b, &ip);
	}
	return ret;
}

static void l2_queue(struct foud *d, struct foud_tunnel *t, struct foud_l2_txq *q,
		     const uint8_t *frame, size_t len, const struct fou_addr *dst)
{
	struct fou_buf *b;
	struct sockaddr_storage *ss;
	int ret;

	if (q->n == FOUD_BATCH)
		l2_flush(d, t, q);
	b = &d->txb.buf[q->n];
	b->off = FOUD_HEADROOM;
	memcpy(fou_buf_data(b), frame, len);
	b->len = len;
	ret = l2_encap(d, t, b, dst);
	if (ret) {
		t->st.tx_drop[-ret]++;
		return;
	}
	ss = &q->to[q->n];
	memset(&q->mm[q->n], 0, sizeof(q->mm[q->n]));
	q->mm[q->n].msg_hdr.msg_namelen = foud_sockaddr(ss, dst, dst->family, 0);
	if (t->l2->cfg.group.family && fou_addr_eq(dst, &t->l2->cfg.group)) {
		q->mm[q->n].msg_hdr.msg_control = q->ctl[q->n];
		q->mm[q->n].msg_hdr.msg_controllen = l2_pktinfo(q->ctl[q->n], t->l2,
								 dst->family == AF_INET6);
	}
	q->iov[q->n].iov_base = fou_buf_data(b);
	q->iov[q->n].iov_len = b->len;
	q->mm[q->n].msg_hdr.msg_name = ss;
	q->mm[q->n].msg_hdr.msg_iov = &q->iov[q->n];
	q->mm[q->n].msg_hdr.msg_iovlen = 1;
	q->inner_len[q->n] = (uint32_t)len;
	q->n++;
}

static void l2_tx_frame(struct foud *d, struct foud_tunnel *t, struct foud_l2_txq *q,
			const uint8_t *frame, size_t len)
{
	struct foud_l2 *l = t->l2;
	const struct fou_fdb_entry *e;
	size_t i;

	if (len < FOU_ETH_HLEN) {
		t->st.tx_drop[FOU_DROP_TOO_SHORT]++;
		return;
	}
	if (len - FOU_ETH_HLEN + (l->cfg.local.family == AF_INET6 ? L2_OVERHEAD_V6 : L2_OVERHEAD_V4) -
	    FOU_ETH_HLEN > t->path_mtu) {
		t->st.tx_drop[FOU_DROP_MTU]++;
		return;
	}
	e = fou_fdb_lookup(&l->fdb, frame);
	if (e) {
		l2_queue(d, t, q, frame, len, &e->remote);
		return;
	}
	if (!l->fdb.nflood)
		t->st.tx_drop[FOU_DROP_NO_TUNNEL]++;
	for (i = 0; i < l->fdb.nflood; i++)
		l2_queue(d, t, q, frame, len, &l->fdb.flood[i]);
}

/*
 * A TCP super-frame from the TAP: the IP packet behind the Ethernet header
 * is cut as on a TUN, and each segment gets the header back in front.
 */
static int l2_tx_gso(struct foud *d, struct foud_tunnel *t, struct foud_l2_txq *q,
		     struct fou_vnet_hdr *vh, const uint8_t *frame, size_t len)
{
	uint8_t *seg = d->sendbuf;
	struct fou_gso g;
	size_t n;
	int ret;

	if (len < FOU_ETH_HLEN || vh->csum_start < FOU_ETH_HLEN)
		return -FOU_DROP_BAD_GSO;
	vh->csum_start -= FOU_ETH_HLEN;
	ret = fou_gso_init(&g, vh, frame + FOU_ETH_HLEN, len - FOU_ETH_HLEN);
	if (ret)
		return ret;
	memcpy(seg, frame, FOU_ETH_HLEN);
	while ((ret = fou_gso_next(&g, seg + FOU_ETH_HLEN, FOUD_PKT_MAX - FOU_ETH_HLEN, &n)) > 0)
		l2_tx_frame(d, t, q, seg, n + FOU_ETH_HLEN);
	return ret;
}

static int l2_tx_one(struct foud *d, struct foud_tunnel *t, struct foud_l2_txq *q, size_t n)
{
	uint8_t *frame = d->scratch + FOU_VNET_HLEN;
	size_t len = n - FOU_VNET_HLEN;
	struct fou_vnet_hdr vh;
	int ret;

	ret = fou_vnet_parse(d->scratch, n, &vh);
	if (ret)
		return ret;
	if ((vh.gso_type & ~FOU_VNET_GSO_ECN) != FOU_VNET_GSO_NONE)
		return l2_tx_gso(d, t, q, &vh, frame, len);
	if (vh.flags & FOU_VNET_F_NEEDS_CSUM) {
		ret = fou_csum_complete(frame, len, vh.csum_start, vh.csum_offset);
		if (ret)
			return ret;
	}
	l2_tx_frame(d, t, q, frame, len);
	return 0;
}

static void l2_readable(struct foud *d, struct foud_ev *ev)
{
	struct foud_tunnel *t = l2_ev_tunnel(ev);
	struct foud_l2_txq *q = d->l2q;
	int reads, ret;
	ssize_t n;

	q->n = 0;
	for (reads = 0; reads < FOUD_BATCH * 8; reads++) {
		n = read(ev->fd, d->scratch, FOU_VNET_HLEN + FOUD_PKT_MAX);
		if (n < 0)
			break;
		if ((size_t)n <= FOU_VNET_HLEN)
			continue;
		ret = l2_tx_one(d, t, q, (size_t)n);
		if (ret)
			t->st.tx_drop[-ret]++;
	}
	if (q->n)
		l2_flush(d, t, q);
}

/* ---- configuration ------------------------------------------------------ */

static struct foud_l2port *l2port_get(struct foud *d, const struct foud_l2_cfg *c,
				      char *err, size_t errlen)
{
	struct foud_port_cfg pc = { .port = c->dstport, .family = c->local.family };
	struct foud_l2port *p;
	int fd;

	/*
	 * As the kernel's VXLAN: one socket per port and family, bound to the
	 * wildcard (group traffic is addressed to the group), VNIs demultiplexed.
	 */
	TAILQ_FOREACH(p, &d->l2ports, entry)
		if (p->port == pc.port && p->family == pc.family && fou_addr_eq(&p->local, &pc.local)) {
			p->users++;
			return p;
		}
	fd = foud_udp_open(&pc, false);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open UDP port %u: %s", c->dstport, strerror(-fd));
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->ev.fd = fd;
	p->ev.fn = l2port_readable;
	p->family = pc.family;
	p->port = pc.port;
	p->local = pc.local;
	p->users = 1;
	if (foud_loop_add(d, &p->ev)) {
		close(fd);
		free(p);
		snprintf(err, errlen, "cannot watch UDP port %u", c->dstport);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&d->l2ports, p, entry);
	return p;
}

static void l2port_put(struct foud *d, struct foud_l2port *p)
{
	if (!p || --p->users)
		return;
	TAILQ_REMOVE(&d->l2ports, p, entry);
	foud_loop_del(d, &p->ev);
	close(p->ev.fd);
	free(p);
}

static int l2_join(struct foud_l2 *l, int fd, char *err, size_t errlen)
{
	const struct foud_l2_cfg *c = &l->cfg;
	int ret;

	l->group_ifindex = (int)if_nametoindex(c->dev);
	if (!l->group_ifindex) {
		snprintf(err, errlen, "no device \"%s\" for the group", c->dev);
		return -ENODEV;
	}
	if (c->group.family == AF_INET) {
		struct ip_mreqn mr = { .imr_ifindex = l->group_ifindex };

		memcpy(&mr.imr_multiaddr, c->group.a, 4);
		ret = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
	} else {
		struct ipv6_mreq mr = { .ipv6mr_interface = (unsigned int)l->group_ifindex };

		memcpy(&mr.ipv6mr_multiaddr, c->group.a, 16);
		ret = setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr));
	}
	if (ret < 0 && errno != EADDRINUSE) {
		snprintf(err, errlen, "cannot join the group: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int l2_state_init(struct foud *d, struct foud_tunnel *t, const struct foud_l2_cfg *c,
			 char *err, size_t errlen)
{
	struct foud_l2 *l = t->l2;
	size_t size = c->maxaddress ? (size_t)c->maxaddress * 2 + 2 : L2_FDB_DEFAULT;
	uint32_t seed = d->hash_seed ^ (uint32_t)t->ifindex * 2654435761u;

	l->cfg = *c;
	l->tab = calloc(size, sizeof(*l->tab));
	if (!l->tab) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	fou_fdb_init(&l->fdb, l->tab, size, c->maxaddress, c->ageing, seed, l->flood, L2_FLOOD_MAX);
	if (c->remote.family)
		fou_fdb_flood_add(&l->fdb, &c->remote);
	if (c->group.family)
		fou_fdb_flood_add(&l->fdb, &c->group);
	l->sport_min = c->srcport_min;
	l->sport_max = c->srcport_max;
	if (!l->sport_min || l->sport_min >= l->sport_max)
		foud_local_port_range(&l->sport_min, &l->sport_max);
	l2_peers_rebuild(l);
	l->port = l2port_get(d, c, err, errlen);
	if (!l->port)
		return -EIO;
	return c->group.family ? l2_join(l, l->port->ev.fd, err, errlen) : 0;
}

static int l2_hwaddr(const char *name, uint8_t mac[FOU_ETH_ALEN])
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, FOU_ETH_ALEN);
	close(s);
	return ret;
}

int foud_l2_open(struct foud *d, struct foud_tunnel *t, const struct foud_link_cfg *cfg,
		 char *err, size_t errlen)
{
	const struct foud_l2_cfg *c = &cfg->l2;
	uint32_t overhead = c->local.family == AF_INET6 ? L2_OVERHEAD_V6 : L2_OVERHEAD_V4;
	int fd, ret;

	if (c->kind != FOUD_L2_VXLAN) {
		snprintf(err, errlen, "link type not implemented yet; foud carries vxlan");
		return -EOPNOTSUPP;
	}
	if (!d->l2q) {
		d->l2q = calloc(1, sizeof(*d->l2q));
		if (!d->l2q)
			return -ENOMEM;
	}
	t->l2 = calloc(1, sizeof(*t->l2));
	if (!t->l2) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	fd = foud_tun_open(t->name, true, d->offload, &t->offload, &t->ifindex);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create device \"%s\": %s", t->name, strerror(-fd));
		return fd;
	}
	t->ev.fd = fd;
	t->ev.fn = l2_readable;
	t->path_mtu = foud_path_mtu(c->group.family ? &c->group : &c->remote);
	t->mtu = cfg->mtu ? cfg->mtu : t->path_mtu - overhead;
	ret = foud_tun_set_mtu(t->name, t->mtu);
	if (ret)
		snprintf(err, errlen, "cannot set mtu %u on \"%s\": %s", t->mtu, t->name,
			 strerror(-ret));
	if (!ret)
		ret = l2_hwaddr(t->name, t->l2->mac);
	if (!ret)
		ret = l2_state_init(d, t, c, err, errlen);
	if (!ret && (foud_raw_tx(d, c->local.family) < 0 || foud_loop_add(d, &t->ev))) {
		snprintf(err, errlen, "cannot set up \"%s\"", t->name);
		ret = -EIO;
	}
	return ret;
}

/* Undoes foud_l2_open, whatever point it reached. */
void foud_l2_close(struct foud *d, struct foud_tunnel *t)
{
	if (!t->l2)
		return;
	l2port_put(d, t->l2->port);
	free(t->l2->tab);
	free(t->l2);
	t->l2 = NULL;
}

/* VXLAN ports in `fou show`: the datagrams that reached no device are counted there. */
void foud_l2_show_ports(struct foud *d, uint32_t flags, struct foud_out *o, const char **sep)
{
	const struct foud_l2port *p;
	bool json = flags & FOUD_CTL_F_JSON;

	TAILQ_FOREACH(p, &d->l2ports, entry) {
		if (json) {
			foud_out_printf(o, "%s{\"port\":%u,\"vxlan\":null,\"family\":\"%s\"", *sep,
					p->port, p->family == AF_INET6 ? "inet6" : "inet");
			if (flags & FOUD_CTL_F_STATS)
				foud_show_stats_json(o, &p->st);
			foud_out_printf(o, "}");
			*sep = ",";
		} else {
			foud_out_printf(o, "port %u vxlan%s\n", p->port,
					p->family == AF_INET6 ? " -6" : "");
			if (flags & FOUD_CTL_F_STATS)
				foud_show_stats_text(o, &p->st);
		}
	}
}

bool foud_l2_port_is_ours(const struct foud *d, uint16_t port)
{
	const struct foud_l2port *p;

	TAILQ_FOREACH(p, &d->l2ports, entry)
		if (p->port == port)
			return true;
	return false;
}

int foud_l2_ports(const struct foud *d, uint16_t *out, int max)
{
	const struct foud_l2port *p;
	int n = 0;

	TAILQ_FOREACH(p, &d->l2ports, entry)
		if (n < max)
			out[n++] = p->port;
	return n;
}

void foud_l2_tick(struct foud *d)
{
	struct foud_tunnel *t;
	uint64_t now = now_ms();

	TAILQ_FOREACH(t, &d->tunnels, entry)
		if (t->l2)
			fou_fdb_age(&t->l2->fdb, now);
}

/* ---- fdb commands ------------------------------------------------------- */

static struct foud_tunnel *fdb_dev(struct foud *d, const char *name, char *err, size_t errlen)
{
	struct foud_tunnel *t = foud_tunnel_find(d, name);

	if (!t || !t->l2) {
		snprintf(err, errlen, "\"%s\" is no %s", name, t ? "L2 device" : "link");
		return NULL;
	}
	return t;
}

int foud_fdb_exec(struct foud *d, const struct foud_cmd *cmd, char *err, size_t errlen)
{
	const struct foud_fdb_cfg *f = &cmd->fdb;
	struct foud_tunnel *t = fdb_dev(d, f->dev, err, errlen);
	struct foud_l2 *l;
	int ret;

	if (!t)
		return -ENODEV;
	l = t->l2;
	if (f->dst.family && f->dst.family != l->cfg.local.family) {
		snprintf(err, errlen, "dst is not of the device's address family");
		return -EINVAL;
	}
	if (fou_mac_is_zero(f->mac)) {
		if (cmd->op == FOUD_OP_DEL && !f->dst.family) {
			/* No dst: the whole flood list goes, as `bridge fdb del` does. */
			while (l->fdb.nflood)
				fou_fdb_flood_del(&l->fdb, &l->fdb.flood[l->fdb.nflood - 1]);
			ret = 0;
		} else if (cmd->op == FOUD_OP_DEL)
			ret = fou_fdb_flood_del(&l->fdb, &f->dst);
		else
			ret = fou_fdb_flood_add(&l->fdb, &f->dst);
	} else if (cmd->op == FOUD_OP_DEL) {
		ret = fou_fdb_del(&l->fdb, f->mac);
	} else {
		ret = fou_fdb_add(&l->fdb, f->mac, &f->dst, FOU_FDB_F_STATIC, now_ms());
	}
	if (ret)
		snprintf(err, errlen, "fdb %s: %s", cmd->op == FOUD_OP_DEL ? "del" : "add",
			 ret == -EEXIST ? "entry exists" : ret == -ENOENT ? "no such entry" :
			 ret == -ENOSPC ? "table full" : strerror(-ret));
	l2_peers_rebuild(l);
	return ret;
}

static void fdb_line(struct foud_out *o, const struct foud_tunnel *t, const uint8_t *mac,
		     const struct fou_addr *dst, const char *state, long long age, bool json,
		     const char **sep)
{
	char a[64], m[18];

	snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	fou_addr_str(dst, a, sizeof(a));
	if (json) {
		foud_out_printf(o, "%s{\"mac\":\"%s\",\"ifname\":\"%s\",\"flags\":[\"self\"],"
				"\"dst\":\"%s\",\"state\":\"%s\"", *sep, m, t->name, a, state);
		if (age >= 0)
			foud_out_printf(o, ",\"age\":%lld", age);
		foud_out_printf(o, "}");
		*sep = ",";
		return;
	}
	foud_out_printf(o, "%s dev %s dst %s self %s", m, t->name, a, state);
	if (age >= 0)
		foud_out_printf(o, " age %lld", age);
	foud_out_printf(o, "\n");
}

static void fdb_show_dev(const struct foud_tunnel *t, bool json, struct foud_out *o,
			 const char **sep)
{
	static const uint8_t zero[FOU_ETH_ALEN];
	const struct fou_fdb_entry *e;
	uint64_t now = now_ms();
	size_t i, pos = 0;

	while ((e = fou_fdb_next(&t->l2->fdb, &pos))) {
		bool st = e->flags & FOU_FDB_F_STATIC;

		fdb_line(o, t, e->mac, &e->remote, st ? "permanent" : "learned",
			 st ? -1 : (long long)((now - e->updated) / 1000), json, sep);
	}
	for (i = 0; i < t->l2->fdb.nflood; i++)
		fdb_line(o, t, zero, &t->l2->fdb.flood[i], "permanent", -1, json, sep);
}

int foud_fdb_show(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
		  struct foud_out *o, char *err, size_t errlen)
{
	const struct foud_tunnel *t;
	bool json = flags & FOUD_CTL_F_JSON;
	const char *sep = "";

	if (cmd->fdb.dev[0] && !fdb_dev(d, cmd->fdb.dev, err, errlen))
		return -ENODEV;
	if (json)
		foud_out_printf(o, "[");
	TAILQ_FOREACH(t, &d->tunnels, entry)
		if (t->l2 && (!cmd->fdb.dev[0] || !strcmp(cmd->fdb.dev, t->name)))
			fdb_show_dev(t, json, o, &sep);
	if (json)
		foud_out_printf(o, "]\n");
	return 0;
}

/* ---- link show ---------------------------------------------------------- */

void foud_l2_show(const struct foud_tunnel *t, bool json, struct foud_out *o)
{
	const struct foud_l2 *l = t->l2;
	const struct foud_l2_cfg *c = &l->cfg;
	char a[64], b[64];
	const struct fou_addr *peer = c->group.family ? &c->group : &c->remote;

	fou_addr_str(peer, a, sizeof(a));
	fou_addr_str(&c->local, b, sizeof(b));
	if (json) {
		foud_out_printf(o, "\"info_kind\":\"vxlan\",\"info_data\":{\"id\":%u,\"%s\":\"%s\","
				"\"local\":\"%s\",\"port\":%u,\"port_range\":{\"low\":%u,\"high\":%u},"
				"\"ttl\":%u,\"learning\":%s,\"ageing\":%u,\"limit\":%u,"
				"\"udp_csum\":%s,\"fdb_entries\":%zu,\"fdb_refused\":%llu}",
				c->vni, c->group.family ? "group" : "remote", a, b, c->dstport,
				l->sport_min, l->sport_max, c->ttl, c->learning ? "true" : "false",
				c->ageing, c->maxaddress, c->udpcsum ? "true" : "false",
				l->fdb.count, (unsigned long long)l->fdb.refused);
		return;
	}
	foud_out_printf(o, "%s: vxlan id %u %s %s local %s", t->name, c->vni,
			c->group.family ? "group" : "remote", a, b);
	if (c->group.family)
		foud_out_printf(o, " dev %s", c->dev);
	foud_out_printf(o, " dstport %u srcport %u %u", c->dstport, l->sport_min, l->sport_max);
	if (c->ttl)
		foud_out_printf(o, " ttl %u", c->ttl);
	else
		foud_out_printf(o, " ttl auto");
	foud_out_printf(o, " %slearning ageing %u maxaddress %u %sudpcsum mtu %u\n",
			c->learning ? "" : "no", c->ageing, c->maxaddress, c->udpcsum ? "" : "no",
			t->mtu);
	foud_out_printf(o, "    fdb entries %zu refused %llu\n", l->fdb.count,
			(unsigned long long)l->fdb.refused);
}
