/* SPDX-License-Identifier: MIT */
/*
 * The compiled BPF object (bpf/foud.bpf.c), embedded so that foud stays one
 * file, and its maps by name once bpf.c loaded it (bpf_l2.c reads them too).
 */
#include <errno.h>

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

struct bpf_object *foud_bpf_object;

int foud_bpf_map_fd(const struct foud_bpf *b, const char *name)
{
	struct bpf_map *m;

	if (!b || !foud_bpf_object)
		return -ENOENT;
	m = bpf_object__find_map_by_name(foud_bpf_object, name);
	return m ? bpf_map__fd(m) : -ENOENT;
}
