// SPDX-License-Identifier: MIT
/*
 * `fleet etcd ENDPOINT[,ENDPOINT...] [ prefix PATH ] [ ttl SECONDS ]
 *  [ cacert FILE ] [ cert FILE key FILE ] [ user NAME password-file FILE ]`,
 * `fleet node NAME address ADDR`,
 * `fleet show`, and the `fleet` word of `link add ... type vxlan`.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"
#include "save.h"

#define FLEET_SLOTS(X)                                                       \
	X(FS_PREFIX) X(FS_TTL) X(FS_CACERT) X(FS_CERT) X(FS_KEY) X(FS_USER)  \
	X(FS_PWFILE)
CMD_SLOTS(FLEET_SLOTS);

static struct cmd_fleet_cfg *fl(struct pctx *p)
{
	return &p->cmd->fleet;
}

/* Printable, no blanks, no quotes: it goes into URLs, keys and JSON. */
static bool fleet_chars_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]) || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

/* One http:// or https:// URL of n characters. */
static int fleet_url(char out[CMD_FLEET_URL_MAX], const char *s, size_t n)
{
	size_t scheme = !strncmp(s, "http://", 7) ? 7 : !strncmp(s, "https://", 8) ? 8 : 0;

	if (!scheme || n <= scheme || n >= CMD_FLEET_URL_MAX || !fleet_chars_ok(s, n))
		return -EINVAL;
	memcpy(out, s, n);
	out[n] = '\0';
	/* The API's paths are appended: no trailing slash. */
	while (n > scheme && out[n - 1] == '/')
		out[--n] = '\0';
	return 0;
}

/* ENDPOINT[,ENDPOINT...]; the bad one is named. */
static int fleet_endpoints(struct pctx *p, const char *v)
{
	const char *s = v, *e;
	size_t n;

	for (;;) {
		e = strchr(s, ',');
		n = e ? (size_t)(e - s) : strlen(s);
		if (fl(p)->nendpoints == CMD_FLEET_ENDPOINTS ||
		    fleet_url(fl(p)->endpoint[fl(p)->nendpoints], s, n)) {
			snprintf(p->bad_buf, sizeof(p->bad_buf), "%.*s", (int)n, s);
			p->bad = p->bad_buf;
			return -EINVAL;
		}
		fl(p)->nendpoints++;
		if (!e)
			return 0;
		s = e + 1;
	}
}

static int fleet_path(char out[CMD_FLEET_PATH_MAX], const char *v)
{
	size_t n = strlen(v);

	if (!n || n >= CMD_FLEET_PATH_MAX || !fleet_chars_ok(v, n))
		return -EINVAL;
	memcpy(out, v, n + 1);
	return 0;
}

/* An etcd key prefix: /a/b, no trailing slash (nodes/ is appended). */
static int fleet_prefix(struct pctx *p, const char *v)
{
	size_t n = strlen(v);

	if (v[0] != '/' || (n > 1 && v[n - 1] == '/') || n > CMD_FLEET_PATH_MAX - 64)
		return -EINVAL;
	return fleet_path(fl(p)->prefix, v);
}

static int fleet_ttl(struct pctx *p, const char *v)
{
	unsigned long t;

	if (cmd_parse_ulong(v, 10, 1, 86400, &t))
		return -EINVAL;
	fl(p)->ttl = (uint32_t)t;
	return 0;
}

static int fleet_cacert(struct pctx *p, const char *v)
{
	return fleet_path(fl(p)->cacert, v);
}

static int fleet_cert(struct pctx *p, const char *v)
{
	return fleet_path(fl(p)->cert, v);
}

static int fleet_key(struct pctx *p, const char *v)
{
	return fleet_path(fl(p)->key, v);
}

static int fleet_user(struct pctx *p, const char *v)
{
	size_t n = strlen(v);

	if (!n || n >= sizeof(fl(p)->user) || !fleet_chars_ok(v, n))
		return -EINVAL;
	memcpy(fl(p)->user, v, n + 1);
	return 0;
}

static int fleet_pwfile(struct pctx *p, const char *v)
{
	return fleet_path(fl(p)->password_file, v);
}

/* The first address given, then one of the other family. */
static int fleet_address(struct pctx *p, const char *v)
{
	struct cmd_fleet_cfg *c = fl(p);
	struct fou_addr a;

	if (cmd_parse_unicast(v, &a) || (c->address.family && (c->address2.family ||
							      a.family == c->address.family)))
		return -EINVAL;
	*(c->address.family ? &c->address2 : &c->address) = a;
	return 0;
}

#define EXP_NODE_ADDR	"a unicast IPv4 or IPv6 address, at most one of each family"


#define EXP_FILE	"a file name"

static const struct kw fleet_etcd_kws[] = {
	{ "prefix", FS_PREFIX, 1, 0, "a path like /foud (\"/\" first, none last)", fleet_prefix },
	{ "ttl", FS_TTL, 1, 0, "a number of seconds 1-86400", fleet_ttl },
	{ "cacert", FS_CACERT, 1, 0, EXP_FILE, fleet_cacert },
	{ "cert", FS_CERT, 1, 0, EXP_FILE, fleet_cert },
	{ "key", FS_KEY, 1, 0, EXP_FILE, fleet_key },
	{ "user", FS_USER, 1, 0, "a user name of 1-63 characters", fleet_user },
	{ "password-file", FS_PWFILE, 1, 0, EXP_FILE, fleet_pwfile },
};

static const struct kw fleet_node_kws[] = {
	{ "address", 0, 1, 0, EXP_NODE_ADDR, fleet_address },
};

#define EXP_ENDPOINTS	"URLs like http://192.0.2.1:2379, comma-separated, at most 8"

/* `fleet etcd ENDPOINT[,ENDPOINT...] ...` */
int cmd_fleet_etcd(struct pctx *p)
{
	static const struct kw endpoint = { "ENDPOINT", 0, 1, 0, EXP_ENDPOINTS,
					    fleet_endpoints };
	int ret;

	ret = cmd_kw_pos(p, &endpoint);
	if (ret)
		return ret;
	snprintf(fl(p)->prefix, sizeof(fl(p)->prefix), "%s", CMD_FLEET_PREFIX);
	fl(p)->ttl = CMD_FLEET_TTL;
	ret = cmd_kw_run(p, fleet_etcd_kws, ARRAY_SIZE(fleet_etcd_kws));
	if (ret)
		return ret;
	if ((p->seen & FS_CERT) && !(p->seen & FS_KEY))
		return cmd_perr(p, "\"key\" is missing (\"cert\" needs it)");
	if ((p->seen & FS_KEY) && !(p->seen & FS_CERT))
		return cmd_perr(p, "\"cert\" is missing (\"key\" needs it)");
	if ((p->seen & FS_USER) && !(p->seen & FS_PWFILE))
		return cmd_perr(p, "\"password-file\" is missing (\"user\" needs it)");
	if ((p->seen & FS_PWFILE) && !(p->seen & FS_USER))
		return cmd_perr(p, "\"user\" is missing (\"password-file\" needs it)");
	return 0;
}

#define EXP_NODE	"1-63 letters, digits, \".\", \"-\" or \"_\""

bool cmd_fleet_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= CMD_FLEET_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".-_", s[i]))
			return false;
	return true;
}

static int fleet_node_name(struct pctx *p, const char *v)
{
	if (!cmd_fleet_name_ok(v))
		return -EINVAL;
	snprintf(fl(p)->node, sizeof(fl(p)->node), "%s", v);
	return 0;
}

/* `fleet node NAME address ADDR [address ADDR]` */
int cmd_fleet_node(struct pctx *p)
{
	static const struct kw name = { "NAME", 0, 1, 0, EXP_NODE, fleet_node_name };
	int ret;

	ret = cmd_kw_pos(p, &name);
	if (ret)
		return ret;
	ret = cmd_kw_run(p, fleet_node_kws, ARRAY_SIZE(fleet_node_kws));
	if (!ret && !fl(p)->address.family)
		ret = cmd_perr(p, "\"address\" is missing");
	return ret;
}

/* `link add ... fleet`: flood and MAC entries from the fleet's other nodes. */
int cmd_link_fleet(struct pctx *p, const char *v)
{
	(void)v;
	l2(p)->fleet = true;
	return 0;
}

/* ---- the lines back, for fouctl save and reload -------------------------- */

static int fleet_save_etcd(const struct cmd_fleet_cfg *c, char *buf, size_t len)
{
	size_t n = 0;
	int w = snprintf(buf, len, "fleet etcd ");

	for (unsigned int i = 0; w >= 0 && (size_t)w < len - n && i < c->nendpoints; i++) {
		n += (size_t)w;
		w = snprintf(buf + n, len - n, "%s%s", i ? "," : "", c->endpoint[i]);
	}
	if (w >= 0 && (size_t)w < len - n) {
		n += (size_t)w;
		w = snprintf(buf + n, len - n, " prefix %s ttl %u%s%s%s%s%s%s%s%s%s%s\n", c->prefix,
			     c->ttl, c->cacert[0] ? " cacert " : "", c->cacert,
			     c->cert[0] ? " cert " : "", c->cert, c->cert[0] ? " key " : "", c->key,
			     c->user[0] ? " user " : "", c->user,
			     c->user[0] ? " password-file " : "", c->password_file);
	}
	return w < 0 || (size_t)w >= len - n ? -ENOSPC : (int)(n + (size_t)w);
}

int cmd_save_fleet(const struct cmd_fleet_cfg *c, enum cmd_op op, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "", b[INET6_ADDRSTRLEN + 9] = "address ";
	int w;

	if (op == CMD_OP_ETCD)
		return c->nendpoints ? fleet_save_etcd(c, buf, len) : -EINVAL;
	if (op != CMD_OP_NODE || !c->node[0] ||
	    !inet_ntop(c->address.family, c->address.a, a, sizeof(a)))
		return -EINVAL;
	if (!c->address2.family)
		b[0] = '\0';
	else if (!inet_ntop(c->address2.family, c->address2.a, b + 8, sizeof(b) - 8))
		return -EINVAL;
	w = snprintf(buf, len, "fleet node %s address %s%s%s\n", c->node, a, b[0] ? " " : "", b);
	return w < 0 || (size_t)w >= len ? -ENOSPC : w;
}
