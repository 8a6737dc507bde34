#!/bin/bash
# SPDX-License-Identifier: MIT
# The interop matrix again with every tunnel on foud's userspace data path
# (foud -D userspace); 50-matrix.sh runs what BPF can carry in the kernel.
export FOUD_TEST_OPTS="-D userspace ${FOUD_TEST_OPTS:-}"
exec bash "$(dirname "${BASH_SOURCE[0]}")/50-matrix.sh"
