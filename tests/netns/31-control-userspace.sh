#!/usr/bin/env bash
# 30-control.sh again on foud's userspace data path (foud -D userspace); 30-control.sh
# itself runs under the default, where BPF carries what it can.
export FOUD_TEST_OPTS="-D userspace ${FOUD_TEST_OPTS:-}"
exec bash "$(dirname "$0")/30-control.sh"
