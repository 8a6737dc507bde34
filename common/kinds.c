// SPDX-License-Identifier: MIT
/*
 * The kind descriptor (kinds.h). The order of the rows is the order in which
 * the usage text and the "type" message list the kinds.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"
#include "fou/l2.h"
#include "kinds.h"

static int vxlan_push(struct fou_buf *b, const struct cmd_l2_cfg *c)
{
	return fou_vxlan_push(b, c->vni);
}

/* With the device's geneve_opts; C when one of them is critical. */
static int geneve_push(struct fou_buf *b, const struct cmd_l2_cfg *c)
{
	return fou_geneve_push(b, c->vni, c->geneve_opts, c->geneve_opts_len, false);
}

/*
 * Options are skipped: foud understands none, so a critical one drops the
 * packet (RFC 8926 3.5.1) and the others are ignored.
 */
static int geneve_pull(struct fou_buf *b, uint32_t *vni)
{
	struct fou_geneve g;
	int ret = fou_geneve_pull(b, NULL, 0, &g);

	if (!ret)
		*vni = g.vni;
	return ret;
}

#define L3(n, k, fam, in, fl) { .name = n, .l2 = FK_L2_NONE, .tnl = k, .family = fam, \
	.inner = in, .flags = fl, .dev = FK_DEV_TUN, .syntax = &cmd_syn_l3 }
#define V46	(FOU_INNER_V4 | FOU_INNER_V6)

const struct fk_kind fk_kinds[] = {
	L3("ipip", FOU_KIND_IPIP, AF_INET, FOU_INNER_V4, 0),
	L3("sit", FOU_KIND_SIT, AF_INET, FOU_INNER_V6, 0),
	L3("gre", FOU_KIND_GRE, AF_INET, V46, FK_GRE),
	L3("ip6tnl", FOU_KIND_IP6TNL, AF_INET6, V46, 0),
	L3("ip6gre", FOU_KIND_IP6GRE, AF_INET6, V46, FK_GRE),
	/* GRE-TAP has gre's words; ip6gre carries it when remote is IPv6. */
	{ .name = "gretap", .l2 = FK_L2_GRETAP, .tnl = FOU_KIND_GRE, .flags = FK_GRE,
	  .dev = FK_DEV_OVERLAY, .syntax = &cmd_syn_gretap },
	{ .name = "vxlan", .l2 = FK_L2_VXLAN, .tnl = FK_TNL_NONE, .id_word = "id",
	  .dstport = FOU_PORT_VXLAN, .dev = FK_DEV_OVERLAY, .syntax = &cmd_syn_vxlan,
	  .udp = { vxlan_push, fou_vxlan_pull, FOU_VXLAN_HLEN, FOU_DROP_WRONG_VNI } },
	/* NVGRE's key is its VSID: the GRE key words are not its. */
	{ .name = "nvgre", .l2 = FK_L2_NVGRE, .tnl = FOU_KIND_GRE, .id_word = "vsid",
	  .dev = FK_DEV_OVERLAY, .syntax = &cmd_syn_nvgre },
	{ .name = "geneve", .l2 = FK_L2_GENEVE, .tnl = FK_TNL_NONE, .id_word = "id",
	  .dstport = FOU_PORT_GENEVE, .dev = FK_DEV_OVERLAY, .syntax = &cmd_syn_geneve,
	  .udp = { geneve_push, geneve_pull, FOU_GENEVE_HLEN, FOU_DROP_WRONG_VNI } },
	/* STT's port is TCP's. */
	{ .name = "stt", .l2 = FK_L2_STT, .tnl = FK_TNL_NONE, .id_word = "key",
	  .dstport = FOU_PORT_STT, .dev = FK_DEV_STT, .syntax = &cmd_syn_stt },
};

const size_t fk_nkinds = sizeof(fk_kinds) / sizeof(fk_kinds[0]);

const char *fk_names(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < fk_nkinds; i++) {
		const char *sep = !i ? "" : i + 1 < fk_nkinds ? ", " : " or ";
		int n = snprintf(buf + off, len - off, "%s%s", sep, fk_kinds[i].name);

		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return buf;
}

const struct fk_kind *fk_by_name(const char *name)
{
	for (size_t i = 0; i < fk_nkinds; i++)
		if (!strcmp(fk_kinds[i].name, name))
			return &fk_kinds[i];
	return NULL;
}

const struct fk_kind *fk_by_l2(enum fk_l2_kind l2)
{
	for (size_t i = 0; l2 != FK_L2_NONE && i < fk_nkinds; i++)
		if (fk_kinds[i].l2 == l2)
			return &fk_kinds[i];
	return NULL;
}

const struct fk_kind *fk_by_tnl(enum fou_kind tnl)
{
	for (size_t i = 0; i < fk_nkinds; i++)
		if (fk_kinds[i].l2 == FK_L2_NONE && fk_kinds[i].tnl == tnl)
			return &fk_kinds[i];
	return NULL;
}

const struct fk_kind *fk_of(enum fk_l2_kind l2, enum fou_kind tnl)
{
	return l2 != FK_L2_NONE ? fk_by_l2(l2) : fk_by_tnl(tnl);
}
