/* SPDX-License-Identifier: MIT */
/*
 * The Prometheus text exposition format (0.0.4) of foud's counters: the
 * same figures as `fouctl -s` (the BPF programs' counters added to foud's
 * own), gathered once per scrape into one row per device, port and TOU
 * peer, then written a metric family at a time (a family's samples must be
 * together). Label values are escaped as the format says.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fou/l2.h"
#include "foud.h"
#include "metrics.h"

#define M_FDB	0x1	/* the row has a forwarding table (L2 devices) */
#define M_GSO	0x2	/* the row may send with UDP GSO */

/* One device, port or peer of a scrape: its labels, ready to print, and its figures. */
struct mrow {
	char labels[160];
	const char *datapath;
	unsigned int has;		/* M_* */
	struct foud_stats st;
	uint64_t gso_fallback, sock_drops, rebinds, sess_moves;
	uint64_t fdb_entries, fdb_learned, fdb_aged, fdb_refused;
};

/* One metric family over rows: need, the M_* a row must have to appear. */
struct mfam {
	const char *suffix, *type, *help;
	size_t off;			/* of a uint64_t in struct mrow */
	unsigned int need;
};

#define MR(f)	offsetof(struct mrow, f)

static const struct mfam dev_fams[] = {
	{ "rx_packets_total", "counter", "Packets decapsulated and delivered to the device.",
	  MR(st.rx_packets), 0 },
	{ "rx_bytes_total", "counter", "Bytes of those packets, inner headers included.",
	  MR(st.rx_bytes), 0 },
	{ "tx_packets_total", "counter", "Packets from the device encapsulated and sent.",
	  MR(st.tx_packets), 0 },
	{ "tx_bytes_total", "counter", "Bytes of those packets before encapsulation.",
	  MR(st.tx_bytes), 0 },
	{ "gso_fallbacks_total", "counter",
	  "Super-packets and trains of small packets sent segment by segment because the kernel "
	  "refused UDP GSO.",
	  MR(gso_fallback), M_GSO },
	{ "fdb_entries", "gauge", "Entries in the device's forwarding database.",
	  MR(fdb_entries), M_FDB },
	{ "fdb_learned_total", "counter", "Forwarding entries learned from received frames.",
	  MR(fdb_learned), M_FDB },
	{ "fdb_aged_total", "counter", "Learned forwarding entries removed by ageing.",
	  MR(fdb_aged), M_FDB },
	{ "fdb_refused_total", "counter",
	  "Addresses not learned because the forwarding database was full.",
	  MR(fdb_refused), M_FDB },
};

static const struct mfam port_fams[] = {
	{ "rx_packets_total", "counter", "Datagrams received on the port.", MR(st.rx_packets), 0 },
	{ "rx_bytes_total", "counter", "Bytes of those datagrams' payloads.", MR(st.rx_bytes), 0 },
	{ "socket_drops_total", "counter",
	  "Datagrams the kernel dropped at the port's socket (receive queue full).",
	  MR(sock_drops), 0 },
};

static const struct mfam peer_fams[] = {
	{ "rx_packets_total", "counter", "Packets received from the TOU peer.",
	  MR(st.rx_packets), 0 },
	{ "rx_bytes_total", "counter", "Bytes received from the TOU peer.", MR(st.rx_bytes), 0 },
	{ "tx_packets_total", "counter", "Packets sent to the TOU peer.", MR(st.tx_packets), 0 },
	{ "tx_bytes_total", "counter", "Bytes sent to the TOU peer.", MR(st.tx_bytes), 0 },
	{ "rebinds_total", "counter", "Times the TOU peer's UDP port changed (NAT rebinding).",
	  MR(rebinds), 0 },
	{ "session_moves_total", "counter",
	  "Times a TOU session with the peer moved to another address or port (session ids).",
	  MR(sess_moves), 0 },
};

/* s with \ " and newline escaped, as label values need; cut to fit n. */
static const char *esc(const char *s, char *buf, size_t n)
{
	size_t j = 0;

	for (; *s && j + 3 < n; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n')
			buf[j++] = '\\';
		buf[j++] = *s == '\n' ? 'n' : *s;
	}
	buf[j] = '\0';
	return buf;
}

static void head(struct foud_out *o, const char *prefix, const char *suffix,
		 const char *type, const char *help)
{
	foud_out_printf(o, "# HELP %s%s %s\n# TYPE %s%s %s\n", prefix, suffix, help,
			prefix, suffix, type);
}

/* For metrics_sec.c: the same escaping and family header. */
const char *foud_metrics_esc(const char *s, char *buf, size_t n)
{
	return esc(s, buf, n);
}

void foud_metrics_head(struct foud_out *o, const char *name, const char *type,
		       const char *help)
{
	head(o, name, "", type, help);
}

static void fam_write(struct foud_out *o, const char *prefix, const struct mfam *f,
		      const struct mrow *r, size_t n)
{
	const uint64_t *v;
	size_t i;

	head(o, prefix, f->suffix, f->type, f->help);
	for (i = 0; i < n; i++) {
		v = (const uint64_t *)((const char *)&r[i] + f->off);
		if ((r[i].has & f->need) == f->need)
			foud_out_printf(o, "%s%s{%s} %llu\n", prefix, f->suffix, r[i].labels,
					(unsigned long long)*v);
	}
}

/* Every reason in both directions, zeros too: a counter that appears late loses its first rise. */
static void drops_write(struct foud_out *o, const char *prefix, const struct mrow *r, size_t n)
{
	static const char *const dir[2] = { "rx", "tx" };
	const uint64_t *v;
	size_t i;
	int k, j;

	head(o, prefix, "drops_total", "counter", "Packets dropped, by direction and reason.");
	for (i = 0; i < n; i++)
		for (k = 0; k < 2; k++) {
			v = k ? r[i].st.tx_drop : r[i].st.rx_drop;
			for (j = 1; j < FOU_DROP__MAX; j++)
				foud_out_printf(o, "%sdrops_total{%s,direction=\"%s\",reason=\"%s\"} "
						"%llu\n", prefix, r[i].labels, dir[k],
						fou_drop_name(j), (unsigned long long)v[j]);
		}
}

static void rows_write(struct foud_out *o, const char *prefix, const struct mfam *f,
		       size_t nf, const struct mrow *r, size_t n, bool drops)
{
	size_t i;

	for (i = 0; i < nf; i++)
		fam_write(o, prefix, &f[i], r, n);
	if (drops)
		drops_write(o, prefix, r, n);
}

/* ---- gathering ----------------------------------------------------------- */

static const char *dev_kind(const struct foud *d, const struct foud_tunnel *t)
{
	if (d->tou && t == &d->tou->dev)
		return "tou";
	return foud_dev_kind_name(t);
}

static void dev_row(struct foud *d, const struct foud_tunnel *t, struct mrow *r)
{
	char n[2 * IFNAMSIZ + 1], k[32];
	const struct fou_fdb *f;

	snprintf(r->labels, sizeof(r->labels), "device=\"%s\",kind=\"%s\"",
		 esc(t->name, n, sizeof(n)), esc(dev_kind(d, t), k, sizeof(k)));
	r->st = t->st;
	foud_bpf_tunnel_stats(d, t, &r->st);
	r->datapath = t->bpf_egress ? "bpf" : "userspace";
	r->gso_fallback = t->gso_fallback;
	r->has = M_GSO;
	f = foud_dev_fdb(t);
	if (!f)
		return;
	r->has |= M_FDB;
	r->fdb_entries = f->count;
	r->fdb_learned = f->learned;
	r->fdb_aged = f->aged;
	r->fdb_refused = f->refused;
}

static size_t dev_rows(struct foud *d, struct mrow **rows)
{
	const struct foud_tunnel *t;
	size_t n = d->tou ? 1 : 0;
	struct mrow *r;

	TAILQ_FOREACH(t, &d->tunnels, entry)
		n++;
	r = *rows = calloc(n ? n : 1, sizeof(*r));
	if (!r)
		return 0;
	n = 0;
	TAILQ_FOREACH(t, &d->tunnels, entry)
		dev_row(d, t, &r[n++]);
	if (d->tou)
		dev_row(d, &d->tou->dev, &r[n++]);
	return n;
}

static void port_labels(struct mrow *r, uint16_t port, int family, const char *encap,
			const struct fou_addr *local)
{
	char a[64] = "", e[2 * sizeof(a) + 1];

	if (local->family)
		fou_addr_str(local, a, sizeof(a));
	snprintf(r->labels, sizeof(r->labels),
		 "port=\"%u\",family=\"%s\",encap=\"%s\",local=\"%s\"", port,
		 family == AF_INET6 ? "inet6" : "inet", encap, esc(a, e, sizeof(e)));
}

/* The rows being filled: fou ports, then the ports L2 devices share. */
struct mrows {
	struct mrow *r;
	size_t n, cap;
};

static void l2port_row(void *arg, const struct foud_port_info *i)
{
	struct mrows *m = arg;
	struct mrow *r;

	if (m->n >= m->cap)
		return;
	r = &m->r[m->n++];
	port_labels(r, i->port, i->family, i->kind, i->local);
	r->st = *i->st;
	r->sock_drops = i->sock_drops;
}

static void l2port_count(void *arg, const struct foud_port_info *i)
{
	(void)i;
	(*(size_t *)arg)++;
}

static size_t port_rows(struct foud *d, struct mrow **rows)
{
	const struct foud_port *p;
	struct mrows m = { 0 };
	struct mrow *r;

	TAILQ_FOREACH(p, &d->ports, entry)
		m.cap++;
	foud_dev_port_each(d, l2port_count, &m.cap);
	m.r = *rows = calloc(m.cap ? m.cap : 1, sizeof(*m.r));
	if (!m.r)
		return 0;
	TAILQ_FOREACH(p, &d->ports, entry) {
		r = &m.r[m.n++];
		port_labels(r, p->cfg.port, p->cfg.family, fou_encap(p->cfg.type)->name,
			    &p->cfg.local);
		r->st = p->st;
		foud_bpf_port_stats(d, p, &r->st);
		r->sock_drops = foud_sock_drops(p->ev.fd, p->sock_drops);
	}
	foud_dev_port_each(d, l2port_row, &m);
	return m.n;
}

static size_t peer_rows(struct foud *d, struct mrow **rows)
{
	const struct foud_tou_peer *p;
	char a[64], e[2 * sizeof(a) + 1];
	size_t n = 0;
	struct mrow *r;

	*rows = NULL;
	if (!d->tou)
		return 0;
	TAILQ_FOREACH(p, &d->tou->peers, entry)
		n++;
	r = *rows = calloc(n ? n : 1, sizeof(*r));
	if (!r)
		return 0;
	n = 0;
	TAILQ_FOREACH(p, &d->tou->peers, entry) {
		snprintf(r[n].labels, sizeof(r[n].labels), "peer=\"%s\"",
			 esc(fou_addr_str(&p->cfg.peer, a, sizeof(a)), e, sizeof(e)));
		r[n].st = p->st;
		r[n].sess_moves = p->sess_moves;
		r[n++].rebinds = p->rebinds;
	}
	return n;
}

/* ---- the process --------------------------------------------------------- */

/* Fields 14 (utime), 15 (stime) and 22 (starttime) of /proc/self/stat, in clock ticks. */
static int proc_stat(unsigned long long *cpu, unsigned long long *start)
{
	unsigned long long ut, st;
	char buf[1024], *p;
	size_t n;
	FILE *f = fopen("/proc/self/stat", "re");

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the command may hold spaces and parentheses */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu"
			 " %*d %*d %*d %*d %*d %*d %llu", &ut, &st, start) != 3)
		return -1;
	*cpu = ut + st;
	return 0;
}

/* The boot time (btime of /proc/stat), in seconds since the epoch. */
static unsigned long long boot_time(void)
{
	unsigned long long bt = 0;
	char line[256];
	FILE *f = fopen("/proc/stat", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %llu", &bt) == 1)
			break;
	fclose(f);
	return bt;
}

static unsigned long long rss_bytes(void)
{
	unsigned long long size, res = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return res * (unsigned long long)sysconf(_SC_PAGESIZE);
}

static unsigned long open_fds(void)
{
	unsigned long n = 0;
	struct dirent *e;
	DIR *dir = opendir("/proc/self/fd");

	if (!dir)
		return 0;
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n ? n - 1 : 0;	/* not the descriptor of this listing */
}

static void process_write(struct foud_out *o)
{
	unsigned long long cpu, start;
	double hz = (double)sysconf(_SC_CLK_TCK);

	if (!proc_stat(&cpu, &start)) {
		head(o, "process_", "cpu_seconds_total", "counter", "User and system CPU time.");
		foud_out_printf(o, "process_cpu_seconds_total %.2f\n", (double)cpu / hz);
		head(o, "process_", "start_time_seconds", "gauge",
		     "Start time of the process since the epoch.");
		foud_out_printf(o, "process_start_time_seconds %.2f\n",
				(double)boot_time() + (double)start / hz);
	}
	head(o, "process_", "resident_memory_bytes", "gauge", "Resident memory size.");
	foud_out_printf(o, "process_resident_memory_bytes %llu\n", rss_bytes());
	head(o, "process_", "open_fds", "gauge", "Open file descriptors.");
	foud_out_printf(o, "process_open_fds %lu\n", open_fds());
}

/* ---- the scrape ---------------------------------------------------------- */

static void info_write(struct foud_out *o, const struct mrow *r, size_t n)
{
	size_t i;

	head(o, "foud_device_", "info", "gauge",
	     "1 for each device: its kind and data path (bpf or userspace).");
	for (i = 0; i < n; i++)
		foud_out_printf(o, "foud_device_info{%s,datapath=\"%s\"} 1\n", r[i].labels,
				r[i].datapath);
}

/* Raw-socket packets that reached no tunnel. */
static void unmatched_write(struct foud_out *o, const struct foud *d)
{
	int j;

	head(o, "foud_", "unmatched_drops_total", "counter",
	     "Packets on foud's raw sockets that matched no tunnel, by reason.");
	for (j = 1; j < FOU_DROP__MAX; j++)
		foud_out_printf(o, "foud_unmatched_drops_total{reason=\"%s\"} %llu\n",
				fou_drop_name(j), (unsigned long long)d->unmatched.rx_drop[j]);
}

void foud_metrics_write(struct foud *d, struct foud_out *o)
{
	struct mrow *dev, *port, *peer;
	size_t nd = dev_rows(d, &dev), np = port_rows(d, &port), nq = peer_rows(d, &peer);

	info_write(o, dev, nd);
	rows_write(o, "foud_device_", dev_fams, sizeof(dev_fams) / sizeof(dev_fams[0]), dev, nd,
		   true);
	rows_write(o, "foud_port_", port_fams, sizeof(port_fams) / sizeof(port_fams[0]), port,
		   np, true);
	rows_write(o, "foud_tou_peer_", peer_fams, sizeof(peer_fams) / sizeof(peer_fams[0]),
		   peer, nq, true);
	unmatched_write(o, d);
	process_write(o);
	free(dev);
	free(port);
	free(peer);
}
