#!/usr/bin/env bash
# foud's VXLAN against the kernel's again with the kernel's default offloads:
# its inner TCP/UDP checksums stay partial (CHECKSUM_PARTIAL) across the
# veth, and foud's receive path completes them (60 turns tx off instead).
export VX_KERNEL_TX=on
exec bash "$(dirname "$0")/60-vxlan-kernel.sh"
