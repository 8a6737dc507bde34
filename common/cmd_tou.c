// SPDX-License-Identifier: MIT
/*
 * `tou add|del peer ADDR [ port PORT ] [ local ADDR ] [ key FILE [ key-next FILE ] ] [ remcsum ]
 *  [ dtls { psk FILE | cert FILE key FILE cacert FILE [ name NAME ] } [ rekey-bytes N ]
 *  [ rekey-time SECONDS ] ]`. The dtls words come last: their "key" is the
 * certificate's, not GUE's.
 */

#include <errno.h>
#include <string.h>

#include "cmd_int.h"

#define TOU_SLOTS(X)                                                                    \
	X(TS_PEER) X(TS_PORT) X(TS_LOCAL) X(TS_KEY) X(TS_KEYNEXT) X(TS_PSK) X(TS_CERT)  \
	X(TS_CKEY) X(TS_CACERT) X(TS_RBYTES) X(TS_RTIME) X(TS_NAME) X(TS_REMCSUM)
CMD_SLOTS(TOU_SLOTS);

#define EXP_PATH	"an absolute path"
#define TS_CERTS	(TS_CERT | TS_CKEY | TS_CACERT)

static int tou_peer(struct pctx *p, const char *v)
{
	return cmd_parse_unicast(v, &p->cmd->tou.peer);
}

static int tou_port(struct pctx *p, const char *v)
{
	return cmd_parse_u16(v, 1, &p->cmd->tou.port);
}

static int tou_local(struct pctx *p, const char *v)
{
	return cmd_parse_unicast(v, &p->cmd->tou.local);
}

static int tou_key(struct pctx *p, const char *v)
{
	return cmd_parse_key_file(v, p->cmd->tou.key_file[0]);
}

static int tou_key_next(struct pctx *p, const char *v)
{
	return cmd_parse_key_file(v, p->cmd->tou.key_file[1]);
}

static int tou_remcsum(struct pctx *p, const char *v)
{
	(void)v;
	p->cmd->tou.remcsum = true;
	return 0;
}

static const struct kw tou_kws[] = {
	{ "peer", TS_PEER, 1, 0, EXP_UADDR, tou_peer },
	{ "port", TS_PORT, 1, 0, EXP_PORT, tou_port },
	{ "local", TS_LOCAL, 1, 0, EXP_UADDR, tou_local },
	{ "key", TS_KEY, 1, 0, EXP_KEYFILE, tou_key },
	{ "key-next", TS_KEYNEXT, 1, 0, EXP_KEYFILE, tou_key_next },
	{ "remcsum", TS_REMCSUM, 0, 0, "", tou_remcsum },
};

static int dtls_psk(struct pctx *p, const char *v)
{
	p->cmd->tou.dtls.mode = CMD_DTLS_PSK;
	return cmd_parse_key_file(v, p->cmd->tou.dtls.psk);
}

static int dtls_cert(struct pctx *p, const char *v)
{
	p->cmd->tou.dtls.mode = CMD_DTLS_CERT;
	return cmd_parse_key_file(v, p->cmd->tou.dtls.cert);
}

static int dtls_key(struct pctx *p, const char *v)
{
	return cmd_parse_key_file(v, p->cmd->tou.dtls.key);
}

static int dtls_cacert(struct pctx *p, const char *v)
{
	return cmd_parse_key_file(v, p->cmd->tou.dtls.cacert);
}

/* The peer certificate's name: a DNS name (letters, digits, '-', '.') or an address. */
static int dtls_name(struct pctx *p, const char *v)
{
	size_t n = strlen(v);

	if (!n || n >= sizeof(p->cmd->tou.dtls.name) || v[0] == '.' || v[0] == '-' ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.:") != n)
		return -EINVAL;
	memcpy(p->cmd->tou.dtls.name, v, n + 1);
	return 0;
}

static int dtls_rekey_bytes(struct pctx *p, const char *v)
{
	unsigned long n;
	int ret = cmd_parse_ulong(v, 10, 1, ~0ul, &n);

	p->cmd->tou.dtls.rekey_bytes = n;
	return ret;
}

static int dtls_rekey_time(struct pctx *p, const char *v)
{
	return cmd_parse_u32(v, &p->cmd->tou.dtls.rekey_time) ||
	       !p->cmd->tou.dtls.rekey_time ? -EINVAL : 0;
}

static const struct kw dtls_kws[] = {
	{ "psk", TS_PSK, 1, 0, EXP_KEYFILE, dtls_psk },
	{ "cert", TS_CERT, 1, 0, EXP_PATH, dtls_cert },
	{ "key", TS_CKEY, 1, 0, EXP_PATH, dtls_key },
	{ "cacert", TS_CACERT, 1, 0, EXP_PATH, dtls_cacert },
	{ "name", TS_NAME, 1, 0, "a DNS name or an address", dtls_name },
	{ "rekey-bytes", TS_RBYTES, 1, 0, "a number of bytes, 1 or more", dtls_rekey_bytes },
	{ "rekey-time", TS_RTIME, 1, 0, "a number of seconds, 1 or more", dtls_rekey_time },
};

/* The words after "dtls": a pre-shared key, or a certificate, its key and the CA. */
static int tou_dtls_words(struct pctx *p)
{
	const char *where = p->where;
	uint32_t certs;
	int ret;

	p->where = "dtls";
	ret = cmd_kw_run(p, dtls_kws, ARRAY_SIZE(dtls_kws));
	p->where = where;
	if (ret)
		return ret;
	certs = p->seen & TS_CERTS;
	if ((p->seen & TS_PSK) && certs)
		return cmd_perr(p, "\"psk\" and \"%s\" exclude each other: a PSK or a certificate",
				certs & TS_CERT ? "cert" : certs & TS_CKEY ? "key" : "cacert");
	if (!(p->seen & TS_PSK) && certs != TS_CERTS)
		return cmd_perr(p, "\"dtls\" needs \"%s\"", !(p->seen & TS_PSK) && !certs ? "psk" :
				!(certs & TS_CERT) ? "cert" : !(certs & TS_CKEY) ? "key" : "cacert");
	if ((p->seen & TS_PSK) && (p->seen & TS_NAME))
		return cmd_perr(p, "\"name\" is a certificate's: not with \"psk\"");
	return 0;
}

/* Where the dtls words start (after "dtls"), or argc. */
static int dtls_at(const struct pctx *p)
{
	for (int i = p->i; i < p->argc; i++)
		if (!strcmp(p->argv[i], "dtls"))
			return i;
	return p->argc;
}

/* add takes every word; del names the peer only. */
int cmd_tou_addel(struct pctx *p)
{
	const struct cmd_tou_cfg *c = &p->cmd->tou;
	bool add = p->cmd->op == CMD_OP_ADD;
	int argc = p->argc, end = add ? dtls_at(p) : argc;
	int ret;

	p->cmd->tou.port = CMD_TOU_PORT;
	p->cmd->tou.dtls.rekey_bytes = CMD_DTLS_REKEY_BYTES;
	p->cmd->tou.dtls.rekey_time = CMD_DTLS_REKEY_TIME;
	p->argc = end;
	ret = cmd_kw_run(p, tou_kws, add ? ARRAY_SIZE(tou_kws) : 1);
	p->argc = argc;
	if (!ret && end < argc) {
		p->i = end + 1;
		ret = tou_dtls_words(p);
	}
	if (ret)
		return ret;
	if ((p->seen & TS_KEY) && c->dtls.mode)
		return cmd_perr(p, "\"key\" and \"dtls\" exclude each other: DTLS authenticates");
	/* RCO points the receiver at the TCP checksum: DTLS encrypts it, an HMAC would not cover the fill. */
	if (c->remcsum && c->dtls.mode)
		return cmd_perr(p, "\"remcsum\" and \"dtls\" exclude each other: "
				"DTLS encrypts the TCP checksum that RCO points at");
	if (c->remcsum && (p->seen & TS_KEY))
		return cmd_perr(p, "\"remcsum\" does not combine with \"key\", as "
				"\"encap-remcsum\" with \"encap-key\"");
	if (!(p->seen & TS_PEER))
		return cmd_perr(p, "\"peer\" is missing");
	if ((p->seen & TS_KEYNEXT) && !(p->seen & TS_KEY))
		return cmd_perr(p, "\"key-next\" needs \"key\"");
	return cmd_same_family(p, "local", &c->local, "peer", &c->peer);
}

