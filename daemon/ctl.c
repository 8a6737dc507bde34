/* SPDX-License-Identifier: MIT */
/*
 * The control socket: a Unix stream socket, mode 0600, root only. Each
 * connection carries one request (the words of a fouctl command) and gets
 * one reply; requests are parsed with the same grammar as fouctl's.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl.h"
#include "foud.h"

#define CTL_TIMEOUT_SEC 2

typedef int (*exec_fn)(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
		       struct foud_out *out, char *err, size_t errlen);

static int exec_fou_add(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
			struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_port_add(d, &cmd->port, err, errlen);
}

static int exec_fou_del(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
			struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_port_del(d, &cmd->port, err, errlen);
}

static int exec_fou_show(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
			 struct foud_out *out, char *err, size_t errlen)
{
	(void)cmd;
	(void)err;
	(void)errlen;
	foud_show_ports(d, flags, out);
	return 0;
}

static int exec_link_add(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
			 struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_tunnel_add(d, &cmd->link, err, errlen);
}

static int exec_link_del(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
			 struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_tunnel_del(d, cmd->name, err, errlen);
}

static int exec_link_show(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
			  struct foud_out *out, char *err, size_t errlen)
{
	return foud_show_links(d, cmd->name, flags, out, err, errlen);
}

static int exec_fdb(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
		    struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_fdb_exec(d, cmd, err, errlen);
}

static int exec_fdb_show(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
			 struct foud_out *out, char *err, size_t errlen)
{
	return foud_fdb_show(d, cmd, flags, out, err, errlen);
}

static int exec_tou_add(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
			struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_tou_add(d, &cmd->tou, err, errlen);
}

static int exec_tou_del(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
			struct foud_out *out, char *err, size_t errlen)
{
	(void)flags;
	(void)out;
	return foud_tou_del(d, &cmd->tou, err, errlen);
}

static int exec_tou_show(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
			 struct foud_out *out, char *err, size_t errlen)
{
	(void)cmd;
	(void)err;
	(void)errlen;
	foud_tou_show(d, flags, out);
	return 0;
}

static const exec_fn exec_table[FOUD_OBJ__MAX][FOUD_OP__MAX] = {
	[FOUD_OBJ_FOU] = {
		[FOUD_OP_ADD] = exec_fou_add,
		[FOUD_OP_DEL] = exec_fou_del,
		[FOUD_OP_SHOW] = exec_fou_show,
	},
	[FOUD_OBJ_LINK] = {
		[FOUD_OP_ADD] = exec_link_add,
		[FOUD_OP_DEL] = exec_link_del,
		[FOUD_OP_SHOW] = exec_link_show,
	},
	[FOUD_OBJ_FDB] = {
		[FOUD_OP_ADD] = exec_fdb,
		[FOUD_OP_APPEND] = exec_fdb,
		[FOUD_OP_DEL] = exec_fdb,
		[FOUD_OP_SHOW] = exec_fdb_show,
	},
	[FOUD_OBJ_TOU] = {
		[FOUD_OP_ADD] = exec_tou_add,
		[FOUD_OP_DEL] = exec_tou_del,
		[FOUD_OP_SHOW] = exec_tou_show,
	},
};

int foud_exec(struct foud *d, const struct foud_cmd *cmd, uint32_t flags,
	      struct foud_out *out, char *err, size_t errlen)
{
	exec_fn fn = NULL;

	if ((unsigned int)cmd->obj < FOUD_OBJ__MAX && (unsigned int)cmd->op < FOUD_OP__MAX)
		fn = exec_table[cmd->obj][cmd->op];
	if (!fn) {
		snprintf(err, errlen, "command not supported");
		return -EOPNOTSUPP;
	}
	return fn(d, cmd, flags, out, err, errlen);
}

static int io_full(int fd, void *buf, size_t len, bool rd)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = rd ? read(fd, p, len) : write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void ctl_reply(int fd, int status, const struct foud_out *out, const char *err)
{
	uint32_t hdr[4] = { FOUD_CTL_MAGIC, (uint32_t)status, (uint32_t)out->len,
			    (uint32_t)strlen(err) };

	if (io_full(fd, hdr, sizeof(hdr), false) == 0 &&
	    io_full(fd, out->p, out->len, false) == 0)
		io_full(fd, (void *)err, hdr[3], false);
}

/* Reads one request, runs it, answers. Returns the status sent. */
static int ctl_serve(struct foud *d, int fd, bool allowed, uint8_t *buf,
		     struct foud_out *out, char *err, size_t errlen)
{
	char *argv[FOUD_CTL_MAX_ARGS];
	struct foud_cmd cmd;
	uint32_t flags, bytes;
	int argc, ret;

	ret = io_full(fd, buf, FOUD_CTL_HDR, true);
	if (ret)
		return ret;
	memcpy(&bytes, buf + 12, sizeof(bytes));
	if (bytes > FOUD_CTL_MAX) {
		snprintf(err, errlen, "request too large");
		return -E2BIG;
	}
	ret = io_full(fd, buf + FOUD_CTL_HDR, bytes, true);
	if (ret)
		return ret;
	/* Read the whole request even to refuse it, so the reply is not lost to a reset. */
	if (!allowed) {
		snprintf(err, errlen, "permission denied");
		return -EPERM;
	}
	argc = foud_ctl_decode(buf, FOUD_CTL_HDR + bytes, &flags, argv, FOUD_CTL_MAX_ARGS);
	if (argc < 0) {
		snprintf(err, errlen, "malformed request");
		return argc;
	}
	ret = foud_cmd_parse(argc, argv, &cmd, err, errlen);
	if (ret)
		return ret;
	ret = foud_exec(d, &cmd, flags, out, err, errlen);
	if (!ret && out->failed) {
		snprintf(err, errlen, "reply too large");
		ret = -ENOMEM;
	}
	return ret;
}

static bool ctl_peer_ok(int fd)
{
	struct ucred cr;
	socklen_t sl = sizeof(cr);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) == 0 &&
	       (cr.uid == 0 || cr.uid == geteuid());
}

static void ctl_accept(struct foud *d, struct foud_ev *ev)
{
	struct timeval tv = { .tv_sec = CTL_TIMEOUT_SEC };
	static uint8_t buf[FOUD_CTL_HDR + FOUD_CTL_MAX + 1];
	struct foud_out out = { 0 };
	char err[512] = "";
	int fd, ret;

	fd = accept4(ev->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* One slow client must not stall the data path for long. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ret = ctl_serve(d, fd, ctl_peer_ok(fd), buf, &out, err, sizeof(err));
	if (ret && !err[0])
		snprintf(err, sizeof(err), "%s", strerror(-ret));
	if (err[0] && err[strlen(err) - 1] != '\n' && strlen(err) + 1 < sizeof(err))
		strcat(err, "\n");
	ctl_reply(fd, ret, &out, err);
	foud_out_free(&out);
	close(fd);
}

/*
 * Removes a stale socket left at the path by a foud that died. Anything
 * else stays: a file that is not a socket, and a socket a foud still
 * answers on (connect fails with ECONNREFUSED only when nobody listens).
 */
static int ctl_stale(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	int s, ret = 0;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket: not removing it",
			 sun->sun_path);
		return -EEXIST;
	}
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
		snprintf(err, errlen, "another foud is running on %s", sun->sun_path);
		ret = -EADDRINUSE;
	} else if (errno == ECONNREFUSED && unlink(sun->sun_path) < 0) {
		ret = -errno;
	}
	close(s);
	return ret;
}

int foud_ctl_open(struct foud *d, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)];
	mode_t old;
	int s, ret;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	mkdir(dirname(dir), 0755);
	ret = ctl_stale(&sun, err, errlen);
	if (ret)
		return ret;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	old = umask(0177);
	ret = bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0 ? -errno : 0;
	umask(old);
	if (!ret && (chmod(path, 0600) < 0 || listen(s, 16) < 0))
		ret = -errno;
	if (ret) {
		close(s);
		return ret;
	}
	snprintf(d->sock_path, sizeof(d->sock_path), "%s", path);
	d->ctl.fd = s;
	d->ctl.fn = ctl_accept;
	return foud_loop_add(d, &d->ctl);
}

void foud_ctl_close(struct foud *d)
{
	if (d->ctl.fd < 0)
		return;
	foud_loop_del(d, &d->ctl);
	close(d->ctl.fd);
	d->ctl.fd = -1;
	unlink(d->sock_path);
}
