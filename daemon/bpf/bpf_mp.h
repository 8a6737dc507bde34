/* SPDX-License-Identifier: MIT */
/* A fleet's L3 device in the BPF maps (bpf_mp.c), for bpf.c alone. */
#ifndef FOUD_BPF_MP_H
#define FOUD_BPF_MP_H

#include "fou/pfx.h"
#include "../bpf/foud_bpf.h"

struct foud_bpf_mp {
	int mpfd, rxfd;			/* foud_mp, foud_rx */
	__u32 ifindex;
	struct foud_bpf_rxkey keys[2];	/* the device's receive keys, remote to be filled */
	int nkeys;
	struct foud_bpf_rxval rv;
	__u32 oif;			/* the device's underlay (foud_tnl's oif) */
};

/* From old's prefixes and nodes to nw's (NULL: none); what fails is left to the userspace path. */
void foud_bpf_mp_maps(const struct foud_bpf_mp *m, const struct fou_pfx *old,
		      const struct fou_pfx *nw);

/* Every node's receive keys again, with m's value (the device went up or down). */
void foud_bpf_mp_peers(const struct foud_bpf_mp *m, const struct fou_pfx *t);
/* How many of t's prefixes the programs leave to foud: their node is behind another device. */
unsigned int foud_bpf_mp_slow(const struct foud_bpf_mp *m, const struct fou_pfx *t);

#endif /* FOUD_BPF_MP_H */
