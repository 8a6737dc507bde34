// SPDX-License-Identifier: MIT
/*
 * Twin IP tunnels. Linux finds a tunnel by its kind's table, addresses,
 * receive key and link device, never by the encapsulation port, so it
 * refuses a second tunnel equal to a first on those (`ip link add`:
 * "File exists"); foud's receive finds a tunnel the same way, so it refuses
 * the same twins. The kernel's rules (net/ipv4/ip_tunnel.c ip_tunnel_find,
 * net/ipv4/ip_gre.c, net/ipv6/sit.c, ip6_tunnel.c ip6_tnl_locate,
 * ip6_gre.c ip6gre_tunnel_find), one table per kind:
 *   ipip, sit, ip6tnl: local and remote;
 *   gre, gretap over IPv4: also the key flag, and the key when it is set
 *     (`key 0` and no key differ);
 *   ip6gre, ip6gretap: also the key's value, 0 without one (no flag).
 * The link device (`dev`) is compared too; foud's IP tunnels take no
 * `dev` word, so theirs is always the same.
 */
#include <sys/socket.h>

#include "cmd_twin.h"
#include "fou/htab.h"
#include "kinds.h"

bool cmd_link_twinnable(const struct cmd_link_cfg *cfg)
{
	const struct fk_kind *fk = fk_of(cfg->l2.kind, cfg->tnl.kind);

	/* no remote: a fleet's multipoint device, its members are its own */
	return fk && (fk->flags & FK_TNL) && cfg->tnl.remote.family;
}

static uint32_t twin_ikey(const struct fou_tnl *t)
{
	return t->gre_iflags & FOU_GRE_KEY ? t->ikey : 0;
}

static bool twin_keys(const struct fou_tnl *a, const struct fou_tnl *b)
{
	bool ka = a->gre_iflags & FOU_GRE_KEY, kb = b->gre_iflags & FOU_GRE_KEY;

	if (a->remote.family == AF_INET6)
		return twin_ikey(a) == twin_ikey(b);	/* ip6_gre.c: the value only */
	return ka == kb && twin_ikey(a) == twin_ikey(b);
}

bool cmd_link_twin(const struct cmd_link_cfg *a, const struct cmd_link_cfg *b)
{
	const struct fk_kind *fk = fk_of(a->l2.kind, a->tnl.kind);

	if (!cmd_link_twinnable(a) || !cmd_link_twinnable(b) ||
	    a->l2.kind != b->l2.kind || a->tnl.kind != b->tnl.kind)
		return false;
	if (!fou_addr_eq(&a->tnl.local, &b->tnl.local) ||
	    !fou_addr_eq(&a->tnl.remote, &b->tnl.remote))
		return false;
	return !(fk->flags & FK_GRE) || twin_keys(&a->tnl, &b->tnl);
}

const char *cmd_link_twin_what(const struct cmd_link_cfg *cfg)
{
	const struct fk_kind *fk = fk_of(cfg->l2.kind, cfg->tnl.kind);

	return fk && (fk->flags & FK_GRE) ? "type, local, remote and key" : "type, local and remote";
}

uint32_t cmd_link_twin_hash(const struct cmd_link_cfg *cfg)
{
	uint32_t kind[2] = { cfg->l2.kind, cfg->tnl.kind };

	return fou_addr_hash(&cfg->tnl.remote,
			     fou_addr_hash(&cfg->tnl.local, fou_hash_words(kind, 2, 0)));
}
