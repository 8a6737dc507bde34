#!/usr/bin/env bash
# 22-nested.sh again on foud's userspace data path (foud -D userspace); 22-nested.sh
# itself runs under the default, where BPF carries what it can.
export FOUD_TEST_OPTS="-D userspace ${FOUD_TEST_OPTS:-}"
exec bash "$(dirname "$0")/22-nested.sh"
