/* SPDX-License-Identifier: MIT */
/*
 * The running configuration as a whole: `link set` (a link changed in
 * place), `fouctl save` (everything foud made, in the file grammar) and
 * `fouctl flush` (all of it removed). A link changed in place is rebuilt
 * around the same TUN/TAP descriptor, so the device, its ifindex,
 * addresses and routes stay, and so do its counters and static fdb entries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "foud.h"
#include "metrics.h"
#include "save.h"

/*
 * Whether b (a file's line) asks for what a (a running link) is. The address
 * a device was given at random is a's too: b without one takes any.
 */
bool foud_link_same(const struct cmd_link_cfg *a, const struct cmd_link_cfg *b)
{
	static const uint8_t zero[6];
	char x[CMD_SAVE_LINE], y[CMD_SAVE_LINE];
	struct cmd_link_cfg ac = *a;

	if (!memcmp(b->l2.mac, zero, sizeof(zero)))
		memset(ac.l2.mac, 0, sizeof(ac.l2.mac));
	return cmd_save_link(&ac, x, sizeof(x)) >= 0 && cmd_save_link(b, y, sizeof(y)) >= 0 &&
	       !strcmp(x, y);
}

/* t's static fdb entries, allocated; *n of them. */
static struct cmd_fdb_cfg *link_statics(const struct foud_tunnel *t, size_t *n)
{
	size_t want = foud_l2_static(t, NULL, 0);
	struct cmd_fdb_cfg *v = want ? calloc(want, sizeof(*v)) : NULL;

	*n = v ? foud_l2_static(t, v, want) : 0;
	return v;
}

static int fdb_apply(struct foud *d, const struct cmd_fdb_cfg *f, char *err, size_t errlen)
{
	static const uint8_t zero[6];
	static struct cmd_req cmd;	/* large; one thread */

	memset(&cmd, 0, sizeof(cmd));
	cmd.obj = CMD_OBJ_FDB;
	cmd.op = memcmp(f->mac, zero, sizeof(zero)) ? CMD_OP_ADD : CMD_OP_APPEND;
	cmd.fdb = *f;
	return foud_fdb_exec(d, &cmd, err, errlen);
}

static void link_statics_restore(struct foud *d, const struct cmd_fdb_cfg *v, size_t n)
{
	char err[256];

	for (size_t i = 0; i < n; i++)
		if (fdb_apply(d, &v[i], err, sizeof(err)))
			foud_log(LOG_WARNING, "link %s: an fdb entry was not restored: %s",
				 v[i].dev, err);
}

/* Undoes a change that failed: the old configuration, on the device spare holds (or a new one). */
static void link_restore(struct foud *d, const struct cmd_link_cfg *old, int spare,
			 bool offload, const char *why)
{
	char err[256];

	foud_log(LOG_WARNING, "link %s: %s: its configuration is restored", old->name, why);
	foud_tun_keep(spare, old->name, offload);
	if (foud_dev_add(d, old, err, sizeof(err)))
		foud_log(LOG_ERR, "link %s is gone: %s", old->name, err);
	foud_tun_unkeep();
}

int foud_link_change(struct foud *d, struct foud_tunnel *t, const struct cmd_link_cfg *nc,
		     char *err, size_t errlen)
{
	struct cmd_link_cfg old = t->cfg;
	struct foud_stats st = t->st;
	bool offload = t->offload;
	struct cmd_fdb_cfg *fdb;
	size_t nfdb;
	int fd, spare, ret;

	fdb = link_statics(t, &nfdb);
	fd = foud_dev_detach(d, t);
	/* A second reference keeps the device should the new configuration fail and close fd. */
	spare = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	foud_tun_keep(fd, old.name, offload);
	ret = foud_dev_add(d, nc, err, errlen);
	foud_tun_unkeep();
	if (ret)
		link_restore(d, &old, spare, offload, err);	/* spare -1: on a new device */
	else if (spare >= 0)
		close(spare);
	t = foud_dev_find(d, old.name);
	if (t) {
		t->st = st;
		link_statics_restore(d, fdb, nfdb);
	}
	free(fdb);
	if (!ret)
		foud_log(LOG_INFO, "link %s changed in place", old.name);
	return ret;
}

int foud_link_set(struct foud *d, const struct cmd_req *cmd, char *err, size_t errlen)
{
	struct foud_tunnel *t = foud_dev_find(d, cmd->name);
	static struct cmd_link_cfg nc;
	int ret;

	if (!t) {
		snprintf(err, errlen, "no link \"%s\"", cmd->name);
		return -ENODEV;
	}
	ret = cmd_link_merge(&t->cfg, cmd->set_argc, cmd->set_argv, &nc, err, errlen);
	if (ret || foud_link_same(&t->cfg, &nc))
		return ret;
	return foud_link_change(d, t, &nc, err, errlen);
}

/* ---- save ------------------------------------------------------------------ */

/* Its static entries but the fleet's (they come from etcd, not from the file). */
static void save_fdb(struct foud *d, struct foud_out *out, const struct foud_tunnel *t)
{
	char line[CMD_SAVE_LINE];
	struct cmd_fdb_cfg *v;
	size_t n;

	v = link_statics(t, &n);
	for (size_t i = 0; i < n; i++)
		if (!foud_fleet_owns(d, t, &v[i]) && cmd_save_fdb(&v[i], line, sizeof(line)) > 0)
			foud_out_printf(out, "%s", line);
	free(v);
}

void foud_save(struct foud *d, struct foud_out *out)
{
	const struct foud_port *p;
	const struct foud_tunnel *t;
	const struct foud_tou_peer *tp;
	char line[CMD_SAVE_LINE];

	foud_out_printf(out, "# foud's running configuration (fouctl save)\n");
	TAILQ_FOREACH(p, &d->ports, entry)
		if (cmd_save_port(&p->cfg, line, sizeof(line)) > 0)
			foud_out_printf(out, "%s", line);
	FOUD_DEV_FOREACH(t, d)
		if (cmd_save_link(&t->cfg, line, sizeof(line)) > 0)
			foud_out_printf(out, "%s", line);
	FOUD_DEV_FOREACH(t, d)
		save_fdb(d, out, t);
	if (d->tou)
		TAILQ_FOREACH(tp, &d->tou->peers, entry)
			if (cmd_save_tou(&tp->cfg, line, sizeof(line)) > 0)
				foud_out_printf(out, "%s", line);
	foud_fleet_save(d, out);
	foud_metrics_save(d, out);
}

/* ---- flush ----------------------------------------------------------------- */

void foud_flush(struct foud *d)
{
	foud_dev_free_all(d);
	foud_tou_free_all(d);
	foud_port_free_all(d);
	foud_log(LOG_NOTICE, "flush: every device, port and TOU peer removed");
}
