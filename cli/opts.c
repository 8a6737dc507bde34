// SPDX-License-Identifier: MIT
/*
 * fouctl's options, read as ip(8) reads its own: one word each, "--x" taken
 * as "-x", a word matching the first entry it prefixes in ip's order (so
 * "-b" is -batch and "-br" -brief; "-f" is ip's -family, which fouctl
 * refuses, so -force needs "-fo"). -S is foud's own and exact.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ctl.h"
#include "fouctl.h"

#ifndef FOUD_VERSION
#define FOUD_VERSION "unknown"
#endif

enum opt_id {
	O_NONE,		/* an ip option fouctl does not have */
	O_STATS, O_DETAILS, O_ONELINE, O_VERSION, O_FORCE, O_BATCH, O_BRIEF,
	O_JSON, O_PRETTY, O_HELP, O_NETNS,
};

struct opt_ent {
	const char *word;
	enum opt_id id;
};

/* ip.c's order; -h is -help here (fouctl has no -human). */
static const struct opt_ent opt_tab[] = {
	{ "-family", O_NONE },
	{ "-stats", O_STATS }, { "-statistics", O_STATS },
	{ "-details", O_DETAILS },
	{ "-oneline", O_ONELINE },
	{ "-Version", O_VERSION },
	{ "-version", O_VERSION },	/* --version, as GNU programs */
	{ "-force", O_FORCE },
	{ "-batch", O_BATCH },
	{ "-brief", O_BRIEF },
	{ "-json", O_JSON },
	{ "-pretty", O_PRETTY },
	{ "-help", O_HELP },
	{ "-netns", O_NETNS },
};

static const struct opt_ent *opt_find(const char *w)
{
	size_t n = strlen(w);

	for (size_t i = 0; i < sizeof(opt_tab) / sizeof(opt_tab[0]); i++)
		if (n > 1 && n <= strlen(opt_tab[i].word) && !strncmp(w, opt_tab[i].word, n))
			return &opt_tab[i];
	return NULL;
}

static void usage(FILE *f)
{
	fputs("Usage: ", f);
	fputs(cmd_usage, f);
	fputs("\nfouctl import [ -n ] FILE...\n", f);
}

/* An option that takes the next word: it must be there. */
static const char *opt_value(int argc, char *argv[], int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "fouctl: option \"%s\" needs a value\n", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

/* One option at argv[*i]; -1 to go on, else the exit status. */
static int opt_one(int argc, char *argv[], int *i, struct opts *o)
{
	const char *w = argv[*i][1] == '-' ? argv[*i] + 1 : argv[*i];
	const struct opt_ent *e = opt_find(w);
	const char *v = NULL;

	if (!strcmp(argv[*i], "-S")) {
		o->sock = opt_value(argc, argv, i);
		return o->sock ? -1 : 1;
	}
	if (!e || e->id == O_NONE) {
		fprintf(stderr, "fouctl: option \"%s\" is unknown%s%s; try \"fouctl -help\"\n",
			argv[*i], e ? ": it is ip's " : "", e ? e->word : "");
		return 1;
	}
	if ((e->id == O_BATCH || e->id == O_NETNS) && !(v = opt_value(argc, argv, i)))
		return 1;
	switch (e->id) {
	case O_STATS: o->flags |= CTL_F_STATS; break;
	case O_DETAILS: o->flags |= CTL_F_DETAILS; break;
	case O_ONELINE: o->oneline = true; break;
	case O_VERSION: printf("fouctl, foud %s\n", FOUD_VERSION); return 0;
	case O_FORCE: o->force = true; break;
	case O_BATCH: o->batch = v; break;
	case O_BRIEF: o->brief = true; break;
	case O_JSON: o->flags |= CTL_F_JSON; break;
	case O_PRETTY: o->flags |= CTL_F_PRETTY; break;
	case O_HELP: usage(stdout); return 0;
	case O_NETNS: o->netns = v; break;
	default: return 1;
	}
	return -1;
}

int fouctl_opts(int argc, char *argv[], struct opts *o, int *ind)
{
	int i, ret = -1;

	o->sock = getenv("FOUD_SOCKET");
	if (o->sock && !*o->sock)
		o->sock = NULL;
	for (i = 1; ret < 0 && i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		ret = opt_one(argc, argv, &i, o);
	}
	*ind = i;
	if (ret < 0 && i >= argc && !o->batch) {
		usage(stderr);
		ret = 1;
	}
	return ret;
}

int fouctl_netns(const char *name)
{
	char path[4096];
	int fd, ret = 0;

	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		fprintf(stderr, "fouctl: \"%s\" is not a network namespace name\n", name);
		return 1;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "fouctl: cannot enter network namespace \"%s\": %s\n", name,
			strerror(errno));
		ret = 1;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}
