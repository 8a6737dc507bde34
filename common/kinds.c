// SPDX-License-Identifier: MIT
/*
 * The kind descriptor (kinds.h): fk_kinds[] from the rows of kinds.def,
 * and the look-ups over it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd_int.h"
#include "fou/wire.h"
#include "kinds.h"

/* The codecs the FK_UDP rows name (libfou, lib/NAME.c). */
#define FK_UDP(ID, n, idw, port, fl, syn, codec, use) extern const struct fou_l2_codec codec;
#include "kinds.def"

#define FK_L3(n, k, fam, in, fl) \
	{ .name = n, .l2 = FK_L2_NONE, .tnl = k, .family = fam, .inner = in, \
	  .flags = (fl) | FK_TNL, .dev = FK_DEV_TUN, .syntax = &cmd_syn_l3 },
#define FK_L2(ID, n, k, idw, port, fl, dv, syn, use) \
	{ .name = n, .l2 = FK_L2_##ID, .tnl = k, .id_word = idw, .dstport = port, \
	  .flags = fl, .dev = dv, .syntax = &syn, .usage = use },
#define FK_UDP(ID, n, idw, port, fl, syn, codec, use) \
	{ .name = n, .l2 = FK_L2_##ID, .tnl = FK_TNL_NONE, .id_word = idw, .dstport = port, \
	  .flags = fl, .dev = FK_DEV_OVERLAY, .udp = &codec, .syntax = &syn, .usage = use },

const struct fk_kind fk_kinds[] = {
#include "kinds.def"
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

bool fk_l3(enum fk_l2_kind l2)
{
	return l2 == FK_L2_NONE;
}

const struct fk_kind *fk_of(enum fk_l2_kind l2, enum fou_kind tnl)
{
	return fk_l3(l2) ? fk_by_tnl(tnl) : fk_by_l2(l2);
}

bool fk_takes(const struct fk_kind *k, const char *word)
{
	const struct cmd_link_syntax *syn = k->syntax;

	return cmd_kw_find(syn->kws, syn->nkws, word, k) ||
	       (syn->extra && cmd_kw_find(syn->extra, syn->nextra, word, k));
}
