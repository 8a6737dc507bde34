// SPDX-License-Identifier: MIT
/*
 * fouctl: iproute2 words in, foud's answer out.
 *
 * The words are checked here with the same parser foud uses, so a typo is
 * reported (naming the wrong word) without a daemon, and a batch file
 * stops at the first bad line before that line reaches foud. foud formats
 * all output; fouctl only carries it to stdout and stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "ctl.h"
#include "fouctl.h"
#include "netdev.h"

/* Where a message is about: "fouctl" on the command line, FILE:LINE in a batch. */
struct where {
	const char *file;
	unsigned long line;
};

static void say(const struct where *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(const struct where *w, const char *fmt, ...)
{
	va_list ap;

	if (w->file)
		fprintf(stderr, "%s:%lu: ", w->file, w->line);
	else
		fputs("fouctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- socket I/O ----------------------------------------------------------- */

/*
 * Moves exactly n bytes through read or write, across EINTR and short
 * counts; -EPIPE if a read meets the end (foud hung up) first.
 */
static int xfer_all(int fd, uint8_t *p, size_t n, bool wr)
{
	while (n) {
		ssize_t r = wr ? write(fd, p, n) : read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EPIPE;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t n)
{
	return xfer_all(fd, (uint8_t *)(uintptr_t)buf, n, true);
}

static int read_all(int fd, void *buf, size_t n)
{
	return xfer_all(fd, buf, n, false);
}

/* -p: re-indents foud's compact JSON as it streams by (state kept across chunks). */
struct pretty {
	int depth;
	bool in_str, esc;
};

static void pretty_nl(FILE *f, int depth)
{
	fputc('\n', f);
	for (int i = 0; i < depth; i++)
		fputs("  ", f);
}

static void pretty_char(struct pretty *pp, FILE *f, char c)
{
	if (pp->in_str) {
		fputc(c, f);
		pp->esc = !pp->esc && c == '\\';
		if (c == '"' && !pp->esc)
			pp->in_str = false;
		return;
	}
	switch (c) {
	case '"': pp->in_str = true; pp->esc = false; fputc(c, f); break;
	case '{': case '[': fputc(c, f); pretty_nl(f, ++pp->depth); break;
	case '}': case ']': pretty_nl(f, --pp->depth); fputc(c, f);
		if (!pp->depth)
			fputc('\n', f);
		break;
	case ',': fputc(c, f); pretty_nl(f, pp->depth); break;
	case ':': fputs(": ", f); break;
	case ' ': case '\n': case '\t': case '\r': break;
	default: fputc(c, f); break;
	}
}

/* Where the stdout part of a reply goes: as it is, re-indented, on one line, or kept (-br). */
struct sink {
	enum { SINK_RAW, SINK_PRETTY, SINK_ONELINE, SINK_KEEP } mode;
	struct pretty pp;
	struct oneline ol;
	struct cmn_buf keep;	/* SINK_KEEP: the whole output, growing with each frame */
};

static int sink_put(struct sink *k, int fd, const uint8_t *p, size_t n)
{
	switch (k->mode) {
	case SINK_PRETTY:
		for (size_t i = 0; i < n; i++)
			pretty_char(&k->pp, stdout, (char)p[i]);
		return 0;
	case SINK_ONELINE:
		fouctl_oneline_put(&k->ol, stdout, (const char *)p, n);
		return 0;
	case SINK_KEEP:
		return cmn_buf_add(&k->keep, p, n);
	default:
		return write_all(fd, p, n);
	}
}

/*
 * A failed write of fouctl's own output, told apart from foud's socket: a
 * reader that went away (`fouctl ... | head`) is no fault of foud's reply.
 */
#define OUT_FAILED (-ECANCELED)
static int out_errno;

static int out_failed(int ret)
{
	if (ret)
		out_errno = -ret;
	return ret ? OUT_FAILED : 0;
}

/* Streams n bytes of the reply to k, so big outputs need no big buffer (but -br's). */
static int copy_out(int sock, int fd, uint32_t n, struct sink *k)
{
	uint8_t buf[16384];
	int ret = 0;

	while (!ret && n) {
		size_t chunk = n < sizeof(buf) ? n : sizeof(buf);

		ret = read_all(sock, buf, chunk);
		if (!ret)
			ret = out_failed(sink_put(k, fd, buf, chunk));
		n -= (uint32_t)chunk;
	}
	return ret;
}

/*
 * monitor: after foud's yes, event lines until one side hangs up; flushed
 * a line at a time so that a pipe reader sees each event as it happens.
 */
static int copy_events(int sock)
{
	uint8_t buf[4096];
	ssize_t r;
	int ret = 0;

	while (!ret) {
		r = read(sock, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : 0;
		ret = out_failed(write_all(STDOUT_FILENO, buf, (size_t)r));
	}
	return ret;
}

/* ---- reaching foud: -S, else this namespace's abstract socket, else the path ---- */

/*
 * Anyone may bind an abstract name first: the socket is foud's only if its
 * owner is root or ourselves (as foud checks its clients).
 */
static int ctl_check_server(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return -errno;
	if (cr.uid == 0 || cr.uid == geteuid())
		return 0;
	fprintf(stderr, "fouctl: @%s is held by uid %u (pid %d), not by foud: not used\n",
		CTL_SOCKET_ABSTRACT, (unsigned int)cr.uid, (int)cr.pid);
	return -EACCES;
}

static int ctl_connect_to(const char *path, bool abstract)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sun);
	int fd, err;

	if (strlen(path) + abstract >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	/* abstract: a NUL first, and the length says where the name ends */
	strcpy(sun.sun_path + abstract, path);
	if (abstract)
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = connect(fd, (struct sockaddr *)&sun, len) < 0 ? -errno : 0;
	if (!err && abstract)
		err = ctl_check_server(fd);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static const char *sock_name(const struct opts *o)
{
	return o->sock ? o->sock : CTL_SOCKET_DEFAULT;
}

static int ctl_connect(const struct opts *o, const struct where *w)
{
	int fd = -ENOENT;

	if (!o->sock)
		fd = ctl_connect_to(CTL_SOCKET_ABSTRACT, true);
	if (fd < 0)
		fd = ctl_connect_to(sock_name(o), false);
	if (fd < 0)
		say(w, "cannot reach foud at %s: %s", sock_name(o), strerror(-fd));
	return fd;
}

/* ---- one request ---------------------------------------------------------- */

/* A reply's frame header: type and length checked (ctl_frame_get). */
struct frame {
	uint32_t type, len;
};

static int frame_read(int fd, struct frame *f)
{
	uint8_t hdr[CTL_FRAME_HDR];
	int ret = read_all(fd, hdr, sizeof(hdr));

	return ret ? ret : ctl_frame_get(hdr, &f->type, &f->len);
}

/* How the stdout part is shown: -br (link show only, as ip), -p with -j, -o on text. */
static void sink_pick(const struct opts *o, const struct cmd_req *cmd, struct sink *k)
{
	bool json = o->flags & CTL_F_JSON;

	if (o->brief && !json && cmd->obj == CMD_OBJ_LINK && cmd->op == CMD_OP_SHOW)
		k->mode = SINK_KEEP;
	else if (json && (o->flags & CTL_F_PRETTY))
		k->mode = SINK_PRETTY;
	else if (o->oneline && !json)
		k->mode = SINK_ONELINE;
}

/* The flags foud gets: -br asks it for the JSON with details that it prints from. */
static uint32_t request_flags(const struct opts *o, const struct sink *k)
{
	return k->mode == SINK_KEEP ? o->flags | CTL_F_JSON | CTL_F_DETAILS : o->flags;
}

/* The stdout part is all there: the end of -o's line, -br's table. */
static int sink_end(struct sink *k)
{
	int ret = 0;

	if (k->mode == SINK_ONELINE)
		fouctl_oneline_end(&k->ol, stdout);
	if (k->mode == SINK_KEEP && fouctl_brief_links(k->keep.p ? k->keep.p : "", k->keep.len, stdout))
		ret = -EBADMSG;
	cmn_buf_free(&k->keep);
	fflush(stdout);
	return ret;
}

/* The end frame: foud's status, then its stderr (in a batch, after FILE:LINE). */
static int reply_end(int fd, const struct frame *f, const struct where *w, int32_t *status)
{
	struct sink raw = { .mode = SINK_RAW };
	uint32_t errlen = f->len - 4;
	int ret = read_all(fd, status, sizeof(*status));

	if (ret)
		return ret;
	if (errlen && w->file)
		fprintf(stderr, "%s:%lu: ", w->file, w->line);
	ret = copy_out(fd, STDERR_FILENO, errlen, &raw);
	if (!ret && *status && !errlen)
		say(w, "foud: %s", strerror(-*status));
	return ret;
}

/*
 * Carries foud's reply over as it arrives, from the frame f already read:
 * stdout frames to k, then the end frame's status and stderr.
 */
static int reply_copy(int fd, struct frame *f, const struct where *w, struct sink *k,
		      int32_t *status)
{
	int ret = 0;

	while (!ret && f->type == CTL_FR_OUT) {
		ret = copy_out(fd, STDOUT_FILENO, f->len, k);
		if (!ret)
			ret = frame_read(fd, f);
	}
	if (!ret)
		ret = sink_end(k);
	cmn_buf_free(&k->keep);
	return ret ? ret : reply_end(fd, f, w, status);
}

/* The request's bytes, with descriptor pass (if not -1) attached to them. */
static int send_request(int fd, const uint8_t *buf, size_t len, int pass)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(int))];
	} u = { 0 };
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
			     .msg_controllen = sizeof(u.b) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	ssize_t n;

	if (pass < 0)
		return write_all(fd, buf, len);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pass, sizeof(int));
	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	return write_all(fd, buf + n, len - (size_t)n);
}

/*
 * A batch's connection, kept from one line to the next (foud answers any
 * number of requests on one); -1: none. Any failure closes it, so that
 * the next line starts on a fresh one.
 */
static int batch_fd = -1;

static void batch_drop(void)
{
	if (batch_fd >= 0)
		close(batch_fd);
	batch_fd = -1;
}

/* A connection for one request: the batch's, or a new one; keep: it may stay. */
static int conn_get(const struct opts *o, const struct where *w, bool keep)
{
	if (keep && batch_fd >= 0)
		return batch_fd;
	return ctl_connect(o, w);
}

/* After the request on fd: kept for the next line of a batch, or closed. */
static void conn_put(int fd, bool keep, int ret)
{
	if (keep && !ret) {
		batch_fd = fd;
		return;
	}
	if (fd == batch_fd)
		batch_fd = -1;
	close(fd);
}

/* Sends a request and reads its reply's first frame header. */
static int exchange(int fd, const uint8_t *buf, size_t len, int pass, struct frame *f)
{
	int ret = send_request(fd, buf, len, pass);

	return ret ? ret : frame_read(fd, f);
}

/* Why the reply could not be read. */
static void say_failed(const struct opts *o, const struct where *w, int ret)
{
	if (ret == OUT_FAILED) {
		if (out_errno != EPIPE)
			say(w, "writing the output: %s", strerror(out_errno));
	} else if (ret == -EPROTO)
		say(w, "foud at %s speaks control protocol 1 (FOU1), this fouctl protocol 2 "
		    "(FOU2): use the fouctl of foud's release", sock_name(o));
	else if (ret == -EBADMSG || ret == -EPIPE)
		say(w, "no valid reply from foud at %s", sock_name(o));
	else
		say(w, "talking to foud at %s: %s", sock_name(o), strerror(-ret));
}

/*
 * Sends argv to foud, with descriptor pass unless -1; 0 if foud carried it
 * out, 1 if not (already said why). In a batch the connection is kept but
 * for a monitor, which holds it to the end.
 */
static int request_fd(const struct opts *o, const struct cmd_req *cmd, int argc, char *argv[],
		      const struct where *w, int pass)
{
	static uint8_t buf[CTL_HDR + CTL_MAX];
	struct sink k = { .mode = SINK_RAW };
	struct frame f = { 0 };
	int32_t status = 0;
	int fd, len, ret;
	bool keep;

	sink_pick(o, cmd, &k);
	len = ctl_encode(buf, sizeof(buf), request_flags(o, &k), argc, argv);
	if (len < 0) {
		say(w, "command too long (%d words, at most %d bytes)", argc, CTL_MAX);
		return 1;
	}
	keep = w->file && cmd->obj != CMD_OBJ_MONITOR;
	fd = conn_get(o, w, keep);
	if (fd < 0)
		return 1;
	ret = exchange(fd, buf, (size_t)len, pass, &f);
	if (ret && fd == batch_fd) {
		/* foud closes a connection idle past its deadline (a slow -b -): again, on a new one. */
		conn_put(fd, false, ret);
		fd = ctl_connect(o, w);
		if (fd < 0)
			return 1;
		ret = exchange(fd, buf, (size_t)len, pass, &f);
	}
	if (!ret)
		ret = reply_copy(fd, &f, w, &k, &status);
	if (!ret && !status && cmd->obj == CMD_OBJ_MONITOR)
		ret = copy_events(fd);
	conn_put(fd, keep, ret);
	if (ret)
		say_failed(o, w, ret);
	return ret || status ? 1 : 0;
}

static int request(const struct opts *o, const struct cmd_req *cmd, int argc, char *argv[],
		   const struct where *w)
{
	return request_fd(o, cmd, argc, argv, w, -1);
}

/* Where -w says the pcap goes: a file, or standard output (none, or -). */
static int capture_out(const char *file)
{
	if (!file || !strcmp(file, "-"))
		return STDOUT_FILENO;
	return open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* Copies the pipe out until foud closes its end (count reached, device gone). */
static int capture_copy(int in, int out)
{
	static uint8_t buf[65536];
	ssize_t n;
	int ret = 0;

	while (!ret && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		ret = n < 0 ? -errno : write_all(out, buf, (size_t)n);
	}
	return ret;
}

/* capture: foud writes pcap into a pipe that goes with the request. */
static int run_capture(const struct opts *o, const struct cmd_req *cmd, int argc,
		       char *argv[], const struct where *w)
{
	const char *file = cmd->capture.file;
	int p[2], out = capture_out(file), ret;

	if (out < 0) {
		say(w, "%s: %s", file, strerror(errno));
		return 1;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		say(w, "pipe: %s", strerror(errno));
		return 1;
	}
	ret = request_fd(o, cmd, argc, argv, w, p[1]);
	close(p[1]);
	if (!ret && (ret = capture_copy(p[0], out)))
		say(w, "capture: %s", strerror(-ret));
	close(p[0]);
	if (out != STDOUT_FILENO)
		close(out);
	return ret ? 1 : 0;
}

/* Answers help itself; checks the words first: a bad command never reaches foud. */
static int run_words(const struct opts *o, int argc, char *argv[], const struct where *w)
{
	struct cmd_req cmd;
	char err[256];

	if (cmd_help(argc, argv, stdout))
		return 0;
	if (cmd_parse(argc, argv, &cmd, err, sizeof(err))) {
		say(w, "%s", err);
		return 1;
	}
	if (cmd.obj == CMD_OBJ_CAPTURE)
		return run_capture(o, &cmd, argc, argv, w);
	return request(o, &cmd, argc, argv, w);
}

/* ---- batch ---------------------------------------------------------------- */

static FILE *batch_open(const char *file)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;

	if (!f)
		fprintf(stderr, "fouctl: cannot open %s: %s\n", file, strerror(errno));
	return f;
}

/*
 * As `ip -batch`: one command a line, stop at the first that fails (FILE:LINE
 * says which); with -force go on to the end, the exit status 1 if any failed.
 */
static int run_batch(const struct opts *o)
{
	struct where w = { .file = o->batch };
	char *argv[CTL_MAX_ARGS + 1];
	char *line = NULL;
	size_t cap = 0;
	int n, ret = 0;
	FILE *f = batch_open(o->batch);

	if (!f)
		return 1;
	while ((!ret || o->force) && getline(&line, &cap, f) >= 0) {
		w.line++;
		n = cmd_split(line, argv, CTL_MAX_ARGS);
		if (n < 0)
			say(&w, "too many words (at most %d)", CTL_MAX_ARGS);
		if (n < 0 || (n > 0 && run_words(o, n, argv, &w)))
			ret = 1;
	}
	if (!ret && ferror(f)) {
		fprintf(stderr, "fouctl: reading %s: %s\n", o->batch, strerror(errno));
		ret = 1;
	}
	free(line);
	batch_drop();
	if (f != stdin)
		fclose(f);
	return ret;
}

/* ---- import: systemd-networkd .netdev files ---------------------------------- */

static int import_read(const char *path, struct netdev_file *nf)
{
	FILE *f = fopen(path, "r");
	int ret;

	if (!f) {
		fprintf(stderr, "fouctl: cannot open %s: %s\n", path, strerror(errno));
		return -errno;
	}
	ret = netdev_read(f, path, nf, stderr);
	fclose(f);
	return ret;
}

/* -n prints the command (the grammar of foud -c); else it goes the way of any command. */
static int import_apply(const struct opts *o, const struct netdev_file *nf, bool dry)
{
	struct where w = { .file = nf->path, .line = nf->line };
	char line[NETDEV_CMD_MAX], *argv[CTL_MAX_ARGS + 1];
	int n;

	if (dry)
		return printf("%s\n", nf->cmd) < 0;
	memcpy(line, nf->cmd, sizeof(line));
	n = cmd_split(line, argv, CTL_MAX_ARGS);
	return n > 0 ? run_words(o, n, argv, &w) : 1;
}

/*
 * `import [-n] FILE...`: every file is read and checked first; a refused
 * file is skipped (the exit status says so), the others are applied, the
 * FOU ports (Kind=fou) before the tunnels whatever the order of the files.
 */
static int run_import(const struct opts *o, int argc, char *argv[])
{
	bool dry = argc > 0 && !strcmp(argv[0], "-n");
	struct netdev_file *nf;
	int ret = 0;

	argc -= dry;
	argv += dry;
	if (argc < 1) {
		fputs("Usage: fouctl import [ -n ] FILE...\n", stderr);
		return 1;
	}
	nf = calloc((size_t)argc, sizeof(*nf));
	if (!nf)
		return 1;
	for (int i = 0; i < argc; i++)
		if (import_read(argv[i], &nf[i]))
			ret = 1;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < argc; i++)
			if (nf[i].cmd[0] && nf[i].fou_port == !pass && import_apply(o, &nf[i], dry))
				ret = 1;
	free(nf);
	return ret;
}

int main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct where w = { 0 };
	int ind, ret = fouctl_opts(argc, argv, &o, &ind);

	if (ret >= 0)
		return ret;
	/* as ip -n: the namespace first, so its abstract socket is the one reached */
	if (o.netns && fouctl_netns(o.netns))
		return 1;
	/* a vanished foud or a closed pipe is an error to report, not a signal */
	signal(SIGPIPE, SIG_IGN);
	if (o.batch && ind < argc) {
		fprintf(stderr, "fouctl: \"%s\": no command words with -b\n", argv[ind]);
		return 1;
	}
	if (o.batch)
		return run_batch(&o);
	if (ind < argc && !strcmp(argv[ind], "import"))
		return run_import(&o, argc - ind - 1, argv + ind + 1);
	return run_words(&o, argc - ind, argv + ind, &w);
}
