/* SPDX-License-Identifier: MIT */
/*
 * bpf-verify: loads every program of the BPF object foud embeds, opened as
 * foud opens it (foud_bpf_obj_open, daemon/bpf/bpf_obj.c), one program at a
 * time, and prints "ok NAME" or "refused NAME: " and the verifier log's last
 * lines (6, or argv[1]). Exits 1 on any refusal. Static, so that a kernel peer's initramfs
 * (tests/interop/05-bpf-verify.sh) runs it as it is. Pins nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "foud.h"

#define LOG_SIZE	(64u << 20)

static int tail_lines = 6;

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && getenv("BPF_VERIFY_V"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* The start of the log's last n lines. */
static const char *tail(const char *log, int n)
{
	const char *p = log + strlen(log);

	while (p > log && p[-1] == '\n')
		p--;
	while (p > log && (p[-1] != '\n' || --n > 0))
		p--;
	return p;
}

/* Loads the program named name alone (the others not): 0, or -errno. */
static int load_one(const char *name, char *log)
{
	struct bpf_object *obj = foud_bpf_obj_open(log, LOG_SIZE);
	struct bpf_program *p;
	int ret;

	if (!obj)
		return -errno;
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), name));
	ret = bpf_object__load(obj);
	bpf_object__close(obj);
	return ret;
}

static int verify(const char *name, char *log)
{
	int ret = load_one(name, log);
	char reason[256];

	if (!ret) {
		printf("ok %s\n", name);
		return 0;
	}
	foud_bpf_obj_reason(log, reason, sizeof(reason));
	printf("refused %s: %s (%s)\n%s\n", name, reason[0] ? reason : "no verifier log",
	       strerror(-ret), tail(log, tail_lines));
	return 1;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj = foud_bpf_obj_open(NULL, 0);
	char *log = malloc(LOG_SIZE);
	struct bpf_program *p;
	int bad = 0, n = 0;

	libbpf_set_print(quiet);
	if (argc > 1)
		tail_lines = atoi(argv[1]);
	if (!obj || !log) {
		fprintf(stderr, "bpf-verify: cannot open the embedded object: %s\n", strerror(errno));
		return 2;
	}
	bpf_object__for_each_program(p, obj) {
		bad |= verify(bpf_program__name(p), log);
		n++;
	}
	bpf_object__close(obj);
	free(log);
	printf("%d programs, %s\n", n, bad ? "some refused" : "all loaded");
	return bad || !n;
}
