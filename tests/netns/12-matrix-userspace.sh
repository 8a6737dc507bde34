#!/usr/bin/env bash
# The whole matrix again on foud's userspace data path (foud -D userspace),
# where 10-matrix.sh runs whatever BPF can carry in the kernel.
export FOUD_TEST_OPTS="-D userspace ${FOUD_TEST_OPTS:-}"
export FOUD_TEST_MIB=${FOUD_TEST_MIB_USERSPACE:-16}
exec bash "$(dirname "$0")/10-matrix.sh"
