/* SPDX-License-Identifier: MIT */
/* fouctl capture: pcap of what a userspace-path device sends and receives (capture.c). */
#ifndef FOUD_CAPTURE_H
#define FOUD_CAPTURE_H

#include "foud.h"

/* Starts a capture of device dev into a copy of c->fd (a pipe); 0 or -errno with err set. */
int foud_cap_start(struct foud *d, const char *dev, const struct cmd_capture_cfg *c,
		   char *err, size_t errlen);
void foud_cap_fini(struct foud *d);

#define FOUD_CAP_RX	0	/* written to the device: received from the tunnel */
#define FOUD_CAP_TX	1	/* read from the device: to be sent */

/*
 * The hook of the device reads and writes (tun.c, through foud_io_cap while
 * a capture runs): p is the packet after the virtio header.
 */
void foud_cap_packet(int tun_fd, const uint8_t *p, size_t len);

/*
 * The outer hooks, for outer captures: raw sends (their IP header in the
 * buffer), UDP GSO trains (seg bytes a datagram; uso.c, through foud_io_cap),
 * and a received datagram, kept by rx_dgram (rx.c, through foud_io_cap)
 * until foud_cap_rx names its device.
 */
void foud_cap_txq(int tun_fd, const struct foud_txq *q);
/* Is an outer capture running on the device (a sender that bypasses foud_cap_txq asks)? */
bool foud_cap_outer(int tun_fd);
void foud_cap_train(int tun_fd, int fd, const struct foud_uso_to *to, const uint8_t *p,
		    size_t len, size_t seg);
struct foud_rxmeta;
void foud_cap_rx_dgram(int fd, const struct fou_buf *s, const struct foud_rxmeta *m);
void foud_cap_rx(int tun_fd);

/*
 * A received datagram whose device is known only later (STT: once its
 * frame is whole): held under key while an outer capture runs, then written
 * to tun_fd's outer captures by claim (tun_fd -1: forgotten), or forgotten
 * after STT's reassembly timeout.
 */
void foud_cap_rx_hold(const void *key, size_t klen);
void foud_cap_rx_claim(int tun_fd, const void *key, size_t klen);

#endif /* FOUD_CAPTURE_H */
