/* SPDX-License-Identifier: MIT */
/*
 * Fleets: foud hosts that find each other in etcd (`fleet etcd`, `fleet
 * node`). Each registers PREFIX/nodes/NAME under a lease it keeps alive,
 * with its address and what its `fleet` devices carry (VNI, MACs); it reads
 * every node, then watches from the revision after that read. Every other
 * node with a device of the same VNI gets, on ours, a flood entry and a
 * static entry per MAC it publishes, through the fdb commands' function.
 *
 * Any failure (etcd unreachable, a watch that ends or is compacted, a lease
 * gone) starts over: grant, put, full read, watch, after a backoff. Until
 * then the forwarding entries stay as they were: the data path never waits
 * for etcd. A node whose value is malformed is refused, logged by name, and
 * gets no entries; the others are not disturbed.
 */
#include <errno.h>
#include <jansson.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "etcd.h"
#include "foud.h"
#include "fleet.h"
#include "save.h"

static const char *const fleet_state_name[] = {
	[FL_OFF] = "unconfigured", [FL_WAIT] = "retrying", [FL_AUTH] = "authenticating",
	[FL_GRANT] = "granting lease", [FL_PUT] = "registering", [FL_RANGE] = "reading",
	[FL_LIVE] = "watching",
};

static void fleet_start(struct foud_fleet *f);

/* ---- what we publish ------------------------------------------------------- */

/* The device's own MAC (a TAP has one), or false. */
static bool dev_mac(int s, const char *name, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		return false;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return true;
}

static json_t *publish_dev(const struct foud_tunnel *t, const struct cmd_l2_cfg *c, int s)
{
	json_t *macs = json_array();
	uint8_t mac[6];
	char m[18];

	if (macs && dev_mac(s, t->name, mac)) {
		fleet_mac_str(mac, m);
		json_array_append_new(macs, json_string(m));
	}
	return json_pack("{s:s, s:s, s:I, s:o*}", "name", t->name,
			 "kind", fk_by_l2(c->kind)->name, "vni", (json_int_t)fleet_dev_id(t), "macs", macs);
}

/* Our node's value: {"name","address","devices":[{"name","kind","vni","macs"}]}. */
static char *publish_value(struct foud_fleet *f)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	json_t *devs = json_array(), *v;
	const struct cmd_l2_cfg *c;
	struct foud_tunnel *t;
	char a[64], *out;
	unsigned int n = 0;

	/* More than the others accept would make them refuse the whole node. */
	FOUD_DEV_FOREACH(t, f->d)
		if (devs && (c = fleet_dev_cfg(t)) && ++n <= FLEET_DEVS)
			json_array_append_new(devs, publish_dev(t, c, s));
		else if (devs && !c && fleet_l3_dev(t) && ++n <= FLEET_DEVS)
			json_array_append_new(devs, fleet_l3_publish(t));
	if (n > FLEET_DEVS)
		foud_log(LOG_WARNING, "fleet: %u fleet devices, %d published (the most a node may publish)",
			 n, FLEET_DEVS);
	if (s >= 0)
		close(s);
	v = json_pack("{s:s, s:s, s:o*}", "name", f->cfg.node,
		      "address", fou_addr_str(&f->cfg.address, a, sizeof(a)), "devices", devs);
	if (v && f->cfg.address2.family)
		json_object_set_new(v, "address2",
				    json_string(fou_addr_str(&f->cfg.address2, a, sizeof(a))));
	out = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(v);
	return out;
}

/* ---- keys ------------------------------------------------------------------ */

/* PREFIX/nodes/NAME, or with name "" the directory; end: its range's end. */
static void node_key(const struct foud_fleet *f, const char *name, bool end, char *k, size_t n)
{
	snprintf(k, n, "%s/nodes%s%s", f->cfg.prefix, end ? "0" : "/", name);
}

static json_t *b64_json(const char *s)
{
	char *b = foud_etcd_b64(s, strlen(s));
	json_t *j = b ? json_string(b) : NULL;

	free(b);
	return j;
}

/* {"key":..,"range_end":..} of the nodes' directory, plus extra members. */
static json_t *nodes_range(const struct foud_fleet *f)
{
	char k[CMD_FLEET_PATH_MAX + 16], e[CMD_FLEET_PATH_MAX + 16];

	node_key(f, "", false, k, sizeof(k));
	node_key(f, "", true, e, sizeof(e));
	return json_pack("{s:o*, s:o*}", "key", b64_json(k), "range_end", b64_json(e));
}

static json_t *lease_json(long long id)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", id);
	return json_string(s);
}

/* ---- the cycle: grant, put, read, watch; any failure starts it over ------- */

static void fleet_cancel(struct foud_fleet *f)
{
	foud_etcd_cancel(f->e, f->req);
	foud_etcd_cancel(f->e, f->watch);
	foud_etcd_cancel(f->e, f->ka);
	foud_etcd_cancel(f->e, f->pub);
	f->req = f->watch = f->ka = f->pub = NULL;
}

/* Keeps the nodes and entries as they are; says why, once per cause. */
static void fleet_fail(struct foud_fleet *f, int err, const char *what, const char *why)
{
	char msg[sizeof(f->why)];

	snprintf(msg, sizeof(msg), "%s at %s: %s", what, foud_etcd_endpoint(f->e),
		 why && why[0] ? why : strerror(-err));
	if (f->connected || strcmp(msg, f->why))
		foud_log(LOG_WARNING, "fleet: %s; keeping the last known nodes, retrying in %llu ms",
			 msg, (unsigned long long)f->backoff_ms);
	snprintf(f->why, sizeof(f->why), "%s", msg);
	fleet_cancel(f);
	f->connected = false;
	f->failures++;
	if (err == -EIO)
		foud_etcd_next(f->e);	/* that member may be down: try the next */
	f->st = FL_WAIT;
	f->retry_ms = foud_now_ms() + f->backoff_ms;
	f->backoff_ms = f->backoff_ms * 2 > FLEET_BACKOFF_MAX ? FLEET_BACKOFF_MAX : f->backoff_ms * 2;
}

static long long reply_int(json_t *j, const char *key)
{
	long long v = 0;

	if (!foud_etcd_int(json_object_get(j, key), &v))
		v = 0;		/* etcd leaves out what equals zero */
	return v;
}

/* A reply's header: a higher raft term than seen is a new leader (counted, not the first). */
static void fleet_header(struct foud_fleet *f, json_t *header)
{
	long long term = reply_int(header, "raft_term");

	if (term > f->term) {
		if (f->term)
			f->leader_changes++;
		f->term = term;
	}
}

/* One step of the cycle: its state and request; one that cannot start ends the cycle. */
static void fleet_step(struct foud_fleet *f, enum fleet_state st, const char *path, json_t *body,
		       foud_etcd_done_fn done, const char *what)
{
	f->st = st;
	f->req = body ? foud_etcd_call(f->e, path, body, NULL, done, f) : NULL;
	json_decref(body);
	if (!f->req)
		fleet_fail(f, -ENOMEM, what, NULL);
}

/* A watch's message: events in order; a cancel (compaction) or error ends it. */
/*
 * Someone deleted our key, or another host publishes under our name: ours
 * is put again, at the pace of our own changes (two hosts of one name
 * fight once a second, logged, rather than as fast as etcd answers).
 */
static void fleet_self_seen(struct foud_fleet *f, const char *val, size_t len)
{
	if (f->published && val && strlen(f->published) == len && !memcmp(f->published, val, len))
		return;
	if (!f->reclaim)
		foud_log(LOG_WARNING, "fleet: our key %s/nodes/%s was %s; putting ours again",
			 f->cfg.prefix, f->cfg.node,
			 val ? "given another value (another host of this name?)" : "deleted");
	f->reclaim = true;
}

/* A node's key put or deleted (val NULL): ours is watched here, the node kept by fleet_node.c. */
static void node_put(struct foud_fleet *f, const char *name, const char *val, size_t len)
{
	if (!strcmp(name, f->cfg.node))
		fleet_self_seen(f, val, len);
	if (val)
		fleet_node_put(f, name, val, len);
	else
		fleet_node_del(f, name);
}

static void watch_event(struct foud_fleet *f, json_t *ev)
{
	json_t *kv = json_object_get(ev, "kv");
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *k = json_string_value(json_object_get(kv, "key"));
	const char *v = json_string_value(json_object_get(kv, "value"));
	char dir[CMD_FLEET_PATH_MAX + 16], *key, *val = NULL;
	size_t klen, vlen = 0, dlen;

	node_key(f, "", false, dir, sizeof(dir));
	dlen = strlen(dir);
	key = k ? foud_etcd_unb64(k, &klen) : NULL;
	if (key && klen > dlen && !memcmp(key, dir, dlen) && strlen(key) == klen) {
		if (type && !strcmp(type, "DELETE"))
			node_put(f, key + dlen, NULL, 0);
		else if ((val = foud_etcd_unb64(v ? v : "", &vlen)))
			node_put(f, key + dlen, val, vlen);
	}
	free(key);
	free(val);
}

static bool on_watch(void *arg, json_t *msg)
{
	struct foud_fleet *f = arg;
	json_t *r = json_object_get(msg, "result"), *evs, *ev;
	long long rev;
	size_t i;

	if (!r)
		return false;	/* {"error":...}: done says so, and we start over */
	if (json_is_true(json_object_get(r, "canceled")))
		return false;	/* compacted past our revision: a full read again */
	json_array_foreach((evs = json_object_get(r, "events")), i, ev)
		watch_event(f, ev);
	fleet_header(f, json_object_get(r, "header"));
	rev = reply_int(json_object_get(r, "header"), "revision");
	if (rev > f->revision)
		f->revision = rev;
	fleet_fdb_sync(f);
	return true;
}

static void watch_done(void *arg, int err, json_t *reply, const char *why)
{
	struct foud_fleet *f = arg;

	(void)reply;
	f->watch = NULL;
	f->resyncs++;
	fleet_fail(f, err ? err : -EPIPE, "watch ended", err == -ECANCELED ?
		   "canceled (compacted or refused): reading all again" : why);
}

static void fleet_watch(struct foud_fleet *f)
{
	json_t *c = nodes_range(f), *body;

	json_object_set_new(c, "start_revision", json_integer(f->revision + 1));
	body = json_pack("{s:o*}", "create_request", c);
	f->watch = foud_etcd_call(f->e, "/v3/watch", body, on_watch, watch_done, f);
	json_decref(body);
	if (!f->watch)
		return fleet_fail(f, -ENOMEM, "watch", NULL);
	f->st = FL_LIVE;
	f->connected = true;
	f->backoff_ms = FLEET_BACKOFF_MIN;
	f->ka_ms = foud_now_ms() + (uint64_t)f->ttl * 1000 / 3;
}

static void range_done(void *arg, int err, json_t *reply, const char *why)
{
	struct foud_fleet *f = arg;
	json_t *kvs, *kv;
	size_t i, dlen, klen, vlen;
	char dir[CMD_FLEET_PATH_MAX + 16], *k, *v;

	f->req = NULL;
	if (err)
		return fleet_fail(f, err, "full read", why);
	node_key(f, "", false, dir, sizeof(dir));
	dlen = strlen(dir);
	fleet_nodes_unsee(f);
	json_array_foreach((kvs = json_object_get(reply, "kvs")), i, kv) {
		k = foud_etcd_unb64(json_string_value(json_object_get(kv, "key")) ?: "", &klen);
		v = foud_etcd_unb64(json_string_value(json_object_get(kv, "value")) ?: "", &vlen);
		if (k && v && klen > dlen && !memcmp(k, dir, dlen) && strlen(k) == klen)
			node_put(f, k + dlen, v, vlen);
		free(k);
		free(v);
	}
	fleet_nodes_sweep(f);
	fleet_header(f, json_object_get(reply, "header"));
	f->revision = reply_int(json_object_get(reply, "header"), "revision");
	if (f->why[0] || !f->connected)
		foud_log(LOG_NOTICE, "fleet: connected to %s, revision %lld, %zu nodes",
			 foud_etcd_endpoint(f->e), f->revision, json_array_size(kvs));
	f->why[0] = '\0';
	fleet_fdb_sync(f);
	fleet_l3_sweep(f);
	fleet_watch(f);
}

static void fleet_range(struct foud_fleet *f)
{
	fleet_step(f, FL_RANGE, "/v3/kv/range", nodes_range(f), range_done, "full read");
}

static void put_done(void *arg, int err, json_t *reply, const char *why)
{
	struct foud_fleet *f = arg;

	(void)reply;
	if (f->st == FL_PUT)
		f->req = NULL;
	else
		f->pub = NULL;
	if (err)
		return fleet_fail(f, err, "register", why);
	if (f->st == FL_PUT)
		fleet_range(f);
}

/* Our value (f->published) under our lease. */
static json_t *put_body(const struct foud_fleet *f)
{
	char k[CMD_FLEET_PATH_MAX + 80];

	node_key(f, f->cfg.node, false, k, sizeof(k));
	return json_pack("{s:o*, s:o*, s:o*}", "key", b64_json(k),
			 "value", b64_json(f->published), "lease", lease_json(f->lease));
}

static void fleet_register(struct foud_fleet *f)
{
	fleet_step(f, FL_PUT, "/v3/kv/put", put_body(f), put_done, "register");
}

static void grant_done(void *arg, int err, json_t *reply, const char *why)
{
	struct foud_fleet *f = arg;

	f->req = NULL;
	if (err)
		return fleet_fail(f, err, "lease grant", why);
	f->lease = reply_int(reply, "ID");
	f->ttl = reply_int(reply, "TTL");
	if (!f->lease || f->ttl <= 0)
		return fleet_fail(f, -EPROTO, "lease grant", "no lease in the reply");
	fleet_register(f);
}

static void fleet_grant(struct foud_fleet *f)
{
	fleet_step(f, FL_GRANT, "/v3/lease/grant", json_pack("{s:I}", "TTL", (json_int_t)f->cfg.ttl),
		   grant_done, "lease grant");
}

/* After a failure: our lease, if it still lives, keeps our key (no flap). */
static void renew_done(void *arg, int err, json_t *reply, const char *why)
{
	struct foud_fleet *f = arg;

	f->req = NULL;
	if (err)
		return fleet_fail(f, err, "lease keepalive", why);
	if (reply_int(json_object_get(reply, "result"), "TTL") <= 0) {
		f->lease = 0;
		return fleet_grant(f);
	}
	fleet_register(f);
}

/* Our lease if it still lives (it keeps our key: no flap), else a new one. */
static void fleet_lease(struct foud_fleet *f)
{
	if (!f->lease)
		return fleet_grant(f);
	fleet_step(f, FL_GRANT, "/v3/lease/keepalive", json_pack("{s:o*}", "ID", lease_json(f->lease)),
		   renew_done, "lease keepalive");
}

static void auth_done(void *arg, int err, json_t *reply, const char *why)
{
	struct foud_fleet *f = arg;
	const char *token = json_string_value(json_object_get(reply, "token"));

	f->req = NULL;
	if (err)
		return fleet_fail(f, err, "authenticate", why);
	if (!token || foud_etcd_token(f->e, token))
		return fleet_fail(f, -EPROTO, "authenticate", "no usable token in the reply");
	fleet_lease(f);
}

/* The first line of the password file, read at each start: it may change. */
static int read_password(const char *path, char *pw, size_t n)
{
	FILE *fp = fopen(path, "re");
	int ret = -EINVAL;

	if (!fp)
		return -errno;
	if (fgets(pw, (int)n, fp)) {
		pw[strcspn(pw, "\r\n")] = '\0';
		ret = pw[0] ? 0 : -EINVAL;
	}
	fclose(fp);
	return ret;
}

static void fleet_auth(struct foud_fleet *f)
{
	char pw[256], why[CMD_FLEET_PATH_MAX + 64];
	json_t *body;
	int ret = read_password(f->cfg.password_file, pw, sizeof(pw));

	if (ret) {
		snprintf(why, sizeof(why), "%s: %s", f->cfg.password_file,
			 ret == -EINVAL ? "no password on its first line" : strerror(-ret));
		return fleet_fail(f, ret, "authenticate", why);
	}
	body = json_pack("{s:s, s:s}", "name", f->cfg.user, "password", pw);
	explicit_bzero(pw, sizeof(pw));
	fleet_step(f, FL_AUTH, "/v3/auth/authenticate", body, auth_done, "authenticate");
}

/* Starts the cycle: a token if etcd wants one, then a lease, so that our key dies with us. */
static void fleet_start(struct foud_fleet *f)
{
	char *v = publish_value(f);

	if (v) {
		free(f->published);
		f->published = v;
	}
	f->reclaim = false;	/* the cycle puts it */
	f->publish_ms = foud_now_ms() + FLEET_PUBLISH_MS;
	if (!f->published)
		return fleet_fail(f, -ENOMEM, "register", NULL);
	if (f->cfg.user[0])
		return fleet_auth(f);
	fleet_lease(f);
}

/* ---- while watching: keepalive and our own changes ------------------------- */

static void ka_done(void *arg, int err, json_t *reply, const char *why)
{
	struct foud_fleet *f = arg;
	json_t *r = json_object_get(reply, "result");

	f->ka = NULL;
	if (err)
		return fleet_fail(f, err, "lease keepalive", why);
	fleet_header(f, json_object_get(r, "header"));
	/* A TTL of 0 (left out): the lease expired, our key with it. */
	if (reply_int(r, "TTL") <= 0)
		return fleet_fail(f, -ENOENT, "lease keepalive", "lease expired: registering again");
	f->ka_ms = foud_now_ms() + (uint64_t)f->ttl * 1000 / 3;
}

static void fleet_keepalive(struct foud_fleet *f)
{
	json_t *body = json_pack("{s:o*}", "ID", lease_json(f->lease));

	f->ka = foud_etcd_call(f->e, "/v3/lease/keepalive", body, NULL, ka_done, f);
	json_decref(body);
	if (!f->ka)
		fleet_fail(f, -ENOMEM, "lease keepalive", NULL);
}

static void fleet_reput(struct foud_fleet *f)
{
	json_t *body;

	if (f->st != FL_LIVE || f->pub || !f->reclaim)
		return;
	body = put_body(f);
	f->reclaim = false;
	f->pub = body ? foud_etcd_call(f->e, "/v3/kv/put", body, NULL, put_done, f) : NULL;
	json_decref(body);
}

/* A fleet device added, removed or given another MAC: put our value again. */
static void fleet_republish(struct foud_fleet *f)
{
	char *v = publish_value(f);

	f->publish_ms = foud_now_ms() + FLEET_PUBLISH_MS;
	if (v && (!f->published || strcmp(v, f->published))) {
		free(f->published);
		f->published = v;
		v = NULL;
		f->dirty = true;
		f->reclaim = true;
	}
	free(v);
	fleet_reput(f);
}

static void on_tick(struct foud *d, struct foud_ev *ev)
{
	struct foud_fleet *f = d->fleet;
	uint64_t n, now = foud_now_ms();

	(void)ev;
	if (read(f->timer.fd, &n, sizeof(n)) < 0)
		return;
	if (f->st == FL_WAIT && now >= f->retry_ms)
		fleet_start(f);
	if (f->st == FL_LIVE && !f->ka && now >= f->ka_ms)
		fleet_keepalive(f);
	if (f->st != FL_OFF && now >= f->publish_ms)
		fleet_republish(f);
	if (f->dirty || fleet_l3_stale(f))
		fleet_fdb_sync(f);
}

/* ---- configuration --------------------------------------------------------- */

static int fleet_new(struct foud *d)
{
	struct foud_fleet *f = calloc(1, sizeof(*f));
	struct itimerspec its = { .it_interval.tv_nsec = FLEET_TICK_MS * 1000000L,
				  .it_value.tv_nsec = FLEET_TICK_MS * 1000000L };

	if (!f)
		return -ENOMEM;
	f->d = d;
	TAILQ_INIT(&f->nodes);
	f->timer.fn = on_tick;
	f->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (f->timer.fd < 0 || timerfd_settime(f->timer.fd, 0, &its, NULL) ||
	    foud_loop_add(d, &f->timer)) {
		if (f->timer.fd >= 0)
			close(f->timer.fd);
		free(f);
		return -errno;
	}
	d->fleet = f;
	return 0;
}

/* With both etcd and node given: a new client, the cycle from the start. */
static int fleet_restart(struct foud_fleet *f, char *err, size_t errlen)
{
	fleet_cancel(f);
	foud_etcd_free(f->e);
	f->e = NULL;
	f->st = FL_OFF;
	if (!f->have_etcd || !f->have_node)
		return 0;
	f->e = foud_etcd_new(f->d, &f->cfg);
	if (!f->e) {
		snprintf(err, errlen, "fleet: cannot start an etcd client");
		return -ENOMEM;
	}
	f->backoff_ms = FLEET_BACKOFF_MIN;
	f->connected = false;
	f->lease = 0;
	f->term = 0;		/* another store may count its terms apart */
	fleet_start(f);
	return 0;
}

/* Etcd's words of c, with the node's as f has them. */
static void fleet_cfg_etcd(const struct foud_fleet *f, const struct cmd_fleet_cfg *c,
			   struct cmd_fleet_cfg *out)
{
	char node[CMD_FLEET_NAME_MAX];
	struct fou_addr addr = f->cfg.address, addr2 = f->cfg.address2;

	memcpy(node, f->cfg.node, sizeof(node));	/* out may be f's own */
	*out = *c;
	memcpy(out->node, node, sizeof(node));
	out->address = addr;
	out->address2 = addr2;
}

/* Whether cmd changes nothing: a reload of the same file restarts nothing. */
static bool fleet_same(const struct foud_fleet *f, const struct cmd_req *cmd)
{
	static struct cmd_fleet_cfg c;	/* large; one thread */

	if (cmd->op == CMD_OP_NODE)
		return f->have_node && !strcmp(f->cfg.node, cmd->fleet.node) &&
		       fou_addr_eq(&f->cfg.address, &cmd->fleet.address) &&
		       fou_addr_eq(&f->cfg.address2, &cmd->fleet.address2);
	fleet_cfg_etcd(f, &cmd->fleet, &c);
	return f->have_etcd && !memcmp(&c, &f->cfg, sizeof(c));
}

/* A line the configuration file no longer has (reload): the fleet stops, its entries go. */
static int fleet_stop(struct foud_fleet *f, const struct cmd_req *cmd, char *err, size_t errlen)
{
	if (cmd->fleet.nendpoints)
		f->have_etcd = false;
	if (cmd->fleet.node[0])
		f->have_node = false;
	fleet_nodes_free(f);
	fleet_fdb_sync(f);
	foud_log(LOG_NOTICE, "fleet: stopped (its %s is no longer configured)",
		 cmd->fleet.nendpoints ? "etcd" : "node");
	return fleet_restart(f, err, errlen);
}

int foud_fleet_exec(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen)
{
	struct foud_fleet *f;
	int ret = d->fleet ? 0 : fleet_new(d);

	if (ret) {
		snprintf(err, errlen, "fleet: %s", strerror(-ret));
		return ret;
	}
	f = d->fleet;
	if (cmd->op == CMD_OP_DEL)
		return fleet_stop(f, cmd, err, errlen);
	if (fleet_same(f, cmd))
		return 0;
	if (cmd->op == CMD_OP_ETCD) {
		fleet_cfg_etcd(f, &cmd->fleet, &f->cfg);
		f->have_etcd = true;
	} else {
		memcpy(f->cfg.node, cmd->fleet.node, sizeof(f->cfg.node));
		f->cfg.address = cmd->fleet.address;
		f->cfg.address2 = cmd->fleet.address2;
		f->have_node = true;
	}
	return fleet_restart(f, err, errlen);
}

void foud_fleet_save(struct foud *d, struct foud_out *out)
{
	char line[CMD_SAVE_LINE * 2];
	const struct foud_fleet *f = d->fleet;

	if (f && f->have_etcd && cmd_save_fleet(&f->cfg, CMD_OP_ETCD, line, sizeof(line)) > 0)
		foud_out_printf(out, "%s", line);
	if (f && f->have_node && cmd_save_fleet(&f->cfg, CMD_OP_NODE, line, sizeof(line)) > 0)
		foud_out_printf(out, "%s", line);
}

void foud_fleet_free(struct foud *d)
{
	struct foud_fleet *f = d->fleet;

	if (!f)
		return;
	fleet_cancel(f);
	foud_etcd_free(f->e);
	foud_loop_del(d, &f->timer);
	close(f->timer.fd);
	fleet_nodes_free(f);
	fleet_fdb_free(f);
	fleet_l3_free(f);
	free(f->published);
	free(f);
	d->fleet = NULL;
}

/* ---- fleet show ------------------------------------------------------------ */

static void show_store(const struct foud_fleet *f, struct foud_pr *p)
{
	foud_pr_open_object(p, "store");
	foud_pr_str(p, "endpoint", "store %s", f->e ? foud_etcd_endpoint(f->e) : "none");
	foud_pr_str(p, "state", " %s", fleet_state_name[f->st]);
	foud_pr_bool(p, "connected", " connected", " disconnected", f->connected);
	foud_pr_s64(p, "revision", " revision %lld", f->revision);
	/* As etcd granted it; until then as asked. */
	foud_pr_s64(p, "ttl", " ttl %lld", f->ttl ? f->ttl : (long long)f->cfg.ttl);
	foud_pr_str(p, "prefix", " prefix %s", f->cfg.prefix);
	foud_pr_u64(p, "resyncs", " resyncs %llu", f->resyncs);
	foud_pr_u64(p, "leader_changes", " leader_changes %llu", f->leader_changes);
	foud_pr_u64(p, "failures", " failures %llu", f->failures);
	if (f->why[0])
		foud_pr_str(p, "error", " error \"%s\"", f->why);
	foud_pr_nl(p);
	foud_pr_close_object(p);
}

static void show_dev(const struct fleet_dev *v, struct foud_pr *p)
{
	char m[18];

	foud_pr_open_object(p, NULL);
	if (fk_l3(v->kind)) {
		fleet_l3_show_dev(v, p);
		return foud_pr_close_object(p);
	}
	foud_pr_str(p, "kind", " %s", fk_by_l2(v->kind)->name);
	foud_pr_uint(p, "vni", " %u", v->vni);
	foud_pr_open_array(p, "macs");
	for (unsigned int i = 0; i < v->nmacs; i++) {
		fleet_mac_str(v->mac[i], m);
		foud_pr_str(p, NULL, " %s", m);
	}
	foud_pr_close_array(p);
	foud_pr_close_object(p);
}

static void show_node(const struct foud_fleet *f, const struct fleet_node *n, struct foud_pr *p)
{
	char a[64];
	bool self = !strcmp(n->name, f->cfg.node);

	foud_pr_open_object(p, NULL);
	foud_pr_str(p, "name", "node %s", n->name);
	foud_pr_str(p, "address", " address %s", fou_addr_str(&n->v.addr, a, sizeof(a)));
	if (n->v.addr2.family)
		foud_pr_str(p, "address2", " address %s", fou_addr_str(&n->v.addr2, a, sizeof(a)));
	foud_pr_str(p, "state", " %s", self ? "self" : n->why[0] ? "refused" : "up");
	foud_pr_u64(p, "age_ms", " age %llums", foud_now_ms() - n->updated_ms);
	if (n->why[0])
		foud_pr_str(p, "error", " error \"%s\"", n->why);
	if (n->l3why[0])
		foud_pr_str(p, "refused", " refused \"%s\"", n->l3why);
	foud_pr_open_array(p, "devices");
	for (unsigned int i = 0; i < n->v.ndevs; i++)
		show_dev(&n->v.dev[i], p);
	foud_pr_close_array(p);
	foud_pr_nl(p);
	foud_pr_close_object(p);
}

void foud_fleet_show(struct foud *d, struct foud_pr *p)
{
	const struct foud_fleet *f = d->fleet;
	const struct fleet_node *n;

	foud_pr_open_object(p, NULL);
	if (f) {
		show_store(f, p);
		foud_pr_open_array(p, "nodes");
		TAILQ_FOREACH(n, &f->nodes, entry)
			show_node(f, n, p);
		foud_pr_close_array(p);
	}
	foud_pr_close_object(p);
}
