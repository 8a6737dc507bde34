#!/usr/bin/env bash
# foud's VXLAN against the kernel's again on foud's userspace data path
# (foud -D userspace), where 60-vxlan-kernel.sh runs it on BPF.
export FOUD_TEST_OPTS="-D userspace ${FOUD_TEST_OPTS:-}"
exec bash "$(dirname "$0")/60-vxlan-kernel.sh"
