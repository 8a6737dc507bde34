/* SPDX-License-Identifier: MIT */
/* The compiled BPF object (bpf/foud.bpf.c), embedded so that foud stays one file. */
__asm__(".section .rodata\n"
	".balign 8\n"
	".global foud_bpf_obj\n"
	"foud_bpf_obj:\n"
	".incbin \"" FOUD_BPF_OBJ "\"\n"
	".global foud_bpf_obj_end\n"
	"foud_bpf_obj_end:\n"
	".previous\n");
