// SPDX-License-Identifier: MIT
/*
 * Geneve (RFC 8926), 8 bytes after UDP plus options:
 *
 *  |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 *  |        Virtual Network Identifier (VNI)       |    Reserved   |
 *  |  Option Class                 |      Type     |R|R|R| Length  |  ...
 *
 * Opt Len and each option's Length count 4-byte words (an option's Length
 * excludes its own 4-byte header). Reserved bits are ignored on receipt.
 */
#include <string.h>

#include "fou/l2.h"

#define GENEVE_VER_SHIFT	6
#define GENEVE_OPTLEN_MASK	0x3f
#define GENEVE_OPT_LEN_MASK	0x1f
#define GENEVE_VNI_SHIFT	8

size_t fou_geneve_hdr_len(size_t opts_len)
{
	return FOU_GENEVE_HLEN + opts_len;
}

/*
 * Walks the options: each header and body within len. Sets *crit when one
 * option is critical; with known != NULL, fails on a critical option that
 * is not listed.
 */
static int geneve_walk(const uint8_t *o, size_t len, bool *crit,
		       const struct fou_geneve_opt_id *known, size_t nknown,
		       bool check)
{
	size_t olen, i;
	uint16_t cls;

	*crit = false;
	while (len > 0) {
		if (len < FOU_GENEVE_OPT_HLEN)
			return -FOU_DROP_TOO_SHORT;
		olen = FOU_GENEVE_OPT_HLEN + ((size_t)(o[3] & GENEVE_OPT_LEN_MASK) << 2);
		if (olen > len)
			return -FOU_DROP_TOO_SHORT;
		cls = fou_get16(o);
		if (o[2] & FOU_GENEVE_TYPE_CRIT) {
			*crit = true;
			for (i = 0; i < nknown; i++)
				if (known[i].cls == cls && known[i].type == o[2])
					break;
			if (check && i == nknown)
				return -FOU_DROP_GENEVE_CRITICAL;
		}
		o += olen;
		len -= olen;
	}
	return 0;
}

int fou_geneve_push(struct fou_buf *b, uint32_t vni, const uint8_t *opts,
		    size_t opts_len, bool oam)
{
	bool crit = false;
	uint8_t *h;
	int err;

	if (opts_len > FOU_GENEVE_MAX_OPTLEN || (opts_len && !opts))
		return -FOU_DROP_TOO_SHORT;
	err = geneve_walk(opts, opts_len, &crit, NULL, 0, false);
	if (err)
		return err;
	h = fou_buf_push(b, fou_geneve_hdr_len(opts_len));
	if (!h)
		return -FOU_DROP_TOO_SHORT;
	h[0] = (uint8_t)(opts_len >> 2);	/* version 0 */
	h[1] = (uint8_t)((oam ? FOU_GENEVE_F_OAM : 0) | (crit ? FOU_GENEVE_F_CRIT : 0));
	fou_put16(h + 2, FOU_ETH_P_TEB);
	fou_put32(h + 4, (vni & FOU_VNI_MASK) << GENEVE_VNI_SHIFT);
	if (opts_len)
		memcpy(h + FOU_GENEVE_HLEN, opts, opts_len);
	return 0;
}

int fou_geneve_pull(struct fou_buf *b, const struct fou_geneve_opt_id *known,
		    size_t nknown, struct fou_geneve *g)
{
	const uint8_t *h = fou_buf_data(b);
	size_t optlen, hlen;
	bool crit;
	int err;

	if (b->len < FOU_GENEVE_HLEN)
		return -FOU_DROP_TOO_SHORT;
	if (h[0] >> GENEVE_VER_SHIFT != 0)
		return -FOU_DROP_GENEVE_VERSION;
	optlen = (size_t)(h[0] & GENEVE_OPTLEN_MASK) << 2;
	hlen = fou_geneve_hdr_len(optlen);
	if (b->len < hlen + FOU_ETH_HLEN)
		return -FOU_DROP_TOO_SHORT;
	if (fou_get16(h + 2) != FOU_ETH_P_TEB)
		return -FOU_DROP_GENEVE_PROTO;
	if (h[1] & FOU_GENEVE_F_OAM)
		return -FOU_DROP_GENEVE_OAM;
	err = geneve_walk(h + FOU_GENEVE_HLEN, optlen, &crit, known, nknown, true);
	if (err)
		return err;
	g->vni = fou_get32(h + 4) >> GENEVE_VNI_SHIFT;
	g->proto = FOU_ETH_P_TEB;
	g->flags = h[1] & (FOU_GENEVE_F_OAM | FOU_GENEVE_F_CRIT);
	g->opts = h + FOU_GENEVE_HLEN;
	g->opts_len = optlen;
	fou_buf_pull(b, hlen);
	return 0;
}

/* The device's options on every packet; C when one of them is critical. */
static int geneve_push(struct fou_buf *b, uint32_t vni, const uint8_t *opts, size_t opts_len)
{
	return fou_geneve_push(b, vni, opts, opts_len, false);
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

const struct fou_l2_codec fou_l2_geneve = {
	geneve_push, geneve_pull, FOU_GENEVE_HLEN, FOU_DROP_WRONG_VNI
};
