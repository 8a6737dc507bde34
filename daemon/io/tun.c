/* SPDX-License-Identifier: MIT */
/* TUN devices: one per tunnel, with a virtio header so offloads can be used. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include "foud.h"

#define TXQUEUELEN 1000
#define TXQUEUELEN_MAX (TXQUEUELEN * 4)	/* ~40 ms of 64-byte packets at 100 kpps */
#define TUN_ROUNDS 8		/* batches of reads per wake-up before yielding */

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (s < 0)
		return -errno;
	if (ioctl(s, req, ifr) < 0)
		ret = -errno;
	close(s);
	return ret;
}

int foud_tun_set_mtu(const char *name, uint32_t mtu)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_mtu = (int)mtu;
	return ifreq_ioctl(SIOCSIFMTU, &ifr);
}

int foud_dev_mtu(const char *name)
{
	struct ifreq ifr = { 0 };
	int ret;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ret = ifreq_ioctl(SIOCGIFMTU, &ifr);
	return ret < 0 ? ret : ifr.ifr_mtu;
}

int foud_dev_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int ret;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ret = ifreq_ioctl(SIOCGIFFLAGS, &ifr);
	return ret < 0 ? ret : !!(ifr.ifr_flags & IFF_UP);
}

int foud_tun_set_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int ret;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ret = ifreq_ioctl(SIOCGIFFLAGS, &ifr);
	if (ret)
		return ret;
	ifr.ifr_flags |= IFF_UP;
	return ifreq_ioctl(SIOCSIFFLAGS, &ifr);
}

static int tun_set_txqlen(const char *name)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_qlen = TXQUEUELEN;
	return ifreq_ioctl(SIOCSIFTXQLEN, &ifr);
}

static int tun_ifindex(const char *name)
{
	struct ifreq ifr = { 0 };
	int ret;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ret = ifreq_ioctl(SIOCGIFINDEX, &ifr);
	return ret < 0 ? ret : ifr.ifr_ifindex;
}

static struct {
	int fd;
	char name[IFNAMSIZ];
	bool offload_on;
} kept = { .fd = -1 };

void foud_tun_keep(int fd, const char *name, bool offload_on)
{
	foud_tun_unkeep();
	kept.fd = fd;
	snprintf(kept.name, sizeof(kept.name), "%s", name);
	kept.offload_on = offload_on;
}

/* No open took it: the device goes, unless another descriptor holds it. */
void foud_tun_unkeep(void)
{
	if (kept.fd >= 0) {
		foud_persist_drop(kept.fd);
		close(kept.fd);
	}
	kept.fd = -1;
	kept.name[0] = 0;
}

/* fd is the device of a change in place (conf.c), which a spare descriptor may keep. */
static bool tun_changing(int fd)
{
	struct ifreq ifr = { 0 };

	return kept.name[0] && ioctl(fd, TUNGETIFF, &ifr) == 0 && !strcmp(ifr.ifr_name, kept.name);
}

/* The kept descriptor of name, now the caller's, or -1. */
static int tun_take(const char *name, bool *offload_on)
{
	int fd = kept.fd;

	if (fd < 0 || strcmp(kept.name, name))
		return -1;
	kept.fd = -1;
	*offload_on = kept.offload_on;
	return fd;
}

/*
 * Opens a TUN device with IFF_VNET_HDR. With offload, the kernel may hand us
 * TCP super-packets and partial checksums (TSO4/6, CSUM), which the data path
 * segments and completes; without, every packet arrives whole and final.
 * A device of that name a stopped foud left is taken over, anyone else's
 * refused (persist.c).
 */
int foud_tun_open(const char *name, bool tap, bool offload, bool *offload_on, int *ifindex)
{
	struct ifreq ifr = { 0 };
	int fd, ret;

	fd = tun_take(name, offload_on);
	if (fd >= 0) {
		ret = tun_ifindex(name);
		if (ret < 0)
			goto err;
		*ifindex = ret;
		/* A failed change may have dropped it: foud's again. */
		foud_persist_mark(fd, name, ret);
		return fd;
	}
	ret = foud_persist_claim(name, tap);
	if (ret)
		return ret;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = (tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		goto err;
	}
	*offload_on = offload &&
		ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) == 0;
	if (tun_set_txqlen(name) < 0)
		foud_log(LOG_WARNING, "%s: cannot set txqueuelen", name);
	ret = tun_ifindex(name);
	if (ret < 0)
		goto err;
	*ifindex = ret;
	foud_persist_mark(fd, name, ret);
	return fd;
err:
	close(fd);
	return ret;
}

/*
 * A deleted device goes in the next batch (reap.c, which closes fd then);
 * alone if it cannot, or if it is a change's, whose restore may still need it.
 */
void foud_tun_close(struct foud *d, int fd)
{
	if (!d->keep && !tun_changing(fd) && !foud_reap_later(d, fd))
		return;
	if (!d->keep)
		foud_persist_drop(fd);
	close(fd);
}

const struct foud_io_cap *foud_io_cap;

/* A capture sees the packet after its virtio header: joined first if it is in pieces. */
static void tun_cap(int fd, const struct iovec *iov, int n)
{
	static uint8_t *flat;
	size_t len = 0;
	int i;

	if (n == 1 && iov[0].iov_len > FOU_VNET_HLEN) {
		foud_io_cap->packet(fd, (const uint8_t *)iov[0].iov_base + FOU_VNET_HLEN,
				    iov[0].iov_len - FOU_VNET_HLEN);
		return;
	}
	if (!flat && !(flat = malloc(FOU_VNET_HLEN + FOU_ETH_HLEN + FOUD_PKT_MAX)))
		return;
	for (i = 0; i < n; i++) {
		if (len + iov[i].iov_len > FOU_VNET_HLEN + FOU_ETH_HLEN + FOUD_PKT_MAX)
			return;
		memcpy(flat + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	if (len > FOU_VNET_HLEN)
		foud_io_cap->packet(fd, flat + FOU_VNET_HLEN, len - FOU_VNET_HLEN);
}

/* One packet in n pieces (virtio header first) to a TUN/TAP; 0 or -FOU_DROP_*. */
int foud_tun_writev(int fd, const struct iovec *iov, int n)
{
	if (writev(fd, iov, n) >= 0) {
		if (foud_io_cap)
			tun_cap(fd, iov, n);
		return 0;
	}
	switch (errno) {
	case EAGAIN:
	case ENOBUFS:
		return -FOU_DROP_QUEUE_FULL;
	case EIO:	/* TUN says so while the device is down */
		return -FOU_DROP_LINK_DOWN;
	default:
		return -FOU_DROP_TX_ERROR;
	}
}

int foud_tun_write_raw(int fd, const void *p, size_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)p, .iov_len = len };

	return foud_tun_writev(fd, &iov, 1);
}

/*
 * Writes one packet after the virtio header vh, which goes in a piece of
 * its own: the bytes in front of the packet may be the tail of another
 * that a super-packet being built still refers to (gro.c).
 */
int foud_tun_write_vnet(int fd, struct fou_buf *b, const struct fou_vnet_hdr *vh)
{
	uint8_t h[FOU_VNET_HLEN];
	struct iovec iov[2] = {
		{ .iov_base = h, .iov_len = sizeof(h) },
		{ .iov_base = fou_buf_data(b), .iov_len = b->len },
	};

	fou_vnet_put(h, vh);
	return foud_tun_writev(fd, iov, 2);
}

/* An all-zero virtio header, or DATA_VALID when its checksums are known good (see foud_gro_input()). */
int foud_tun_write_csum(int fd, struct fou_buf *b, bool valid)
{
	struct fou_vnet_hdr vh = { .flags = valid ? FOU_VNET_F_DATA_VALID : 0 };

	return foud_tun_write_vnet(fd, b, &vh);
}

int foud_tun_write(int fd, struct fou_buf *b)
{
	return foud_tun_write_csum(fd, b, false);
}

/* A packet read (n bytes in d->scratch) to one, after its virtio header. */
static int tun_one(struct foud *d, foud_tun_one_fn one, void *ctx, size_t n)
{
	struct fou_vnet_hdr vh;
	int ret = fou_vnet_parse(d->scratch, n, &vh);

	return ret ? ret : one(d, ctx, &vh, d->scratch + FOU_VNET_HLEN, n - FOU_VNET_HLEN);
}

/*
 * A drain that stopped at its bound left packets queued: the TUN's queue
 * (its ring of txqueuelen entries) was at least half full, and a burst while
 * we are off the CPU overflows it, dropped unseen by us (the device's TX
 * dropped). Doubled up to a bound: only the tunnels that need it pay, and
 * the bound keeps a queue short enough not to hide overload as delay. Only a
 * length foud set is grown: an operator's own txqueuelen is theirs.
 */
static bool tun_qlen_growable(int qlen)
{
	for (int q = TXQUEUELEN; q < TXQUEUELEN_MAX; q *= 2)
		if (qlen == q)
			return true;
	return false;
}

/*
 * A queue that may not grow (at the bound, or the operator's length) is
 * asked about again TUN_QASK_MS later, not at every drain that stops at its
 * bound: each asking is a socket, an ioctl and a close (~50 a second in a
 * flood here).
 */
#define TUN_QASK_MS	1000

static void tun_queue_grow(struct foud_tunnel *t)
{
	struct ifreq ifr = { 0 };
	uint64_t now = foud_now_ms();

	if (now < t->qlen_ask)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	if (ifreq_ioctl(SIOCGIFTXQLEN, &ifr) || !tun_qlen_growable(ifr.ifr_qlen)) {
		t->qlen_ask = now + TUN_QASK_MS;
		return;
	}
	ifr.ifr_qlen *= 2;
	if (ifreq_ioctl(SIOCSIFTXQLEN, &ifr) == 0)
		foud_log(LOG_INFO, "%s: txqueuelen %d: packets waited in its queue", t->name,
			 ifr.ifr_qlen);
}

void foud_tun_drain(struct foud *d, struct foud_tunnel *t, foud_tun_one_fn one, void *ctx)
{
	int fd = t->ev.fd, reads, ret;
	ssize_t n;

	for (reads = 0; reads < FOUD_BATCH * TUN_ROUNDS; reads++) {
		n = read(fd, d->scratch, FOU_VNET_HLEN + FOUD_PKT_MAX);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				foud_log(LOG_WARNING, "%s: read: %s", t->name, strerror(errno));
			break;
		}
		if ((size_t)n <= FOU_VNET_HLEN)
			continue;
		if (foud_io_cap)
			foud_io_cap->packet(fd, d->scratch + FOU_VNET_HLEN, (size_t)n - FOU_VNET_HLEN);
		ret = tun_one(d, one, ctx, (size_t)n);
		if (ret)
			t->st.tx_drop[ret < 0 && -ret < FOU_DROP__MAX ? -ret : FOU_DROP_TX_ERROR]++;
	}
	if (reads == FOUD_BATCH * TUN_ROUNDS)
		tun_queue_grow(t);
}

/* The MTU of the route towards remote, as the kernel sees it now; 1500 if none. */
uint32_t foud_path_mtu(const struct fou_addr *remote)
{
	struct sockaddr_storage ss;
	socklen_t len = foud_sockaddr(&ss, remote, remote->family, 9);
	socklen_t sl = sizeof(int);
	bool v4 = remote->family == AF_INET;
	int s, mtu = 0;

	s = socket(remote->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 1500;
	if (connect(s, (struct sockaddr *)&ss, len) < 0 ||
	    getsockopt(s, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_MTU : IPV6_MTU, &mtu, &sl) < 0 ||
	    mtu < 576)
		mtu = 1500;
	close(s);
	return (uint32_t)mtu;
}
