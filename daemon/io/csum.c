/* SPDX-License-Identifier: MIT */
/*
 * Verify once. A UDP checksum covers the whole datagram, so a non-zero one
 * that the kernel verified (it drops a datagram whose non-zero checksum is
 * wrong before any socket sees it) vouches for every inner packet: GRO need
 * not sum each TCP segment again, and what goes up the TUN is marked valid
 * (the kernel's "checksum-unnecessary conversion" of its UDP tunnels). Only
 * a zero checksum (none: allowed over IPv4, and over IPv6 by
 * UDP_NO_CHECK6_RX as the kernel's fou6) leaves the inner packet unchecked.
 *
 * No socket option or control message says what a datagram's checksum was,
 * and a setting negotiated per tunnel would trust what the peer says it
 * sends. So a receive port is two sockets in one SO_REUSEPORT group, and a
 * classic BPF program reads the UDP header's checksum field itself: a
 * non-zero one steers the datagram to the second socket ("verified"),
 * anything else (zero, IPv6 extension headers, a failed load) to the first.
 * Each socket also carries a filter that refuses the other's datagrams, so
 * multicast copies and a group that changed under us cannot mislabel one.
 * The kernel's UDP GRO never merges a zero-checksum datagram into a train
 * (udp_gro_receive_segment(): "requires non zero csum"), so a coalesced
 * read is verified as a whole.
 */
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "foud.h"

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

#define NET(off)	((uint32_t)(SKF_NET_OFF + (off)))
#define UDP_CSUM	6		/* the checksum's offset in the UDP header */
#define KEEP		0xffffffffu	/* a socket filter's "whole packet" */
#define CSUM_PROG_MAX	6

/*
 * A program that returns sum for a datagram whose UDP checksum is non-zero,
 * unsure for any other. Offsets count from the network header (SKF_NET_OFF):
 * the reuseport hook runs past the UDP header, a socket filter before it.
 */
static unsigned short csum_prog(struct sock_filter *f, int family, uint32_t unsure, uint32_t sum)
{
	unsigned short n = 0;

	if (family == AF_INET) {
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, NET(0));
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_IND, NET(UDP_CSUM));
	} else {
		/* UDP right after the fixed header; extension headers are unsure. */
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, NET(6));
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 3);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS,
						      NET(FOU_IPV6_HLEN + UDP_CSUM));
	}
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, sum);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, unsure);
	return n;
}

static int csum_attach(int fd, int opt, int family, uint32_t unsure, uint32_t sum)
{
	struct sock_filter f[CSUM_PROG_MAX];
	struct sock_fprog prog = { .filter = f };

	prog.len = csum_prog(f, family, unsure, sum);
	return setsockopt(fd, SOL_SOCKET, opt, &prog, sizeof(prog)) < 0 ? -errno : 0;
}

/*
 * The verified socket joins fd's group; it refuses anything else from the
 * start. Then the group steers, and only then does fd refuse what the
 * verified socket takes: nothing is lost meanwhile, what fd already holds
 * is merely checked again.
 */
static int csum_verified_only(int fd, int family)
{
	return csum_attach(fd, SO_ATTACH_FILTER, family, 0, KEEP);
}

static int csum_join(const struct cmd_port_cfg *cfg, bool gro, int fd)
{
	int vfd, ret;

	vfd = foud_udp_open_grouped(cfg, gro, csum_verified_only);
	if (vfd < 0)
		return vfd;
	ret = csum_attach(fd, SO_ATTACH_REUSEPORT_CBPF, cfg->family, 0, 1) ?:
	      csum_attach(fd, SO_ATTACH_FILTER, cfg->family, KEEP, 0);
	if (ret) {
		close(vfd);
		return ret;
	}
	return vfd;
}

/*
 * SO_REUSEPORT would let the pair join any group already on the port (a
 * VXLAN port's, a TOU socket's): a plain bind first, refused as the
 * kernel refuses a second tunnel socket on one port.
 */
static int csum_port_free(const struct cmd_port_cfg *cfg)
{
	int fd = foud_udp_open(cfg, false);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/*
 * Without the pair (a kernel that refuses a step), the port still works
 * with the one socket, every inner packet checked as before.
 */
int foud_csum_open(const struct cmd_port_cfg *cfg, bool gro, int *vfd)
{
	int fd = csum_port_free(cfg) ?: foud_udp_open_grouped(cfg, gro, NULL);

	*vfd = -1;
	if (fd < 0)
		return fd;
	*vfd = csum_join(cfg, gro, fd);
	if (*vfd < 0) {
		foud_log(LOG_WARNING, "port %u: outer checksums not told apart (%s), "
			 "inner ones verified", cfg->port, strerror(-*vfd));
		*vfd = -1;
	}
	return fd;
}

static int csum_watch(struct foud *d, const struct cmd_port_cfg *cfg, struct foud_ev *ev,
		      struct foud_ev *vev)
{
	ev->fd = foud_csum_open(cfg, d->offload, &vev->fd);
	if (ev->fd < 0)
		return ev->fd;
	if (!foud_loop_add(d, ev) && (vev->fd < 0 || !foud_loop_add(d, vev)))
		return 0;
	return -EIO;
}

void foud_csum_unwatch(struct foud *d, struct foud_ev *ev, struct foud_ev *vev)
{
	if (vev->fd >= 0) {
		foud_loop_del(d, vev);
		close(vev->fd);
		vev->fd = -1;
	}
	foud_loop_del(d, ev);
	close(ev->fd);
	ev->fd = -1;
}

/*
 * A shared receive port of a kind as a pair, both watched, and one of
 * foud's own receive points. 0, or -errno with the reason in err.
 */
static int csum_port_open(struct foud *d, const struct cmd_port_cfg *cfg, struct foud_ev *ev,
			  struct foud_ev *vev, char *err, size_t errlen)
{
	int ret = csum_watch(d, cfg, ev, vev);

	if (ret) {
		if (ev->fd >= 0)
			foud_csum_unwatch(d, ev, vev);
		snprintf(err, errlen, "cannot open UDP port %u: %s", cfg->port, strerror(-ret));
		return ret;
	}
	ret = foud_ours_add(d, FOU_PROTO_UDP, cfg->port);
	if (ret) {
		foud_csum_unwatch(d, ev, vev);
		snprintf(err, errlen, "out of memory");
	}
	return ret;
}

static void *csum_port_new(struct foud *d, const struct foud_csum_class *c,
			   const struct cmd_port_cfg *cfg, char *err, size_t errlen)
{
	char *o = foud_zalloc(c->size, err, errlen);
	struct foud_csum_port *cp;

	if (!o)
		return NULL;
	cp = (struct foud_csum_port *)(o + c->off);
	cp->ev.fn = c->fn;
	cp->vev.fn = c->vfn;
	if (csum_port_open(d, cfg, &cp->ev, &cp->vev, err, errlen)) {
		free(o);
		return NULL;
	}
	cp->family = cfg->family;
	cp->port = cfg->port;
	cp->local = cfg->local;
	return o;
}

static struct foud_csum_port *csum_port_find(struct foud_csum_ports *list,
					     const struct cmd_port_cfg *cfg)
{
	struct foud_csum_port *cp;

	TAILQ_FOREACH(cp, list, entry)
		if (cp->port == cfg->port && cp->family == cfg->family &&
		    fou_addr_eq(&cp->local, &cfg->local))
			return cp;
	return NULL;
}

void *foud_csum_port_get(struct foud *d, struct foud_csum_ports *list,
			 const struct foud_csum_class *c, const char *owner,
			 const struct cmd_port_cfg *cfg, char *err, size_t errlen)
{
	struct foud_csum_port *cp = csum_port_find(list, cfg);
	char *o;

	/* As the kernel: one tunnel kind per UDP port, the others refused. */
	if (cp && strcmp(cp->owner, owner)) {
		snprintf(err, errlen, "UDP port %u carries %s", cfg->port, cp->owner);
		return NULL;
	}
	if (cp) {
		cp->users++;
		return (char *)cp - c->off;
	}
	o = csum_port_new(d, c, cfg, err, errlen);
	if (!o)
		return NULL;
	cp = (struct foud_csum_port *)(o + c->off);
	cp->owner = owner;
	cp->users = 1;
	TAILQ_INSERT_TAIL(list, cp, entry);
	return o;
}

bool foud_csum_port_put(struct foud *d, struct foud_csum_ports *list, struct foud_csum_port *cp)
{
	if (--cp->users)
		return false;
	TAILQ_REMOVE(list, cp, entry);
	foud_csum_unwatch(d, &cp->ev, &cp->vev);
	foud_ours_del(d, FOU_PROTO_UDP, cp->port);
	return true;
}

void foud_csum_show(struct foud_pr *p, const struct foud_port *fp)
{
	foud_pr_u64(p, "csum_trusted", "    outer checksum verified, inner trusted %llu\n",
		    fp->csum_trusted);
	foud_pr_u64(p, "rco_partial", "    remote checksum offload left partial %llu\n",
		    fp->rco_partial);
}
