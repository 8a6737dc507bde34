#!/usr/bin/env bash
# sweep: once
# foud's VXLAN against the kernel's again with foud -O: no TSO on the TAP, no
# receive coalescing, every frame whole.
export FOUD_TEST_OPTS=-O
exec bash "$(dirname "$0")/60-vxlan-kernel.sh"
