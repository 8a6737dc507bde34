/* SPDX-License-Identifier: MIT */
/*
 * Authenticated GUE on the IP tunnels (`encap gue encap-key FILE
 * [encap-key-next FILE]`): the key files, their re-reading for rollover
 * (`link rekey NAME`) and the check of every GUE datagram from a keyed
 * tunnel's remote before anything else looks at it; the same for a TOU
 * peer with `key FILE` (tou.c). The codec is libfou's (lib/gue_auth.c);
 * the BPF programs leave such tunnels to this path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "foud.h"
#include "fou/gue_auth.h"
#include "gue_floor.h"
#include "rx.h"

/* A keyed tunnel's or TOU peer's key files, their keys and its replay window. */
struct foud_gue_auth {
	struct fou_gue_keys ks;		/* a tunnel's t->tnl.auth points here */
	struct fou_replay replay;
	uint64_t seq;			/* TOU's next sequence (a tunnel's is in t->tx) */
	uint64_t floor;			/* the persisted floor: accepted ones lie below */
	uint64_t restart;		/* TOU: the floor the foud before left (sessions' windows start empty) */
	uint64_t top;			/* TOU: the highest sequence authenticated */
	bool floor_err;			/* its last write failed (logged once) */
	struct foud_gue_auth_drops drops;	/* auth drops by the key id claimed */
	char path[2][CMD_KEY_PATH_MAX];
	char floor_path[CMD_KEY_PATH_MAX];
	char floor_who[64];		/* the remote's address, as the file holds it */
};

static void drops_prime(struct foud_gue_auth *a);

/* A secret is refused when others could read or replace it. */
static int key_file_ok(const char *path, const struct stat *st, char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "key file \"%s\" is not a regular file", path);
		return -EINVAL;
	}
	if (st->st_mode & 077) {
		snprintf(err, errlen, "key file \"%s\" has mode %04o: it must be 0600 or stricter",
			 path, (unsigned int)(st->st_mode & 07777));
		return -EPERM;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(err, errlen, "key file \"%s\" belongs to uid %u, not root or foud's",
			 path, (unsigned int)st->st_uid);
		return -EPERM;
	}
	return 0;
}

/* A key file's secret: mode checked, one line of 64 hex digits (also DTLS's PSK). */
int foud_key_file_read(const char *path, uint8_t secret[FOU_GUE_AUTH_KEYLEN], char *err,
		       size_t errlen)
{
	char text[2 * FOU_GUE_AUTH_KEYLEN + 2];
	struct stat st;
	ssize_t n = -1;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "key file \"%s\": %s", path, strerror(errno));
		return ret;
	}
	ret = fstat(fd, &st) ? -EIO : key_file_ok(path, &st, err, errlen);
	if (!ret)
		n = read(fd, text, sizeof(text));
	close(fd);
	if (!ret && (n < 0 || fou_gue_key_parse(text, (size_t)n, secret))) {
		snprintf(err, errlen, "key file \"%s\" does not hold one line of 64 hex digits",
			 path);
		ret = -EINVAL;
	}
	if (ret == -EIO)
		snprintf(err, errlen, "key file \"%s\": %s", path, strerror(-ret));
	OPENSSL_cleanse(text, sizeof(text));
	return ret;
}

/* A private key others could read or replace is refused, as a key file is. */
int foud_key_file_private(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int ret;

	if (stat(path, &st)) {
		ret = -errno;
		snprintf(err, errlen, "key file \"%s\": %s", path, strerror(-ret));
		return ret;
	}
	return key_file_ok(path, &st, err, errlen);
}

static int key_read(const char *path, struct fou_gue_key *k, char *err, size_t errlen)
{
	uint8_t secret[FOU_GUE_AUTH_KEYLEN];
	int ret = foud_key_file_read(path, secret, err, errlen);

	if (!ret)
		ret = fou_gue_key_init(k, secret);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "key file \"%s\": %s", path, strerror(-ret));
	OPENSSL_cleanse(secret, sizeof(secret));
	return ret;
}

static void keys_clear(struct fou_gue_keys *ks)
{
	unsigned int i;

	for (i = 0; i < ks->n; i++)
		fou_gue_key_clear(&ks->key[i]);
	ks->n = 0;
}

/* Both files into ks, or nothing changed. */
static int keys_load(const struct foud_gue_auth *a, struct fou_gue_keys *ks, char *err,
		     size_t errlen)
{
	struct fou_gue_keys nk = { .n = 0 };
	int i, ret = 0;

	for (i = 0; i < 2 && !ret && a->path[i][0]; i++) {
		ret = key_read(a->path[i], &nk.key[i], err, errlen);
		if (!ret)
			nk.n = (unsigned int)i + 1;
	}
	if (ret) {
		keys_clear(&nk);
		return ret;
	}
	keys_clear(ks);
	*ks = nk;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct foud_gue_auth *foud_gue_auth_new(const char paths[2][CMD_KEY_PATH_MAX], char *err,
				       size_t errlen)
{
	struct foud_gue_auth *a = calloc(1, sizeof(*a));

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(a->path, paths, sizeof(a->path));
	if (keys_load(a, &a->ks, err, errlen)) {
		free(a);
		return NULL;
	}
	/* Nanoseconds of the clock: a restarted sender stays ahead of its peer's window. */
	a->seq = now_ns();
	drops_prime(a);
	return a;
}

void foud_gue_auth_free(struct foud_gue_auth *a)
{
	if (!a)
		return;
	keys_clear(&a->ks);
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}

/*
 * A sender's sequence never falls behind the clock's nanoseconds: after a
 * pause it jumps to them. So a receiver that crashed, and whose floor lies a
 * reserve (FOUD_GUE_FLOOR_RESERVE, 100 ms of clock) ahead of the last
 * sequence it took, is passed within that time. The clock only raises it: a
 * step back changes nothing.
 */
uint64_t foud_gue_auth_seq(uint64_t seq)
{
	uint64_t now = now_ns();

	return now > seq ? now : seq;
}

/* fou_tou_encap() wrote a GUE header (with session ids, maybe): it gets signed. */
int foud_gue_auth_sign_plain(struct foud_gue_auth *a, struct fou_buf *b)
{
	if (!a->ks.n)
		return -FOU_DROP_AUTH;
	a->seq = foud_gue_auth_seq(a->seq);
	return fou_gue_auth_sign(b, &a->ks.key[0], a->seq++);
}

/* The count of key id, made (in place of a key no longer held) if need be. */
static uint64_t *drops_of(struct foud_gue_auth *a, uint32_t id)
{
	struct foud_gue_auth_drops *dr = &a->drops;
	unsigned int i, j, free_at = FOUD_GUE_AUTH_IDS;

	for (i = 0; i < dr->n; i++)
		if (dr->id[i] == id)
			return &dr->count[i];
	if (dr->n < FOUD_GUE_AUTH_IDS)
		free_at = dr->n++;
	for (i = 0; i < dr->n && free_at == FOUD_GUE_AUTH_IDS; i++) {
		for (j = 0; j < a->ks.n && a->ks.key[j].id != dr->id[i]; j++)
			;
		if (j == a->ks.n)
			free_at = i;
	}
	if (free_at == FOUD_GUE_AUTH_IDS)
		return &dr->unknown;
	dr->id[free_at] = id;
	dr->count[free_at] = 0;
	return &dr->count[free_at];
}

/* Each key's count of auth drops, from 0 at once: a counter that appears late loses its first rise. */
static void drops_prime(struct foud_gue_auth *a)
{
	unsigned int i;

	for (i = 0; i < a->ks.n; i++)
		(void)drops_of(a, a->ks.key[i].id);
}

int foud_gue_auth_reload(struct foud_gue_auth *a, char *err, size_t errlen)
{
	int ret = keys_load(a, &a->ks, err, errlen);

	if (!ret)
		drops_prime(a);
	return ret;
}

const char *foud_gue_auth_file(const struct foud_gue_auth *a)
{
	return a->path[0];
}

uint32_t foud_gue_auth_id(const struct foud_gue_auth *a)
{
	return a->ks.key[0].id;
}

/* Writes the floor; a failure is logged once, and traffic goes on without it. */
static void floor_set(struct foud_gue_auth *a, const char *name, uint64_t floor)
{
	int ret = foud_gue_floor_write(a->floor_path, a->floor_who, floor);

	a->floor = floor;
	if (ret && !a->floor_err)
		foud_log(LOG_ERR, "%s: replay floor \"%s\" not written (%s): a restart may accept "
			 "replays", name, a->floor_path, strerror(-ret));
	a->floor_err = ret != 0;
}

/*
 * The floor the foud before this one left (path_err: its path's), from
 * a->floor_path for a->floor_who: the window starts full up to it.
 */
static int floor_load(struct foud_gue_auth *a, int path_err, char *err, size_t errlen)
{
	int ret = path_err ?: foud_gue_floor_read(a->floor_path, a->floor_who, &a->floor);

	if (!ret) {
		fou_replay_floor(&a->replay, a->floor);
		a->restart = a->floor;
		return 0;
	}
	if (ret == -ENOENT)
		return 0;
	snprintf(err, errlen, "replay floor \"%s\": %s", a->floor_path, strerror(-ret));
	return ret;
}

static int tunnel_floor(struct foud_gue_auth *a, const struct foud_tunnel *t, char *err,
			size_t errlen)
{
	int ret = foud_gue_floor_path(t->name, a->floor_path, sizeof(a->floor_path));

	fou_addr_str(&t->tnl.remote, a->floor_who, sizeof(a->floor_who));
	return floor_load(a, ret, err, errlen);
}

int foud_gue_auth_open(struct foud_tunnel *t, const struct cmd_link_cfg *cfg, char *err,
		       size_t errlen)
{
	if (!(t->tnl.encap_flags & FOU_ENCAP_F_AUTH))
		return 0;
	t->auth = foud_gue_auth_new(cfg->key_file, err, errlen);
	if (!t->auth)
		return -EINVAL;
	if (tunnel_floor(t->auth, t, err, errlen)) {
		foud_gue_auth_free(t->auth);
		t->auth = NULL;
		return -EINVAL;
	}
	t->tnl.auth = &t->auth->ks;
	t->tx.auth_seq = t->auth->seq;
	return 0;
}

void foud_gue_auth_close(struct foud_tunnel *t)
{
	/* The exact top: the next foud refuses all it accepted, and nothing newer. */
	if (t->auth && t->auth->replay.any)
		floor_set(t->auth, t->name, t->auth->replay.top);
	foud_gue_auth_free(t->auth);
	t->auth = NULL;
	t->tnl.auth = NULL;
}

int foud_gue_auth_rekey(struct foud *d, const char *name, char *err, size_t errlen)
{
	struct foud_tunnel *t = foud_dev_find(d, name);
	int ret;

	if (!t) {
		snprintf(err, errlen, "no device \"%s\"", name);
		return -ENODEV;
	}
	if (!t->auth) {
		snprintf(err, errlen, "\"%s\" has no encap-key", name);
		return -EINVAL;
	}
	ret = foud_gue_auth_reload(t->auth, err, errlen);
	if (!ret)
		foud_log(LOG_INFO, "%s: keys re-read: sending with key id %08x", t->name,
			 t->auth->ks.key[0].id);
	return ret;
}

static bool auth_keyed_to(const struct foud_tunnel *t, const void *arg)
{
	const struct foud_rxmeta *m = arg;

	return t->auth && (!m->dst.family || fou_addr_eq(&t->tnl.local, &m->dst));
}

/* The keyed tunnel these outer addresses name, if any (only tunnel.c opens keys): by hash. */
static struct foud_tunnel *auth_tunnel(struct foud *d, const struct foud_rxmeta *m)
{
	return foud_tnl_peer(d, &m->src, auth_keyed_to, m);
}

/*
 * fou_gue_auth_pull() with the floor raised, ahead of seq by the reserve,
 * before a sequence above it is accepted.
 */
static int auth_pull(struct foud_tunnel *t, struct fou_buf *b)
{
	struct foud_gue_auth *a = t->auth;
	uint64_t seq;
	int ret = fou_gue_auth_open(b, &a->ks, 0, &seq);

	if (ret)
		return ret;
	if (seq > a->floor)
		floor_set(a, t->name, seq + FOUD_GUE_FLOOR_RESERVE);
	return fou_replay_update(&a->replay, seq) ? 0 : -FOU_DROP_REPLAY;
}

/*
 * An auth drop, by the key id it claims: one of the tunnel's (its HMAC
 * wrong: a forger, or the peer's key of that id is another) or unknown.
 */
static void drops_count(struct foud_gue_auth *a, const struct fou_buf *b)
{
	uint32_t id;
	unsigned int i;

	if (!fou_gue_has_sec(b) || b->len < FOU_GUE_HLEN + 4) {
		a->drops.unknown++;
		return;
	}
	id = fou_get32(fou_buf_data(b) + FOU_GUE_HLEN);
	for (i = 0; i < a->ks.n && a->ks.key[i].id != id; i++)
		;
	if (i < a->ks.n)
		(*drops_of(a, id))++;
	else
		a->drops.unknown++;
}

const struct foud_gue_auth_drops *foud_gue_auth_drops(const struct foud_tunnel *t)
{
	return t->auth ? &t->auth->drops : NULL;
}

int foud_gue_auth_rx(struct foud *d, struct fou_buf *b, const struct foud_rxmeta *m)
{
	struct foud_tunnel *t = auth_tunnel(d, m);
	int ret;

	if (!t)
		return fou_gue_has_sec(b) ? -FOU_DROP_AUTH : 0;
	ret = auth_pull(t, b);
	if (!ret)
		return 0;
	if (ret == -FOU_DROP_AUTH)
		drops_count(t->auth, b);
	t->st.rx_drop[-ret]++;
	foud_log_drop(t->name, -ret, &m->src);
	return 1;
}

/*
 * A TOU peer's sequence, authenticated: refused at or below the floor the
 * foud before left; the floor raised ahead of it before it is taken, as a
 * tunnel's (auth_pull()).
 */
static int tou_seq(struct foud_gue_auth *a, uint64_t seq)
{
	if (seq <= a->restart)
		return -FOU_DROP_REPLAY;
	if (seq > a->top)
		a->top = seq;
	if (seq > a->floor)
		floor_set(a, a->floor_who, seq + FOUD_GUE_FLOOR_RESERVE);
	return 0;
}

int foud_gue_auth_check(struct foud_gue_auth *a, struct fou_buf *b)
{
	uint64_t seq;
	int ret = foud_gue_auth_verify(a, b, 0, &seq);

	if (!ret && !fou_replay_update(&a->replay, seq))
		ret = -FOU_DROP_REPLAY;
	return ret;
}

/* A TOU session's datagram: its window is the session's (tou_session.c). */
int foud_gue_auth_verify(struct foud_gue_auth *a, struct fou_buf *b, uint16_t allow,
			 uint64_t *seq)
{
	int ret = fou_gue_auth_open(b, &a->ks, allow, seq);

	if (!ret)
		return tou_seq(a, *seq);
	if (ret == -FOU_DROP_AUTH)
		drops_count(a, b);
	return ret;
}

/* A TOU peer's floor file (tou-ADDR.floor), read as a tunnel's: 0 or -errno, err said. */
int foud_gue_auth_tou_open(struct foud_gue_auth *a, const struct fou_addr *peer, char *err,
			   size_t errlen)
{
	fou_addr_str(peer, a->floor_who, sizeof(a->floor_who));
	return floor_load(a, foud_tou_floor_path(a->floor_who, a->floor_path,
						 sizeof(a->floor_path)), err, errlen);
}

/* The exact top, as a tunnel's at close: the next foud refuses all it took, nothing newer. */
void foud_gue_auth_tou_close(struct foud_gue_auth *a)
{
	if (a && a->top)
		floor_set(a, a->floor_who, a->top);
}

const struct foud_gue_auth_drops *foud_gue_auth_tou_drops(const struct foud_tou_peer *p)
{
	return p->auth ? &p->auth->drops : NULL;
}

/* -d: the files and the ids of their keys, so that both ends can be compared. */
void foud_gue_auth_show(const struct foud_tunnel *t, struct foud_pr *p)
{
	const struct foud_gue_auth *a = t->auth;

	if (!a)
		return;
	foud_pr_open_object(p, "auth");
	foud_pr_str(p, "key_file", "    encap-key %s", a->path[0]);
	foud_pr_uint(p, "key_id", " key-id %08x", a->ks.key[0].id);
	if (a->ks.n > 1) {
		foud_pr_str(p, "key_next_file", " encap-key-next %s", a->path[1]);
		foud_pr_uint(p, "key_next_id", " key-id %08x", a->ks.key[1].id);
	}
	foud_pr_text(p, "\n");
	foud_pr_close_object(p);
}
