/* SPDX-License-Identifier: MIT */
/* Underlay sockets: UDP receive ports, raw IP sockets for plain tunnels and for sending. */
#include <errno.h>
#include <netinet/in.h>
#include <linux/sock_diag.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "foud.h"

#ifndef UDP_GRO
#define UDP_GRO 104
#endif
#ifndef UDP_NO_CHECK6_RX
#define UDP_NO_CHECK6_RX 102
#endif

/*
 * With UDP GRO a queued datagram is a train of up to 64 segments; 4 MiB held
 * ~60 of them, and a receiver kept off the CPU for a moment dropped whole
 * trains (retransmit storms with 4 TCP streams on 2 CPUs). A limit, not an
 * allocation.
 */
#define SOCK_BUF (16 << 20)

static void sock_bufs(int s)
{
	int v = SOCK_BUF;

	/* The FORCE variants pass rmem_max as root; fall back quietly. */
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

static int sock_opt(int s, int lvl, int opt, int v)
{
	return setsockopt(s, lvl, opt, &v, sizeof(v)) < 0 ? -errno : 0;
}

/*
 * As the kernel's VXLAN: what we send to a multicast group does not come
 * back to this host, where our own port could only drop it (as `loop`).
 */
void foud_sock_mc_noloop(int s, int family)
{
	if (family == AF_INET)
		sock_opt(s, IPPROTO_IP, IP_MULTICAST_LOOP, 0);
	else
		sock_opt(s, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
}

/* Asks for the destination address and the TOS of every datagram. */
static int sock_rx_info(int s, int family)
{
	if (family == AF_INET)
		return sock_opt(s, IPPROTO_IP, IP_PKTINFO, 1) ?:
		       sock_opt(s, IPPROTO_IP, IP_RECVTOS, 1);
	return sock_opt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) ?:
	       sock_opt(s, IPPROTO_IPV6, IPV6_RECVTCLASS, 1);
}

/* a (or the wildcard when a is unset) and port as a sockaddr of family. */
socklen_t foud_sockaddr(struct sockaddr_storage *ss, const struct fou_addr *a, int family,
			uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	bool v4 = family == AF_INET;

	memset(ss, 0, sizeof(*ss));
	ss->ss_family = v4 ? AF_INET : AF_INET6;
	if (v4)
		sin->sin_port = htons(port);
	else
		sin6->sin6_port = htons(port);
	if (a->family)
		memcpy(v4 ? (void *)&sin->sin_addr : (void *)&sin6->sin6_addr, a->a, v4 ? 4 : 16);
	return v4 ? sizeof(*sin) : sizeof(*sin6);
}

/*
 * A receive port, bound like the kernel's fou socket. It is not connected
 * to the peer, so that datagrams from others reach us and are counted.
 * grouped: SO_REUSEPORT, and prebind (if any) before the bind (csum.c).
 */
static int udp_open(const struct cmd_port_cfg *cfg, bool gro, bool grouped,
		    int (*prebind)(int fd, int family))
{
	struct sockaddr_storage ss;
	socklen_t sl = foud_sockaddr(&ss, &cfg->local, cfg->family, cfg->port);
	int s, ret;

	s = socket(cfg->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	ret = sock_rx_info(s, cfg->family);
	if (!ret && cfg->family == AF_INET6)
		/* As the kernel's fou6: zero UDP checksums are accepted over IPv6. */
		ret = sock_opt(s, IPPROTO_IPV6, IPV6_V6ONLY, 1) ?:
		      sock_opt(s, IPPROTO_UDP, UDP_NO_CHECK6_RX, 1);
	if (!ret && grouped)
		ret = sock_opt(s, SOL_SOCKET, SO_REUSEPORT, 1) ?:
		      (prebind ? prebind(s, cfg->family) : 0);
	if (!ret && bind(s, (struct sockaddr *)&ss, sl) < 0)
		ret = -errno;
	if (ret) {
		close(s);
		return ret;
	}
	sock_bufs(s);
	foud_sock_mc_noloop(s, cfg->family);
	/* The kernel's count of datagrams it dropped here (queue full), on each read after one. */
	sock_opt(s, SOL_SOCKET, SO_RXQ_OVFL, 1);
	/* Let the kernel coalesce a flow's datagrams; we cut them apart again. */
	if (gro)
		sock_opt(s, IPPROTO_UDP, UDP_GRO, 1);
	return s;
}

int foud_udp_open(const struct cmd_port_cfg *cfg, bool gro)
{
	return udp_open(cfg, gro, false, NULL);
}

int foud_udp_open_grouped(const struct cmd_port_cfg *cfg, bool gro,
			  int (*prebind)(int fd, int family))
{
	return udp_open(cfg, gro, true, prebind);
}

/*
 * The kernel's drops at a receive socket: the larger of what SO_RXQ_OVFL
 * said with the last datagram read (seen) and SO_MEMINFO now, which also
 * covers drops that no datagram has come after yet.
 */
uint64_t foud_sock_drops(int fd, uint64_t seen)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mi);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len) == 0 &&
	    len > SK_MEMINFO_DROPS * sizeof(mi[0]) && mi[SK_MEMINFO_DROPS] > seen)
		return mi[SK_MEMINFO_DROPS];
	return seen;
}

/* One raw socket per family sends every outer packet, headers built by us. */
int foud_raw_tx_open(int family)
{
	int s = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);

	if (s < 0)
		return -errno;
	sock_bufs(s);
	foud_sock_mc_noloop(s, family);
	return s;
}

int foud_raw_rx_open(int family, uint8_t proto)
{
	int s = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	int ret;

	if (s < 0)
		return -errno;
	/* IPv4 raw sockets see the IP header; IPv6 ones need ancillary data. */
	ret = family == AF_INET6 ? sock_rx_info(s, family) : 0;
	if (ret) {
		close(s);
		return ret;
	}
	sock_bufs(s);
	return s;
}

/* net.ipv4.ip_local_port_range, which encap-sport auto spreads flows over. */
void foud_local_port_range(uint16_t *min, uint16_t *max)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
	unsigned int lo = 32768, hi = 60999;

	if (f) {
		if (fscanf(f, "%u %u", &lo, &hi) != 2 || lo >= hi || hi > 65535) {
			lo = 32768;
			hi = 60999;
		}
		fclose(f);
	}
	*min = (uint16_t)lo;
	*max = (uint16_t)hi;
}
