// SPDX-License-Identifier: MIT
/*
 * Encapsulation ops: none (raw IP), fou (direct) and gue (variant 0), as
 * fou_core.c's fou_iptun_ops and gue_iptun_ops. hdr_len counts UDP too.
 */
#include <errno.h>
#include <string.h>

#include "fou/fou.h"
#include "fou/gue_auth.h"

static size_t none_hdr_len(uint16_t flags)
{
	(void)flags;
	return 0;
}

static int none_push(struct fou_buf *b, uint8_t proto, const struct fou_remcsum *rc)
{
	(void)b;
	(void)proto;
	(void)rc;
	return 0;
}

/* Raw IP and direct FOU carry nothing: the protocol comes from outside. */
static int direct_pull(struct fou_buf *b, uint8_t port_proto, uint8_t *proto)
{
	(void)b;
	if (port_proto == 0)
		return -FOU_DROP_INNER_PROTO;
	*proto = port_proto;
	return 0;
}

static size_t fou_hdr_len(uint16_t flags)
{
	(void)flags;
	return FOU_UDP_HLEN;
}

static size_t gue_hdr_len(uint16_t flags)
{
	return FOU_UDP_HLEN + fou_gue_hdr_len(flags & FOU_ENCAP_F_REMCSUM) +
	       (flags & FOU_ENCAP_F_AUTH ? FOU_GUE_AUTH_LEN : 0);
}

static int gue_push(struct fou_buf *b, uint8_t proto, const struct fou_remcsum *rc)
{
	return fou_gue_push(b, proto, rc);
}

static int gue_pull(struct fou_buf *b, uint8_t port_proto, uint8_t *proto)
{
	(void)port_proto;
	return fou_gue_pull(b, proto);
}

static const struct fou_encap_ops encap_ops[FOU_ENCAP__MAX] = {
	[FOU_ENCAP_NONE] = {
		.name = "none", .hdr_len = none_hdr_len,
		.push = none_push, .pull = direct_pull,
	},
	[FOU_ENCAP_FOU] = {
		.name = "fou", .hdr_len = fou_hdr_len,
		.push = none_push, .pull = direct_pull,
	},
	[FOU_ENCAP_GUE] = {
		.name = "gue", .hdr_len = gue_hdr_len,
		.push = gue_push, .pull = gue_pull,
	},
};

const struct fou_encap_ops *fou_encap(enum fou_encap e)
{
	if ((unsigned int)e >= FOU_ENCAP__MAX)
		return NULL;
	return &encap_ops[e];
}

int fou_encap_lookup(const char *name)
{
	int i;

	for (i = 0; i < FOU_ENCAP__MAX; i++)
		if (strcmp(encap_ops[i].name, name) == 0)
			return i;
	return -EINVAL;
}
