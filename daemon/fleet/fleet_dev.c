/* SPDX-License-Identifier: MIT */
/*
 * Which devices are a fleet's, and what two nodes' devices must share to
 * be one segment: the one place that asks a device. Below fleet.c (what
 * we publish), fleet_node.c (the nodes' entries) and fleet_l3.c.
 */
#include "foud.h"
#include "fleet.h"

/* The one place that asks a device whether it is a fleet's: its L2 words, or NULL. */
const struct cmd_l2_cfg *fleet_dev_cfg(const struct foud_tunnel *t)
{
	return !fk_l3(t->cfg.l2.kind) && t->cfg.l2.fleet ? &t->cfg.l2 : NULL;
}

/* Whether t is an L3 fleet device (fleet prefix). */
bool fleet_l3_dev(const struct foud_tunnel *t)
{
	return fk_l3(t->cfg.l2.kind) && t->cfg.fleet_pfx.family;
}

/* What two nodes' devices must share to be one segment: the VNI (VSID), or GRE-TAP's key. */
uint32_t fleet_dev_id(const struct foud_tunnel *t)
{
	const struct fk_kind *k = fk_by_l2(t->cfg.l2.kind);

	return k && k->flags & FK_ID32 ? t->cfg.tnl.ikey : t->cfg.l2.vni;
}
