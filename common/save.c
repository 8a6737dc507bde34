// SPDX-License-Identifier: MIT
/*
 * fouctl save: a port, link, fdb entry or TOU peer as the command that
 * makes it. Every setting that has a word is written out, defaults too,
 * so a saved line means the same whatever a later version's defaults are;
 * only words the kind has are written (its keyword table says which).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd_int.h"
#include "fou/pfx.h"
#include "save.h"

struct sv {
	char *buf;
	size_t len, off;
	bool full;
};

static void __attribute__((format(printf, 2, 3))) sv_put(struct sv *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->off, s->len - s->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= s->len - s->off)
		s->full = true;
	else
		s->off += (size_t)n;
}

static void sv_addr(struct sv *s, const char *word, const struct fou_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (a->family && inet_ntop(a->family, a->a, buf, sizeof(buf)))
		sv_put(s, " %s %s", word, buf);
}

static void sv_flag(struct sv *s, bool on, const char *yes, const char *no)
{
	sv_put(s, " %s", on ? yes : no);
}

static int sv_end(struct sv *s)
{
	sv_put(s, "\n");
	return s->full ? -ENOSPC : (int)s->off;
}

int cmd_save_port(const struct cmd_port_cfg *c, char *buf, size_t len)
{
	struct sv s = { buf, len, 0, false };

	sv_put(&s, "fou add port %u", c->port);
	if (c->type == FOU_ENCAP_GUE)
		sv_put(&s, " gue");
	else
		sv_put(&s, " ipproto %u", c->ipproto);
	sv_addr(&s, "local", &c->local);
	sv_addr(&s, "peer", &c->peer);
	if (c->peer.family)
		sv_put(&s, " peer_port %u", c->peer_port);
	if (c->family == AF_INET6)
		sv_put(&s, " -6");
	return sv_end(&s);
}

int cmd_save_fdb(const struct cmd_fdb_cfg *c, char *buf, size_t len)
{
	static const uint8_t zero[6];
	struct sv s = { buf, len, 0, false };
	const uint8_t *m = c->mac;

	sv_put(&s, "fdb %s %02x:%02x:%02x:%02x:%02x:%02x dev %s",
	       memcmp(m, zero, 6) ? "add" : "append", m[0], m[1], m[2], m[3], m[4], m[5], c->dev);
	sv_addr(&s, "dst", &c->dst);
	return sv_end(&s);
}

/* Last, as the grammar wants them; the rekey limits when not the defaults. */
static void save_tou_dtls(struct sv *s, const struct cmd_tou_dtls *t)
{
	if (!t->mode)
		return;
	if (t->mode == CMD_DTLS_PSK)
		sv_put(s, " dtls psk %s", t->psk);
	else
		sv_put(s, " dtls cert %s key %s cacert %s", t->cert, t->key, t->cacert);
	if (t->name[0])
		sv_put(s, " name %s", t->name);
	if (t->rekey_bytes != CMD_DTLS_REKEY_BYTES)
		sv_put(s, " rekey-bytes %llu", (unsigned long long)t->rekey_bytes);
	if (t->rekey_time != CMD_DTLS_REKEY_TIME)
		sv_put(s, " rekey-time %u", t->rekey_time);
}

int cmd_save_tou(const struct cmd_tou_cfg *c, char *buf, size_t len)
{
	struct sv s = { buf, len, 0, false };

	sv_put(&s, "tou add");
	sv_addr(&s, "peer", &c->peer);
	sv_put(&s, " port %u", c->port);
	sv_addr(&s, "local", &c->local);
	if (c->key_file[0][0])
		sv_put(&s, " key %s", c->key_file[0]);
	if (c->key_file[1][0])
		sv_put(&s, " key-next %s", c->key_file[1]);
	if (c->remcsum)
		sv_put(&s, " remcsum");
	save_tou_dtls(&s, &c->dtls);
	return sv_end(&s);
}

static void save_tos(struct sv *s, bool inherit, uint8_t tos)
{
	if (inherit)
		sv_put(s, " tos inherit");
	else
		sv_put(s, " tos %x", tos);
}

static void save_gre(struct sv *s, const struct fou_tnl *t)
{
	if (t->gre_iflags & FOU_GRE_KEY)
		sv_put(s, " ikey %u", t->ikey);
	if (t->gre_oflags & FOU_GRE_KEY)
		sv_put(s, " okey %u", t->okey);
	if (t->gre_iflags & FOU_GRE_CSUM)
		sv_put(s, " icsum");
	if (t->gre_oflags & FOU_GRE_CSUM)
		sv_put(s, " ocsum");
	if (t->gre_iflags & FOU_GRE_SEQ)
		sv_put(s, " iseq");
	if (t->gre_oflags & FOU_GRE_SEQ)
		sv_put(s, " oseq");
}

static void save_encap(struct sv *s, const struct fou_tnl *t)
{
	static const char *const names[] = {
		[FOU_ENCAP_NONE] = "none", [FOU_ENCAP_FOU] = "fou", [FOU_ENCAP_GUE] = "gue",
	};

	sv_put(s, " encap %s", names[t->encap]);
	/* encap none may still carry ports given with it */
	if (t->encap_sport)
		sv_put(s, " encap-sport %u", t->encap_sport);
	else if (t->encap != FOU_ENCAP_NONE)
		sv_put(s, " encap-sport auto");
	if (t->encap != FOU_ENCAP_NONE || t->encap_dport)
		sv_put(s, " encap-dport %u", t->encap_dport);
	sv_flag(s, t->encap_flags & FOU_ENCAP_F_CSUM, "encap-csum", "noencap-csum");
	sv_flag(s, t->encap_flags & FOU_ENCAP_F_CSUM6, "encap-udp6-csum", "noencap-udp6-csum");
	if (t->encap == FOU_ENCAP_GUE)
		sv_flag(s, t->encap_flags & FOU_ENCAP_F_REMCSUM, "encap-remcsum",
			"noencap-remcsum");
}

/* The IP tunnel words (gretap's too). */
static void save_l3(struct sv *s, const struct fou_tnl *t, const struct fk_kind *k)
{
	sv_addr(s, "remote", &t->remote);
	sv_addr(s, "local", &t->local);
	if (t->ttl)
		sv_put(s, " ttl %u", t->ttl);
	else
		sv_put(s, " ttl inherit");
	save_tos(s, t->tos_inherit, t->tos);
	if (k->flags & FK_GRE)
		save_gre(s, t);
	sv_flag(s, t->pmtudisc, "pmtudisc", "nopmtudisc");
	save_encap(s, t);
}

/* The forwarding table's words. */
static void save_fdb_words(struct sv *s, const struct cmd_l2_cfg *c)
{
	static const uint8_t zero[6];
	const uint8_t *m = c->mac;

	sv_flag(s, c->learning, "learning", "nolearning");
	sv_put(s, " ageing %u maxaddress %u", c->ageing, c->maxaddress);
	if (memcmp(m, zero, sizeof(zero)))
		sv_put(s, " address %02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void save_geneve_opts(struct sv *s, const struct cmd_l2_cfg *c)
{
	const uint8_t *o = c->geneve_opts;
	size_t i = 0, j, dlen;

	while (i + 4 <= c->geneve_opts_len) {
		dlen = (size_t)(o[i + 3] & 0x1f) * 4;
		sv_put(s, "%s%x:%x:", i ? "," : " geneve_opts ", o[i] << 8 | o[i + 1], o[i + 2]);
		for (j = 0; j < dlen && i + 4 + j < c->geneve_opts_len; j++)
			sv_put(s, "%02x", o[i + 4 + j]);
		i += 4 + dlen;
	}
}

static void save_l2_ttl(struct sv *s, const struct cmd_l2_cfg *c)
{
	if (c->ttl_inherit)
		sv_put(s, " ttl inherit");
	else if (!c->ttl)
		sv_put(s, " ttl auto");
	else
		sv_put(s, " ttl %u", c->ttl);
}

/* The L2 kinds without the IP tunnel's words: all but gretap. */
static void save_l2(struct sv *s, const struct cmd_l2_cfg *c, const struct fk_kind *k)
{
	if (k->flags & FK_ID64)
		sv_put(s, " %s %llu", k->id_word, (unsigned long long)c->key);
	else
		sv_put(s, " %s %u", k->id_word, c->vni);
	sv_addr(s, "remote", &c->remote);
	sv_addr(s, fk_takes(k, "group") ? "group" : "remote", &c->group);
	if (c->group.family)
		sv_put(s, " dev %s", c->dev);
	sv_addr(s, "local", &c->local);
	if (c->fleet)
		sv_put(s, " fleet");
	if (fk_takes(k, "dstport"))
		sv_put(s, " dstport %u", c->dstport);
	if (fk_takes(k, "srcport") && (c->srcport_min || c->srcport_max))
		sv_put(s, " srcport %u %u", c->srcport_min, c->srcport_max);
	save_l2_ttl(s, c);
	save_tos(s, c->tos_inherit, c->tos);
	save_fdb_words(s, c);
	if (fk_takes(k, "udpcsum"))
		sv_flag(s, c->udpcsum, "udpcsum", "noudpcsum");
	/* vxlan's alone: geneve has udpcsum but not these. */
	if (fk_takes(k, "udp6zerocsumtx")) {
		sv_flag(s, c->udp6zerocsumtx, "udp6zerocsumtx", "noudp6zerocsumtx");
		sv_flag(s, c->udp6zerocsumrx, "udp6zerocsumrx", "noudp6zerocsumrx");
	}
	if (fk_takes(k, "flowid"))
		sv_flag(s, !c->noflowid, "flowid", "noflowid");
	if (fk_takes(k, "gso"))
		sv_flag(s, c->gso, "gso", "nogso");
	save_geneve_opts(s, c);
}

/* An L2 kind's words: gretap's after the IP tunnel's, the others' all. */
static void save_l2_kind(struct sv *s, const struct cmd_l2_cfg *c, const struct fk_kind *k)
{
	if (!(k->flags & FK_TNL)) {
		save_l2(s, c, k);
		return;
	}
	save_fdb_words(s, c);
	if (c->group.family)
		sv_put(s, " dev %s", c->dev);
	if (c->fleet)
		sv_put(s, " fleet");
}

static void save_link_words(struct sv *s, const struct cmd_link_cfg *c,
			    const struct fk_kind *k)
{
	sv_put(s, "link add name %s type %s", c->name, k->name);
	if (k->flags & FK_TNL)
		save_l3(s, &c->tnl, k);
	if (c->fleet_pfx.family) {
		char pf[64];

		sv_put(s, " fleet prefix %s", fou_pfx_str(&c->fleet_pfx, c->fleet_plen, pf, sizeof(pf)));
	}
	/* The key files' paths: foud reads them again, the keys are never printed. */
	if (c->key_file[0][0])
		sv_put(s, " encap-key %s", c->key_file[0]);
	if (c->key_file[1][0])
		sv_put(s, " encap-key-next %s", c->key_file[1]);
	if (!fk_l3(c->l2.kind))
		save_l2_kind(s, &c->l2, k);
	if (c->mtu)
		sv_put(s, " mtu %u", c->mtu);
	if (c->datapath != CMD_DP_DEFAULT)
		sv_put(s, " datapath %s", cmd_datapath_name(c->datapath));
}

int cmd_save_link(const struct cmd_link_cfg *c, char *buf, size_t len)
{
	const struct fk_kind *k = fk_of(c->l2.kind, c->tnl.kind);
	struct sv s = { buf, len, 0, false };

	if (!k)
		return -EINVAL;
	save_link_words(&s, c, k);
	return sv_end(&s);
}
