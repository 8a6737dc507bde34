#!/usr/bin/env bash
# foud's VXLAN against the kernel's (60) again on foud's userspace data path
# (foud -D userspace), where 60 runs it on BPF. 61 and 63 are not repeated
# (time): on BPF their malformed datagrams still go to, and are judged by,
# the userspace decoders; FOUD_TEST_OPTS="-D userspace" runs them whole.
export FOUD_TEST_OPTS="-D userspace ${FOUD_TEST_OPTS:-}"
exec bash "$(dirname "$0")/60-vxlan-kernel.sh"
