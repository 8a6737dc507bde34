/* SPDX-License-Identifier: MIT */
/* foud: options, the -c file, start-up and shutdown. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "ctl.h"
#include "capture.h"
#include "foud.h"
#include "metrics.h"

#ifndef FOUD_CONF_DEFAULT
#define FOUD_CONF_DEFAULT "/etc/foud/foud.conf"
#endif

static struct foud *the_daemon;

static const char usage[] =
	"Usage: foud [-f] [-S SOCKET] [-c FILE] [-n] [-v] [-O] [-D DATAPATH]\n"
	"            [--metrics ADDR:PORT|unix:PATH]\n"
	"       foud --cleanup [-S SOCKET] [-v]\n"
	"  -f         stay in the foreground, log to stderr\n"
	"  -S SOCKET  control socket (default $FOUD_SOCKET or " CTL_SOCKET_DEFAULT ")\n"
	"  -c FILE    apply a file of fouctl commands at start (one per line, # comments;\n"
	"             default $FOUD_CONFIG or " FOUD_CONF_DEFAULT " if it exists)\n"
	"  -n         check that file and exit\n"
	"  -v         verbose logging\n"
	"  -O         turn TUN offloads (TSO, checksum) off\n"
	"  -D DATAPATH  default of link add: auto (BPF where possible), bpf or userspace\n"
	"  --metrics ADDR:PORT|[ADDR6]:PORT|unix:PATH\n"
	"             serve Prometheus metrics at /metrics (as the line metrics listen)\n"
	"  --cleanup  remove the devices and BPF programs stopped fouds left, and exit\n";

struct opts {
	bool foreground, check, verbose, no_offload, cleanup;
	const char *sock, *conf;
	struct cmd_metrics_cfg metrics;	/* family 0: none */
	const char *conf_reload;	/* the file reload reads, even if absent at start */
	enum cmd_datapath datapath;
};

static void on_signal(int sig)
{
	if (!the_daemon)
		return;
	if (sig == SIGHUP)
		the_daemon->hup = 1;
	else
		the_daemon->stop = 1;
}

/*
 * Without -c: $FOUD_CONFIG or the default file. A missing default is no
 * error (foud starts empty), except for -n, which has nothing else to check.
 */
static void default_conf(struct opts *o)
{
	const char *path = getenv("FOUD_CONFIG");

	if (!path || !*path)
		path = FOUD_CONF_DEFAULT;
	o->conf_reload = path;
	if (o->check || access(path, F_OK) == 0)
		o->conf = path;
}

#define OPT_METRICS	0x100

static int opt_metrics(struct opts *o, const char *arg)
{
	if (cmd_metrics_addr(arg, &o->metrics) == 0)
		return 0;
	fprintf(stderr, "foud: --metrics \"%s\": expected ADDR:PORT, [ADDR6]:PORT or unix:PATH\n",
		arg);
	return -EINVAL;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c, dp;

	o->datapath = CMD_DP_AUTO;
	o->sock = getenv("FOUD_SOCKET");
	if (!o->sock || !*o->sock)
		o->sock = CTL_SOCKET_DEFAULT;
	static const struct option longs[] = {
		{ "cleanup", no_argument, NULL, 'C' },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ NULL, 0, NULL, 0 },
	};

	while ((c = getopt_long(argc, argv, "fS:c:nvOD:h", longs, NULL)) != -1) {
		switch (c) {
		case 'C': o->cleanup = true; break;
		case 'f': o->foreground = true; break;
		case 'S': o->sock = optarg; break;
		case 'c': o->conf = optarg; break;
		case 'n': o->check = true; break;
		case 'v': o->verbose = true; break;
		case 'O': o->no_offload = true; break;
		case 'D':
			dp = cmd_datapath_lookup(optarg);
			if (dp < 0) {
				fprintf(stderr, "foud: -D \"%s\": expected auto, bpf or userspace\n",
					optarg);
				return -EINVAL;
			}
			o->datapath = (enum cmd_datapath)dp;
			break;
		case OPT_METRICS:
			if (opt_metrics(o, optarg))
				return -EINVAL;
			break;
		case 'h': fputs(usage, stdout); exit(0);
		default: fputs(usage, stderr); return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "foud: unexpected argument \"%s\"\n%s", argv[optind], usage);
		return -EINVAL;
	}
	if (!o->conf)
		default_conf(o);
	return 0;
}

/*
 * What the lower layers call up through, named here once: the device
 * classes (dev.c), what io hands up (port.c, raw.c) and the commands and
 * signal of the configuration file (exec.c, loop.c).
 */
static void foud_wire(struct foud *d)
{
	foud_dev_class(FK_DEV_TUN, &foud_tunnel_ops);
	foud_dev_class(FK_DEV_OVERLAY, &foud_overlay_ops);
	foud_dev_class(FK_DEV_STT, &foud_stt_ops);
	d->up = (struct foud_upcalls){
		.input = foud_dev_input,
		.gue_rx = foud_gue_auth_rx,
		.ports_changed = foud_bpf_ports_changed,
	};
	foud_reload_register(d);
}

static int foud_init(struct foud *d, const struct opts *o)
{
	int i, ret;

	memset(d, 0, sizeof(*d));
	foud_wire(d);
	TAILQ_INIT(&d->tunnels);
	TAILQ_INIT(&d->ports);
	TAILQ_INIT(&d->l2ports);
	d->ctl.fd = d->raw_tx4 = d->raw_tx6 = -1;
	for (i = 0; i < 6; i++)
		d->raw[i].ev.fd = -1;
	d->offload = !o->no_offload;
	d->udp_gso = d->offload;
	foud_uso_probe(d);
	d->verbose = o->verbose;
	d->datapath = o->datapath;
	d->fdb_budget.max = FOUD_FDB_MAX;
	if (getrandom(&d->hash_seed, sizeof(d->hash_seed), 0) != sizeof(d->hash_seed))
		d->hash_seed = (uint32_t)getpid() * 2654435761u;
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0)
		return -errno;
	d->scratch = malloc(FOU_VNET_HLEN + FOUD_PKT_MAX + 1);
	d->sendbuf = malloc(FOUD_PKT_MAX + FOUD_HEADROOM);
	if (!d->scratch || !d->sendbuf)
		return -ENOMEM;
	ret = foud_batch_init(&d->rxb);
	if (!ret)
		ret = foud_batch_init(&d->txb);
	if (!ret)
		ret = foud_gro_init(d);
	if (!ret)
		ret = foud_ours_init(d);
	return ret;
}

/* However foud ends, its devices and pinned programs stay. */
static void foud_fini(struct foud *d)
{
	foud_reap_fini(d);	/* what link del left for the next batch */
	foud_metrics_fini(d);
	foud_cap_fini(d);
	d->keep = true;
	foud_ctl_close(d);
	foud_conf_forget(d);
	foud_follow_fini(d);
	foud_fleet_free(d);
	foud_dev_free_all(d);
	foud_tou_free_all(d);
	foud_port_free_all(d);
	foud_bpf_fini(d);
	if (d->raw_tx4 >= 0)
		close(d->raw_tx4);
	if (d->raw_tx6 >= 0)
		close(d->raw_tx6);
	foud_batch_free(&d->rxb);
	foud_batch_free(&d->txb);
	free(d->scratch);
	free(d->sendbuf);
	foud_gro_fini(d);
	foud_ours_fini(d);
	free(d->l2q);
	close(d->epfd);
}

/*
 * SA_RESTART: a signal while the file is applied must not fail a netlink
 * read; epoll_wait is never restarted, so the loop still sees it at once.
 */
static void signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* --metrics before the file: a `metrics listen` line for the same address is then no error. */
static int start_metrics(struct foud *d, const struct opts *o)
{
	char err[256];

	if (!o->metrics.addr.ss_family || !foud_metrics_pin(d, &o->metrics, err, sizeof(err)))
		return 0;
	fprintf(stderr, "foud: %s\n", err);
	return -1;
}

/* Whether a foud answers on the control socket. */
static bool foud_running(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool yes;

	if (s < 0)
		return false;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	yes = connect(s, (const struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(s);
	return yes;
}

/*
 * foud --cleanup, with no foud running: removes the devices stopped fouds
 * left in this namespace, their pins (which detaches their TCX links) and
 * their clsact filters.
 */
static int cleanup(const struct opts *o)
{
	static struct foud d;
	int ret;

	if (foud_running(o->sock)) {
		fprintf(stderr, "foud: a foud is running on %s: stop it first (or use "
			"fouctl flush)\n", o->sock);
		return 1;
	}
	foud_log_init(true, o->verbose);
	d.verbose = o->verbose;
	/* Its pin directory is named after the socket (bpf_pin.c). */
	snprintf(d.sock_path, sizeof(d.sock_path), "%s", o->sock);
	ret = foud_persist_sweep();
	if (ret < 0)
		fprintf(stderr, "foud: cannot list the devices: %s\n", strerror(-ret));
	foud_bpf_settle(&d);
	return ret < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct foud d;
	struct opts o = { 0 };
	char err[512] = "";
	int ret;

	if (parse_opts(argc, argv, &o))
		return 2;
	if (o.cleanup)
		return cleanup(&o);
	if (o.check) {
		ret = foud_conf_check(o.conf, err, sizeof(err));
		fprintf(stderr, ret ? "foud: %s\n" : "configuration OK\n", err);
		return ret ? 1 : 0;
	}
	foud_log_init(true, o.verbose);
	ret = foud_init(&d, &o);
	if (!ret)
		ret = foud_ctl_open(&d, o.sock, err, sizeof(err));
	if (ret) {
		if (err[0])
			fprintf(stderr, "foud: %s\n", err);
		else
			fprintf(stderr, "foud: %s: %s\n", o.sock, strerror(-ret));
		return 1;
	}
	/* A SIGTERM while the file is applied ends foud cleanly, after it. */
	the_daemon = &d;
	signals();
	/* Without it foud still works, with the routes and MTUs of link add. */
	foud_follow_init(&d);
	if (start_metrics(&d, &o) ||
	    foud_conf_start(&d, o.conf ? o.conf : o.conf_reload, o.conf, err, sizeof(err))) {
		if (err[0])
			fprintf(stderr, "foud: %s\n", err);
		foud_fini(&d);
		return 1;
	}
	/* What the previous foud had and this configuration has not. */
	foud_persist_sweep();
	foud_bpf_settle(&d);
	if (!o.foreground) {
		if (daemon(0, 0) < 0) {
			fprintf(stderr, "foud: daemon: %s\n", strerror(errno));
			foud_fini(&d);
			return 1;
		}
		foud_log_init(false, o.verbose);
	}
	foud_log(LOG_INFO, "ready on %s", o.sock);
	/* After daemon(): the process that stays says it, with its own PID. */
	foud_notify_ready(&d, NULL);
	ret = foud_loop_run(&d);
	sd_notify(0, "STOPPING=1");
	foud_fini(&d);
	return ret ? 1 : 0;
}
