/* SPDX-License-Identifier: MIT */
/*
 * Transmit of a TCP super-packet as UDP GSO sends: every segment becomes
 * a complete UDP payload (encapsulation, [Ethernet,] inner IP and TCP,
 * data), laid end to end in a train, and the kernel cuts them apart with
 * UDP_SEGMENT, adding outer IP and UDP headers with checksums. One system
 * call instead of ~45. The L3 tunnels (FOU/GUE) and the L2 overlays (VXLAN)
 * share it: they differ only in the header pushed in front of each segment
 * (struct foud_uso_enc) and in where each train goes (struct foud_uso_dests).
 *
 * A raw socket cannot do this, so each flow's source port gets a UDP socket
 * bound to it: the receive port's own socket when it is that port, else one
 * of a few per tunnel, least recently used first out. The kernel refuses GSO
 * with UDP checksums off, so these datagrams always carry one; receivers
 * accept either.
 *
 * When the kernel refuses a GSO send (EIO: the route's device cannot
 * checksum; EINVAL/ENOPROTOOPT: no UDP_SEGMENT), the same train goes out
 * datagram by datagram with sendmmsg on the same socket, the tunnel
 * remembers it and sends its next super-packets segment by segment, trying
 * GSO again every USO_RETRY of them.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "foud.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define USO_MAX_V4	(65535 - FOU_IPV4_HLEN - FOU_UDP_HLEN)
#define USO_MAX_V6	(65535 - FOU_UDP_HLEN)
#define USO_RETRY	1024	/* super-packets sent the slow way before GSO is tried again */
#define USO_TCP_HDRS	72	/* IPv6 and TCP with timestamps: the smallest usual MSS is mtu - 72 */
#define USO_TCP_RESERVE	321	/* MAX_TCP_HEADER + 1, what TCP keeps off gso_max_size (x86-64) */

static int uso_sockopt(int s, int lvl, int opt, int v)
{
	return setsockopt(s, lvl, opt, &v, sizeof(v));
}

static int uso_open(const struct fou_addr *local, uint16_t sport, bool df)
{
	struct sockaddr_storage ss;
	socklen_t sl = foud_sockaddr(&ss, local, local->family, sport);
	int s;

	s = socket(local->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (local->family == AF_INET) {
		uso_sockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
	} else {
		uso_sockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, 1);
		uso_sockopt(s, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO);
	}
	foud_sock_mc_noloop(s, local->family);
	/* It only sends: whatever reaches this port is left to overflow. */
	uso_sockopt(s, SOL_SOCKET, SO_RCVBUF, 1);
	uso_sockopt(s, SOL_SOCKET, SO_SNDBUF, 4 << 20);
	if (bind(s, (struct sockaddr *)&ss, sl) < 0) {
		int ret = -errno;

		close(s);
		return ret;
	}
	return s;
}

static void uso_slot_close(struct foud_txsock *x)
{
	if (x->fd >= 0 && x->owned)
		close(x->fd);
	x->fd = -1;
}

/* t's open socket for sport, or -1 with *lru the slot to reuse. */
static int uso_socket_find(struct foud_tunnel *t, uint16_t sport, struct foud_txsock **lru)
{
	struct foud_txsock *x;

	*lru = &t->txs[0];
	for (x = t->txs; x < t->txs + FOUD_TXSOCKS; x++) {
		if (x->fd >= 0 && x->sport == sport) {
			x->used = ++t->txs_clock;
			return x->fd;
		}
		if (x->fd < 0 || ((*lru)->fd >= 0 && x->used < (*lru)->used))
			*lru = x;
	}
	return -1;
}

/* The UDP socket bound to local:sport for t's sends, or -1. */
static int uso_socket(struct foud *d, struct foud_tunnel *t, const struct fou_addr *local,
		      uint16_t sport, bool df)
{
	struct foud_txsock *lru;
	int fd = uso_socket_find(t, sport, &lru);

	if (fd >= 0)
		return fd;
	fd = foud_tx_shared(d, local->family, local, sport);
	uso_slot_close(lru);
	lru->owned = fd < 0;
	if (fd < 0)
		fd = uso_open(local, sport, df);
	if (fd < 0)
		return -1;
	lru->fd = fd;
	lru->sport = sport;
	lru->used = ++t->txs_clock;
	return fd;
}

void foud_uso_forget(struct foud *d, int fd)
{
	struct foud_tunnel *t;
	struct foud_txsock *x;

	FOUD_DEV_FOREACH(t, d)
		for (x = t->txs; x < t->txs + FOUD_TXSOCKS; x++)
			if (x->fd == fd && !x->owned)
				x->fd = -1;
}

void foud_uso_close(struct foud_tunnel *t)
{
	struct foud_txsock *x;

	for (x = t->txs; x < t->txs + FOUD_TXSOCKS; x++)
		uso_slot_close(x);
}

void foud_uso_init(struct foud_tunnel *t)
{
	struct foud_txsock *x;

	for (x = t->txs; x < t->txs + FOUD_TXSOCKS; x++)
		x->fd = -1;
}

/* Kernels before 4.18 have no UDP_SEGMENT, and would send a train as one datagram. */
void foud_uso_probe(struct foud *d)
{
	int s, v = 0;
	socklen_t vl = sizeof(v);

	if (!d->udp_gso)
		return;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0 && getsockopt(s, IPPROTO_UDP, UDP_SEGMENT, &v, &vl) < 0) {
		foud_log(LOG_WARNING, "no UDP GSO in this kernel (%s): super-packets go out "
			 "segment by segment", strerror(errno));
		d->udp_gso = false;
	}
	if (s >= 0)
		close(s);
}

/* False (and counted as a fallback) when super-packets must go segment by segment. */
static bool uso_usable(struct foud *d, struct foud_tunnel *t)
{
	if (d->udp_gso && !t->gso_off)
		return true;
	if (d->offload)
		t->gso_fallback++;
	/* The device may have got its checksum offload back: ask again now and then. */
	if (t->gso_off && d->udp_gso && ++t->gso_retry >= USO_RETRY) {
		t->gso_retry = 0;
		t->gso_off = false;
	}
	return false;
}

/* The train datagram by datagram, on the same socket and with the same ancillary data. */
static void uso_send_each(struct foud *d, struct foud_tunnel *t, int fd,
			  const struct foud_train *tr, const struct foud_uso_to *to,
			  struct msghdr *proto)
{
	struct mmsghdr mm[FOUD_USO_SEGS];
	struct iovec iov[FOUD_USO_SEGS];
	size_t off = 0;
	unsigned int i;

	proto->msg_controllen = foud_tx_control(proto->msg_control, to, 0);
	for (i = 0; i < tr->nseg; i++) {
		iov[i].iov_base = d->sendbuf + off;
		iov[i].iov_len = i + 1 < tr->nseg ? tr->seg : tr->len - off;
		off += iov[i].iov_len;
		mm[i].msg_hdr = *proto;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_len = 0;
	}
	foud_send_counted(fd, mm, tr->inner, (int)tr->nseg, &t->st);
}

static bool uso_refused(int err)
{
	return err == EIO || err == EINVAL || err == ENOPROTOOPT || err == EOPNOTSUPP;
}

/* Sends the train in one sendmsg, or datagram by datagram if the kernel refuses; counts. */
static void uso_send_uncaptured(struct foud *d, struct foud_tunnel *t, int fd,
				const struct foud_train *tr, const struct foud_uso_to *to)
{
	uint8_t ctl[256] __attribute__((aligned(8)));
	struct iovec iov = { .iov_base = d->sendbuf, .iov_len = tr->len };
	struct msghdr mh = {
		.msg_name = (void *)to->addr, .msg_namelen = to->addrlen,
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
	};
	int err;

	mh.msg_controllen = foud_tx_control(ctl, to, tr->nseg > 1 ? tr->seg : 0);
	if (sendmsg(fd, &mh, MSG_DONTWAIT) >= 0) {
		t->st.tx_packets += tr->nseg;
		t->st.tx_bytes += tr->inner_bytes;
		return;
	}
	err = errno;
	if (tr->nseg > 1 && uso_refused(err)) {
		/* Nothing of the train left: it goes again, one datagram at a time. */
		if (!t->gso_refused)
			foud_log(LOG_WARNING, "%s: UDP GSO refused by the kernel (%s), sending "
				 "segment by segment", t->name, strerror(err));
		t->gso_refused = true;
		t->gso_off = true;
		t->gso_fallback++;
		uso_send_each(d, t, fd, tr, to, &mh);
		return;
	}
	t->st.tx_drop[foud_send_reason(err)] += tr->nseg;
}

static void uso_send(struct foud *d, struct foud_tunnel *t, int fd, const struct foud_train *tr,
		     const struct foud_uso_to *to)
{
	if (!tr->nseg)
		return;
	if (foud_io_cap)
		foud_io_cap->train(t->ev.fd, fd, to, d->sendbuf, tr->len, tr->nseg > 1 ? tr->seg : tr->len);
	uso_send_uncaptured(d, t, fd, tr, to);
}

/* Small packets already captured as raw sends (train.c): no second capture record. */
int foud_uso_send_train(struct foud *d, struct foud_tunnel *t, const struct foud_train *tr,
			const struct foud_uso_to *to, uint16_t sport, bool may_open)
{
	struct foud_txsock *lru;
	int fd;

	if (!uso_usable(d, t))
		return 1;
	fd = may_open ? uso_socket(d, t, to->local, sport, true) : uso_socket_find(t, sport, &lru);
	if (fd < 0)
		return 1;
	uso_send_uncaptured(d, t, fd, tr, to);
	return 0;
}

/* Appends one segment to the train; 1 added, 2 added and the train is closed, 0 done, <0 error. */
static int uso_next(struct foud *d, struct fou_gso *g, const struct foud_uso_enc *e,
		    struct foud_train *tr)
{
	struct fou_buf b = { .head = d->sendbuf, .cap = FOUD_PKT_MAX + FOUD_HEADROOM };
	uint32_t inner;
	size_t n;
	int ret;

	b.off = tr->len + e->hlen + e->l2len;
	ret = fou_gso_next(g, d->sendbuf + b.off, b.cap - b.off, &n);
	if (ret <= 0)
		return ret;
	b.len = n;
	if (e->l2len)
		memcpy(fou_buf_push(&b, e->l2len), e->l2hdr, e->l2len);
	inner = (uint32_t)b.len;
	ret = e->push(&b, e->arg);
	if (ret)
		return ret;
	tr->inner[tr->nseg] = inner;
	tr->inner_bytes += inner;
	if (!tr->nseg)
		tr->seg = (uint16_t)b.len;
	tr->len += b.len;
	tr->nseg++;
	return b.len < tr->seg ? 2 : 1;
}

/*
 * Lays out the next train of g's segments in d->sendbuf: up to
 * FOUD_USO_SEGS of them and the UDP size limit, the last one shorter.
 * Returns the number of segments, 0 when g is done. A segment that cannot
 * be made ends the train, with tr->err set (-FOU_DROP_*).
 */
static int uso_fill(struct foud *d, struct fou_gso *g, const struct foud_uso_enc *e,
		    struct foud_train *tr)
{
	size_t max = e->family == AF_INET ? USO_MAX_V4 : USO_MAX_V6;
	int ret;

	memset(tr, 0, offsetof(struct foud_train, inner));
	for (;;) {
		ret = uso_next(d, g, e, tr);
		if (ret < 0)
			tr->err = ret;
		if (ret <= 0 || ret == 2 || tr->nseg == FOUD_USO_SEGS || tr->len + tr->seg > max)
			return (int)tr->nseg;
	}
}

int foud_uso_xmit(struct foud *d, struct foud_tunnel *t, struct fou_gso *g,
		  const struct foud_uso_enc *e, const struct fou_addr *local, uint16_t sport,
		  bool df, const struct foud_uso_dests *ds)
{
	struct foud_train *tr = &d->train;
	struct foud_uso_to to;
	size_t i;
	int fd;

	if (!uso_usable(d, t))
		return 1;
	fd = uso_socket(d, t, local, sport, df);
	if (fd < 0)
		return 1;
	while (uso_fill(d, g, e, tr) > 0) {
		/* Each destination's outer fields once the train is made: push() may set them. */
		for (i = 0; i < ds->n; i++) {
			memset(&to, 0, sizeof(to));
			to.local = local;
			ds->to(ds->arg, i, &to);
			uso_send(d, t, fd, tr, &to);
		}
		if (tr->err)
			break;
	}
	if (tr->err)
		t->st.tx_drop[-tr->err]++;
	return 0;
}

/*
 * The kernel's TCP builds super-packets of whole MSS up to gso_max_size -
 * USO_TCP_RESERVE: 45 segments of 1420 bytes with the default 65536 on a
 * 1472-byte tunnel. A train holds max / (mtu + hlen) datagrams, 44 there, so
 * each super-packet left in two sends, the second of one segment, and
 * arrived as two reads. A limit of n * (mtu - USO_TCP_HDRS) + USO_TCP_RESERVE
 * keeps them to n segments for any MSS down to mtu - USO_TCP_HDRS, and to
 * fewer if the reserve is larger than guessed.
 */
uint32_t foud_uso_gso_max_size(int family, uint32_t mtu, size_t hlen)
{
	size_t max = family == AF_INET ? USO_MAX_V4 : USO_MAX_V6;
	size_t n, size;

	if (mtu <= USO_TCP_HDRS)
		return 0;
	n = max / (mtu + hlen);
	if (n > FOUD_USO_SEGS)
		n = FOUD_USO_SEGS;
	size = n * (mtu - USO_TCP_HDRS) + USO_TCP_RESERVE;
	return n && size < 65536 ? (uint32_t)size : 0;
}

void foud_uso_fit_device(struct foud *d, struct foud_tunnel *t)
{
	const struct fou_tnl *n = &t->tnl;
	uint32_t size;
	int ret;

	if (t->bpf_egress || n->encap == FOU_ENCAP_NONE || !t->offload || !d->udp_gso)
		return;
	size = foud_uso_gso_max_size(n->remote.family, t->mtu, fou_tnl_payload_hlen(n));
	if (!size)
		return;
	ret = foud_rtnl_gso_max_size(t->ifindex, size);
	if (ret)
		foud_log(LOG_INFO, "%s: cannot set gso_max_size %u (%s): a super-packet may "
			 "take two sends", t->name, size, strerror(-ret));
}
