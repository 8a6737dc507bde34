/* SPDX-License-Identifier: MIT */
/*
 * The compiled BPF object (bpf/foud.bpf.c), embedded so that foud stays one
 * file, and its maps by name once bpf.c loaded it (bpf_l2.c reads them too).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "foud.h"

__asm__(".section .rodata\n"
	".balign 8\n"
	".global foud_bpf_obj\n"
	"foud_bpf_obj:\n"
	".incbin \"" FOUD_BPF_OBJ "\"\n"
	".global foud_bpf_obj_end\n"
	"foud_bpf_obj_end:\n"
	".previous\n");

extern const unsigned char foud_bpf_obj[], foud_bpf_obj_end[];

struct bpf_object *foud_bpf_object;

/*
 * The embedded object opened as foud loads it (bpf.c, and the verifier check
 * tests/tools/bpf-verify.c). With log: a program the verifier refuses leaves
 * its log there (libbpf loads again at log level 1 into it).
 */
struct bpf_object *foud_bpf_obj_open(char *log, size_t len)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "foud");
	struct bpf_object *obj;
	struct bpf_program *p;

	obj = bpf_object__open_mem(foud_bpf_obj, (size_t)(foud_bpf_obj_end - foud_bpf_obj), &oo);
	if (!obj || !log)
		return obj;
	log[0] = 0;
	bpf_object__for_each_program(p, obj)
		bpf_program__set_log_buf(p, log, len);
	return obj;
}

/* Whether a log line is the verifier's closing statistics, not a reason. */
static int stats_line(const char *l, size_t n)
{
	return n == 0 || (n >= 10 && !strncmp(l, "processed ", 10)) ||
	       (n >= 18 && !strncmp(l, "verification time ", 18));
}

/* The verifier's reason: the last line of its log but the statistics. */
void foud_bpf_obj_reason(const char *log, char *out, size_t len)
{
	const char *end = log + strlen(log), *l;

	out[0] = 0;
	while (end > log) {
		while (end > log && end[-1] == '\n')
			end--;
		for (l = end; l > log && l[-1] != '\n'; l--)
			;
		if (!stats_line(l, (size_t)(end - l))) {
			snprintf(out, len, "%.*s", (int)(end - l), l);
			return;
		}
		end = l;
	}
}

int foud_bpf_map_fd(const struct foud_bpf *b, const char *name)
{
	struct bpf_map *m;

	if (!b || !foud_bpf_object)
		return -ENOENT;
	m = bpf_object__find_map_by_name(foud_bpf_object, name);
	return m ? bpf_map__fd(m) : -ENOENT;
}
