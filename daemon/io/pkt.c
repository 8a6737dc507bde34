/* SPDX-License-Identifier: MIT */
/*
 * Outer super-packets handed whole to the kernel's segmentation (TSO on the
 * underlay's NIC, else GSO in software): an AF_PACKET socket with a virtio
 * header (PACKET_VNET_HDR), the Ethernet header built from the route and
 * the neighbour table as `ip route get` and `ip neigh get` see them. A raw
 * IP socket cannot carry a GSO packet, and the kernel cuts exactly as TCP's
 * own segmentation does. The frames bypass the IP output path (netfilter
 * output, the socket's route): the caller uses this only where a raw send
 * would take the same device, and sends otherwise while the next hop is
 * unresolved, which lets the kernel resolve it.
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "foud.h"

#define PKT_TTL_MS	1000	/* a next hop found is trusted this long */
#define PKT_RETRY_MS	100	/* an unresolved one asked again after this */

int foud_pkt_open(void)
{
	int one = 1, fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0) {
		one = -errno;
		close(fd);
		return one;
	}
	return fd;
}

/* The device's Ethernet address, or -errno (-EOPNOTSUPP: not Ethernet). */
static int pkt_dev_mac(int fd, int ifindex, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };

	if (!if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return -EOPNOTSUPP;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int pkt_resolve(int fd, struct foud_pkt_path *p)
{
	int ifindex, ret = foud_rtnl_nexthop(&p->dst, &ifindex, p->eth);

	if (!ret)
		ret = pkt_dev_mac(fd, ifindex, p->eth + 6);
	p->ifindex = ret ? 0 : ifindex;
	fou_put16(p->eth + 12, p->dst.family == AF_INET6 ? FOU_ETH_P_IPV6 : FOU_ETH_P_IP);
	return ret;
}

/* p's next hop toward dst, asked again once stale: 0 when usable. */
int foud_pkt_path(int fd, struct foud_pkt_path *p, const struct fou_addr *dst, uint64_t now_ms)
{
	int ret;

	if (!fou_addr_eq(&p->dst, dst))
		p->until_ms = 0;
	if (now_ms < p->until_ms)
		return p->ifindex ? 0 : -EAGAIN;
	p->dst = *dst;
	ret = pkt_resolve(fd, p);
	p->until_ms = now_ms + (ret ? PKT_RETRY_MS : PKT_TTL_MS);
	return ret;
}

/* The IP packet in b (headroom for Ethernet and the virtio header) to p's next hop. */
int foud_pkt_send(int fd, struct foud_pkt_path *p, struct fou_buf *b,
		  const struct fou_vnet_hdr *vh)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = p->ifindex,
		.sll_halen = 6,
	};
	uint8_t *h = fou_buf_push(b, FOU_ETH_HLEN);

	if (!h || !fou_buf_push(b, FOU_VNET_HLEN))
		return -ENOBUFS;
	memcpy(h, p->eth, FOU_ETH_HLEN);
	sll.sll_protocol = htons(fou_get16(h + 12));
	memcpy(sll.sll_addr, h, 6);
	fou_vnet_put(fou_buf_data(b), vh);
	if (sendto(fd, fou_buf_data(b), b->len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		p->until_ms = 0;	/* asked again at the next frame */
		return -errno;
	}
	return 0;
}
